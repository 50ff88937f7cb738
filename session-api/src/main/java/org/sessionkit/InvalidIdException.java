package org.sessionkit;

/** Thrown when a session id breaks the id rule of {@link SessionIds}; checked before any I/O. */
public class InvalidIdException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public InvalidIdException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public InvalidIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
