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
import org.sessionkit.tck.TckScale;

/**
 * The whole conformance kit through a PgBouncer in transaction pooling mode that the test
 * starts in front of the test server, with {@code pooler=transaction}: every transaction may
 * run on another server connection, server-side prepared statements are off, the statement
 * timeout is set with {@code SET LOCAL}. At the kit's smoke scale unless {@code
 * sessionkit.test.scale} asks for more (the plain {@link PostgresSessionStorageTckTest} runs it
 * at full CI scale straight to the server).
 */
class PgBouncerTckTest extends SessionStorageCompatibilityKit {

  private static final TestDatabase DB = TestDatabase.shared();
  private static PrivatePgBouncer bouncer;

  @BeforeEach
  void requireServerAndBouncer() throws Exception {
    DB.require();
    synchronized (PgBouncerTckTest.class) {
      if (bouncer == null) {
        bouncer = PrivatePgBouncer.start(DB.host(), DB.port(), DB.database());
      }
    }
  }

  @AfterAll
  static void stop() throws SQLException {
    try {
      DB.close();
    } finally {
      if (bouncer != null) {
        bouncer.close();
        bouncer = null;
      }
    }
  }

  private static String url(String schema) {
    // A short statement timeout, so that a statement left waiting behind the pooler would show.
    return DB.storeUrlVia(bouncer.port(), schema, "pooler=transaction&poolSize=4&statementTimeout=20s");
  }

  @Override
  protected SessionStorage newStorage() {
    return PostgresSessionStorage.open(url(DB.newSchema()));
  }

  @Override
  protected SessionStorage reopen(SessionStorage previous) {
    return PostgresSessionStorage.open(url(((PostgresSessionStorage) previous).tableNames().schema()));
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  protected TckScale scale() {
    return System.getProperty(TckScale.PROPERTY) == null ? TckScale.SMOKE : super.scale();
  }

  /** As in {@link PostgresSessionStorageTckTest}: created-at outside the years 0000-9999. */
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
    return Optional.of(PostgresSessionStorage.builder(url(DB.newSchema())).retention(retention).clock(clock).build());
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
