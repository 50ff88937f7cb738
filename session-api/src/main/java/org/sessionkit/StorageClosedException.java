package org.sessionkit;

/** Thrown when a store is used after {@link SessionStorage#close()}. */
public class StorageClosedException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public StorageClosedException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public StorageClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
