package org.sessionkit.file.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.sessionkit.CorruptDocumentException;

/**
 * Reading document files through {@link FileSystemOps.ReadHandle}s with positional reads: whole
 * documents for loads, and the start, the head and the last bytes for listings. Thread safe; no
 * state.
 */
final class DocumentFiles {

  /**
   * How every document this store writes starts; a file starting so has its head first, so a
   * listing need not read (or digest) the rest.
   */
  static final byte[] OUR_START = "{\"sessionkit\":".getBytes(StandardCharsets.US_ASCII);

  /** How much of a file a whole read reads at a time. */
  static final int WHOLE_CHUNK = Start.WHOLE;

  private DocumentFiles() {}

  /**
   * Reads a whole file, at most {@code max} bytes.
   *
   * @throws CorruptDocumentException if it is larger
   */
  static byte[] readAll(FileSystemOps.ReadHandle h, Path path, long max) throws IOException {
    long size = h.size();
    if (size > max) {
      throw tooLarge(path, size, max);
    }
    byte[] buffer = new byte[(int) size];
    int n = 0;
    while (true) {
      if (n == buffer.length) {
        // The file grew since size() (neuron rewrites in place): keep reading, within the limit.
        if (h.read(ByteBuffer.allocate(1), n) < 0) {
          return buffer;
        }
        if (n >= max) {
          throw tooLarge(path, n + 1L, max);
        }
        buffer = Arrays.copyOf(buffer, (int) Math.min(max, Math.max(16, 2L * n)));
      }
      int r = h.read(ByteBuffer.wrap(buffer, n, buffer.length - n), n);
      if (r < 0) {
        return Arrays.copyOf(buffer, n);
      }
      n += r;
    }
  }

  /** Returns the error for a file larger than the store's limit. */
  static CorruptDocumentException tooLarge(Path path, long size, long max) {
    return new CorruptDocumentException(
        path + " is " + size + " bytes, over this store's limit of " + max + " (maxDocumentBytes)");
  }

  /** Describes an I/O failure for a message: its type and message. */
  static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /**
   * The first bytes of a file, read with one positional read: enough to tell a document this
   * store wrote, and usually its whole head, so that a listing reads each file with one or two
   * reads (plus one for the last bytes).
   */
  record Start(byte[] bytes, int length, long size) {

    /** How much of a file a listing reads at a time while looking for the head. */
    static final int CHUNK = 4096;

    /** How much of a file a whole read reads at a time. */
    static final int WHOLE = 64 * 1024;

    static Start read(FileSystemOps.ReadHandle h) throws IOException {
      long size = h.size();
      byte[] bytes = new byte[(int) Math.min(Math.max(size, OUR_START.length), CHUNK)];
      int n = readAt(h, bytes, 0);
      return new Start(bytes, n, size);
    }

    /** Whether the file starts as documents of this store do. */
    boolean ours() {
      return length >= OUR_START.length
          && Arrays.equals(bytes, 0, OUR_START.length, OUR_START, 0, OUR_START.length);
    }

    /**
     * Returns the whole file as a stream: these bytes, then the rest read {@link #CHUNK} bytes at
     * a time for our documents (whose reading stops at the head) and in larger reads for
     * neuron's (which are read to their end).
     */
    InputStream stream(FileSystemOps.ReadHandle h) {
      return stream(h, ours() ? CHUNK : WHOLE);
    }

    /** Returns the whole file as a stream: these bytes, then the rest in reads of {@code chunk}. */
    InputStream stream(FileSystemOps.ReadHandle h, int chunk) {
      return new SequenceInputStream(new ByteArrayInputStream(bytes, 0, length), new HandleInputStream(h, length, chunk));
    }

    /** Whether the last non-blank byte is a closing brace. */
    boolean endsWithBrace(FileSystemOps.ReadHandle h) throws IOException {
      byte[] tail;
      int n;
      if (length >= size) {
        tail = bytes;
        n = length;
      } else {
        tail = new byte[(int) Math.min(size, 64)];
        n = readAt(h, tail, size - tail.length);
      }
      for (int i = n - 1; i >= 0; i--) {
        byte b = tail[i];
        if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
          return b == '}';
        }
      }
      return false;
    }
  }

  /** Reads into all of {@code into} from {@code position}, or up to the end; returns the count. */
  static int readAt(FileSystemOps.ReadHandle h, byte[] into, long position) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(into);
    while (buffer.hasRemaining()) {
      if (h.read(buffer, position + buffer.position()) < 0) {
        break;
      }
    }
    return buffer.position();
  }

  /** Reads a file from a position through positional reads of at most {@code chunk} bytes. */
  static final class HandleInputStream extends InputStream {
    private final FileSystemOps.ReadHandle h;
    private final int chunk;
    private long position;

    HandleInputStream(FileSystemOps.ReadHandle h, long position, int chunk) {
      this.h = h;
      this.position = position;
      this.chunk = chunk;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = h.read(ByteBuffer.wrap(b, off, Math.min(len, chunk)), position);
      if (n > 0) {
        position += n;
      }
      return n;
    }
  }

}
