package org.sessionkit.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The real file system for {@link FileSystemOps#DEFAULT}. Thread safe; no state. */
final class DefaultFileSystemOps implements FileSystemOps {

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  // Windows can't open a directory as a file, so it can't force one; NTFS journals renames.
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  @Override
  public FileChannel createNew(Path path) throws IOException {
    Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      // Set at creation, not afterwards, so that no other user can ever open the file in
      // between; the umask can only remove permissions, never add them.
      FileAttribute<Set<PosixFilePermission>> perms = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      return FileChannel.open(path, options, perms);
    }
    return FileChannel.open(path, options);
  }

  @Override
  public void write(FileChannel channel, ByteBuffer... buffers) throws IOException {
    for (ByteBuffer b : buffers) {
      while (b.hasRemaining()) {
        channel.write(buffers);
      }
    }
  }

  @Override
  public void force(FileChannel channel) throws IOException {
    // Metadata too: the file's size must reach the disk before the rename that exposes it.
    channel.force(true);
  }

  @Override
  public void moveAtomically(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void forceDirectory(Path directory) throws IOException {
    if (WINDOWS) {
      return;
    }
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.delete(path);
  }

  /**
   * Checks the entry without following links ({@code lstat}), opens it with {@code O_NOFOLLOW}
   * (a link swapped in after the check fails instead of being followed), then checks that the
   * path still names the file that was checked: a rename in between (a writer replacing the
   * document) starts over. What the check can't exclude is an entry replaced by a FIFO and
   * back within the microseconds between the check and the open, which only someone who can
   * write the directory can do; reads are positional, which fails at once on a FIFO or socket.
   */
  @Override
  public ReadHandle openRead(Path path) throws IOException {
    for (int attempt = 1; ; attempt++) {
      BasicFileAttributes before = regularFile(path);
      FileChannel channel;
      try {
        channel = FileChannel.open(path, READ_NO_FOLLOW);
      } catch (FileSystemException e) {
        if (e instanceof NoSuchFileException) {
          throw e;
        }
        // ELOOP: the entry became a symbolic link after the check. Anything else: check again
        // to report what the entry is now, or rethrow.
        regularFile(path);
        throw e;
      } catch (IOException e) {
        if (String.valueOf(e.getMessage()).contains("NOFOLLOW_LINKS")) {
          throw new NotRegularFileException(path.toString(), "a symbolic link");
        }
        throw e;
      }
      boolean same = false;
      try {
        BasicFileAttributes after = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        same = after.isRegularFile()
            && (before.fileKey() == null || before.fileKey().equals(after.fileKey()));
      } catch (NoSuchFileException e) {
        same = false;
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (same) {
        return handle(channel, before);
      }
      channel.close();
      if (attempt >= MAX_OPEN_ATTEMPTS) {
        throw new FileSystemException(path.toString(), null,
            "the file was replaced " + attempt + " times while it was being opened");
      }
    }
  }

  private static final int MAX_OPEN_ATTEMPTS = 8;

  private static final Set<OpenOption> READ_NO_FOLLOW =
      Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

  /** Returns the entry's own attributes if it is a regular file; else says what it is. */
  private static BasicFileAttributes regularFile(Path path) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isRegularFile()) {
      return a;
    }
    throw new NotRegularFileException(path.toString(), describe(path, a));
  }

  /** Names what a non-regular entry is, for messages. */
  static String describe(Path path, BasicFileAttributes a) {
    if (a.isSymbolicLink()) {
      return "a symbolic link";
    }
    if (a.isDirectory()) {
      return "a directory";
    }
    try {
      // The unix view gives the file type bits (Linux, macOS); elsewhere say what it may be.
      int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      switch (mode & 0170000) {
        case 0010000:
          return "a FIFO (named pipe)";
        case 0140000:
          return "a socket";
        case 0020000:
          return "a character device";
        case 0060000:
          return "a block device";
        default:
          break;
      }
    } catch (IOException | RuntimeException e) {
      // Fall through to the general description.
    }
    return "a FIFO, socket or device";
  }

  private static ReadHandle handle(FileChannel channel, BasicFileAttributes attributes) {
    return new ReadHandle() {
      @Override
      public long size() throws IOException {
        return channel.size();
      }

      @Override
      public BasicFileAttributes attributes() {
        return attributes;
      }

      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        return channel.read(dst, position);
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  @Override
  public BasicFileAttributes attributes(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class);
  }

  @Override
  public BasicFileAttributes entryAttributes(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public List<String> list(Path directory) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path p : entries) {
        names.add(p.getFileName().toString());
      }
    }
    return names;
  }

  @Override
  public FileChannel openLockFile(Path path) throws IOException {
    Set<StandardOpenOption> options =
        EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return FileChannel.open(path, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    return FileChannel.open(path, options);
  }

  @Override
  public String toString() {
    return "the file system " + FileSystems.getDefault();
  }
}
