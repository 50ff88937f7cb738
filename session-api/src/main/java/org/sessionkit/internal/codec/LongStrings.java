package org.sessionkit.internal.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Decodes long JSON string values straight from a document held in memory, so that loading a
 * document dominated by one large string (a base64 image, a pasted file) costs about one copy of
 * the string rather than Jackson's several: Jackson decodes into {@code char[]} segments (two
 * bytes a character), joins them in a {@code StringBuilder}, then copies that into the {@code
 * String}. Jackson's byte parser decodes a string value only when asked, so at a {@link
 * JsonToken#VALUE_STRING} token this class finds the value's bytes by the token's byte offset and
 * decodes them itself; Jackson then skips the value unread (and still checks it) when the parser
 * moves on.
 *
 * <p>Exactly as strict as Jackson by construction: only strings made of what Jackson decodes in
 * one obvious way are decoded here (printable ASCII, the JSON escapes Jackson accepts, and
 * well-formed UTF-8: no overlong forms, no encoded surrogates, nothing above U+10FFFF). Anything
 * else (a control character, a bad escape, any byte sequence Jackson reads leniently or rejects,
 * no closing quote) makes {@link #read} return null, and the caller asks Jackson for the text as
 * before, getting Jackson's value or its error, with the same message and location.
 */
final class LongStrings {

  /**
   * The default shortest value, in bytes between the quotes, decoded here: shorter ones are cheap
   * for Jackson, whose path is faster for them.
   */
  static final int DEFAULT_MIN_BYTES = 64 * 1024;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5c5c5c5c5c5c5c5cL;
  private static final long LOWS = 0x7f7f7f7f7f7f7f7fL;

  /** The high bit of each zero byte of {@code x}, exactly (no carries between bytes). */
  private static long zeroBytes(long x) {
    return ~(((x & LOWS) + LOWS) | x | LOWS);
  }

  /** The document. */
  private final byte[] document;

  /** The offsets of the opening quotes of the document's long strings, in order. */
  private final int[] starts;

  /** The first of {@link #starts} not yet passed by the parser. */
  private int next;

  /**
   * Finds the strings of {@code document} at least {@code minBytes} long (between the quotes).
   * One pass over the document, skipping eight bytes at a time while they hold neither a quote
   * nor a backslash: looking at each string as the parser reaches it would cost a second pass
   * over each, with a loop per string, and most strings of a document are short.
   */
  LongStrings(byte[] document, int minBytes) {
    this.document = document;
    this.starts = document.length - 2 < minBytes ? new int[0] : find(document, minBytes);
  }

  private static int[] find(byte[] b, int minBytes) {
    int[] found = new int[4];
    int count = 0;
    int n = b.length;
    int open = -1; // the opening quote of the string the scan is in, if any
    int escaped = -1; // the byte after a backslash in a string
    int i = 0;
    while (i < n) {
      // The quotes and backslashes among the next eight bytes: the high bit of each such byte.
      int base = i;
      long specials;
      if (i + Long.BYTES <= n) {
        long word = (long) LONGS.get(b, i);
        specials = zeroBytes(word ^ QUOTES) | zeroBytes(word ^ BACKSLASHES);
        i += Long.BYTES;
      } else {
        specials = 0;
        for (int k = 0; i < n; k++, i++) {
          if (b[i] == '"' || b[i] == '\\') {
            specials |= 0x80L << (8 * k);
          }
        }
      }
      while (specials != 0) {
        int j = base + (Long.numberOfTrailingZeros(specials) >>> 3);
        specials &= specials - 1;
        if (j == escaped) {
          continue;
        }
        if (b[j] == '"') {
          if (open < 0) {
            open = j;
          } else {
            if (j - open - 1 >= minBytes) {
              if (count == found.length) {
                found = Arrays.copyOf(found, count * 2);
              }
              found[count++] = open;
            }
            open = -1;
          }
        } else if (open >= 0) {
          escaped = j + 1;
        }
      }
    }
    if (open >= 0 && n - open - 1 >= minBytes) {
      // Unterminated: decode declines it, and Jackson reports it as before.
      found = Arrays.copyOf(found, count + 1);
      found[count++] = open;
    }
    return Arrays.copyOf(found, count);
  }

  /**
   * Returns the value of the string token {@code p} is on, decoded from the document, when it is
   * one of the long strings found and this class decodes it (see the class documentation);
   * otherwise null, the parser untouched. The scan and Jackson agree on where strings are in any
   * document Jackson reads without error, and this never returns a value for a token other than
   * one starting at a long string's opening quote, so a disagreement (in a broken document) can
   * only leave a string to Jackson.
   *
   * @param p a parser reading the document from its first byte, on a {@link
   *     JsonToken#VALUE_STRING} whose text has not been asked for; tokens in document order
   */
  @Nullable String read(JsonParser p) {
    if (next >= starts.length) {
      return null;
    }
    long at = p.currentTokenLocation().getByteOffset();
    while (next < starts.length && starts[next] < at) {
      next++;
    }
    if (next >= starts.length || starts[next] != at || document[(int) at] != '"') {
      return null;
    }
    next++;
    return decode(document, (int) at);
  }

  /**
   * Decodes the string whose opening quote is at {@code open}, or returns null if it holds
   * anything Jackson might read differently or reject, or has no closing quote.
   */
  static @Nullable String decode(byte[] b, int open) {
    int limit = b.length;
    // Pass 1: check, count the characters and see whether they all fit in Latin-1.
    int i = open + 1;
    int chars = 0;
    boolean plain = true; // printable ASCII without escapes: the bytes are the characters
    boolean latin1 = true;
    while (true) {
      if (i >= limit) {
        return null;
      }
      int c = b[i] & 0xff;
      if (c == '"') {
        break;
      }
      if (c < 0x80) {
        if (c < 0x20) {
          return null;
        }
        if (c == '\\') {
          plain = false;
          if (i + 1 >= limit) {
            return null;
          }
          int e = b[i + 1];
          if (e == 'u') {
            if (i + 5 >= limit) {
              return null;
            }
            int v = hex4(b, i + 2);
            if (v < 0) {
              return null;
            }
            if (v > 0xff) {
              latin1 = false;
            }
            i += 6;
          } else if (simpleEscape(e) >= 0) {
            i += 2;
          } else {
            return null;
          }
        } else {
          i++;
        }
        chars++;
        continue;
      }
      plain = false;
      if (c >= 0xc2 && c <= 0xdf) {
        if (i + 1 >= limit || !continuation(b[i + 1])) {
          return null;
        }
        if (c > 0xc3) {
          latin1 = false;
        }
        i += 2;
        chars++;
      } else if (c >= 0xe0 && c <= 0xef) {
        if (i + 2 >= limit || !continuation(b[i + 1]) || !continuation(b[i + 2])) {
          return null;
        }
        int c1 = b[i + 1] & 0xff;
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) {
          return null; // overlong, or an encoded surrogate
        }
        latin1 = false;
        i += 3;
        chars++;
      } else if (c >= 0xf0 && c <= 0xf4) {
        if (i + 3 >= limit
            || !continuation(b[i + 1])
            || !continuation(b[i + 2])
            || !continuation(b[i + 3])) {
          return null;
        }
        int c1 = b[i + 1] & 0xff;
        if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) {
          return null; // overlong, or above U+10FFFF
        }
        latin1 = false;
        i += 4;
        chars += 2;
      } else {
        return null;
      }
    }
    int start = open + 1;
    int close = i;
    if (plain) {
      return new String(b, start, close - start, StandardCharsets.ISO_8859_1);
    }
    // Pass 2: decode what pass 1 checked, into exactly the characters counted.
    byte[] narrow = latin1 ? new byte[chars] : null;
    char[] wide = latin1 ? null : new char[chars];
    int n = 0;
    i = start;
    while (i < close) {
      int c = b[i] & 0xff;
      int ch;
      if (c < 0x80) {
        if (c == '\\') {
          int e = b[i + 1];
          if (e == 'u') {
            ch = hex4(b, i + 2);
            i += 6;
          } else {
            ch = simpleEscape(e);
            i += 2;
          }
        } else {
          ch = c;
          i++;
        }
      } else if (c < 0xe0) {
        ch = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
        i += 2;
      } else if (c < 0xf0) {
        ch = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
        i += 3;
      } else {
        int cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
        i += 4;
        wide[n++] = Character.highSurrogate(cp);
        ch = Character.lowSurrogate(cp);
      }
      if (latin1) {
        narrow[n++] = (byte) ch;
      } else {
        wide[n++] = (char) ch;
      }
    }
    return latin1 ? new String(narrow, StandardCharsets.ISO_8859_1) : new String(wide);
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }

  /** The character of escape {@code \e} other than {@code \\u}, or -1 if Jackson rejects it. */
  private static int simpleEscape(int e) {
    switch (e) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return -1;
    }
  }

  /** The value of the four hex digits at {@code from}, or -1 if they are not all hex digits. */
  private static int hex4(byte[] b, int from) {
    int v = 0;
    for (int k = from; k < from + 4; k++) {
      int d = Character.digit(b[k], 16);
      if (d < 0 || b[k] < 0) {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }
}
