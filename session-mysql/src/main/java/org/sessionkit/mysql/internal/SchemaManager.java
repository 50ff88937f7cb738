package org.sessionkit.mysql.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.sessionkit.StorageConfigurationException;

/**
 * Creates the layout of {@code V1__sessionkit.sql} on first use and checks its version.
 *
 * <p>DDL is not transactional in MySQL and MariaDB (each statement commits), so the script is
 * written to be run again safely ({@code CREATE TABLE IF NOT EXISTS}, {@code INSERT IGNORE}) and
 * records its version last: tables left half created by a crash are completed by the next
 * store that opens them. Creation runs under a named lock ({@code GET_LOCK}), so that several
 * instances starting together create the tables once and the others wait for them.
 */
public final class SchemaManager {

  /** The newest layout version this code knows. */
  public static final int CURRENT_VERSION = 1;

  /** The class-path resource holding the version 1 DDL. */
  public static final String V1_RESOURCE = "/org/sessionkit/mysql/V1__sessionkit.sql";

  /** How long a store waits for another one creating the tables. */
  private static final int LOCK_SECONDS = 60;

  private final TableNames names;

  /** Creates a manager for {@code names}. */
  public SchemaManager(TableNames names) {
    this.names = Objects.requireNonNull(names, "names");
  }

  /** Returns the version 1 DDL with the placeholder left in. */
  public static String rawDdl() {
    try (InputStream in = SchemaManager.class.getResourceAsStream(V1_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + V1_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the DDL for this manager's names. */
  public String ddl() {
    return names.substitute(rawDdl());
  }

  /**
   * Splits a script into its statements: lines starting with {@code --} are comments, and a
   * statement ends with {@code ;} at the end of a line (the form of the script, which JDBC must
   * run one statement at a time).
   */
  public static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().strip();
        out.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }

  /**
   * Makes sure the layout exists in a version this code can use, creating it if allowed.
   *
   * @param connection an open connection in auto-commit mode
   * @param create whether to create the tables when they are missing
   * @return the installed version
   * @throws StorageConfigurationException if the connection has no current database, the layout
   *     is missing and {@code create} is false, or its version is newer than {@link
   *     #CURRENT_VERSION}
   * @throws SQLException if the server fails
   */
  public int ensure(Connection connection, boolean create) throws SQLException {
    String database = database(connection);
    OptionalInt installed = installedVersion(connection, database);
    if (installed.isPresent()) {
      return check(installed.getAsInt());
    }
    if (!create) {
      throw new StorageConfigurationException(
          "no sessionkit tables " + names + " in the database " + database + ": run the DDL of"
              + " MySqlSessionStorage.ddl() (" + V1_RESOURCE.substring(1) + ") or open the store"
              + " with createSchema=true");
    }
    String lock = lockName(database);
    try (PreparedStatement ps = connection.prepareStatement("SELECT GET_LOCK(?, ?)")) {
      ps.setString(1, lock);
      ps.setInt(2, LOCK_SECONDS);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getInt(1) != 1) {
          throw new SQLException("another store has been creating the tables " + names + " for "
              + LOCK_SECONDS + " s (lock " + lock + ")", "HY000");
        }
      }
    }
    try {
      installed = installedVersion(connection, database);
      if (installed.isEmpty()) {
        try (Statement s = connection.createStatement()) {
          for (String statement : statements(ddl())) {
            s.execute(statement);
          }
        }
      }
    } finally {
      try (PreparedStatement ps = connection.prepareStatement("SELECT RELEASE_LOCK(?)")) {
        ps.setString(1, lock);
        ps.executeQuery().close();
      }
    }
    return installed.isPresent() ? check(installed.getAsInt()) : CURRENT_VERSION;
  }

  private static String database(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
      rs.next();
      String d = rs.getString(1);
      if (d == null) {
        throw new StorageConfigurationException("the connection has no current database: name one"
            + " in the URL (…/database) or in your DataSource's URL");
      }
      return d;
    }
  }

  private String lockName(String database) {
    // GET_LOCK names are limited to 64 characters: a digest of the location.
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((database + "\u0000" + names.prefix()).getBytes(StandardCharsets.UTF_8));
      return "sessionkit:" + HexFormat.of().formatHex(digest, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private int check(int version) {
    if (version > CURRENT_VERSION) {
      throw new StorageConfigurationException(
          "the sessionkit tables " + names + " have layout version " + version
              + ", newer than this version of session-mysql knows (" + CURRENT_VERSION
              + "): upgrade sessionkit");
    }
    if (version < 1) {
      throw new StorageConfigurationException(
          "the sessionkit tables " + names + " record an invalid layout version " + version);
    }
    return version;
  }

  /** The recorded version; empty if the version table is missing or empty (not installed). */
  private OptionalInt installedVersion(Connection connection, String database) throws SQLException {
    try (PreparedStatement exists = connection.prepareStatement(
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      exists.setString(1, database);
      exists.setString(2, names.prefix() + "schema_version");
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (rs.getInt(1) == 0) {
          return OptionalInt.empty();
        }
      }
    }
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + names.schemaVersion())) {
      rs.next();
      int v = rs.getInt(1);
      // Empty: a creation was interrupted before it recorded its version.
      return rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(v);
    }
  }
}
