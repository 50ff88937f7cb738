package org.sessionkit;

/** Thrown when a conditional write finds another revision than expected (or, for a create, any session), or when {@link SessionStorage#update} runs out of retries; nothing was changed. */
public class RevisionConflictException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public RevisionConflictException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public RevisionConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
