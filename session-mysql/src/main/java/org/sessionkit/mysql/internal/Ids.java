package org.sessionkit.mysql.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Ids as the tables hold them: the UTF-8 bytes of the id in a {@code VARBINARY} column, compared
 * byte by byte, which is Unicode code-point order.
 */
public final class Ids {

  private Ids() {}

  /** Returns the UTF-8 bytes of a (well-formed) id or prefix. */
  public static byte[] bytes(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Decodes stored id bytes strictly.
   *
   * @return empty if they are not well-formed UTF-8 (a row written by something else)
   */
  public static Optional<String> decode(byte[] bytes) {
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Decodes stored id bytes for a message, replacing what is not UTF-8. */
  public static String show(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Returns the smallest byte string greater than every byte string starting with {@code
   * prefix}: the prefix with its last byte incremented. The last byte of UTF-8 is never 0xFF
   * (an ASCII byte or a continuation byte), so it always exists, and since UTF-8 byte order is
   * code-point order, "starts with" becomes the range {@code prefix <= id < successor} of the
   * primary key.
   *
   * @param prefix the UTF-8 bytes of a non-empty, well-formed prefix
   */
  public static byte[] successor(byte[] prefix) {
    if (prefix.length == 0 || (prefix[prefix.length - 1] & 0xFF) == 0xFF) {
      throw new IllegalArgumentException("not the UTF-8 of a non-empty string");
    }
    byte[] next = Arrays.copyOf(prefix, prefix.length);
    next[next.length - 1]++;
    return next;
  }

  /** Returns whether {@code s} holds a control character (Unicode category Cc). */
  public static boolean hasControlCharacter(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.getType(s.charAt(i)) == Character.CONTROL) {
        return true;
      }
    }
    return false;
  }
}
