package org.sessionkit.file.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.sessionkit.SessionIds;

/**
 * Maps session ids to file names in a store directory and back.
 *
 * <p>Three forms, chosen so that no two distinct ids ever share a name, that no name can leave
 * the directory, and that every name is at most {@value #MAX_NAME_BYTES} bytes:
 *
 * <ul>
 *   <li><b>raw</b>, as neuron writes it: {@code {id}.json} for a <i>simple</i> id — only {@code
 *       [A-Za-z0-9._-]}, not starting with a dot, short enough. In a case-insensitive directory
 *       a simple id with an upper-case letter is not raw (else {@code A} and {@code a} would
 *       share a file).
 *   <li><b>encoded</b>: {@code ~} followed by the id's UTF-8 bytes, each kept if it is one of
 *       {@code [a-z0-9._-]} and written {@code %XX} (upper-case hex) otherwise, then {@code
 *       .json}. {@code ~} is not a simple character, so an encoded name never equals a raw one;
 *       names are pure lower-case ASCII apart from the hex digits, so they stay distinct when a
 *       file system ignores case or normalises Unicode.
 *   <li><b>hashed</b>, when the encoded name would be too long: {@code ~~}, the first {@value
 *       #HASHED_PREFIX_CHARS} characters of the encoded form (for people), {@code ~}, the
 *       base32 SHA-256 of the id's UTF-8 bytes, {@code .json}. Such a name can't be decoded; the
 *       id comes from the document, and it must map back to the same name.
 * </ul>
 *
 * <p>Every valid id has exactly one <i>canonical</i> name. A name that decodes to an id whose
 * canonical name is different (for example a file neuron wrote for the id {@code "a b"}, or
 * {@code Sess.json} in a case-insensitive directory) is not a session of this store: listings
 * report it as a problem. Immutable and thread safe.
 */
public final class FileNames {

  /** The suffix of every session document; temporary and lock files never end with it. */
  public static final String SUFFIX = ".json";

  /** The longest file name, in bytes, that common file systems accept. */
  public static final int MAX_NAME_BYTES = 255;

  /** How many characters of the encoded id a hashed name keeps. */
  public static final int HASHED_PREFIX_CHARS = 120;

  private static final char ENCODED = '~';
  private static final String HASHED = "~~";
  private static final int HASH_CHARS = 52; // base32 of 32 bytes, unpadded
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final boolean caseInsensitive;

  /**
   * Creates the mapping for a directory.
   *
   * @param caseInsensitive whether the directory's file system treats names differing only in
   *     case as the same file
   */
  public FileNames(boolean caseInsensitive) {
    this.caseInsensitive = caseInsensitive;
  }

  /** Returns whether this mapping guards against a case-insensitive file system. */
  public boolean caseInsensitive() {
    return caseInsensitive;
  }

  /** What a file name stands for. */
  public sealed interface Parsed permits Named, Hashed, Foreign {}

  /**
   * A canonical raw or encoded name.
   *
   * @param id the id it stands for
   */
  public record Named(String id) implements Parsed {}

  /** A canonical-looking hashed name: the id must be read from the document. */
  public record Hashed() implements Parsed {}

  /**
   * A {@code .json} name that is not the canonical name of any id.
   *
   * @param id the id the name seems to stand for, when it can be decoded
   * @param reason why it is not a session of this store, for a person
   */
  public record Foreign(Optional<String> id, String reason) implements Parsed {}

  /**
   * Returns the canonical file name of a valid id.
   *
   * @param id a valid session id ({@link SessionIds#isValid})
   */
  public String nameFor(String id) {
    if (isSimple(id) && id.length() + SUFFIX.length() <= MAX_NAME_BYTES) {
      return id + SUFFIX;
    }
    String encoded = encode(id);
    if (1 + encoded.length() + SUFFIX.length() <= MAX_NAME_BYTES) {
      return ENCODED + encoded + SUFFIX;
    }
    int cut = Math.min(HASHED_PREFIX_CHARS, encoded.length());
    // Never cut an escape in half: the readable prefix is only for people, but it should read
    // back as what it is.
    if (cut >= 1 && encoded.charAt(cut - 1) == '%') {
      cut -= 1;
    } else if (cut >= 2 && encoded.charAt(cut - 2) == '%') {
      cut -= 2;
    }
    return HASHED + encoded.substring(0, cut) + ENCODED + hash(id) + SUFFIX;
  }

  /**
   * Parses a file name ending with {@link #SUFFIX}.
   *
   * @throws IllegalArgumentException if it does not end with {@link #SUFFIX}
   */
  public Parsed parse(String name) {
    if (!name.endsWith(SUFFIX)) {
      throw new IllegalArgumentException("not a document name: " + name);
    }
    String base = name.substring(0, name.length() - SUFFIX.length());
    if (base.startsWith(HASHED)) {
      return parseHashed(base);
    }
    Optional<String> id;
    if (base.startsWith(String.valueOf(ENCODED))) {
      id = decode(base.substring(1));
      if (id.isEmpty()) {
        return new Foreign(Optional.empty(), "not a valid encoded sessionkit file name");
      }
    } else {
      id = Optional.of(base);
    }
    String candidate = id.get();
    if (!SessionIds.isValid(candidate)) {
      return new Foreign(Optional.empty(), "the name does not stand for a valid session id");
    }
    String canonical = nameFor(candidate);
    if (!canonical.equals(name)) {
      return new Foreign(
          id,
          "the file name is not the one this store uses for that id (it stores it as '"
              + canonical
              + "'); rename the file to share it");
    }
    return new Named(candidate);
  }

  /** Returns whether {@code name} is the canonical name of {@code id}. */
  public boolean isNameOf(String name, String id) {
    return SessionIds.isValid(id) && nameFor(id).equals(name);
  }

  private Parsed parseHashed(String base) {
    int sep = base.lastIndexOf(ENCODED);
    if (sep < HASHED.length() || base.length() - sep - 1 != HASH_CHARS) {
      return new Foreign(Optional.empty(), "not a valid hashed sessionkit file name");
    }
    for (int i = sep + 1; i < base.length(); i++) {
      char c = base.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
        return new Foreign(Optional.empty(), "not a valid hashed sessionkit file name");
      }
    }
    return new Hashed();
  }

  private boolean isSimple(String id) {
    if (id.isEmpty() || id.charAt(0) == '.') {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean lower = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      boolean upper = c >= 'A' && c <= 'Z';
      if (!(lower || (upper && !caseInsensitive))) {
        return false;
      }
    }
    return true;
  }

  private static boolean keptInEncoding(int b) {
    return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '.' || b == '_' || b == '-';
  }

  private static String encode(String id) {
    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(utf8.length * 3);
    for (byte x : utf8) {
      int v = x & 0xff;
      if (keptInEncoding(v)) {
        b.append((char) v);
      } else {
        b.append('%').append(HEX[v >>> 4]).append(HEX[v & 0xf]);
      }
    }
    return b.toString();
  }

  private static Optional<String> decode(String encoded) {
    if (encoded.isEmpty()) {
      return Optional.empty();
    }
    ByteBuffer bytes = ByteBuffer.allocate(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        if (i + 2 >= encoded.length()) {
          return Optional.empty();
        }
        int hi = Character.digit(encoded.charAt(i + 1), 16);
        int lo = Character.digit(encoded.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        bytes.put((byte) (hi << 4 | lo));
        i += 2;
      } else if (c < 0x80) {
        bytes.put((byte) c);
      } else {
        return Optional.empty();
      }
    }
    bytes.flip();
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      return Optional.of(chars.toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static String hash(String id) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return Base32.encode(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
