package org.sessionkit.mysql.internal;

import java.util.Objects;
import java.util.regex.Pattern;
import org.sessionkit.StorageConfigurationException;

/**
 * The names of a store's tables in the connection's current database: a prefix before every
 * table, index and constraint name, checked once and quoted for SQL.
 *
 * <p>Identifiers can't be statement parameters, so they appear in the SQL text. To keep that
 * safe the prefix is restricted to {@code [A-Za-z_][A-Za-z0-9_]*}, so that no backtick can ever
 * appear, and names are always written in backticks (so that reserved words work).
 *
 * @param prefix the prefix of every table, index and constraint name; may be empty
 */
public record TableNames(String prefix) {

  /** The prefix when none is given. */
  public static final String DEFAULT_PREFIX = "sessionkit_";

  private static final Pattern PREFIX = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)?");
  /** MySQL and MariaDB refuse identifiers longer than this many characters. */
  private static final int MAX_IDENTIFIER = 64;
  /** The longest name the layout derives from the prefix. */
  private static final String LONGEST_SUFFIX = "sessions_message_count";

  /**
   * Checks the prefix.
   *
   * @throws StorageConfigurationException if it is not a plain identifier or is too long
   */
  public TableNames {
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new StorageConfigurationException(
          "table prefix " + show(prefix) + " is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    if (prefix.length() + LONGEST_SUFFIX.length() > MAX_IDENTIFIER) {
      throw new StorageConfigurationException(
          "table prefix " + show(prefix) + " is too long: names would exceed " + MAX_IDENTIFIER
              + " characters");
    }
  }

  /** Returns the quoted sessions table. */
  public String sessions() {
    return quoted("sessions");
  }

  /** Returns the quoted messages table. */
  public String messages() {
    return quoted("messages");
  }

  /** Returns the quoted schema version table. */
  public String schemaVersion() {
    return quoted("schema_version");
  }

  /** Returns {@code `prefix + name`}. */
  public String quoted(String name) {
    return '`' + prefix + name + '`';
  }

  /** Replaces the {@code ${prefix}} placeholder of a DDL script. */
  public String substitute(String script) {
    return script.replace("${prefix}", prefix);
  }

  @Override
  public String toString() {
    return quoted("*");
  }

  private static String show(String name) {
    // Shown in messages only: keep it short and printable.
    String s = name.length() > 80 ? name.substring(0, 80) + "…" : name;
    return "'" + s.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
