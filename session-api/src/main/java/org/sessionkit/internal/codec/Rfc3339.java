package org.sessionkit.internal.codec;

import java.time.Instant;

/**
 * RFC 3339 timestamps as the session format stores them: written in UTC with {@code Z} and the
 * shortest of 0, 3, 6 or 9 fraction digits that keeps every non-zero digit; read strictly (an
 * offset is required, no leap seconds, years 0000–9999 after conversion to UTC). Implementation
 * detail of {@link org.sessionkit.spi.Timestamps}; no regular expressions, no {@code java.time}
 * parser (which maps {@code :60} to {@code :59} and accepts years beyond 9999).
 */
public final class Rfc3339 {

  /** Epoch second of {@code 0000-01-01T00:00:00Z}. */
  public static final long MIN_EPOCH_SECOND = -62_167_219_200L;

  /** Epoch second of {@code 9999-12-31T23:59:59Z}. */
  public static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  private static final int MAX_QUOTED = 64;

  private Rfc3339() {}

  /** Returns whether {@code t} lies within years 0000–9999 (UTC). */
  public static boolean inRange(Instant t) {
    long s = t.getEpochSecond();
    return s >= MIN_EPOCH_SECOND && s <= MAX_EPOCH_SECOND;
  }

  /**
   * Formats {@code t}, which must be {@linkplain #inRange(Instant) in range}.
   *
   * @throws IllegalArgumentException if it is not
   */
  public static String format(Instant t) {
    if (!inRange(t)) {
      throw new IllegalArgumentException("instant outside years 0000-9999: " + t);
    }
    long sec = t.getEpochSecond();
    int nano = t.getNano();
    long days = Math.floorDiv(sec, 86_400L);
    int secOfDay = (int) Math.floorMod(sec, 86_400L);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm, proleptic Gregorian).
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    int doe = (int) (z - era * 146_097);
    int yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int day = doy - (153 * mp + 2) / 5 + 1;
    int month = mp < 10 ? mp + 3 : mp - 9;
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));

    char[] b = new char[30];
    put(b, 0, year, 4);
    b[4] = '-';
    put(b, 5, month, 2);
    b[7] = '-';
    put(b, 8, day, 2);
    b[10] = 'T';
    put(b, 11, secOfDay / 3600, 2);
    b[13] = ':';
    put(b, 14, secOfDay / 60 % 60, 2);
    b[16] = ':';
    put(b, 17, secOfDay % 60, 2);
    int n = 19;
    if (nano != 0) {
      b[n++] = '.';
      if (nano % 1_000_000 == 0) {
        put(b, n, nano / 1_000_000, 3);
        n += 3;
      } else if (nano % 1000 == 0) {
        put(b, n, nano / 1000, 6);
        n += 6;
      } else {
        put(b, n, nano, 9);
        n += 9;
      }
    }
    b[n++] = 'Z';
    return new String(b, 0, n);
  }

  private static void put(char[] b, int at, int value, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      b[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * Parses {@code YYYY-MM-DD(T|t)HH:MM:SS[.fraction](Z|z|±HH:MM)} with 1 to 9 fraction digits,
   * converting the offset to UTC.
   *
   * @throws IllegalArgumentException with a message quoting the text and saying what is wrong
   */
  public static Instant parse(String text) {
    String problem;
    int n = text.length();
    if (n < 19) {
      problem = "too short";
    } else if (!digits(text, 0, 4) || isDigit(text.charAt(4))) {
      problem = "the year must be exactly 4 digits";
    } else if (text.charAt(4) != '-' || text.charAt(7) != '-' || !digits(text, 5, 2) || !digits(text, 8, 2)) {
      problem = "expected YYYY-MM-DD";
    } else if (text.charAt(10) != 'T' && text.charAt(10) != 't') {
      problem = "expected 'T' between date and time";
    } else if (text.charAt(13) != ':' || text.charAt(16) != ':' || !digits(text, 11, 2) || !digits(text, 14, 2) || !digits(text, 17, 2)) {
      problem = "expected HH:MM:SS";
    } else {
      int year = num(text, 0, 4);
      int month = num(text, 5, 2);
      int day = num(text, 8, 2);
      int hour = num(text, 11, 2);
      int minute = num(text, 14, 2);
      int second = num(text, 17, 2);
      int i = 19;
      int nano = 0;
      if (i < n && text.charAt(i) == '.') {
        int start = ++i;
        while (i < n && isDigit(text.charAt(i))) {
          i++;
        }
        int count = i - start;
        if (count == 0) {
          return fail(text, "a '.' must be followed by fraction digits");
        }
        if (count > 9) {
          return fail(text, "more than 9 fraction digits");
        }
        nano = num(text, start, count);
        for (int k = count; k < 9; k++) {
          nano *= 10;
        }
      }
      int offsetSeconds;
      if (i >= n) {
        return fail(text, "no UTC offset (expected 'Z' or ±HH:MM)");
      }
      char c = text.charAt(i);
      if (c == 'Z' || c == 'z') {
        offsetSeconds = 0;
        i++;
      } else if (c == '+' || c == '-') {
        if (n - i != 6 || text.charAt(i + 3) != ':' || !digits(text, i + 1, 2) || !digits(text, i + 4, 2)) {
          return fail(text, "expected an offset ±HH:MM");
        }
        int oh = num(text, i + 1, 2);
        int om = num(text, i + 4, 2);
        if (oh > 23 || om > 59) {
          return fail(text, "offset out of range");
        }
        offsetSeconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
        i += 6;
      } else {
        return fail(text, "no UTC offset (expected 'Z' or ±HH:MM)");
      }
      if (i != n) {
        return fail(text, "unexpected characters after the offset");
      }
      if (month < 1 || month > 12) {
        problem = "month out of range";
      } else if (day < 1 || day > daysInMonth(year, month)) {
        problem = "day out of range for the month";
      } else if (hour > 23) {
        problem = "hour out of range";
      } else if (minute > 59) {
        problem = "minute out of range";
      } else if (second > 59) {
        problem = second == 60 ? "leap seconds are not supported" : "second out of range";
      } else {
        long epochSecond =
            epochDay(year, month, day) * 86_400L
                + hour * 3600L
                + minute * 60L
                + second
                - offsetSeconds;
        if (epochSecond < MIN_EPOCH_SECOND || epochSecond > MAX_EPOCH_SECOND) {
          problem = "outside years 0000-9999 once converted to UTC";
        } else {
          return Instant.ofEpochSecond(epochSecond, nano);
        }
      }
    }
    return fail(text, problem);
  }

  private static Instant fail(String text, String problem) {
    String quoted = text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "…" : text;
    throw new IllegalArgumentException(
        "invalid RFC 3339 timestamp \"" + Names.escape(quoted) + "\": " + problem);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean digits(String s, int at, int count) {
    for (int i = at; i < at + count; i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int num(String s, int at, int count) {
    int v = 0;
    for (int i = at; i < at + count; i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }

  private static int daysInMonth(int year, int month) {
    switch (month) {
      case 2:
        boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return leap ? 29 : 28;
      case 4:
      case 6:
      case 9:
      case 11:
        return 30;
      default:
        return 31;
    }
  }

  // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
  private static long epochDay(int year, int month, int day) {
    int y = month <= 2 ? year - 1 : year;
    int era = Math.floorDiv(y, 400);
    int yoe = y - era * 400;
    int mp = month > 2 ? month - 3 : month + 9;
    int doy = (153 * mp + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097L + doe - 719_468;
  }
}
