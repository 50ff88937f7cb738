package org.sessionkit;

/** Thrown when a store can't be opened as configured: an unknown scheme or option, a missing module, a duplicate or broken provider, a bad option value, an incompatible schema. */
public class StorageConfigurationException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public StorageConfigurationException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public StorageConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
