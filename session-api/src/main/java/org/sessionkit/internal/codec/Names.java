package org.sessionkit.internal.codec;

/** Helpers to put untrusted text (ids, file names, keys) into error messages safely. */
public final class Names {

  private static final int MAX_CHARS = 120;

  private Names() {}

  /** Returns {@code text} quoted and escaped (see {@link #escape}), shortened to 120 chars. */
  public static String quote(String text) {
    return quote(text, MAX_CHARS);
  }

  /**
   * Returns {@code text} quoted and escaped (see {@link #escape}); a text longer than {@code
   * maxChars} is cut there, never inside a surrogate pair, and followed by its length.
   */
  public static String quote(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return '"' + escape(text) + '"';
    }
    int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
    return '"' + escape(text.substring(0, end)) + "\"…(" + text.length() + " chars)";
  }

  /**
   * Escapes what would garble a log line — control characters, {@code "}, {@code \} and
   * unpaired surrogates — as {@code \}{@code u} followed by four hex digits. Paired surrogates
   * (emoji, supplementary letters) are kept as they are.
   */
  public static String escape(String text) {
    int i = 0;
    while (i < text.length() && !needsEscape(text, i)) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (needsEscape(text, i)) {
        b.append("\\u");
        String hex = Integer.toHexString(c);
        for (int k = hex.length(); k < 4; k++) {
          b.append('0');
        }
        b.append(hex);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean needsEscape(String text, int i) {
    char c = text.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
    }
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '"' || c == '\\';
  }
}
