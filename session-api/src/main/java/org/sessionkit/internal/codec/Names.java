package org.sessionkit.internal.codec;

/** Helpers to put untrusted text (ids, file names, keys) into error messages safely. */
public final class Names {

  private static final int MAX_CHARS = 120;

  private Names() {}

  /** Returns {@code text} quoted, with control characters, quotes and surrogates escaped. */
  public static String quote(String text) {
    String shown = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
    String q = '"' + escape(shown) + '"';
    return shown.length() < text.length() ? q + "…(" + text.length() + " chars)" : q;
  }

  /** Escapes control characters, {@code "}, {@code \} and surrogates as {@code \}{@code u} followed by four hex digits. */
  public static String escape(String text) {
    int i = 0;
    while (i < text.length() && !needsEscape(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (needsEscape(c)) {
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

  private static boolean needsEscape(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '"' || c == '\\' || Character.isSurrogate(c);
  }
}
