package org.sessionkit.internal.codec;

/** Well-formedness of Java strings: JSON text must be valid Unicode, so no lone surrogates. */
public final class Utf16 {

  private Utf16() {}

  /** Returns the index of the first lone surrogate in {@code s}, or -1 if it is well formed. */
  public static int loneSurrogate(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
        if (c <= Character.MAX_HIGH_SURROGATE
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
