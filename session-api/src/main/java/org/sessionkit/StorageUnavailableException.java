package org.sessionkit;

/** Thrown when the store's medium fails: an I/O error, a full disk, a server that is down or a timeout. The cause is kept; the operation may or may not have taken effect only where its documentation says so. */
public class StorageUnavailableException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public StorageUnavailableException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
