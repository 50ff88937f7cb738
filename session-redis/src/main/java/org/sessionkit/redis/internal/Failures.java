package org.sessionkit.redis.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.sessionkit.Futures;
import org.sessionkit.SessionStorageException;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;

/**
 * Turns what Lettuce and Redis fail with into the store's typed errors. Everything that comes
 * from the connection or the server — a timeout, a dropped or refused connection, {@code OOM},
 * {@code LOADING}, {@code BUSY}, {@code READONLY}, {@code NOPERM} — is {@link
 * StorageUnavailableException} keeping its cause; a failure after {@code close()} is {@link
 * StorageClosedException}; the store's own errors pass unchanged. Messages name the store by its
 * redacted description, and a password is cut out of any text that might echo it.
 *
 * <p>Immutable and thread safe.
 */
public final class Failures {

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
   * Returns the store error for {@code failure} of the operation {@code what}.
   *
   * @param closed whether the store has been closed
   */
  public RuntimeException map(Throwable failure, String what, boolean closed) {
    Throwable cause = Futures.unwrap(failure);
    if (cause instanceof SessionStorageException e) {
      return e;
    }
    if (closed) {
      return new StorageClosedException(what + ": the store " + description + " was closed");
    }
    if (cause instanceof TimeoutException || cause instanceof RedisCommandTimeoutException) {
      return new StorageUnavailableException(
          what + ": Redis " + description + " did not answer within " + timeout.toMillis() + " ms", cause);
    }
    if (cause instanceof CancellationException) {
      return new StorageUnavailableException(what + ": the command to Redis " + description + " was cancelled", cause);
    }
    if (cause instanceof RedisCommandExecutionException) {
      return new StorageUnavailableException(
          what + ": Redis " + description + " refused: " + clean(cause.getMessage()), cause);
    }
    if (cause instanceof RuntimeException r && !fromTheConnection(r)) {
      return r; // a programming error; keep it as it is
    }
    return new StorageUnavailableException(
        what + ": Redis " + description + " is unavailable: " + clean(cause.getMessage()), cause);
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
