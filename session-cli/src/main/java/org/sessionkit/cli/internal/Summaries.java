package org.sessionkit.cli.internal;

import java.time.Duration;
import org.sessionkit.ListingProblem;

/** The closing lines of the commands that copy sessions. Stateless. */
final class Summaries {

  private Summaries() {}

  /** The running counts shown beside a progress bar or line. */
  static String progress(Tally.Counts c, boolean dryRun) {
    return (dryRun ? "would copy " : "copied ") + Text.count(c.copied())
        + " \u00b7 skipped " + Text.count(c.skipped())
        + " \u00b7 failed " + Text.count(c.failed());
  }

  /**
   * The final counts: {@code copied 95 · skipped 5 (3 identical, 2 newer in the target) · failed 0}.
   */
  static String counts(Tally.Counts c, boolean dryRun) {
    StringBuilder b = new StringBuilder(dryRun ? "would copy " : "copied ").append(Text.count(c.copied()));
    b.append(" \u00b7 ").append(dryRun ? "would skip " : "skipped ").append(Text.count(c.skipped()));
    if (c.identical() > 0 && c.newer() > 0) {
      b.append(" (").append(Text.count(c.identical())).append(" identical, ")
          .append(Text.count(c.newer())).append(" newer in the target)");
    } else if (c.identical() > 0) {
      b.append(" (identical)");
    } else if (c.newer() > 0) {
      b.append(" (newer in the target)");
    }
    b.append(" \u00b7 failed ").append(Text.count(c.failed()));
    return b.toString();
  }

  /** Advice after the counts, if any is due. */
  static String advice(Tally.Counts c, boolean dryRun, boolean overwrite) {
    StringBuilder b = new StringBuilder();
    if (dryRun) {
      b.append("dry run: nothing was written");
    }
    if (c.newer() > 0 && !overwrite) {
      append(b, Text.plural(c.newer(), "session") + " kept because the target's copy is newer"
          + " (--verbose names them; --overwrite replaces them)");
    }
    if (c.failed() > 0) {
      append(b, "the failures are listed above; fix them and run the same command again: what was"
          + " copied is skipped");
    }
    return b.toString();
  }

  private static void append(StringBuilder b, String s) {
    if (b.length() > 0) {
      b.append(System.lineSeparator());
    }
    b.append(s);
  }

  /** The time and rate of a run: {@code in 12.3 s (8,130 sessions/s)}. */
  static String took(long n, Duration d) {
    if (d.toMillis() < 1000 || n < 100) {
      return "in " + Text.duration(d); // a rate over a blink or a handful means nothing
    }
    return "in " + Text.duration(d) + " (" + Text.rate(n, d).replace("/s", " sessions/s") + ")";
  }

  /** Names a listing problem in the failure report: its location, and its id when known. */
  static String label(ListingProblem p) {
    return p.location() + p.id().filter(id -> !p.location().contains(id)).map(id -> " (" + Text.id(id) + ")").orElse("");
  }
}
