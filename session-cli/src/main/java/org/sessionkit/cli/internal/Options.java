package org.sessionkit.cli.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sessionkit.spi.Timestamps;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Options and value converters shared by several commands. */
public final class Options {

  private static final Pattern AMOUNT = Pattern.compile("(\\d+)(ms|s|m|min|h|d|w)");

  private Options() {}

  /** Options every command has. */
  public static final class Common {
    /** Shows the causes of failures and the stores' own log messages. */
    @Option(
        names = "--verbose",
        description = "Show the causes of failures (with stack traces), every session kept or"
            + " failed, and the stores' own log messages.")
    boolean verbose;
  }

  /** Options of the commands that copy sessions into a store ({@code import}, {@code migrate}). */
  public static final class Copy {
    @Option(
        names = "--overwrite",
        description = "Also replace sessions whose copy in the target is newer (a later"
            + " updated_at) or differs at the same updated_at. Without it they are kept and"
            + " counted as skipped.")
    boolean overwrite;

    @Option(
        names = "--dry-run",
        description = "Read everything and decide what would be copied, skipped or kept, but write"
            + " nothing.")
    boolean dryRun;

    @Option(
        names = "--concurrency",
        defaultValue = "64",
        paramLabel = "N",
        description = "Sessions in flight at once (reads and writes), 1..1024. Default: ${DEFAULT-VALUE}.")
    int concurrency;
  }

  /** How a long run shows progress. */
  public static final class ProgressOptions {
    @Option(
        names = "--progress",
        defaultValue = "auto",
        paramLabel = "MODE",
        converter = ModeConverter.class,
        description = "auto (a bar on a terminal, else plain lines), bar, lines or none."
            + " Progress goes to the standard error. Default: ${DEFAULT-VALUE}.")
    Progress.Mode mode;

    @Option(
        names = "--progress-interval",
        defaultValue = "5s",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "How often a plain progress line is printed (500ms, 5s, 1m). Default: ${DEFAULT-VALUE}.")
    Duration interval;
  }

  /** Checks a concurrency option. */
  static int concurrency(int n) {
    if (n < 1 || n > 1024) {
      throw CliException.usage("--concurrency must be between 1 and 1024, not " + n);
    }
    return n;
  }

  /** Parses a progress mode, ignoring case. */
  public static final class ModeConverter implements ITypeConverter<Progress.Mode> {
    @Override
    public Progress.Mode convert(String value) {
      try {
        return Progress.Mode.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' is not one of auto, bar, lines, none");
      }
    }
  }

  /** Parses a duration: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT5S}). */
  public static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return duration(value);
    }
  }

  /**
   * Parses a point in time: an RFC 3339 timestamp ({@code 2026-02-24T15:04:05Z}), a date taken
   * as midnight UTC ({@code 2026-02-24}), or an age counted back from now ({@code 30m}, {@code
   * 12h}, {@code 7d}, {@code 2w}).
   */
  public static final class InstantConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      String v = value.strip();
      if (AMOUNT.matcher(v).matches() || v.startsWith("P") || v.startsWith("p")) {
        return Instant.now().minus(duration(v));
      }
      if (v.length() == 10) {
        try {
          return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
          throw new TypeConversionException("'" + value + "' is not a date (2026-02-24)");
        }
      }
      try {
        return Timestamps.parse(v);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(
            "'" + value + "' is neither a timestamp (2026-02-24T15:04:05Z), a date (2026-02-24)"
                + " nor an age (30m, 12h, 7d)");
      }
    }
  }

  static Duration duration(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    Matcher m = AMOUNT.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m", "min" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    }
    try {
      return Duration.parse(v.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("'" + value + "' is not a duration (500ms, 5s, 2m, 1h, 7d, PT5S)");
    }
  }
}
