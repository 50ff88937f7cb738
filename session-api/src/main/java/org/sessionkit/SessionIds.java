package org.sessionkit;

import java.util.Comparator;
import java.util.Objects;
import org.sessionkit.internal.codec.Names;

/**
 * The session id rule, the same for every store, and the order in which ids are listed.
 *
 * <p>A valid id is a non-empty string of at most {@value #MAX_CODE_POINTS} Unicode code points,
 * well-formed UTF-16 (no lone surrogates), without control characters (Unicode category Cc),
 * and neither {@code "."} nor {@code ".."}. Every valid id round-trips exactly through every
 * store, including {@code /}, {@code \}, {@code :}, {@code %}, spaces, dots, case and
 * non-ASCII; two ids that differ in any code point are two sessions. Stores check this rule
 * before any I/O and fail with {@link InvalidIdException}.
 *
 * <p>This class is thread safe and has no state.
 */
public final class SessionIds {

  /** The largest number of code points an id may have. */
  public static final int MAX_CODE_POINTS = 256;

  /**
   * Orders strings by Unicode code point, which is also UTF-8 byte order, PostgreSQL's {@code
   * COLLATE "C"} and Redis' lexicographic order. {@link String#compareTo} differs: it compares
   * UTF-16 units, so it puts supplementary characters (e.g. emoji) before {@code U+E000}–{@code
   * U+FFFF}.
   */
  public static final Comparator<String> CODE_POINT_ORDER = SessionIds::compareCodePoints;

  private SessionIds() {}

  /** Returns whether {@code id} is a valid session id. */
  public static boolean isValid(String id) {
    return problem(id) == null;
  }

  /**
   * Returns {@code id} if it is valid.
   *
   * @throws InvalidIdException if it is not; the message says why
   * @throws NullPointerException if {@code id} is null
   */
  public static String requireValid(String id) {
    String problem = problem(Objects.requireNonNull(id, "id"));
    if (problem != null) {
      throw new InvalidIdException("invalid session id " + quote(id) + ": " + problem);
    }
    return id;
  }

  /** Compares two strings by Unicode code point; see {@link #CODE_POINT_ORDER}. */
  public static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        // Surrogates (D800–DFFF) encode code points above FFFF, so they must sort after
        // E000–FFFF; shifting them up by 0x2000 and the rest of E000–FFFF down restores
        // code-point order without decoding pairs.
        return fixUp(x) - fixUp(y);
      }
    }
    return a.length() - b.length();
  }

  private static int fixUp(char c) {
    if (c >= 0xE000) {
      return c - 0x800;
    }
    if (c >= 0xD800) {
      return c + 0x2000;
    }
    return c;
  }

  private static String problem(String id) {
    if (id.isEmpty()) {
      return "it is empty";
    }
    if (id.equals(".") || id.equals("..")) {
      return "'.' and '..' are reserved";
    }
    int codePoints = 0;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= id.length() || !Character.isLowSurrogate(id.charAt(i + 1))) {
          return "lone surrogate at index " + i;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return "lone surrogate at index " + i;
      } else if (c <= 0x1F || (c >= 0x7F && c <= 0x9F)) {
        // exactly Unicode's Cc (control) category, without a table lookup per char
        return String.format("control character U+%04X at index %d", (int) c, i);
      }
      if (++codePoints > MAX_CODE_POINTS) {
        return "longer than " + MAX_CODE_POINTS + " code points";
      }
    }
    return null;
  }

  /**
   * Quotes {@code id} for an error message or a log line: in double quotes, with control
   * characters, quotes, backslashes and unpaired surrogates escaped as {@code \}{@code u}
   * and four hex digits, and cut after 80 chars (never inside a surrogate pair) with its length
   * appended. Works on any string, valid id or not. Stores use it so that every message names
   * ids the same way.
   *
   * @param id any string
   * @return the quoted form; never {@code null}
   */
  public static String quote(String id) {
    return Names.quote(id, 80);
  }
}
