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
 * The side-by-side table of a run: per conversation length, the turns per second of each
 * repository with JMH's 99.9 % error, the time per turn, and how many times faster sessionkit's
 * turn is than Spring AI's JDBC repository's (above 1: sessionkit is faster). Stateless.
 */
public final class TurnReport {

  /**
   * One measured cell.
   *
   * @param length messages in the conversation before the turn
   * @param repository {@link TrialRepository#SESSIONKIT} or {@link TrialRepository#SPRING_AI_JDBC}
   * @param opsPerSecond turns per second
   * @param error the half width of JMH's 99.9 % confidence interval ({@code NaN} when unknown)
   */
  public record Score(int length, String repository, double opsPerSecond, double error) {}

  private TurnReport() {}

  /** Returns the scores of a JMH run of {@link TurnBenchmark}, in no particular order. */
  public static List<Score> scores(Collection<RunResult> results) {
    List<Score> scores = new ArrayList<>();
    for (RunResult r : results) {
      Result<?> primary = r.getPrimaryResult();
      scores.add(new Score(
          Integer.parseInt(r.getParams().getParam("length")), r.getParams().getParam("repository"),
          primary.getScore(), primary.getScoreError()));
    }
    return scores;
  }

  /**
   * Returns the markdown table of {@code scores}: one row per length, ascending; a missing cell
   * (a repository not run at that length) shows as a dash, and so does its ratio.
   */
  public static String markdown(List<Score> scores) {
    Map<Integer, Map<String, Score>> byLength = new TreeMap<>();
    for (Score s : scores) {
      byLength.computeIfAbsent(s.length(), k -> new TreeMap<>()).put(s.repository(), s);
    }
    StringBuilder b = new StringBuilder();
    b.append("| messages | sessionkit on PostgreSQL (turns/s) | Spring AI JDBC (turns/s) | ms per turn (sessionkit / JDBC) | sessionkit ÷ JDBC |\n");
    b.append("|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<Integer, Map<String, Score>> row : byLength.entrySet()) {
      Optional<Score> ours = Optional.ofNullable(row.getValue().get(TrialRepository.SESSIONKIT));
      Optional<Score> theirs = Optional.ofNullable(row.getValue().get(TrialRepository.SPRING_AI_JDBC));
      b.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s / %s | %s |%n",
          row.getKey(), cell(ours), cell(theirs), millis(ours), millis(theirs),
          ours.isPresent() && theirs.isPresent()
              ? String.format(Locale.ROOT, "%.2f×", ours.get().opsPerSecond() / theirs.get().opsPerSecond())
              : "–"));
    }
    return b.toString();
  }

  private static String cell(Optional<Score> s) {
    if (s.isEmpty()) {
      return "–";
    }
    double error = s.get().error();
    return Double.isNaN(error)
        ? String.format(Locale.ROOT, "%,.0f", s.get().opsPerSecond())
        : String.format(Locale.ROOT, "%,.0f ± %,.0f", s.get().opsPerSecond(), error);
  }

  private static String millis(Optional<Score> s) {
    return s.map(x -> String.format(Locale.ROOT, "%.2f", 1000.0 / x.opsPerSecond())).orElse("–");
  }
}
