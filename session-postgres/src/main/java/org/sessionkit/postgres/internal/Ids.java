package org.sessionkit.postgres.internal;

import java.util.Optional;

/** Small helpers for ids in prefix queries. */
public final class Ids {

  private Ids() {}

  /** Returns whether {@code s} holds a control character (Unicode category Cc). */
  public static boolean hasControlCharacter(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.getType(s.charAt(i)) == Character.CONTROL) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the smallest string greater, in code-point order, than every string that starts
   * with {@code prefix}: the prefix with its last code point incremented (dropping trailing
   * U+10FFFF, skipping the surrogate range). Empty if there is none (the prefix is all
   * U+10FFFF). With it, "starts with" becomes a range {@code prefix <= id < successor} that a
   * B-tree in {@code COLLATE "C"} (UTF-8 byte order, which is code-point order) scans directly.
   *
   * @param prefix a well-formed, non-empty string
   */
  public static Optional<String> successor(String prefix) {
    int end = prefix.length();
    while (end > 0) {
      int cp = prefix.codePointBefore(end);
      int start = end - Character.charCount(cp);
      if (cp < Character.MAX_CODE_POINT) {
        int next = cp + 1;
        if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
          next = Character.MAX_SURROGATE + 1;
        }
        return Optional.of(prefix.substring(0, start) + new String(Character.toChars(next)));
      }
      end = start;
    }
    return Optional.empty();
  }
}
