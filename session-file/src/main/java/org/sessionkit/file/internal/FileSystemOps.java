package org.sessionkit.file.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Every file-system call the file store makes, in one place: the seam through which tests
 * inject failures (a full disk at the write, the force or the rename) and count the bytes a
 * listing reads. {@link #DEFAULT} is the real file system. Implementations are thread safe.
 */
public interface FileSystemOps {

  /** The real file system. */
  FileSystemOps DEFAULT = new DefaultFileSystemOps();

  /** An open file being read. Not thread safe; closed by whoever opened it. */
  interface ReadHandle extends Closeable {
    /** Returns the size of the file when it was opened. */
    long size() throws IOException;

    /** Returns the file's attributes, read (without following links) when it was opened. */
    BasicFileAttributes attributes();

    /** Reads into {@code dst} from {@code position}; returns the count, or -1 at the end. */
    int read(ByteBuffer dst, long position) throws IOException;
  }

  /**
   * Creates a new file that must not exist yet, readable and writable by its owner only where
   * the file system supports POSIX permissions, open for writing.
   */
  FileChannel createNew(Path path) throws IOException;

  /** Writes all of {@code buffers}, in order, to {@code channel} (a gathering write). */
  void write(FileChannel channel, ByteBuffer... buffers) throws IOException;

  /** Forces what was written to {@code channel} to the storage device. */
  void force(FileChannel channel) throws IOException;

  /** Renames {@code source} to {@code target} atomically, replacing {@code target}. */
  void moveAtomically(Path source, Path target) throws IOException;

  /** Forces the directory entries of {@code directory} (created, renamed, deleted names). */
  void forceDirectory(Path directory) throws IOException;

  /** Deletes a file; {@link java.nio.file.NoSuchFileException} if it is absent. */
  void delete(Path path) throws IOException;

  /**
   * Opens a regular file for reading, never anything else and never blocking: an entry that is a
   * symbolic link (not followed, wherever it points), a directory, a FIFO, a socket or a device
   * fails with {@link NotRegularFileException} without being opened. {@link
   * java.nio.file.NoSuchFileException} if it is absent.
   */
  ReadHandle openRead(Path path) throws IOException;

  /** Reads the attributes of a file, following links (for the store's directory itself). */
  BasicFileAttributes attributes(Path path) throws IOException;

  /**
   * Reads the attributes of a directory entry itself, without following a symbolic link (a
   * link is reported as a link).
   */
  BasicFileAttributes entryAttributes(Path path) throws IOException;

  /** Returns the names of the entries of {@code directory}, in no particular order. */
  List<String> list(Path directory) throws IOException;

  /** Opens (creating it if needed) a file used only for locking, for reading and writing. */
  FileChannel openLockFile(Path path) throws IOException;
}
