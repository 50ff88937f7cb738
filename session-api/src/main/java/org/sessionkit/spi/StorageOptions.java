package org.sessionkit.spi;

import org.sessionkit.StorageConfigurationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the options of a {@link StorageUri} for a provider, remembering which ones it read, so
 * that {@link #finish()} can reject the ones no one knows. Not thread safe; meant to be used
 * once, inside {@link SessionStorageProvider#create}.
 *
 * <pre>{@code
 * StorageOptions o = uri.optionReader();
 * boolean fsync = o.bool("fsync", true);
 * int threads = o.integer("threads", 4, 1, 256);
 * o.finish(); // unknown option -> StorageConfigurationException naming the known ones
 * }</pre>
 */
public final class StorageOptions {

  private final StorageUri uri;
  private final Set<String> known = new LinkedHashSet<>();

  StorageOptions(StorageUri uri) {
    this.uri = uri;
  }

  /** Returns the raw value of option {@code name}, if given. */
  public Optional<String> string(String name) {
    known.add(name);
    return Optional.ofNullable(uri.options().get(name));
  }

  /**
   * Returns the boolean option {@code name} ({@code true}/{@code false}), or {@code defaultValue}.
   *
   * @throws StorageConfigurationException for another value
   */
  public boolean bool(String name, boolean defaultValue) {
    Optional<String> v = string(name);
    if (v.isEmpty()) {
      return defaultValue;
    }
    switch (v.get().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw bad(name, "must be true or false");
    }
  }

  /**
   * Returns the integer option {@code name} within {@code [min, max]}, or {@code defaultValue}.
   *
   * @throws StorageConfigurationException for a non-integer or out-of-range value
   */
  public int integer(String name, int defaultValue, int min, int max) {
    Optional<String> v = string(name);
    if (v.isEmpty()) {
      return defaultValue;
    }
    try {
      int i = Integer.parseInt(v.get());
      if (i < min || i > max) {
        throw bad(name, "must be between " + min + " and " + max);
      }
      return i;
    } catch (NumberFormatException e) {
      throw bad(name, "must be an integer");
    }
  }

  /**
   * Returns the long option {@code name} within {@code [min, max]}, or {@code defaultValue}.
   *
   * @throws StorageConfigurationException for a non-integer or out-of-range value
   */
  public long longInteger(String name, long defaultValue, long min, long max) {
    Optional<String> v = string(name);
    if (v.isEmpty()) {
      return defaultValue;
    }
    try {
      long i = Long.parseLong(v.get());
      if (i < min || i > max) {
        throw bad(name, "must be between " + min + " and " + max);
      }
      return i;
    } catch (NumberFormatException e) {
      throw bad(name, "must be an integer");
    }
  }

  /**
   * Returns the duration option {@code name}, written as milliseconds ({@code 250}), with a unit
   * ({@code 250ms}, {@code 5s}, {@code 2m}) or in ISO-8601 ({@code PT5S}), or {@code
   * defaultValue}.
   *
   * @throws StorageConfigurationException for a malformed or negative value
   */
  public Duration duration(String name, Duration defaultValue) {
    Optional<String> v = string(name);
    if (v.isEmpty()) {
      return defaultValue;
    }
    String s = v.get().trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (s.startsWith("pt") || s.startsWith("p")) {
        d = Duration.parse(s.toUpperCase(Locale.ROOT));
      } else if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      } else if (s.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      } else {
        d = Duration.ofMillis(Long.parseLong(s));
      }
      if (d.isNegative()) {
        throw bad(name, "must not be negative");
      }
      return d;
    } catch (NumberFormatException | DateTimeParseException e) {
      throw bad(name, "must be a duration such as 500ms, 5s or PT5S");
    }
  }

  /**
   * Returns the duration option {@code name} if it is given; see {@link #duration(String,
   * Duration)} for the forms accepted.
   *
   * @throws StorageConfigurationException for a malformed or negative value
   */
  public Optional<Duration> optionalDuration(String name) {
    return string(name).isPresent() ? Optional.of(duration(name, Duration.ZERO)) : Optional.empty();
  }

  /**
   * Checks that every given option was read.
   *
   * @throws StorageConfigurationException naming the unknown options and the known ones
   */
  public void finish() {
    Set<String> unknown = new TreeSet<>(uri.options().keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new StorageConfigurationException(
          "unknown option"
              + (unknown.size() > 1 ? "s " : " ")
              + unknown
              + " in store URI "
              + uri.redacted()
              + "; the "
              + uri.scheme()
              + ": store knows "
              + (known.isEmpty() ? "no options" : known));
    }
  }

  private StorageConfigurationException bad(String name, String why) {
    boolean secret = name.toLowerCase(Locale.ROOT).contains("pass");
    return new StorageConfigurationException(
        "option '" + name + "' of store URI " + uri.redacted() + " " + why
            + (secret ? "" : " (was '" + uri.options().get(name) + "')"));
  }
}
