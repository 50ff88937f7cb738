package org.sessionkit;

/** Thrown when no session with the requested id is stored (load, delete, update or append of an unknown id). */
public class SessionNotFoundException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public SessionNotFoundException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public SessionNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
