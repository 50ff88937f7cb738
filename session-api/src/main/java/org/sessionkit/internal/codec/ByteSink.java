package org.sessionkit.internal.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An unsynchronised, growable byte buffer with a size limit, or (when not storing) a counter
 * that only measures. Going over the limit throws a {@link WriteProblem}, so an oversized
 * document is refused as soon as it is known to be too big, without buffering all of it.
 * Buffers come from and return to a small {@link Pool}, so repeated encodes reuse memory.
 */
public final class ByteSink extends OutputStream {

  private final long limit;
  private final boolean store;
  private byte[] buf;
  private long count;

  private ByteSink(byte[] buf, long limit, boolean store) {
    this.buf = buf;
    this.limit = limit;
    this.store = store;
  }

  /** Returns a sink that keeps the bytes, in a buffer taken from {@code pool}. */
  public static ByteSink storing(Pool pool, long limit) {
    return new ByteSink(pool.acquire(), limit, true);
  }

  /** Returns a sink that only counts the bytes. */
  public static ByteSink counting(long limit) {
    return new ByteSink(null, limit, false);
  }

  @Override
  public void write(int b) {
    ensure(1);
    if (store) {
      buf[(int) count] = (byte) b;
    }
    count++;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    if (store) {
      System.arraycopy(b, off, buf, (int) count, len);
    }
    count += len;
  }

  private void ensure(int len) {
    long needed = count + len;
    if (needed > limit) {
      throw new WriteProblem("the document would be larger than the limit of " + limit + " bytes");
    }
    if (store && needed > buf.length) {
      if (needed > Integer.MAX_VALUE - 16) {
        throw new WriteProblem("the document would be larger than a Java array can hold");
      }
      long grown = Math.max(needed, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 16));
      buf = Arrays.copyOf(buf, (int) grown);
    }
  }

  /** Returns how many bytes were written. */
  public long size() {
    return count;
  }

  /** Returns a copy of the bytes written. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, (int) count);
  }

  /** Returns a copy of the bytes written from index {@code from} on. */
  public byte[] toByteArray(int from) {
    return Arrays.copyOfRange(buf, from, (int) count);
  }

  /** Writes the bytes written so far to {@code out}, in one call. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(buf, 0, (int) count);
  }

  /** Gives the buffer back to {@code pool}; this sink must not be used afterwards. */
  public void release(Pool pool) {
    if (store) {
      pool.release(buf);
      buf = null;
    }
  }

  /** A few reusable buffers, shared by the threads of one codec without locking. */
  public static final class Pool {
    private static final int SLOTS = 4;
    private static final int INITIAL = 16 * 1024;
    private static final int MAX_KEPT = 4 * 1024 * 1024;

    private final AtomicReferenceArray<byte[]> slots = new AtomicReferenceArray<>(SLOTS);

    /** Creates an empty pool. */
    public Pool() {}

    byte[] acquire() {
      for (int i = 0; i < SLOTS; i++) {
        byte[] b = slots.getAndSet(i, null);
        if (b != null) {
          return b;
        }
      }
      return new byte[INITIAL];
    }

    void release(byte[] b) {
      if (b == null || b.length > MAX_KEPT) {
        return;
      }
      for (int i = 0; i < SLOTS; i++) {
        if (slots.compareAndSet(i, null, b)) {
          return;
        }
      }
    }
  }
}
