package org.sessionkit.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.sessionkit.SessionStorage;
import org.sessionkit.tck.Capability;
import org.sessionkit.tck.SessionStorageCompatibilityKit;

/**
 * The whole conformance kit against PostgreSQL, with every capability: persistent, several
 * instances on one schema, and corruptible rows. Every store the kit asks for gets a schema of
 * its own, all dropped after the run.
 */
class PostgresSessionStorageTckTest extends SessionStorageCompatibilityKit {

  private static final TestDatabase DB = TestDatabase.shared();

  @BeforeEach
  void requireServer() {
    DB.require();
  }

  @AfterAll
  static void dropSchemas() throws SQLException {
    DB.close();
  }

  @Override
  protected SessionStorage newStorage() {
    return DB.open();
  }

  @Override
  protected SessionStorage reopen(SessionStorage previous) {
    String schema = ((PostgresSessionStorage) previous).tableNames().schema();
    return PostgresSessionStorage.open(DB.storeUrl(schema, ""));
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  /**
   * Puts the row's created-at outside the years 0000-9999: damage that a listing sees (it reads
   * the summary columns, never the JSON), that {@code load} and {@code append} refuse. Damage to
   * the state or message JSON is found by {@code load} and {@code problems()} only, by design;
   * {@link CorruptRowsTest} covers it.
   */
  @Override
  protected void corrupt(SessionStorage store, String id) throws SQLException {
    PostgresSessionStorage pg = (PostgresSessionStorage) store;
    try (Connection c = DB.connect();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE " + pg.tableNames().sessions() + " SET created_seconds = 999999999999 WHERE id = ?")) {
      ps.setString(1, id);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("no row for " + id);
      }
    }
  }

  @Override
  protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
    return Optional.of(PostgresSessionStorage.builder(DB.storeUrl(DB.newSchema(), "")).retention(retention).clock(clock).build());
  }

  /** Makes the last message row invalid JSON; the session row, which listings read, stays intact. */
  @Override
  protected boolean corruptBody(SessionStorage store, String id) throws SQLException {
    PostgresSessionStorage pg = (PostgresSessionStorage) store;
    try (Connection c = DB.connect();
        PreparedStatement ps = c.prepareStatement("UPDATE " + pg.tableNames().messages()
            + " SET body = '\\x7b7b' WHERE session_id = ? AND position ="
            + " (SELECT max(position) FROM " + pg.tableNames().messages() + " WHERE session_id = ?)")) {
      ps.setString(1, id);
      ps.setString(2, id);
      if (ps.executeUpdate() == 1) {
        return true;
      }
    }
    // A session without messages: damage its state instead (also read only by load).
    try (Connection c = DB.connect();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE " + pg.tableNames().sessions() + " SET state = '\\x7b7b' WHERE id = ?")) {
      ps.setString(1, id);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("no row for " + id);
      }
      return true;
    }
  }
}
