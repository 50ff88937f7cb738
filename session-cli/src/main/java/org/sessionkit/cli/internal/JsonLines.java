package org.sessionkit.cli.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads JSON Lines as bytes, one line at a time: a line ends at {@code \n} (a {@code \r}
 * before it is dropped), the last line may lack it. Lines are kept as bytes so that the codec
 * checks their UTF-8 itself. A line longer than the limit is skipped to its end and reported as
 * such, so one oversized line can't exhaust memory. Not thread safe.
 */
final class JsonLines {

  /** One line: its number (from 1), its bytes, or why it was not read. */
  record Line(long number, byte[] bytes, Optional<String> tooLong) {

    /** Returns whether the line holds nothing but spaces and tabs. */
    boolean blank() {
      for (byte b : bytes) {
        if (b != ' ' && b != '\t') {
          return false;
        }
      }
      return tooLong.isEmpty();
    }
  }

  private final InputStream in;
  private final long maxBytes;
  private final byte[] buffer = new byte[1 << 16];
  private int pos;
  private int end;
  private long number;
  private boolean eof;

  JsonLines(InputStream in, long maxBytes) {
    this.in = in;
    this.maxBytes = maxBytes;
  }

  /**
   * Returns the next line, or empty at the end of the input.
   *
   * @throws IOException if reading fails
   */
  Optional<Line> next() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    long length = 0;
    boolean any = false;
    while (true) {
      if (pos == end) {
        if (eof || !fill()) {
          if (!any) {
            return Optional.empty();
          }
          return Optional.of(finish(line, length));
        }
      }
      any = true;
      int nl = -1;
      for (int i = pos; i < end; i++) {
        if (buffer[i] == '\n') {
          nl = i;
          break;
        }
      }
      int stop = nl < 0 ? end : nl;
      int n = stop - pos;
      if (length + n <= maxBytes) {
        line.write(buffer, pos, n);
      }
      length += n;
      pos = nl < 0 ? end : nl + 1;
      if (nl >= 0) {
        return Optional.of(finish(line, length));
      }
    }
  }

  private Line finish(ByteArrayOutputStream line, long length) {
    number++;
    if (length > maxBytes) {
      return new Line(number, new byte[0],
          Optional.of("the line is " + Text.bytes(length) + ", more than the limit of " + Text.bytes(maxBytes)));
    }
    byte[] b = line.toByteArray();
    if (b.length > 0 && b[b.length - 1] == '\r') {
      b = Arrays.copyOf(b, b.length - 1);
    }
    return new Line(number, b, Optional.empty());
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer);
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    end = n;
    return true;
  }
}
