package org.sessionkit.spi;

import org.sessionkit.InvalidSessionException;
import java.time.Instant;
import java.util.Objects;
import org.sessionkit.internal.codec.Rfc3339;

/**
 * The RFC 3339 timestamps of the session format ({@code created_at}, {@code updated_at}).
 * Thread safe and stateless.
 *
 * <p>Unlike {@link Instant#parse(CharSequence)}, parsing is strict: it requires an offset,
 * refuses leap seconds ({@code :60}, which {@code Instant.parse} silently turns into {@code
 * :59}) and years outside 0000–9999, and keeps nanosecond precision.
 */
public final class Timestamps {

  private Timestamps() {}

  /**
   * Formats {@code t} in UTC with a {@code Z} suffix. The fraction is left out when the
   * nanoseconds are zero, otherwise written with 3, 6 or 9 digits, the shortest that keeps every
   * non-zero digit: {@code 2026-02-24T15:04:05Z}, {@code …05.123Z}, {@code …05.123456Z}, {@code
   * …05.123456789Z}, {@code …05.000000100Z}.
   *
   * @throws InvalidSessionException if {@code t} lies outside years 0000–9999 (UTC), which RFC
   *     3339 can't express
   * @throws NullPointerException if {@code t} is null
   */
  public static String format(Instant t) {
    Objects.requireNonNull(t, "t");
    if (!Rfc3339.inRange(t)) {
      throw new InvalidSessionException(
          "the instant " + t + " is outside years 0000-9999 and can't be stored as RFC 3339");
    }
    return Rfc3339.format(t);
  }

  /**
   * Parses an RFC 3339 timestamp {@code YYYY-MM-DD(T|t)HH:MM:SS[.fraction](Z|z|±HH:MM)} with 1
   * to 9 fraction digits, converting its offset to UTC: {@code 2026-02-24T10:04:05.5-05:00} is
   * {@code 2026-02-24T15:04:05.500Z}.
   *
   * @throws IllegalArgumentException if the text is not such a timestamp: no offset, a leap
   *     second, a year of more than 4 digits, a month, day, hour, minute or second out of range
   *     (e.g. February 30, hour 24), more than 9 fraction digits, or a year outside 0000–9999
   *     once converted to UTC; the message quotes the text and says what is wrong
   * @throws NullPointerException if {@code text} is null
   */
  public static Instant parse(String text) {
    return Rfc3339.parse(Objects.requireNonNull(text, "text"));
  }
}
