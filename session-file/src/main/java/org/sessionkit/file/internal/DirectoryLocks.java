package org.sessionkit.file.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.sessionkit.StorageClosedException;

/**
 * The write locks of one store directory, shared by every store instance of this JVM that has
 * the directory open.
 *
 * <p>A write of the file {@code name} holds stripe {@link #stripeOf stripeOf(name)} twice: an
 * in-process {@link ReentrantLock}, then an OS lock on the one byte at offset {@code stripe} of
 * the directory's lock file {@value #LOCK_FILE}. The OS lock keeps other processes out; the
 * in-process lock is needed as well because OS locks belong to a process, not a thread. The
 * lock file is stable (never renamed or replaced, unlike the documents), and one file serves
 * every id, so the directory holds no lock file per session.
 *
 * <p>Why shared per JVM: POSIX releases <em>all</em> of a process's locks on a file when any
 * descriptor of that file is closed, and the JVM refuses overlapping locks from two channels of
 * one file. So every instance on a directory uses one channel and one set of stripes, and the
 * channel is closed when the last instance releases it. Thread safe.
 */
public final class DirectoryLocks {

  /**
   * How many stripes (and lock-file bytes) a directory has. Part of the on-disk protocol:
   * every process sharing a directory must use the same number.
   */
  public static final int STRIPES = 1024;

  /** The lock file's name; it does not end with {@code .json}, so it never shows in listings. */
  public static final String LOCK_FILE = ".sessionkit.lock";

  private static final Map<Path, DirectoryLocks> OPEN = new HashMap<>(); // guarded by OPEN

  private final Path key;
  private final Path lockFile;
  private final FileSystemOps ops;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private int users; // guarded by OPEN
  private FileChannel channel; // guarded by this; opened on the first write
  private boolean closed; // guarded by this

  private DirectoryLocks(Path key, FileSystemOps ops) {
    this.key = key;
    this.lockFile = key.resolve(LOCK_FILE);
    this.ops = ops;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * Returns the locks of a directory, shared with the other instances of this JVM; {@link
   * #release()} it when done.
   *
   * @param realDirectory the directory's real path ({@link Path#toRealPath}), so that every
   *     spelling of a directory finds the same locks
   */
  public static DirectoryLocks acquire(Path realDirectory, FileSystemOps ops) {
    synchronized (OPEN) {
      DirectoryLocks locks = OPEN.computeIfAbsent(realDirectory, k -> new DirectoryLocks(k, ops));
      locks.users++;
      return locks;
    }
  }

  /** Gives back what {@link #acquire} handed out; the last user closes the lock file. */
  public void release() {
    synchronized (OPEN) {
      if (--users > 0) {
        return;
      }
      OPEN.remove(key);
    }
    synchronized (this) {
      closed = true;
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          // Closing a lock file can only fail to release locks, which closing does anyway.
        }
        channel = null;
      }
    }
  }

  /** Returns the stripe of a file name; stable across processes (String.hashCode is specified). */
  public static int stripeOf(String fileName) {
    return Math.floorMod(fileName.hashCode(), STRIPES);
  }

  /** A held stripe; closing it releases the OS lock, then the in-process lock. */
  public final class Held implements AutoCloseable {
    private final ReentrantLock local;
    private final FileLock os;

    private Held(ReentrantLock local, FileLock os) {
      this.local = local;
      this.os = os;
    }

    @Override
    public void close() {
      try {
        os.release();
      } catch (ClosedChannelException e) {
        // The channel was closed (an interrupt, or the last release): the lock is gone already.
      } catch (IOException e) {
        // A failed unlock leaves nothing to do: the lock dies with the channel or the process.
      } finally {
        local.unlock();
      }
    }
  }

  /**
   * Waits for a stripe, in this JVM and then in every other process.
   *
   * @throws IOException if the lock file can't be opened (e.g. a read-only directory) or locked
   * @throws StorageClosedException if the last instance on the directory has closed it
   */
  public Held lock(int stripe) throws IOException {
    ReentrantLock local = stripes[stripe];
    local.lock();
    try {
      while (true) {
        try {
          return new Held(local, channel().lock(stripe, 1, false));
        } catch (OverlappingFileLockException e) {
          // Only possible when this JVM reaches the same directory under two real paths (a bind
          // mount): the other spelling holds the byte; wait for it like another process.
          LockSupport.parkNanos(1_000_000);
        }
      }
    } catch (IOException | RuntimeException e) {
      local.unlock();
      throw e;
    }
  }

  /**
   * Takes a stripe only if no thread or process holds it.
   *
   * @return the held stripe, or empty if someone holds it
   */
  public Optional<Held> tryLock(int stripe) throws IOException {
    ReentrantLock local = stripes[stripe];
    if (!local.tryLock()) {
      return Optional.empty();
    }
    try {
      FileLock os = channel().tryLock(stripe, 1, false);
      if (os == null) {
        local.unlock();
        return Optional.empty();
      }
      return Optional.of(new Held(local, os));
    } catch (OverlappingFileLockException e) {
      local.unlock();
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      local.unlock();
      throw e;
    }
  }

  private synchronized FileChannel channel() throws IOException {
    if (closed) {
      throw new StorageClosedException("the store on " + key + " is closed");
    }
    // An interrupted lock() closes the channel for everyone (FileChannel is interruptible):
    // open it again rather than failing every later write.
    if (channel == null || !channel.isOpen()) {
      channel = ops.openLockFile(lockFile);
    }
    return channel;
  }
}
