package org.sessionkit.file.internal;

import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.sessionkit.spi.DocumentMetadata;

/**
 * How long sessions are kept after their last write, and the clock that times writes.
 *
 * <p>A document's last write is the {@code written_at} of its {@code sessionkit} head (the
 * store's clock at the write); a document without one (neuron wrote it, or a sessionkit version
 * before write times) counts from its file's modification time. A document whose last write is
 * {@link #period} or more before {@link #now()} is expired: absent for every operation, whether
 * or not a sweep removed its file yet. Immutable and thread safe.
 *
 * @param period how long a session is kept after its last write; empty to keep sessions forever
 * @param clock the store's clock
 */
public record Retention(Optional<Duration> period, Clock clock) {

  /** Validates the fields. */
  public Retention {
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(clock, "clock");
    if (period.isPresent() && (period.get().isNegative() || period.get().isZero())) {
      throw new IllegalArgumentException("a retention must be positive: " + period.get());
    }
  }

  /** Keeps sessions forever; write times come from the system clock. */
  public static final Retention FOREVER = new Retention(Optional.empty(), Clock.systemUTC());

  /** Returns the store's time now. */
  public Instant now() {
    return clock.instant();
  }

  /** Returns whether sessions expire at all. */
  public boolean expires() {
    return period.isPresent();
  }

  /** Returns whether a document last written at {@code written} is expired now. */
  public boolean expired(Instant written) {
    return period.isPresent() && !written.plus(period.get()).isAfter(clock.instant());
  }

  /**
   * Returns when a document was last written: its head's {@code written_at}, else its file's
   * modification time.
   */
  public static Instant lastWrite(Optional<DocumentMetadata> metadata, BasicFileAttributes file) {
    if (metadata.isPresent() && metadata.get().writtenAt().isPresent()) {
      return metadata.get().writtenAt().get();
    }
    return file.lastModifiedTime().toInstant();
  }
}
