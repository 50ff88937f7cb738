package org.sessionkit;

/**
 * The root of every failure a {@link SessionStorage} reports. It is unchecked; each subclass
 * stands for a failure that callers handle differently. Messages never contain secrets such as
 * passwords from a store URI.
 */
public class SessionStorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public SessionStorageException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public SessionStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
