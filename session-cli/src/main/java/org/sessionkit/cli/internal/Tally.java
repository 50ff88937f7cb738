package org.sessionkit.cli.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The running counts of a copy (export, import, migrate): what was copied, what was skipped
 * because the target already held the same session, what was kept because the target's copy is
 * newer, and what failed. Thread safe; each count is exact, a {@link #snapshot()} taken while
 * work goes on may mix counts of slightly different moments.
 */
final class Tally {

  private final AtomicLong copied = new AtomicLong();
  private final AtomicLong identical = new AtomicLong();
  private final AtomicLong newer = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  void copied() {
    copied.incrementAndGet();
  }

  void identical() {
    identical.incrementAndGet();
  }

  void newer() {
    newer.incrementAndGet();
  }

  void failed() {
    failed.incrementAndGet();
  }

  Counts snapshot() {
    return new Counts(copied.get(), identical.get(), newer.get(), failed.get());
  }

  /**
   * Counts at one moment.
   *
   * @param copied sessions written to the target (or that would be, in a dry run)
   * @param identical sessions skipped because the target holds an equal one
   * @param newer sessions skipped because the target's copy is newer (or differs at the same
   *     {@code updated_at}) and {@code --overwrite} was not given
   * @param failed sessions (or entries) that could not be read or written
   */
  record Counts(long copied, long identical, long newer, long failed) {

    /** Returns how many sessions were skipped, for either reason. */
    long skipped() {
      return identical + newer;
    }

    /** Returns how many items are done, whatever the outcome. */
    long done() {
      return copied + identical + newer + failed;
    }
  }
}
