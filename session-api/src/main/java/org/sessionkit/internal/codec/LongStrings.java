package org.sessionkit.internal.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;
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

  private LongStrings() {}

  /**
   * Returns the value of the string token {@code p} is on, decoded from {@code document}, when it
   * is at least {@code minBytes} long and this class decodes it (see the class documentation);
   * otherwise null, the parser untouched.
   *
   * @param p a parser reading {@code document} from its first byte, on a {@link
   *     JsonToken#VALUE_STRING} whose text has not been asked for
   */
  static @Nullable String read(JsonParser p, byte[] document, int minBytes) {
    long at = p.currentTokenLocation().getByteOffset();
    if (at < 0 || at >= document.length || document[(int) at] != '"') {
      return null;
    }
    int open = (int) at;
    // Short values end within minBytes: leave them to Jackson after this cheap look.
    int stop = (int) Math.min(document.length, (long) open + 1 + minBytes);
    for (int i = open + 1; i < stop; i++) {
      byte b = document[i];
      if (b == '"') {
        return null;
      }
      if (b == '\\') {
        i++;
      }
    }
    return decode(document, open);
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
