package org.sessionkit.file.internal;

/**
 * Unpadded lower-case base32 (RFC 4648 alphabet, lower case): file-name safe, and the same on
 * case-insensitive file systems. Thread safe; no state.
 */
final class Base32 {

  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private Base32() {}

  /** Encodes {@code bytes}, 5 bits per character, without padding. */
  static String encode(byte[] bytes) {
    StringBuilder b = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte x : bytes) {
      buffer = (buffer << 8) | (x & 0xff);
      bits += 8;
      while (bits >= 5) {
        b.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      b.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    }
    return b.toString();
  }
}
