package org.sessionkit.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the store comparison: discovers the stores on the class path, runs the benchmarks of a
 * profile with JMH, and writes {@code results.json} (JMH's JSON), {@code results.md} (the table,
 * also printed) and {@code results.svg} (the chart) to {@code target/bench} or {@code --out}.
 *
 * <pre>
 * java -jar session-bench/target/benchmarks.jar            # quick profile, a few minutes
 * java -jar session-bench/target/benchmarks.jar --full     # every operation, size and thread count
 * java -jar session-bench/target/benchmarks.jar --smoke    # one very short pass (CI)
 * java -jar session-bench/target/benchmarks.jar --servers  # also PostgreSQL and Redis
 * options: --out DIR, -p NAME=V1,V2 (e.g. -p store=memory), --include REGEX, --rounds N,
 *          --forks N, --threads 1,2, --help
 * </pre>
 *
 * <p>Profiles: {@code quick} (default) measures save and load of sessions of 100 messages (one
 * thread), update of two hot sessions by two threads, append at turn 100 against a full save,
 * {@code list()} over 1,000 sessions and the first page with and without a prefix, with one
 * fork, a warm-up and three measured iterations of a second each, for every store in its
 * default configuration (the file store with fsync on). {@code full} measures every benchmark
 * at sizes 10, 100 and 1,000 (appends at turns 10, 100 and 1,000; fsync on and off), with 1 and
 * 2 threads where concurrency matters, three warm-ups and five measured iterations, in two
 * rounds (the whole plan twice; the report gives medians, and each ratio is the median of the
 * rounds' ratios). {@code smoke} runs every benchmark once, briefly, in this JVM, and fails on
 * any error. Every store runs with its baseline. {@code -p store=…} chooses the stores (their
 * baselines join automatically); {@code --servers} adds the server stores on the class path
 * whose server answers; other {@code -p} values replace a profile's values of that parameter.
 */
public final class Main {

  /** The profiles. */
  enum Profile {
    /** One very short pass over every benchmark in this JVM; fails on any error (CI). */
    SMOKE,
    /** A few operations, one size, a few minutes. */
    QUICK,
    /** Everything, statistically serious. */
    FULL
  }

  /** Which of the chosen stores a step runs on. */
  enum Stores {
    /** Every store. */
    ALL,
    /** Stores that can list (not the server baselines, which have no index). */
    LISTING,
    /** Stores in a directory: a cold start of their listing cache means something there. */
    DIRECTORY;

    boolean accepts(StoreFactory f) {
      switch (this) {
        case LISTING:
          return f.lists();
        case DIRECTORY:
          return f.kind() == StoreFactory.Kind.DIRECTORY;
        default:
          return true;
      }
    }
  }

  /**
   * One JMH run: the benchmarks of one class matching {@code methods}, with parameter values,
   * for each thread count, on the chosen stores that {@code stores} accepts.
   */
  record Step(Class<?> benchmark, String methods, List<Integer> threads, Map<String, List<String>> params,
      Stores stores) {}

  private final Profile profile;
  private final Path out;
  private final Map<String, List<String>> overrides;
  private final Optional<Pattern> include;
  private final Optional<Integer> forks;
  private final Optional<Integer> rounds;
  private final Optional<List<Integer>> threads;
  private final boolean servers;
  private final PrintStream console;

  Main(Profile profile, Path out, Map<String, List<String>> overrides, Optional<Pattern> include,
      Optional<Integer> forks, Optional<Integer> rounds, Optional<List<Integer>> threads, boolean servers,
      PrintStream console) {
    this.rounds = rounds;
    this.profile = profile;
    this.servers = servers;
    this.out = out;
    this.overrides = overrides;
    this.include = include;
    this.forks = forks;
    this.threads = threads;
    this.console = console;
  }

  /**
   * Runs the comparison; see the class documentation for the arguments. Exits with status 2 on a
   * bad argument and 1 if a benchmark failed.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("session-bench: " + e.getMessage());
      System.err.println(usage());
      status = 2;
    }
    System.exit(status);
  }

  /**
   * Runs the comparison without exiting the JVM.
   *
   * @param args the command line
   * @param console where the table and progress go
   * @return 0 when every planned benchmark produced a result, else 1
   * @throws IllegalArgumentException for a bad argument
   */
  static int run(String[] args, PrintStream console) {
    Profile profile = Profile.QUICK;
    Path out = Paths.get("target", "bench");
    Map<String, List<String>> overrides = new LinkedHashMap<>();
    Optional<Pattern> include = Optional.empty();
    Optional<Integer> forks = Optional.empty();
    Optional<Integer> rounds = Optional.empty();
    Optional<List<Integer>> threads = Optional.empty();
    boolean servers = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick":
          profile = Profile.QUICK;
          break;
        case "--full":
          profile = Profile.FULL;
          break;
        case "--smoke":
          profile = Profile.SMOKE;
          break;
        case "--servers":
          servers = true;
          break;
        case "--profile":
          profile = Profile.valueOf(value(args, ++i, a).toUpperCase(Locale.ROOT));
          break;
        case "--out":
          out = Paths.get(value(args, ++i, a));
          break;
        case "--include":
          include = Optional.of(Pattern.compile(value(args, ++i, a)));
          break;
        case "--forks":
          try {
            forks = Optional.of(Integer.parseInt(value(args, ++i, a)));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--forks takes a number, not " + args[i]);
          }
          break;
        case "--rounds":
          try {
            rounds = Optional.of(Integer.parseInt(value(args, ++i, a)));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rounds takes a number, not " + args[i]);
          }
          if (rounds.get() < 1) {
            throw new IllegalArgumentException("--rounds takes a number of at least 1, not " + args[i]);
          }
          break;
        case "--threads":
          try {
            threads = Optional.of(Arrays.stream(value(args, ++i, a).split(","))
                .map(t -> Integer.parseInt(t.trim())).collect(Collectors.toList()));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--threads takes numbers like 1,2, not " + args[i]);
          }
          break;
        case "-p":
          {
            String p = value(args, ++i, a);
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
              throw new IllegalArgumentException("-p takes NAME=V1,V2, not " + p);
            }
            overrides.put(p.substring(0, eq), List.of(p.substring(eq + 1).split(",")));
            break;
          }
        case "-h":
        case "--help":
          console.println(usage());
          return 0;
        default:
          throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    return new Main(profile, out, overrides, include, forks, rounds, threads, servers, console).run();
  }

  static String usage() {
    return String.join("\n",
        "usage: java -jar benchmarks.jar [--quick | --full | --smoke] [--servers] [--out DIR] [-p NAME=V1,V2]...",
        "       [--include REGEX] [--rounds N] [--forks N] [--threads 1,2]",
        "  --quick         (default) save, load, update (2 threads), append, list(), first pages; 100-message",
        "                  sessions; stores in their default configuration (file: fsync on); a few minutes",
        "  --full          every benchmark, sizes 10/100/1,000, 1 and 2 threads, fsync on and off, 2 rounds",
        "                  (about two hours on 2 cores)",
        "  --smoke         every benchmark once, very briefly, in this JVM (CI)",
        "  --servers       also the server stores on the class path (postgresql, redis, mysql), each in a schema,",
        "                  key prefix or database of its own, removed afterwards; skipped when the server does not answer",
        "  --out DIR       where results.json, results.md and results.svg go (default target/bench)",
        "  -p store=A,B    the stores to compare (default: the embedded stores found, plus the server stores",
        "                  with --servers; baselines join automatically), e.g. -p store=postgresql,redis;",
        "                  <store>-observed = the store behind session-micrometer, compared with the bare store",
        "  -p NAME=V1,V2   replace a parameter's values (size, turn, sessions)",
        "  --rounds N      run the whole plan N times and report medians: a store and its baseline run",
        "                  one after the other in each round, so a slow spell of a shared disk or CPU",
        "                  shows as spread instead of a wrong ratio (default: quick 1, full 2)",
        "  --forks N       JMH forks per benchmark and round instead of 1 (0 runs in this JVM)",
        "  --threads 1,2   thread counts instead of the profile's (the mixed group keeps 2)",
        "  --include REGEX only the benchmarks whose Class.method matches (taken from the full plan",
        "                  when the profile has none of them; the profile still sets forks and iterations)",
        "  servers: -Dsessionkit.bench.uri.<scheme>=<uri> or SESSIONKIT_BENCH_URI_<SCHEME> (default: the local",
        "           postgresql://postgres@127.0.0.1:5432/test, redis://127.0.0.1:6379 and mariadb://root@127.0.0.1:3306/test);",
        "           other stores need one",
        "  variants: the same store on another server under a name of its own, with its own baseline:",
        "           -Dsessionkit.bench.uri.redis-cluster=redis://h1:p1,h2:p2 (or SESSIONKIT_BENCH_URI_REDIS_CLUSTER)",
        "           adds redis-cluster and raw-redis-cluster (-p store=redis,redis-cluster compares them;",
        "           session-bench/scripts/redis-cluster.sh run … starts a private cluster around a command)");
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** The steps of a profile. */
  static List<Step> plan(Profile profile) {
    List<Step> steps = new ArrayList<>();
    switch (profile) {
      case SMOKE:
        steps.add(step(SaveLoadBenchmark.class, "save|load", List.of(1), "size", "10"));
        steps.add(step(MixedBenchmark.class, "mixed", List.of(2), "size", "10"));
        steps.add(step(UpdateBenchmark.class, "update", List.of(2), "size", "10"));
        steps.add(step(AsyncBenchmark.class, "saveAsync|loadAsync", List.of(1), "size", "10"));
        steps.add(step(AppendBenchmark.class, "append|fullSave", List.of(1), "turn", "10"));
        steps.add(new Step(ListAllBenchmark.class, "list", List.of(1),
            Map.of("sessions", List.of("20"), "size", List.of("10")), Stores.LISTING));
        steps.add(new Step(FirstPageBenchmark.class, "firstPage|firstPagePrefix", List.of(1),
            Map.of("sessions", List.of("200")), Stores.LISTING));
        steps.add(new Step(FirstPageColdBenchmark.class, "firstPageCold|firstPagePrefixCold", List.of(1),
            Map.of("sessions", List.of("200")), Stores.DIRECTORY));
        break;
      case QUICK:
        steps.add(step(SaveLoadBenchmark.class, "save|load", List.of(1), "size", "100"));
        // two threads on two ids: the contention update exists for
        steps.add(step(UpdateBenchmark.class, "update", List.of(2), "size", "100"));
        steps.add(step(AppendBenchmark.class, "append|fullSave", List.of(1), "turn", "100"));
        // list() is meant not to depend on session size (--full shows it): the small population
        // keeps filling and the baseline's full scan short.
        steps.add(new Step(ListAllBenchmark.class, "list", List.of(1),
            Map.of("sessions", List.of("1000"), "size", List.of("10")), Stores.LISTING));
        steps.add(new Step(FirstPageBenchmark.class, "firstPage|firstPagePrefix", List.of(1),
            Map.of("sessions", List.of("auto")), Stores.LISTING));
        break;
      default:
        List<String> sizes = List.of("10", "100", "1000");
        steps.add(new Step(SaveLoadBenchmark.class, "save|load", List.of(1, 2), Map.of("size", sizes), Stores.ALL));
        steps.add(new Step(MixedBenchmark.class, "mixed", List.of(2), Map.of("size", sizes), Stores.ALL));
        steps.add(new Step(UpdateBenchmark.class, "update", List.of(1, 2), Map.of("size", sizes), Stores.ALL));
        steps.add(new Step(AsyncBenchmark.class, "saveAsync|loadAsync", List.of(1, 2), Map.of("size", sizes), Stores.ALL));
        steps.add(new Step(AppendBenchmark.class, "append|fullSave", List.of(1), Map.of("turn", sizes), Stores.ALL));
        steps.add(new Step(ListAllBenchmark.class, "list", List.of(1),
            Map.of("sessions", List.of("1000"), "size", List.of("10", "1000")), Stores.LISTING));
        steps.add(new Step(FirstPageBenchmark.class, "firstPage|firstPagePrefix", List.of(1),
            Map.of("sessions", List.of("auto")), Stores.LISTING));
        steps.add(new Step(FirstPageColdBenchmark.class, "firstPageCold|firstPagePrefixCold", List.of(1),
            Map.of("sessions", List.of("auto")), Stores.DIRECTORY));
        break;
    }
    return steps;
  }

  private static Step step(Class<?> benchmark, String methods, List<Integer> threads, String param, String value) {
    return new Step(benchmark, methods, threads, Map.of(param, List.of(value)), Stores.ALL);
  }

  /** Runs the profile and writes the report; returns the exit status. */
  int run() {
    StoreFactories.Discovery discovery = StoreFactories.discover();
    discovery.skipped().forEach(s -> console.println("session-bench: skipping " + s));
    List<StoreFactory> chosen = chooseStores(discovery);
    List<String> stores = chosen.stream().map(StoreFactory::name).collect(Collectors.toList());
    if (stores.isEmpty()) {
      throw new IllegalArgumentException("no store to benchmark: no store module on the class path"
          + " or no server answering");
    }
    Path work = out.resolve("work").toAbsolutePath();
    Map<String, String> previous = new LinkedHashMap<>();
    setProperty(previous, StoreHandle.DIR_PROPERTY, work.toString());
    setProperty(previous, StoreHandle.RUN_PROPERTY, StoreHandle.newRunId());
    if (profile == Profile.SMOKE) {
      // numbers of a smoke pass mean nothing: don't wait for them to become meaningful
      setProperty(previous, StoreHandle.SETTLE_PROPERTY, "0");
      setProperty(previous, StoreBenchmark.CODEC_WARMUP_PROPERTY, "0");
      // JMH lets one run at a time use a machine (a lock in the temporary directory); a smoke
      // pass measures nothing, so it must not fail because a real benchmark runs beside it
      setProperty(previous, "jmh.ignoreLock", "true");
    }
    console.println("session-bench: profile " + profile.name().toLowerCase(Locale.ROOT) + ", run "
        + System.getProperty(StoreHandle.RUN_PROPERTY) + ", stores " + stores
        + ", results in " + out.toAbsolutePath());
    List<RunResult> results = new ArrayList<>();
    List<Report.Row> rows = new ArrayList<>();
    int planned = 0;
    Instant started = Instant.now();
    List<Step> steps = plan(profile);
    if (include.isPresent() && selected(steps).isEmpty()) {
      steps = plan(Profile.FULL); // a benchmark the profile leaves out: take it from the full plan
    }
    if (selected(steps).isEmpty()) {
      throw new IllegalArgumentException("no benchmark matches --include " + include.map(Pattern::pattern).orElse(""));
    }
    int roundCount = rounds.orElse(profile == Profile.FULL ? 2 : 1);
    try {
      for (int round = 1; round <= roundCount; round++) {
      if (roundCount > 1) {
        console.println("session-bench: round " + round + " of " + roundCount);
      }
      for (Step step : steps) {
        List<String> stepStores = chosen.stream()
            .filter(step.stores()::accepts).map(StoreFactory::name).collect(Collectors.toList());
        if (stepStores.isEmpty()) {
          continue;
        }
        for (String method : step.methods().split("\\|")) {
          String name = step.benchmark().getSimpleName() + "." + method;
          if (include.isPresent() && !include.get().matcher(name).find()) {
            continue;
          }
          // a @Group benchmark has a fixed number of threads per group: keep the profile's
          List<Integer> counts = step.benchmark() == MixedBenchmark.class ? step.threads() : threads.orElse(step.threads());
          for (int threads : counts) {
            Map<String, List<String>> params = params(step);
            planned += stepStores.size() * params.values().stream().mapToInt(List::size).reduce(1, (x, y) -> x * y);
            Collection<RunResult> run = runJmh(step.benchmark(), method, threads, stepStores, params, work);
            results.addAll(run);
            rows.addAll(Report.rows(run));
            if (profile != Profile.SMOKE) {
              write(results, Report.merge(rows), stores, started, roundCount, false);
            }
          }
        }
      }
      }
    } finally {
      StoreHandle.deleteRecursively(work);
      sweep(chosen);
      previous.forEach((k, v) -> {
        if (v.isEmpty()) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
    write(results, Report.merge(rows), stores, started, roundCount, true);
    if (results.size() < planned) {
      console.println("session-bench: " + (planned - results.size()) + " of " + planned
          + " benchmarks produced no result (see the JMH output above)");
      return 1;
    }
    return 0;
  }

  /** The Class.method names of {@code steps} that {@code --include} selects. */
  private List<String> selected(List<Step> steps) {
    List<String> names = new ArrayList<>();
    for (Step step : steps) {
      for (String method : step.methods().split("\\|")) {
        String name = step.benchmark().getSimpleName() + "." + method;
        if (include.isEmpty() || include.get().matcher(name).find()) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /**
   * The stores to run, each followed by its baseline: those asked for with {@code -p store=…},
   * else the default targets (but for the full profile without the {@code -nofsync} variants), plus
   * the server stores with {@code --servers}. A server store whose server does not answer is
   * skipped with a message, with its baseline.
   */
  private List<StoreFactory> chooseStores(StoreFactories.Discovery discovery) {
    Map<String, StoreFactory> chosen = new LinkedHashMap<>();
    List<String> asked = overrides.get("store");
    if (asked == null) {
      // The quick and smoke profiles compare each store as configured by default (fsync on);
      // the variants (file-nofsync, and the observed stores whose baseline is the bare store) run
      // the same code and wait for --full or -p store=….
      discovery.targets().stream()
          .filter(f -> profile == Profile.FULL
              || !(f.name().endsWith("-nofsync") || f.name().endsWith(StoreFactory.OBSERVED_SUFFIX)))
          .forEach(f -> chosen.put(f.name(), f));
    } else {
      for (String s : asked) {
        StoreFactory f = StoreFactories.forName(s.trim());
        chosen.put(f.name(), f);
        f.baseline().ifPresent(b -> chosen.putIfAbsent(b, StoreFactories.forName(b)));
      }
    }
    if (servers) {
      discovery.servers().forEach(f -> chosen.putIfAbsent(f.name(), f));
    }
    Set<String> unreachable = new LinkedHashSet<>();
    Map<String, Optional<String>> probed = new LinkedHashMap<>();
    for (StoreFactory f : chosen.values()) {
      if (f.server().isEmpty()) {
        continue;
      }
      StoreFactory.Server s = f.server().get();
      Optional<String> problem =
          probed.computeIfAbsent(s.store().name() + " " + s.uri(), k -> s.store().probe(s.uri()));
      if (problem.isPresent()) {
        if (unreachable.add(s.store().name())) {
          console.println("session-bench: skipping " + s.store().name() + " (no server answers at "
              + org.sessionkit.spi.StorageUri.redact(s.uri()) + ": " + problem.get() + "; set -D"
              + StoreFactories.URI_PROPERTY_PREFIX + s.store().name() + "=<uri> or "
              + StoreFactories.envName(s.store().name()) + ")");
        }
      }
    }
    return chosen.values().stream()
        .filter(f -> f.server().isEmpty() || !unreachable.contains(f.server().get().store().name()))
        .collect(Collectors.toList());
  }

  /** Removes whatever this run left on the servers (a fork that died skipped its teardown). */
  private void sweep(List<StoreFactory> chosen) {
    Set<String> done = new LinkedHashSet<>();
    for (StoreFactory f : chosen) {
      if (f.server().isEmpty()) {
        continue;
      }
      StoreFactory.Server s = f.server().get();
      if (!done.add(s.store().name() + " " + s.uri())) {
        continue;
      }
      try {
        int n = s.store().sweep(s.uri(), StoreHandle.namespacePrefix());
        if (n > 0) {
          // the shared populations of listing benchmarks, and anything a fork that died left
          // (counted as the store counts: namespaces, or keys for Redis)
          console.println("session-bench: removed what this run left on " + s.store().name() + " (" + n + ")");
        }
      } catch (RuntimeException e) {
        console.println("session-bench: could not clean up " + s.store().name() + ": " + e.getMessage());
      }
    }
  }

  private static void setProperty(Map<String, String> previous, String name, String value) {
    previous.put(name, System.getProperty(name, ""));
    System.setProperty(name, value);
  }

  private Map<String, List<String>> params(Step step) {
    Map<String, List<String>> params = new LinkedHashMap<>(step.params());
    for (Map.Entry<String, List<String>> e : overrides.entrySet()) {
      if (params.containsKey(e.getKey())) {
        params.put(e.getKey(), e.getValue());
      }
    }
    return params;
  }

  private Collection<RunResult> runJmh(
      Class<?> benchmark, String method, int threads, List<String> stores, Map<String, List<String>> params, Path work) {
    ChainedOptionsBuilder o = new OptionsBuilder()
        .include("^" + Pattern.quote(benchmark.getName() + "." + method) + "$")
        .param("store", stores.toArray(String[]::new))
        .threads(threads)
        .mode(Mode.Throughput)
        .timeUnit(TimeUnit.SECONDS)
        .jvmArgsAppend(forkProperties(work))
        .timeout(TimeValue.minutes(10));
    params.forEach((k, v) -> o.param(k, v.toArray(String[]::new)));
    switch (profile) {
      case SMOKE:
        o.forks(0).warmupIterations(0).measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100)).shouldFailOnError(true).verbosity(VerboseMode.SILENT);
        break;
      case QUICK:
        // (each trial first warms the codec up for 2 s: see StoreBenchmark.warmUpCodec)
        o.forks(1).warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(3)
            .measurementTime(TimeValue.seconds(1));
        break;
      default:
        o.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
            .measurementTime(TimeValue.seconds(1));
        break;
    }
    forks.ifPresent(o::forks);
    long waitedSince = System.nanoTime();
    while (true) {
      try {
        return new Runner(o.build()).run();
      } catch (RunnerException e) {
        if (profile != Profile.SMOKE && heldByAnotherRun(e)
            && System.nanoTime() - waitedSince < TimeUnit.MINUTES.toNanos(LOCK_WAIT_MINUTES)) {
          // Another JMH run on this machine (JMH allows one at a time): measuring beside it
          // would be meaningless anyway, so wait for it instead of losing this benchmark.
          console.println("session-bench: another JMH run holds the machine; waiting to run "
              + benchmark.getSimpleName() + "." + method);
          sleepSeconds(15);
          continue;
        }
        if (profile == Profile.SMOKE) {
          throw new IllegalStateException("benchmark " + benchmark.getSimpleName() + "." + method + " failed", e);
        }
        console.println("session-bench: " + benchmark.getSimpleName() + "." + method + " failed: " + e.getMessage());
        return List.of();
      }
    }
  }

  /** How long a run waits for another JMH run on the machine before giving a benchmark up. */
  private static final long LOCK_WAIT_MINUTES = 120;

  private static boolean heldByAnotherRun(RunnerException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("Unable to acquire the JMH lock")) {
        return true;
      }
    }
    return false;
  }

  private static void sleepSeconds(int seconds) {
    try {
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for another JMH run", e);
    }
  }

  /**
   * System properties every fork needs: the work directory, the run and the user's sessionkit
   * settings. Store URIs given as {@code -Dsessionkit.bench.uri.<scheme>} may hold passwords and
   * JMH prints every fork's command line, so they travel in an owner-only file of the work
   * directory instead ({@link StoreFactories#URI_FILE_PROPERTY}).
   */
  private static String[] forkProperties(Path work) {
    List<String> props = new ArrayList<>();
    props.add("-D" + StoreHandle.DIR_PROPERTY + "=" + work);
    java.util.Properties uris = new java.util.Properties();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith(StoreFactories.URI_PROPERTY_PREFIX)) {
        uris.setProperty(name, System.getProperty(name));
      } else if (name.startsWith("sessionkit.") && !name.equals(StoreHandle.DIR_PROPERTY)
          && !name.equals(StoreFactories.URI_FILE_PROPERTY)) {
        props.add("-D" + name + "=" + System.getProperty(name));
      }
    }
    if (!uris.isEmpty()) {
      Path file = work.resolve("uris.properties");
      try {
        Files.createDirectories(work);
        Files.deleteIfExists(file);
        Files.createFile(file);
        try {
          Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: the work directory's own permissions apply
        }
        try (java.io.Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
          uris.store(w, "store URIs for the benchmark's forks; deleted at the end of the run");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("can't write " + file, e);
      }
      props.add("-D" + StoreFactories.URI_FILE_PROPERTY + "=" + file);
    }
    return props.toArray(String[]::new);
  }


  /**
   * Writes results.json, results.md and results.svg; when {@code finished}, also prints the
   * table. Called after every JMH run too, so that an interrupted run leaves what it measured.
   */
  private void write(List<RunResult> results, List<Report.Row> rows, List<String> stores, Instant started,
      int roundCount, boolean finished) {
    try {
      Files.createDirectories(out);
      Path json = out.resolve("results.json");
      ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(results);
      Report report = new Report(rows, stores);
      String md = header(started, roundCount) + (finished ? "" : "\n*Partial: the run is still going or was interrupted.*\n")
          + "\n" + report.markdown();
      Files.writeString(out.resolve("results.md"), md, StandardCharsets.UTF_8);
      Files.writeString(out.resolve("results.svg"), report.svg(), StandardCharsets.UTF_8);
      if (!finished) {
        return;
      }
      console.println();
      console.println(md);
      console.println("session-bench: wrote " + json + ", " + out.resolve("results.md") + ", " + out.resolve("results.svg"));
    } catch (IOException e) {
      throw new UncheckedIOException("can't write the report to " + out, e);
    }
  }

  private String header(Instant started, int roundCount) {
    long seconds = started.until(Instant.now(), ChronoUnit.SECONDS);
    return String.format(Locale.ROOT,
        "## sessionkit benchmarks — %s profile%n%n"
            + "%s; %d CPUs (%s); %s %s; %s; run took %d min %d s.%n",
        profile.name().toLowerCase(Locale.ROOT), started.truncatedTo(ChronoUnit.SECONDS),
        Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version", System.getProperty("java.version")),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"), seconds / 60, seconds % 60)
        + String.format(Locale.ROOT, "JMH 1.37, throughput mode; %s%s%s.%n", settings(),
            forks.map(n -> "; forks: " + n).orElse(""),
            roundCount > 1 ? "; " + roundCount + " rounds (medians; ratios are medians of each round's ratio)" : "");
  }

  private String settings() {
    switch (profile) {
      case SMOKE:
        return "no fork, no warm-up, one 100 ms iteration (a smoke test: the numbers mean little)";
      case QUICK:
        return "1 fork, 2 s codec warm-up + 1 × 1 s warm-up, 3 × 1 s measured";
      default:
        return "1 fork, 2 s codec warm-up + 3 × 1 s warm-up, 5 × 1 s measured, per round";
    }
  }

  private static String cpuModel() {
    try {
      Path cpuinfo = Paths.get("/proc/cpuinfo");
      if (Files.isReadable(cpuinfo)) {
        return Files.readAllLines(cpuinfo).stream()
            .filter(l -> l.startsWith("model name"))
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst()
            .orElse("unknown CPU");
      }
    } catch (IOException | UncheckedIOException e) {
      // the model is decoration: fall through
    }
    return "unknown CPU";
  }
}
