package org.sessionkit.mysql;

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
import org.sessionkit.mysql.internal.Ids;
import org.sessionkit.tck.Capability;
import org.sessionkit.tck.SessionStorageCompatibilityKit;

/**
 * The whole conformance kit against MySQL or MariaDB, with every capability: persistent,
 * several instances on one set of tables, and corruptible rows. Every store the kit asks for
 * gets tables of its own (a prefix) in a database of this run, dropped afterwards.
 */
class MySqlSessionStorageTckTest extends SessionStorageCompatibilityKit {

  private static final TestDatabase DB = TestDatabase.shared();

  @BeforeEach
  void requireServer() {
    DB.require();
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    DB.close();
  }

  @Override
  protected SessionStorage newStorage() {
    return DB.open();
  }

  @Override
  protected SessionStorage reopen(SessionStorage previous) {
    String prefix = ((MySqlSessionStorage) previous).tableNames().prefix();
    return MySqlSessionStorage.open(DB.storeUrl(prefix, ""));
  }

  @Override
  protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
    return Optional.of(MySqlSessionStorage.builder(DB.storeUrl(DB.newPrefix(), ""))
        .retention(retention).clock(clock).build());
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
    MySqlSessionStorage my = (MySqlSessionStorage) store;
    try (Connection c = DB.connect();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE " + my.tableNames().sessions() + " SET created_seconds = 999999999999 WHERE id = ?")) {
      ps.setBytes(1, Ids.bytes(id));
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("no row for " + id);
      }
    }
  }

  /** Writes bytes that are not JSON over the session's last message row; the session row stays. */
  @Override
  protected boolean corruptBody(SessionStorage store, String id) throws SQLException {
    MySqlSessionStorage my = (MySqlSessionStorage) store;
    try (Connection c = DB.connect();
        PreparedStatement ps = c.prepareStatement("UPDATE " + my.tableNames().messages()
            + " SET body = X'7b22526f6c65' WHERE session_id = ? ORDER BY position DESC LIMIT 1")) {
      ps.setBytes(1, Ids.bytes(id));
      if (ps.executeUpdate() == 1) {
        return true;
      }
    }
    // No messages: damage the state, which a listing does not read either.
    try (Connection c = DB.connect();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE " + my.tableNames().sessions() + " SET state = X'7b22637764' WHERE id = ?")) {
      ps.setBytes(1, Ids.bytes(id));
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("no row for " + id);
      }
      return true;
    }
  }
}
