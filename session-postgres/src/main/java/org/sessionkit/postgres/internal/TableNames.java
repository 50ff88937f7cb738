package org.sessionkit.postgres.internal;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;
import org.sessionkit.StorageConfigurationException;

/**
 * The schema and table prefix a store works in, checked once and quoted for SQL.
 *
 * <p>PostgreSQL can't take identifiers as statement parameters, so they must appear in the SQL
 * text. To keep that safe they are restricted to {@code [A-Za-z_][A-Za-z0-9_]*} (no quote can
 * ever appear) and always written double-quoted (so case is kept and reserved words work).
 *
 * @param schema the schema name, e.g. {@code sessionkit}
 * @param prefix the prefix of every table, index and sequence name; may be empty
 */
public record TableNames(String schema, String prefix) {

  /** The default schema. */
  public static final String DEFAULT_SCHEMA = "sessionkit";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PREFIX = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)?");
  /** PostgreSQL truncates identifiers longer than this many bytes; we refuse them instead. */
  private static final int MAX_IDENTIFIER_BYTES = 63;
  /** The longest name the layout derives from the prefix. */
  private static final String LONGEST_SUFFIX = "sessions_by_updated";

  /**
   * Checks the names.
   *
   * @throws StorageConfigurationException if one is not a plain identifier, too long, or a
   *     reserved {@code pg_} schema
   */
  public TableNames {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(prefix, "prefix");
    if (!IDENTIFIER.matcher(schema).matches()) {
      throw new StorageConfigurationException(
          "schema name " + show(schema) + " is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    if (schema.regionMatches(true, 0, "pg_", 0, 3)) {
      throw new StorageConfigurationException(
          "schema name " + show(schema) + " is reserved by PostgreSQL (pg_…)");
    }
    if (schema.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
      throw new StorageConfigurationException(
          "schema name " + show(schema) + " is longer than " + MAX_IDENTIFIER_BYTES + " bytes");
    }
    if (!PREFIX.matcher(prefix).matches()) {
      throw new StorageConfigurationException(
          "table prefix " + show(prefix) + " is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    if (prefix.length() + LONGEST_SUFFIX.length() > MAX_IDENTIFIER_BYTES) {
      throw new StorageConfigurationException(
          "table prefix " + show(prefix) + " is too long: names would exceed "
              + MAX_IDENTIFIER_BYTES + " bytes");
    }
  }

  /** Returns the quoted schema, e.g. {@code "sessionkit"}. */
  public String quotedSchema() {
    return '"' + schema + '"';
  }

  /** Returns the quoted, schema-qualified sessions table. */
  public String sessions() {
    return qualified("sessions");
  }

  /** Returns the quoted, schema-qualified messages table. */
  public String messages() {
    return qualified("messages");
  }

  /** Returns the quoted, schema-qualified schema version table. */
  public String schemaVersion() {
    return qualified("schema_version");
  }

  /** Returns the quoted, schema-qualified revision sequence. */
  public String revisions() {
    return qualified("revisions");
  }

  /** Returns {@code "schema"."prefix" + name}. */
  public String qualified(String name) {
    return quotedSchema() + ".\"" + prefix + name + '"';
  }

  /** Replaces the {@code ${schema}} and {@code ${prefix}} placeholders of a DDL script. */
  public String substitute(String script) {
    return script.replace("${schema}", schema).replace("${prefix}", prefix);
  }

  @Override
  public String toString() {
    return qualified("*");
  }

  private static String show(String name) {
    // Shown in messages only: keep it short and printable.
    String s = name.length() > 80 ? name.substring(0, 80) + "…" : name;
    return "'" + s.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
