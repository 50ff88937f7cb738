package org.sessionkit.cli.internal;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formatting for people: grouped numbers, shortened text, times and rates. Stateless. */
public final class Text {

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final java.util.regex.Pattern PLAIN_ID =
      java.util.regex.Pattern.compile("[\\p{L}\\p{N}_./:@+-]+");

  private Text() {}

  /**
   * Returns a session id as printed in messages: as is when it is made of letters, digits and
   * {@code _ . / : @ + -} (and is not {@code .} or {@code ..}), else in double quotes with JSON
   * escapes, so that spaces and invisible characters show.
   */
  public static String id(String id) {
    if (!id.isEmpty() && !id.equals(".") && !id.equals("..") && PLAIN_ID.matcher(id).matches()) {
      return id;
    }
    StringBuilder b = new StringBuilder("\"");
    id.codePoints().forEach(cp -> {
      if (cp == '"' || cp == '\\') {
        b.append('\\').appendCodePoint(cp);
      } else if (cp < 0x20 || cp == 0x7f || Character.getType(cp) == Character.FORMAT) {
        b.append(String.format(Locale.ROOT, "\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.append('"').toString();
  }

  /** Returns {@code n} with thousands separated by commas: {@code 12,345}. */
  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Returns the unsigned value of {@code n} grouped by thousands (token counts are u64). */
  public static String unsigned(long n) {
    if (n >= 0) {
      return count(n);
    }
    return String.format(Locale.ROOT, "%,d", new BigInteger(Long.toUnsignedString(n)));
  }

  /** Returns {@code n} and the noun, in the plural unless {@code n} is 1: {@code 3 sessions}. */
  public static String plural(long n, String noun) {
    return count(n) + " " + (n == 1 ? noun : noun + "s");
  }

  /** Returns {@code t} in UTC to the second, for tables: {@code 2026-02-24 15:04:05}. */
  public static String time(Instant t) {
    try {
      return SECONDS.format(t);
    } catch (java.time.DateTimeException e) {
      return t.toString(); // a year beyond what the pattern prints
    }
  }

  /** Returns {@code d} for people: {@code 850 ms}, {@code 12.3 s}, {@code 4 min 05 s}. */
  public static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }

  /** Returns a rate per second: {@code 8,130/s}. */
  public static String rate(long n, Duration d) {
    double seconds = Math.max(d.toNanos(), 1) / 1e9;
    return count(Math.round(n / seconds)) + "/s";
  }

  /** Returns a byte size: {@code 512 B}, {@code 12.3 KB}, {@code 4.0 MB}. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MB", n / (1024.0 * 1024));
  }

  /**
   * Returns {@code s} on one line, at most {@code max} characters: line breaks and tabs become
   * visible marks ({@code ⏎}, a space), and a longer text is cut with {@code …} and the length
   * of the whole. {@code max} of 0 or less keeps everything (still on one line).
   */
  public static String oneLine(String s, int max) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max > 0 ? max + 16 : s.length()));
    int shown = 0;
    int i = 0;
    while (i < s.length()) {
      if (max > 0 && shown >= max) {
        break;
      }
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\r' && i < s.length() && s.charAt(i) == '\n') {
        continue; // \r\n counts as one break
      }
      if (cp == '\n' || cp == '\r') {
        b.append(" \u23ce ");
      } else if (cp == '\t') {
        b.append(' ');
      } else if (Character.getType(cp) == Character.CONTROL) { // an escape could rewrite the terminal
        b.append(String.format(Locale.ROOT, "\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
      shown++;
    }
    if (i < s.length()) {
      b.append("\u2026 (").append(count(s.codePointCount(0, s.length()))).append(" characters)");
    }
    return b.toString();
  }

  /**
   * Returns {@code s} safe to print on a terminal, keeping its lines: line breaks and tabs stay,
   * any other control character (an escape sequence could recolour or rewrite the terminal) is
   * shown as {@code \\u001b}.
   */
  public static String safe(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f);
      if (control && b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (b != null) {
        if (control) {
          b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? s : b.toString();
  }

  /** Returns {@code s} padded with spaces on the right to {@code width} characters. */
  public static String padRight(String s, int width) {
    int len = s.codePointCount(0, s.length());
    return len >= width ? s : s + " ".repeat(width - len);
  }

  /** Returns {@code s} padded with spaces on the left to {@code width} characters. */
  public static String padLeft(String s, int width) {
    int len = s.codePointCount(0, s.length());
    return len >= width ? s : " ".repeat(width - len) + s;
  }
}
