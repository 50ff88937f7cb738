package org.sessionkit;

/**
 * Thrown when {@link SessionStorage#deleteMatching} failed part way: {@link #deleted()}
 * sessions were deleted before the failure, which is the {@linkplain #getCause() cause}. Running
 * the same deletion again finishes it.
 */
public class BulkDeleteException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  private final long deleted;

  /** Creates an exception for a deletion that removed {@code deleted} sessions before {@code cause}. */
  public BulkDeleteException(long deleted, Throwable cause) {
    super("bulk delete failed after deleting " + deleted + " session" + (deleted == 1 ? "" : "s")
        + ": " + cause.getMessage(), cause);
    this.deleted = deleted;
  }

  /** Returns how many sessions were deleted before the failure. */
  public long deleted() {
    return deleted;
  }
}
