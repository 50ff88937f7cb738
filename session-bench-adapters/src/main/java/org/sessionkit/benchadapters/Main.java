package org.sessionkit.benchadapters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link TurnBenchmark} for the three memories and every length in one JMH run and prints
 * the side-by-side table ({@link TurnReport}).
 *
 * <pre>
 * java -jar session-bench-adapters/target/adapter-benchmarks.jar [options]
 *   --warmup N       warm-up iterations (3)      --iterations N   measured iterations (5)
 *   --time SECONDS   length of each iteration (2) --forks N        JVM forks (1)
 *   -p length=10,100 history lengths (10,100,1000,10000)
 *   -p memory=window memories (window,spring-ai-jdbc,repository)
 *   --out FILE       also write the table (markdown) to FILE
 * </pre>
 *
 * <p>The server is {@link BenchPostgres#fromEnvironment()}: the environment variable {@code
 * SESSIONKIT_TEST_POSTGRES_URL} (inherited by JMH's forks; the place for a password) or {@code
 * -Dsessionkit.bench.postgres=…}, else the local server. When no server answers, the run is
 * skipped with a message and exit status 0.
 */
public final class Main {

  private Main() {}

  /**
   * Runs the benchmark and exits with {@link #run}'s status.
   *
   * @param args the options above
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, BenchPostgres.fromEnvironment()));
  }

  /**
   * Runs the benchmark against {@code server}, printing to {@code out}.
   *
   * @return 0 when the table was printed or the run was skipped for want of a server; 2 for bad
   *     options; 1 when the run or writing {@code --out} failed
   */
  static int run(String[] args, PrintStream out, BenchPostgres server) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
      out.println(USAGE);
      return 2;
    }
    if (o.help) {
      out.println(USAGE);
      return 0;
    }
    if (!server.answers()) {
      out.println("Adapter benchmark skipped: no PostgreSQL server answers at " + server
          + "; start one or point SESSIONKIT_TEST_POSTGRES_URL at one.");
      return 0;
    }
    ChainedOptionsBuilder jmh = new OptionsBuilder()
        .include("^" + Pattern.quote(TurnBenchmark.class.getName()) + "\\.")
        .warmupIterations(o.warmup)
        .warmupTime(TimeValue.seconds(o.seconds))
        .measurementIterations(o.iterations)
        .measurementTime(TimeValue.seconds(o.seconds))
        .forks(o.forks)
        .threads(1)
        .shouldFailOnError(true);
    for (Map.Entry<String, String[]> p : o.params.entrySet()) {
      jmh.param(p.getKey(), p.getValue());
    }
    Collection<RunResult> results;
    try {
      results = new Runner(jmh.build()).run();
    } catch (RunnerException e) {
      out.println("error: the benchmark failed: " + e.getMessage());
      return 1;
    }
    List<TurnReport.Score> scores = TurnReport.scores(results);
    String table = TurnReport.markdown(scores) + TurnReport.growth(scores).map(g -> "\n" + g + "\n").orElse("");
    out.println();
    out.println("A turn (add question, add answer, read the memory for the next prompt), window "
        + TrialMemory.WINDOW + ", on " + server + ":");
    out.print(table);
    if (o.out != null) {
      try {
        Files.writeString(o.out, table, StandardCharsets.UTF_8);
      } catch (IOException e) {
        out.println("error: could not write " + o.out + ": " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }

  static final String USAGE = String.join("\n",
      "usage: java -jar adapter-benchmarks.jar [--warmup N] [--iterations N] [--time SECONDS] [--forks N]",
      "                                        [-p length=10,100,1000,10000] [-p memory=window,spring-ai-jdbc,repository]",
      "                                        [--out FILE] [--help]",
      "server: SESSIONKIT_TEST_POSTGRES_URL or -D" + BenchPostgres.PROPERTY + "=postgresql://user@host:port/db"
          + " (default " + BenchPostgres.DEFAULT_URL + ")");

  /** The parsed command line. */
  static final class Options {
    int warmup = 3;
    int iterations = 5;
    int seconds = 2;
    int forks = 1;
    boolean help;
    Path out;
    final Map<String, String[]> params = new LinkedHashMap<>();

    static Options parse(String[] args) {
      Options o = new Options();
      List<String> rest = new ArrayList<>(List.of(args));
      while (!rest.isEmpty()) {
        String a = rest.remove(0);
        switch (a) {
          case "--help", "-h" -> o.help = true;
          case "--warmup" -> o.warmup = number(a, rest, 0);
          case "--iterations" -> o.iterations = number(a, rest, 1);
          case "--time" -> o.seconds = number(a, rest, 1);
          case "--forks" -> o.forks = number(a, rest, 0);
          case "--out" -> o.out = Path.of(value(a, rest));
          case "-p" -> {
            String p = value(a, rest);
            int eq = p.indexOf('=');
            String name = eq < 0 ? p : p.substring(0, eq);
            if (eq < 0 || !(name.equals("length") || name.equals("memory")) || eq == p.length() - 1) {
              throw new IllegalArgumentException("-p takes length=N,… or memory=NAME,…, not " + p);
            }
            o.params.put(name, p.substring(eq + 1).split(","));
          }
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      return o;
    }

    private static String value(String option, List<String> rest) {
      if (rest.isEmpty()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return rest.remove(0);
    }

    private static int number(String option, List<String> rest, int min) {
      String v = value(option, rest);
      try {
        int n = Integer.parseInt(v);
        if (n < min) {
          throw new IllegalArgumentException(option + " must be at least " + min + ", not " + v);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " takes a number, not " + v, e);
      }
    }
  }
}
