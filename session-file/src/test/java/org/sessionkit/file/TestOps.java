package org.sessionkit.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.sessionkit.file.internal.FileSystemOps;

/**
 * A {@link FileSystemOps} over the real file system that records the write steps, can fail one
 * step once, and counts the bytes read and the files opened for reading. Thread safe.
 */
final class TestOps implements FileSystemOps {

  /** The steps of a write, in the order the store must take them. */
  enum Step { CREATE, WRITE, FORCE, RENAME, FORCE_DIRECTORY, DELETE }

  private final FileSystemOps real = FileSystemOps.DEFAULT;
  private final List<Step> steps = new ArrayList<>(); // guarded by this
  private final Map<Step, IOException> failures = new ConcurrentHashMap<>();
  private final AtomicLong bytesRead = new AtomicLong();
  private final AtomicLong filesOpened = new AtomicLong();
  private final AtomicLong stats = new AtomicLong();
  private volatile boolean partialWrite;

  /** Makes the next {@code step} fail with {@code failure}. */
  void failNext(Step step, IOException failure) {
    failures.put(step, failure);
  }

  /** Makes a failing WRITE write half of the bytes before it fails (a disk that filled up). */
  void writeHalfBeforeFailing(boolean partial) {
    this.partialWrite = partial;
  }

  synchronized List<Step> steps() {
    return List.copyOf(steps);
  }

  synchronized void clearSteps() {
    steps.clear();
  }

  long bytesRead() {
    return bytesRead.get();
  }

  long filesOpened() {
    return filesOpened.get();
  }

  long stats() {
    return stats.get();
  }

  void resetCounts() {
    bytesRead.set(0);
    filesOpened.set(0);
    stats.set(0);
  }

  private void step(Step step) throws IOException {
    synchronized (this) {
      steps.add(step);
    }
    IOException failure = failures.remove(step);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public FileChannel createNew(Path path) throws IOException {
    step(Step.CREATE);
    return real.createNew(path);
  }

  @Override
  public void write(FileChannel channel, ByteBuffer... buffers) throws IOException {
    synchronized (this) {
      steps.add(Step.WRITE);
    }
    IOException failure = failures.remove(Step.WRITE);
    if (failure != null) {
      if (partialWrite) {
        long total = 0;
        for (ByteBuffer b : buffers) {
          total += b.remaining();
        }
        long left = total / 2;
        for (ByteBuffer b : buffers) {
          ByteBuffer part = b.duplicate();
          part.limit(part.position() + (int) Math.min(part.remaining(), left));
          left -= part.remaining();
          real.write(channel, part);
        }
      }
      throw failure;
    }
    real.write(channel, buffers);
  }

  @Override
  public void force(FileChannel channel) throws IOException {
    step(Step.FORCE);
    real.force(channel);
  }

  @Override
  public void moveAtomically(Path source, Path target) throws IOException {
    step(Step.RENAME);
    real.moveAtomically(source, target);
  }

  @Override
  public void forceDirectory(Path directory) throws IOException {
    step(Step.FORCE_DIRECTORY);
    real.forceDirectory(directory);
  }

  @Override
  public void delete(Path path) throws IOException {
    step(Step.DELETE);
    real.delete(path);
  }

  @Override
  public ReadHandle openRead(Path path) throws IOException {
    ReadHandle h = real.openRead(path);
    filesOpened.incrementAndGet();
    return new ReadHandle() {
      @Override
      public long size() throws IOException {
        return h.size();
      }

      @Override
      public BasicFileAttributes attributes() {
        return h.attributes();
      }

      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        int n = h.read(dst, position);
        if (n > 0) {
          bytesRead.addAndGet(n);
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        h.close();
      }
    };
  }

  @Override
  public BasicFileAttributes attributes(Path path) throws IOException {
    stats.incrementAndGet();
    return real.attributes(path);
  }

  @Override
  public BasicFileAttributes entryAttributes(Path path) throws IOException {
    stats.incrementAndGet();
    return real.entryAttributes(path);
  }

  @Override
  public List<String> list(Path directory) throws IOException {
    return real.list(directory);
  }

  @Override
  public FileChannel openLockFile(Path path) throws IOException {
    return real.openLockFile(path);
  }
}
