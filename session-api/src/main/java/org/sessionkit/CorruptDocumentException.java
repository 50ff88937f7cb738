package org.sessionkit;

/**
 * Thrown when stored data can't be read as a session: unparsable or truncated JSON, a missing
 * or mistyped field, an unknown content variant, a format newer than this version knows. The
 * message names the id or the file.
 */
public class CorruptDocumentException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public CorruptDocumentException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public CorruptDocumentException(String message, Throwable cause) {
    super(message, cause);
  }
}
