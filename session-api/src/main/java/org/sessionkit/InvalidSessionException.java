package org.sessionkit;

/** Thrown when a session can't be stored faithfully (a lone surrogate in a string, a timestamp outside years 0000–9999, nesting deeper than 128 levels, a document over the size limit); checked before any I/O. */
public class InvalidSessionException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public InvalidSessionException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public InvalidSessionException(String message, Throwable cause) {
    super(message, cause);
  }
}
