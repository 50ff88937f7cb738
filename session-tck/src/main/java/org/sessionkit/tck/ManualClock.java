package org.sessionkit.tck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock the kit moves by hand, handed to a store with retention so that the retention checks
 * need no waiting. Thread safe: the store may read it from any thread.
 */
final class ManualClock extends Clock {

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  ManualClock(Instant start) {
    this(new AtomicReference<>(start), ZoneOffset.UTC);
  }

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** Moves the clock forward by {@code d}. */
  void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** Returns a clock in {@code zone} that moves with this one. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(now, zone);
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
