package org.sessionkit;

/** Thrown when an argument other than an id or a session is invalid, such as a page size out of range or a malformed cursor. */
public class InvalidArgumentException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public InvalidArgumentException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public InvalidArgumentException(String message, Throwable cause) {
    super(message, cause);
  }
}
