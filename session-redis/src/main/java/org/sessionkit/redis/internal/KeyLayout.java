package org.sessionkit.redis.internal;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.sessionkit.StorageConfigurationException;

/**
 * Where a store keeps what in Redis (layout {@value #VERSION}). Every key starts with the store's
 * prefix ({@code P}, always ending in {@code :}). Sessions are spread over {@code S} <em>shards</em>
 * ({@code S} is fixed when a prefix is first used and recorded in its meta key); each shard has a
 * hash tag {@code {T}} of its own, and every key of a shard — its sessions and its indexes —
 * carries that tag, so that each write touches keys of one cluster slot only and can be one
 * atomic script:
 *
 * <pre>
 * P meta           hash: layout (the version), shards (S)
 * P{T}:h:HEX       hash: the head of one session (revision, times, count, state, write log…)
 * P{T}:m:HEX       list: the session's messages, one JSON document per element
 * P{T}:u           sorted set, every score 0: members TIME + HEX, the listing order of the shard
 * P{T}:i           sorted set, every score 0: members HEX, for id-prefix queries
 * P{T}:x           sorted set: members HEX scored by the last write time (ms), with retention only
 * P{T}:t:HEX:TOKEN list: the messages of one save on their way in (a staging list, see below)
 * </pre>
 *
 * A session's shard is the CRC-32 (IEEE) of its id's UTF-8 bytes modulo {@code S}. The tag of
 * shard {@code i} is the first string {@code i} or {@code i.j} (j = 0, 1, …) whose cluster slot
 * falls into the {@code i}-th of {@code S} equal slot ranges, so shards spread evenly over the
 * slots and so over the primaries of a cluster, whatever slot ranges each primary holds.
 *
 * <p>{@code HEX} is the lower-case hexadecimal form of the id's UTF-8 bytes: it can hold any valid
 * id (braces, colons, spaces, emoji) without escaping, two ids never share it, and its byte order
 * is the UTF-8 byte order of the ids, which is their code-point order. {@code TIME} is 18 hex
 * digits that sort the newest {@code updatedAt} first with nanosecond precision (a sorted-set
 * score, a double, could not hold it): 10 digits of {@code 0xFFFFFFFFFF} minus the seconds since
 * 0000-01-01T00:00:00Z, then 8 digits of {@code 999999999} minus the nanoseconds. So the
 * lexicographic (memcmp) order of the members of {@code P{T}:u} is exactly the listing order:
 * {@code updatedAt} descending, then id in code-point order.
 *
 * <p>A save of many kilobytes of messages pushes them to a staging list of its own first, with
 * plain commands, and its script then renames that list into place: a script's arguments cost
 * the server far more per byte than a command's. A staging list lives a minute at most: one
 * left behind by a client that stopped half-way expires by itself.
 *
 * <p>Immutable and thread safe.
 */
public final class KeyLayout {

  /** The layout this code reads and writes; a prefix holding another one is refused. */
  public static final String VERSION = "2";

  /** The prefix used when none is configured. */
  public static final String DEFAULT_PREFIX = "sessionkit:";

  /** The most shards a store may have. */
  public static final int MAX_SHARDS = 1024;

  /** The number of cluster slots. */
  static final int SLOTS = 16384;

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
  private final String[] tags;

  private KeyLayout(String prefix, String[] tags) {
    this.prefix = prefix;
    this.tags = tags;
  }

  /**
   * Checks a configured prefix and returns it as keys use it (a {@code :} added unless it ends
   * with one).
   *
   * @throws StorageConfigurationException if the prefix has characters other than letters,
   *     digits and {@code _ . : / -}, is empty or longer than 128 characters
   */
  public static String checkPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new StorageConfigurationException(
          "the key prefix '" + prefix + "' is not allowed: use 1 to 128 letters, digits and _ . : / -");
    }
    return prefix.endsWith(":") ? prefix : prefix + ":";
  }

  /**
   * Returns the layout for a configured prefix and number of shards.
   *
   * @throws StorageConfigurationException for a bad prefix (see {@link #checkPrefix}) or a
   *     number of shards outside 1..{@value #MAX_SHARDS}
   */
  public static KeyLayout of(String prefix, int shards) {
    String p = checkPrefix(prefix);
    checkShards(shards);
    String[] tags = new String[shards];
    for (int i = 0; i < shards; i++) {
      tags[i] = tag(i, shards);
    }
    return new KeyLayout(p, tags);
  }

  /**
   * Checks a number of shards.
   *
   * @throws StorageConfigurationException unless it is 1..{@value #MAX_SHARDS}
   */
  public static int checkShards(int shards) {
    if (shards < 1 || shards > MAX_SHARDS) {
      throw new StorageConfigurationException(
          "the number of shards must be 1 to " + MAX_SHARDS + ", not " + shards);
    }
    return shards;
  }

  /** Returns the prefix every key starts with (ends with {@code :}). */
  public String prefix() {
    return prefix;
  }

  /** Returns the number of shards. */
  public int shards() {
    return tags.length;
  }

  /** Returns the key of the store's meta hash (layout version and number of shards). */
  public String meta() {
    return prefix + "meta";
  }

  /** Returns the keys an earlier, unreleased layout kept its indexes in (to refuse it clearly). */
  public String[] earlierLayoutKeys() {
    return new String[] {prefix + "idx:updated", prefix + "rev"};
  }

  /** Returns the shard of the session with {@code id}. */
  public int shardOf(String id) {
    if (tags.length == 1) {
      return 0;
    }
    CRC32 crc = new CRC32();
    crc.update(id.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % tags.length);
  }

  /** Returns what every key of shard {@code shard} starts with: {@code P{T}:}. */
  public String shardStart(int shard) {
    return prefix + "{" + tags[shard] + "}:";
  }

  /** Returns the key of the head hash of the session {@code hex} in {@code shard}. */
  public String head(int shard, String hex) {
    return shardStart(shard) + "h:" + hex;
  }

  /** Returns the key of the message list of the session {@code hex} in {@code shard}. */
  public String messages(int shard, String hex) {
    return shardStart(shard) + "m:" + hex;
  }

  /** Returns the key of a staging list of the session {@code hex} in {@code shard}. */
  public String staging(int shard, String hex, String token) {
    return shardStart(shard) + "t:" + hex + ":" + token;
  }

  /** Returns the key of the head hash of the session {@code id}. */
  public String head(String id) {
    return head(shardOf(id), hex(id));
  }

  /** Returns the key of the message list of the session {@code id}. */
  public String messages(String id) {
    return messages(shardOf(id), hex(id));
  }

  /** Returns the key of the listing index of {@code shard}. */
  public String updatedIndex(int shard) {
    return shardStart(shard) + "u";
  }

  /** Returns the key of the id index of {@code shard}. */
  public String idIndex(int shard) {
    return shardStart(shard) + "i";
  }

  /** Returns the key of the write-time index of {@code shard} (used with retention). */
  public String writeTimeIndex(int shard) {
    return shardStart(shard) + "x";
  }

  /**
   * What a key of this layout is, if it is one: the kind ({@code h} head, {@code m} messages,
   * {@code t} staging list, {@code u}, {@code i}, {@code x} indexes, {@code meta}), the shard
   * and, for session keys, the hex id.
   *
   * @param kind h, m, t (staging), u, i, x or meta
   * @param shard the shard (-1 for meta)
   * @param hex the hex id of a session key, else empty
   */
  public record KeyKind(String kind, int shard, String hex) {}

  /** Returns what {@code key} is in this layout, or empty for a key the store did not write. */
  public Optional<KeyKind> parse(String key) {
    if (key.equals(meta())) {
      return Optional.of(new KeyKind("meta", -1, ""));
    }
    if (!key.startsWith(prefix + "{")) {
      return Optional.empty();
    }
    int close = key.indexOf("}:", prefix.length() + 1);
    if (close < 0) {
      return Optional.empty();
    }
    String tag = key.substring(prefix.length() + 1, close);
    int shard = shardOfTag(tag);
    if (shard < 0) {
      return Optional.empty();
    }
    String rest = key.substring(close + 2);
    if (rest.equals("u") || rest.equals("i") || rest.equals("x")) {
      return Optional.of(new KeyKind(rest, shard, ""));
    }
    if (rest.startsWith("h:") || rest.startsWith("m:")) {
      return Optional.of(new KeyKind(rest.substring(0, 1), shard, rest.substring(2)));
    }
    int token = rest.indexOf(':', 2);
    if (rest.startsWith("t:") && token > 2) {
      return Optional.of(new KeyKind("t", shard, rest.substring(2, token)));
    }
    return Optional.empty();
  }

  private int shardOfTag(String tag) {
    int dot = tag.indexOf('.');
    String n = dot < 0 ? tag : tag.substring(0, dot);
    try {
      int i = Integer.parseInt(n);
      return i >= 0 && i < tags.length && tags[i].equals(tag) ? i : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------ shard tags

  /**
   * Returns the hash tag of shard {@code i} of {@code n}: the first of {@code i}, {@code i.0},
   * {@code i.1}, … whose slot lies in {@code [i·16384/n, (i+1)·16384/n)}.
   */
  static String tag(int i, int n) {
    int from = (int) ((long) i * SLOTS / n);
    int to = (int) ((long) (i + 1) * SLOTS / n);
    String candidate = Integer.toString(i);
    for (int j = 0; ; j++) {
      int slot = slot(candidate);
      if (slot >= from && slot < to) {
        return candidate;
      }
      candidate = i + "." + j;
    }
  }

  /** Returns the cluster slot of a key without braces: CRC16 (XMODEM) modulo 16384. */
  static int slot(String key) {
    int crc = 0;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      crc ^= (b & 0xFF) << 8;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
        crc &= 0xFFFF;
      }
    }
    return crc % SLOTS;
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
