package org.sessionkit;

/**
 * Thrown when a write failed in a way that leaves its outcome unknown: it may or may not have
 * been applied (the reply was lost after the statement or script was sent, the commit failed,
 * the call timed out after sending, or the store was closed while the write was running).
 *
 * <p>Reloading cannot always tell (a write queued on a stalled server may still apply later).
 * To retry safely, write with an {@link IdempotencyKey} and retry with the same key: the store
 * applies the write at most once and the retry completes with the revision it produced. A
 * failure after which nothing can have been applied is a plain {@link
 * StorageUnavailableException}.
 */
public class AmbiguousOutcomeException extends StorageUnavailableException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public AmbiguousOutcomeException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public AmbiguousOutcomeException(String message, Throwable cause) {
    super(message, cause);
  }
}
