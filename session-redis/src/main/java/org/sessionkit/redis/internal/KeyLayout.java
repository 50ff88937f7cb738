package org.sessionkit.redis.internal;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.sessionkit.StorageConfigurationException;

/**
 * Where a store keeps what in Redis. Every key starts with the store's prefix ({@code P}, always
 * ending in {@code :}):
 *
 * <pre>
 * P s:{HEX}:h     hash: the head of one session (revision, timestamps, count, state, index member)
 * P s:{HEX}:m     list: the session's messages, one JSON document per element
 * P idx:updated   sorted set, every score 0: members TIME + HEX, the listing order
 * P idx:id        sorted set, every score 0: members HEX, for id-prefix queries
 * P rev           string: the store-wide revision counter
 * </pre>
 *
 * {@code HEX} is the lower-case hexadecimal form of the id's UTF-8 bytes. It is the session's
 * hash tag (so both keys of a session sit in one slot), it can hold any valid id (braces,
 * colons, spaces, emoji) without escaping, two ids never share it, and its byte order is the
 * UTF-8 byte order of the ids, which is their code-point order. {@code TIME} is 18 hex digits
 * that sort the newest {@code updatedAt} first with nanosecond precision (a sorted-set score, a
 * double, could not hold it): 10 digits of {@code 0xFFFFFFFFFF} minus the seconds since
 * 0000-01-01T00:00:00Z, then 8 digits of {@code 999999999} minus the nanoseconds. So the
 * lexicographic (memcmp) order of the members of {@code idx:updated} is exactly the listing
 * order: {@code updatedAt} descending, then id in code-point order.
 *
 * <p>Immutable and thread safe.
 */
public final class KeyLayout {

  /** The prefix used when none is configured. */
  public static final String DEFAULT_PREFIX = "sessionkit:";

  /** The length of the time part of an index member. */
  public static final int TIME_LENGTH = 18;

  /** Seconds of 0000-01-01T00:00:00Z, the earliest instant a session can hold. */
  static final long MIN_SECONDS = -62_167_219_200L;

  /** Seconds of 9999-12-31T23:59:59Z, the latest whole second a session can hold. */
  static final long MAX_SECONDS = 253_402_300_799L;

  private static final long SECONDS_MASK = 0xFF_FFFF_FFFFL;
  private static final int MAX_NANO = 999_999_999;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /**
   * Letters, digits and {@code _ . : / -}: no braces (they would move the hash tag into the
   * prefix), no glob characters (the prefix is used in SCAN patterns), nothing to escape.
   */
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:/\\-]{1,128}");

  private final String prefix;

  private KeyLayout(String prefix) {
    this.prefix = prefix;
  }

  /**
   * Returns the layout for a configured prefix; a {@code :} is added unless it ends with one.
   *
   * @throws StorageConfigurationException if the prefix has characters other than letters,
   *     digits and {@code _ . : / -}, is empty or longer than 128 characters
   */
  public static KeyLayout of(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new StorageConfigurationException(
          "the key prefix '" + prefix + "' is not allowed: use 1 to 128 letters, digits and _ . : / -");
    }
    return new KeyLayout(prefix.endsWith(":") ? prefix : prefix + ":");
  }

  /** Returns the prefix every key starts with (ends with {@code :}). */
  public String prefix() {
    return prefix;
  }

  /** Returns the key of the head hash of the session whose id has hex form {@code hex}. */
  public String head(String hex) {
    return prefix + "s:{" + hex + "}:h";
  }

  /** Returns the key of the message list of the session whose id has hex form {@code hex}. */
  public String messages(String hex) {
    return prefix + "s:{" + hex + "}:m";
  }

  /** Returns what precedes the hex id in a session key (for scripts that build keys). */
  public String sessionKeyStart() {
    return prefix + "s:{";
  }

  /** Returns the key of the listing index. */
  public String updatedIndex() {
    return prefix + "idx:updated";
  }

  /** Returns the key of the id index. */
  public String idIndex() {
    return prefix + "idx:id";
  }

  /** Returns the key of the revision counter. */
  public String revisionCounter() {
    return prefix + "rev";
  }

  /**
   * Returns the hex id of a head or message key of this layout, if {@code key} is one.
   */
  public Optional<String> hexOfSessionKey(String key) {
    String start = sessionKeyStart();
    if (!key.startsWith(start) || !(key.endsWith("}:h") || key.endsWith("}:m"))) {
      return Optional.empty();
    }
    return Optional.of(key.substring(start.length(), key.length() - 3));
  }

  // ------------------------------------------------------------------ ids

  /** Returns the lower-case hex form of the UTF-8 bytes of {@code id}. */
  public static String hex(String id) {
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[bytes[i] & 0xF];
    }
    return new String(out);
  }

  /** Returns the id whose hex form is {@code hex}, if it is well-formed hex of valid UTF-8. */
  public static Optional<String> idOfHex(String hex) {
    if (hex.isEmpty() || hex.length() % 2 != 0) {
      return Optional.empty();
    }
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      int hi = digit(hex.charAt(2 * i));
      int lo = digit(hex.charAt(2 * i + 1));
      if (hi < 0 || lo < 0) {
        return Optional.empty();
      }
      bytes[i] = (byte) (hi << 4 | lo);
    }
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  // ------------------------------------------------------------------ the listing index

  /**
   * Returns the time part of an index member for {@code t}, which must lie within years
   * 0000–9999 (sessions are checked for that before they are written).
   */
  public static String time(Instant t) {
    long s = t.getEpochSecond();
    if (s < MIN_SECONDS || s > MAX_SECONDS) {
      throw new IllegalArgumentException("instant outside years 0000-9999: " + t);
    }
    long inverted = SECONDS_MASK - (s - MIN_SECONDS);
    int nanos = MAX_NANO - t.getNano();
    char[] out = new char[TIME_LENGTH];
    for (int i = 9; i >= 0; i--) {
      out[i] = HEX[(int) (inverted & 0xF)];
      inverted >>>= 4;
    }
    for (int i = 17; i >= 10; i--) {
      out[i] = HEX[nanos & 0xF];
      nanos >>>= 4;
    }
    return new String(out);
  }

  /** Returns the index member of a session updated at {@code updatedAt} whose hex id is {@code hex}. */
  public static String member(Instant updatedAt, String hex) {
    return time(updatedAt) + hex;
  }

  /** Returns whether {@code t} lies before the earliest instant a session can hold. */
  static boolean beforeRange(Instant t) {
    return t.getEpochSecond() < MIN_SECONDS;
  }

  /** Returns whether {@code t} lies after the latest instant a session can hold. */
  static boolean afterRange(Instant t) {
    return t.getEpochSecond() > MAX_SECONDS;
  }
}
