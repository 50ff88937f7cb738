package org.sessionkit.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import org.sessionkit.StorageConfigurationException;

/**
 * Creates the layout of {@code V2__sessionkit.sql} on first use and checks its version.
 *
 * <p>Creation runs in one transaction under an advisory lock on the qualified name, so that
 * several instances starting together create the tables once and the others see them. Behind a
 * pooler in transaction mode the lock is transaction-scoped (a session-level lock and its
 * unlock could land on two different server connections); otherwise it is a session-level lock
 * taken before the creating transaction starts.
 */
public final class SchemaManager {

  /** The newest layout version this code knows. */
  public static final int CURRENT_VERSION = 2;

  /** The class-path resource holding the DDL of {@link #CURRENT_VERSION}. */
  public static final String RESOURCE = "/org/sessionkit/postgres/V2__sessionkit.sql";

  private final TableNames names;
  private final boolean transactionPooling;

  /** Creates a manager for {@code names} on a direct connection (session-level lock). */
  public SchemaManager(TableNames names) {
    this(names, false);
  }

  /**
   * Creates a manager for {@code names}.
   *
   * @param transactionPooling whether connections go through a pooler in transaction mode
   *     (then only transaction-scoped state is used)
   */
  public SchemaManager(TableNames names, boolean transactionPooling) {
    this.names = Objects.requireNonNull(names, "names");
    this.transactionPooling = transactionPooling;
  }

  /** Returns the DDL of the current layout with the placeholders left in. */
  public static String rawDdl() {
    try (InputStream in = SchemaManager.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
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
   * Makes sure the layout exists in a version this code can use, creating it if allowed.
   *
   * @param connection an open connection in auto-commit mode; left in auto-commit mode
   * @param create whether to create the schema and tables when they are missing
   * @return the installed version
   * @throws StorageConfigurationException if the layout is missing and {@code create} is false,
   *     or its version is not {@link #CURRENT_VERSION}
   * @throws SQLException if the server fails
   */
  public int ensure(Connection connection, boolean create) throws SQLException {
    java.util.OptionalInt installed = installedVersion(connection);
    if (installed.isPresent()) {
      return check(installed.getAsInt());
    }
    if (!create) {
      throw new StorageConfigurationException(
          "no sessionkit tables in " + names + ": run the DDL of PostgresSessionStorage.ddl() "
              + "(" + RESOURCE.substring(1) + ") or open the store with createSchema=true");
    }
    if (transactionPooling) {
      return createInOneTransaction(connection);
    }
    // A session-level lock, taken outside the creating transaction: that transaction must
    // start after the lock is granted, so that it sees (through fresh catalog caches) what
    // another instance committed meanwhile.
    try (PreparedStatement lock =
        connection.prepareStatement("SELECT pg_advisory_lock(hashtextextended(?, 0))")) {
      lock.setString(1, lockName());
      lock.executeQuery().close();
    }
    try {
      connection.setAutoCommit(false);
      try {
        installed = installedVersion(connection);
        if (installed.isEmpty()) {
          if (!schemaExists(connection)) {
            try (Statement s = connection.createStatement()) {
              s.execute("CREATE SCHEMA IF NOT EXISTS " + names.quotedSchema());
            }
          }
          try (Statement s = connection.createStatement()) {
            s.execute(ddl());
          }
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } finally {
      try (PreparedStatement unlock =
          connection.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
        unlock.setString(1, lockName());
        unlock.executeQuery().close();
      }
    }
    return installed.isPresent() ? check(installed.getAsInt()) : CURRENT_VERSION;
  }

  /**
   * Creates the layout under a transaction-scoped advisory lock: everything, lock included,
   * happens in one transaction, so that a pooler in transaction mode keeps it on one server
   * connection. READ COMMITTED (set explicitly, whatever the connection's default) makes every
   * statement after the lock see what another instance committed while this one waited.
   */
  private int createInOneTransaction(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try {
      java.util.OptionalInt installed;
      try (Statement s = connection.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      }
      try (PreparedStatement lock =
          connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
        lock.setString(1, lockName());
        lock.executeQuery().close();
      }
      installed = installedVersion(connection);
      if (installed.isEmpty()) {
        if (!schemaExists(connection)) {
          try (Statement s = connection.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + names.quotedSchema());
          }
        }
        try (Statement s = connection.createStatement()) {
          s.execute(ddl());
        }
      }
      connection.commit();
      return installed.isPresent() ? check(installed.getAsInt()) : CURRENT_VERSION;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private String lockName() {
    return "sessionkit:" + names.schemaVersion();
  }

  private int check(int version) {
    if (version > CURRENT_VERSION) {
      throw new StorageConfigurationException(
          "the sessionkit tables in " + names + " have layout version " + version
              + ", newer than this version of session-postgres knows (" + CURRENT_VERSION
              + "): upgrade sessionkit");
    }
    if (version < 1) {
      throw new StorageConfigurationException(
          "the sessionkit tables in " + names + " record an invalid layout version " + version);
    }
    if (version < CURRENT_VERSION) {
      // Nothing was released with an older layout, so there is no migration: say what to do.
      throw new StorageConfigurationException(
          "the sessionkit tables in " + names + " have layout version " + version
              + ", written by a pre-release of session-postgres; this version uses layout "
              + CURRENT_VERSION + " and does not migrate: export the sessions (sessionkit export)"
              + " with the version that wrote them, then drop those tables or use another"
              + " schema or tablePrefix");
    }
    return version;
  }

  private java.util.OptionalInt installedVersion(Connection connection) throws SQLException {
    // A query of the catalog tables, not to_regclass(): it reads them with the statement's own
    // snapshot, while to_regclass() goes through the backend's catalog caches, which inside a
    // transaction that started before another instance committed the tables may still say
    // "no such table" (no lock is taken, so no invalidation is processed).
    try (PreparedStatement exists = connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM"
        + " pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = ? AND c.relname = ?)")) {
      exists.setString(1, names.schema());
      exists.setString(2, names.prefix() + "schema_version");
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return java.util.OptionalInt.empty();
        }
      }
    }
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(version) FROM " + names.schemaVersion())) {
      rs.next();
      int v = rs.getInt(1);
      if (rs.wasNull()) {
        throw new StorageConfigurationException(
            "the sessionkit version table " + names.schemaVersion() + " is empty");
      }
      return java.util.OptionalInt.of(v);
    }
  }

  private boolean schemaExists(Connection connection) throws SQLException {
    // Checked first because CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the
    // database even when the schema is already there.
    try (PreparedStatement s =
        connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
      s.setString(1, names.schema());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }
}
