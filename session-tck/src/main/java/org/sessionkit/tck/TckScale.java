package org.sessionkit.tck;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How big the heavy checks of {@link SessionStorageCompatibilityKit} are: session sizes,
 * numbers of sessions, threads and operations, and how long the kit waits for one operation.
 * Immutable; the {@code with…} methods return copies.
 *
 * <p>The kit takes its scale from {@link SessionStorageCompatibilityKit#scale()}, which by
 * default reads the system property {@value #PROPERTY}: {@code ci} (the default, small enough
 * for a CI run on a busy machine), {@code full} (the documented sizes: 5,000-message sessions of
 * several MB, 5,000 sessions to page through, 8 threads) or {@code smoke} (a quick pass for slow
 * media or for running the kit many times, as its own mutation tests do).
 *
 * @param name a label for reports
 * @param largeSessionMessages messages in the large-session checks
 * @param largeStringChars characters of the large inline image in the large-session checks
 * @param pagingSessions sessions stored for the paging checks
 * @param threads threads in every concurrency check
 * @param updatesPerThread {@code update} calls per thread on one id
 * @param appendsPerThread {@code append} calls per thread on one id
 * @param sequentialAppends appends in the long-append round trip
 * @param raceRounds writes by the writer in the torn-read and append/save/delete races
 * @param sessionsPerThread distinct sessions each thread saves in the concurrent-save check
 * @param operationTimeout how long the kit waits for any one future before failing the check
 */
public record TckScale(
    String name,
    int largeSessionMessages,
    int largeStringChars,
    int pagingSessions,
    int threads,
    int updatesPerThread,
    int appendsPerThread,
    int sequentialAppends,
    int raceRounds,
    int sessionsPerThread,
    Duration operationTimeout) {

  /** The system property that selects the scale: {@code smoke}, {@code ci} or {@code full}. */
  public static final String PROPERTY = "sessionkit.test.scale";

  /** A quick pass: a few seconds against an in-memory store. */
  public static final TckScale SMOKE =
      new TckScale("smoke", 100, 16 * 1024, 150, 4, 25, 25, 60, 100, 10, Duration.ofSeconds(30));

  /** The default: non-trivial sizes that still run in well under a minute in memory. */
  public static final TckScale CI =
      new TckScale("ci", 1_000, 256 * 1024, 1_500, 4, 50, 50, 300, 300, 50, Duration.ofSeconds(60));

  /** The documented full size: 5,000-message sessions of several MB, 5,000 sessions listed. */
  public static final TckScale FULL =
      new TckScale(
          "full", 5_000, 4 * 1024 * 1024, 5_000, 8, 500, 200, 1_000, 2_000, 250, Duration.ofSeconds(120));

  /** Validates the values. */
  public TckScale {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(operationTimeout, "operationTimeout");
    if (largeSessionMessages < 10
        || largeStringChars < 1
        || pagingSessions < 60
        || threads < 2
        || updatesPerThread < 1
        || appendsPerThread < 1
        || sequentialAppends < 10
        || raceRounds < 10
        || sessionsPerThread < 1
        || operationTimeout.isNegative()
        || operationTimeout.isZero()) {
      // The checks need a minimum to mean anything (e.g. several pages, real contention).
      throw new IllegalArgumentException("scale too small to prove anything: " + name);
    }
  }

  /**
   * Returns the scale named by the system property {@value #PROPERTY}, {@link #CI} when it is
   * not set.
   *
   * @throws IllegalArgumentException if the property names no scale
   */
  public static TckScale fromSystemProperty() {
    return named(System.getProperty(PROPERTY, "ci"));
  }

  /**
   * Returns the scale called {@code name}: {@code smoke}, {@code ci} or {@code full} (any case).
   *
   * @throws IllegalArgumentException for another name
   */
  public static TckScale named(String name) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "smoke":
        return SMOKE;
      case "ci":
      case "":
        return CI;
      case "full":
        return FULL;
      default:
        throw new IllegalArgumentException(
            "unknown " + PROPERTY + " \"" + name + "\": use smoke, ci or full");
    }
  }

  /** Returns a copy with {@code pagingSessions} sessions in the paging checks. */
  public TckScale withPagingSessions(int pagingSessions) {
    return new TckScale(name, largeSessionMessages, largeStringChars, pagingSessions, threads,
        updatesPerThread, appendsPerThread, sequentialAppends, raceRounds, sessionsPerThread,
        operationTimeout);
  }

  /** Returns a copy with {@code threads} threads in the concurrency checks. */
  public TckScale withThreads(int threads) {
    return new TckScale(name, largeSessionMessages, largeStringChars, pagingSessions, threads,
        updatesPerThread, appendsPerThread, sequentialAppends, raceRounds, sessionsPerThread,
        operationTimeout);
  }

  /** Returns a copy that waits at most {@code timeout} for one operation. */
  public TckScale withOperationTimeout(Duration timeout) {
    return new TckScale(name, largeSessionMessages, largeStringChars, pagingSessions, threads,
        updatesPerThread, appendsPerThread, sequentialAppends, raceRounds, sessionsPerThread,
        timeout);
  }
}
