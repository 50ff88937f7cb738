package org.sessionkit.benchadapters;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * The side-by-side table of a run: per history length, the turns per second of (a) sessionkit's
 * window memory, (b) Spring AI's window memory over its JDBC repository and (c) Spring AI's
 * window memory as large as the history over sessionkit's repository, each with JMH's 99.9 %
 * error, the milliseconds per turn, and how many times faster (a) is than (b) and than (c) (above
 * 1: (a) is faster). Stateless.
 */
public final class TurnReport {

  /**
   * One measured cell.
   *
   * @param length messages in the history before the turn
   * @param memory one of {@link TrialMemory#NAMES}
   * @param opsPerSecond turns per second
   * @param error the half width of JMH's 99.9 % confidence interval ({@code NaN} when unknown)
   */
  public record Score(int length, String memory, double opsPerSecond, double error) {}

  private TurnReport() {}

  /** Returns the scores of a JMH run of {@link TurnBenchmark}, in no particular order. */
  public static List<Score> scores(Collection<RunResult> results) {
    List<Score> scores = new ArrayList<>();
    for (RunResult r : results) {
      Result<?> primary = r.getPrimaryResult();
      scores.add(new Score(
          Integer.parseInt(r.getParams().getParam("length")), r.getParams().getParam("memory"),
          primary.getScore(), primary.getScoreError()));
    }
    return scores;
  }

  /**
   * Returns the markdown table of {@code scores}: one row per length, ascending; a missing cell
   * (a memory not run at that length) shows as a dash, and so does its ratio.
   */
  public static String markdown(List<Score> scores) {
    Map<Integer, Map<String, Score>> byLength = new TreeMap<>();
    for (Score s : scores) {
      byLength.computeIfAbsent(s.length(), k -> new TreeMap<>()).put(s.memory(), s);
    }
    StringBuilder b = new StringBuilder();
    b.append("| history | (a) sessionkit window memory (turns/s) | (b) Spring AI JDBC, window 20 (turns/s) "
        + "| (c) sessionkit repository, whole-history window (turns/s) | ms per turn (a / b / c) | a ÷ b | a ÷ c |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<Integer, Map<String, Score>> row : byLength.entrySet()) {
      Optional<Score> a = Optional.ofNullable(row.getValue().get(TrialMemory.WINDOW_MEMORY));
      Optional<Score> bb = Optional.ofNullable(row.getValue().get(TrialMemory.SPRING_AI_JDBC));
      Optional<Score> c = Optional.ofNullable(row.getValue().get(TrialMemory.REPOSITORY));
      b.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s / %s / %s | %s | %s |%n",
          row.getKey(), cell(a), cell(bb), cell(c), millis(a), millis(bb), millis(c), ratio(a, bb), ratio(a, c)));
    }
    return b.toString();
  }

  /**
   * Returns how (a) at the longest history compares with (a) at the shortest: "(a) at 10,000: 1.12×
   * the time of (a) at 10", or empty when (a) was measured at fewer than two lengths.
   */
  public static Optional<String> growth(List<Score> scores) {
    List<Score> a = scores.stream().filter(s -> s.memory().equals(TrialMemory.WINDOW_MEMORY))
        .sorted((x, y) -> Integer.compare(x.length(), y.length())).toList();
    if (a.size() < 2) {
      return Optional.empty();
    }
    Score first = a.get(0);
    Score last = a.get(a.size() - 1);
    return Optional.of(String.format(Locale.ROOT, "(a) at %,d messages: %.2f× the time per turn of (a) at %,d",
        last.length(), first.opsPerSecond() / last.opsPerSecond(), first.length()));
  }

  private static String ratio(Optional<Score> x, Optional<Score> y) {
    return x.isPresent() && y.isPresent()
        ? String.format(Locale.ROOT, "%.2f×", x.get().opsPerSecond() / y.get().opsPerSecond())
        : "–";
  }

  private static String cell(Optional<Score> s) {
    if (s.isEmpty()) {
      return "–";
    }
    double error = s.get().error();
    return Double.isNaN(error)
        ? String.format(Locale.ROOT, "%,.1f", s.get().opsPerSecond())
        : String.format(Locale.ROOT, "%,.1f ± %,.1f", s.get().opsPerSecond(), error);
  }

  private static String millis(Optional<Score> s) {
    return s.map(x -> String.format(Locale.ROOT, "%.2f", 1000.0 / x.opsPerSecond())).orElse("–");
  }
}
