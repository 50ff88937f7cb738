package org.sessionkit.file.internal;

import java.nio.file.FileSystemException;

/**
 * Thrown by {@link FileSystemOps#openRead} for a directory entry that is not a regular file (a
 * symbolic link, a directory, a FIFO, a socket or a device): the store never opens such an entry,
 * so that reading can neither block (a FIFO without a writer), nor run forever (a device), nor
 * leave the directory (a link).
 */
public final class NotRegularFileException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  private final String what;

  /**
   * Creates the exception.
   *
   * @param file the entry
   * @param what what it is instead, for messages: "a symbolic link", "a directory", …
   */
  public NotRegularFileException(String file, String what) {
    super(file, null, what + ", not a regular file");
    this.what = what;
  }

  /** Returns what the entry is, for messages ("a symbolic link", "a FIFO (named pipe)", …). */
  public String what() {
    return what;
  }
}
