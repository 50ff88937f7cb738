package org.sessionkit.redis.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Futures;
import org.sessionkit.SessionStorageException;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;

/**
 * Turns what Lettuce and Redis fail with into the store's typed errors. Everything that comes
 * from the connection or the server is {@link StorageUnavailableException} keeping its cause;
 * the store's own errors pass unchanged. Messages name the store by its redacted description,
 * and a password is cut out of any text that might echo it.
 *
 * <p>For a <em>write</em> (one script, sent once and never re-sent), the failures after which
 * it may have been applied are {@link AmbiguousOutcomeException}:
 *
 * <ul>
 *   <li>a timeout: the script was handed to the connection and may still run when the server
 *       catches up (a stalled or paused server runs it later);
 *   <li>a connection that dropped while the script was in flight (its reply was lost);
 *   <li>closing the store while the script was in flight;
 *   <li>anything else from the connection that the store can't place.
 * </ul>
 *
 * Failures after which nothing was applied stay plain {@link StorageUnavailableException}: an
 * error reply of the server ({@code OOM}, {@code READONLY}, {@code LOADING}, {@code BUSY},
 * {@code NOPERM}, {@code CLUSTERDOWN}, {@code MOVED} past the redirect limit…: a script that is
 * refused does not start, and the store's scripts fail only before their first write), a command
 * rejected because the connection is down, and a connection that could not be made. Reads are
 * never ambiguous; after {@code close()} they fail with {@link StorageClosedException}.
 *
 * <p>Immutable and thread safe.
 */
public final class Failures {

  /** Lettuce's message for a command it refused to send while disconnected. */
  private static final String REJECTED = "Commands are rejected";

  private final String description;
  private final Optional<String> secret;
  private final Duration timeout;

  /**
   * Creates the mapper of a store.
   *
   * @param description the store's redacted description
   * @param secret the password to keep out of messages, if any
   * @param timeout the call timeout, for messages
   */
  public Failures(String description, Optional<String> secret, Duration timeout) {
    this.description = description;
    this.secret = secret.filter(s -> !s.isEmpty());
    this.timeout = timeout;
  }

  /** Returns the store's redacted description. */
  public String description() {
    return description;
  }

  /**
   * Returns the store error for {@code failure} of a read {@code what}.
   *
   * @param closed whether the store has been closed
   */
  public RuntimeException map(Throwable failure, String what, boolean closed) {
    return map(failure, what, closed, false);
  }

  /**
   * Returns the store error for {@code failure} of the operation {@code what}.
   *
   * @param closed whether the store has been closed
   * @param write whether the operation was a write that had been handed to the connection
   */
  public RuntimeException map(Throwable failure, String what, boolean closed, boolean write) {
    Throwable cause = Futures.unwrap(failure);
    if (cause instanceof SessionStorageException e) {
      return e;
    }
    boolean notApplied = certainlyNotApplied(cause);
    if (closed) {
      if (write && !notApplied) {
        return new AmbiguousOutcomeException(
            what + ": the store " + description + " was closed while the write was running; it may or may not"
                + " have been applied (retry with the same idempotency key to find out)", cause);
      }
      return new StorageClosedException(what + ": the store " + description + " was closed");
    }
    if (cause instanceof TimeoutException || cause instanceof RedisCommandTimeoutException) {
      String base = what + ": Redis " + description + " did not answer within " + timeout.toMillis() + " ms";
      if (write) {
        return new AmbiguousOutcomeException(
            base + "; the write may or may not have been applied, and may still be applied when the server"
                + " catches up (retry with the same idempotency key)", cause);
      }
      return new StorageUnavailableException(base, cause);
    }
    if (cause instanceof CancellationException) {
      String base = what + ": the command to Redis " + description + " was cancelled";
      return write
          ? new AmbiguousOutcomeException(base + "; the write may or may not have been applied", cause)
          : new StorageUnavailableException(base, cause);
    }
    if (cause instanceof RedisCommandExecutionException) {
      return new StorageUnavailableException(
          what + ": Redis " + description + " refused: " + clean(cause.getMessage()), cause);
    }
    if (cause instanceof RuntimeException r && !fromTheConnection(r)) {
      return r; // a programming error; keep it as it is
    }
    String base = what + ": Redis " + description + " is unavailable: " + clean(cause.getMessage());
    if (write && !notApplied) {
      return new AmbiguousOutcomeException(
          base + "; the connection failed while the write was in flight, so it may or may not have been applied"
              + " (retry with the same idempotency key)", cause);
    }
    return new StorageUnavailableException(base, cause);
  }

  /**
   * Returns whether {@code cause} shows that the command never reached the server or was
   * refused before it ran.
   */
  static boolean certainlyNotApplied(Throwable cause) {
    if (cause instanceof RedisCommandExecutionException || cause instanceof RedisConnectionException) {
      return true;
    }
    String message = String.valueOf(cause.getMessage());
    return message.contains(REJECTED);
  }

  private static boolean fromTheConnection(RuntimeException e) {
    String type = e.getClass().getName();
    return type.startsWith("io.lettuce.")
        || type.startsWith("io.netty.")
        || type.startsWith("java.net.")
        || type.startsWith("java.nio.")
        || e instanceof java.util.concurrent.RejectedExecutionException
        || e instanceof java.io.UncheckedIOException;
  }

  /** Returns {@code text} with the password, if it occurs, replaced by {@code ***}. */
  public String clean(String text) {
    String t = String.valueOf(text);
    return secret.isPresent() ? t.replace(secret.get(), "***") : t;
  }
}
