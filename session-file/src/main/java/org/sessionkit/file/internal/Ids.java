package org.sessionkit.file.internal;

/** Quotes ids for messages. Thread safe; no state. */
final class Ids {

  private Ids() {}

  /** Quotes an id, escaping what would garble a log line and shortening a long one. */
  static String describe(String id) {
    StringBuilder b = new StringBuilder("\"");
    int limit = Math.min(id.length(), 80);
    if (limit < id.length() && Character.isHighSurrogate(id.charAt(limit - 1))) {
      limit--; // never cut a character in half
    }
    for (int i = 0; i < limit; i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c) || c == '"' || c == '\\') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (limit < id.length()) {
      b.append("…(").append(id.length()).append(" chars)");
    }
    return b.append('"').toString();
  }
}
