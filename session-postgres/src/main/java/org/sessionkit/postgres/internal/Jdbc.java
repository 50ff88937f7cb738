package org.sessionkit.postgres.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.sessionkit.StorageUnavailableException;

/**
 * How a store runs JDBC work: a pooled connection per operation, transactions that roll back
 * on any failure, a transparent retry after failures that guarantee a rollback, and every other
 * SQL failure turned into {@link StorageUnavailableException}. Thread safe.
 */
public final class Jdbc {

  /** Serialization failures and deadlocks are retried this often before failing. */
  static final int TRANSIENT_ATTEMPTS = 5;

  private static final System.Logger LOG = System.getLogger("org.sessionkit.postgres");

  /** Work on a connection. */
  @FunctionalInterface
  public interface SqlWork<T> {
    /** Runs the work. */
    T run(Connection c) throws SQLException;
  }

  /** Work inside a transaction. */
  @FunctionalInterface
  public interface TxWork<T> {
    /** Runs the work. */
    T run() throws SQLException;
  }

  private final DataSource dataSource;
  private final String where;
  private final int queryTimeoutSeconds;
  private final BooleanSupplier closed;

  /**
   * Creates the runner.
   *
   * @param dataSource where connections come from
   * @param where the store, for messages (never a secret)
   * @param queryTimeoutSeconds the JDBC query timeout of every statement, 0 for none
   * @param closed whether the store is closed (then nothing is retried)
   */
  public Jdbc(DataSource dataSource, String where, int queryTimeoutSeconds, BooleanSupplier closed) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.where = Objects.requireNonNull(where, "where");
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.closed = Objects.requireNonNull(closed, "closed");
  }

  /**
   * Runs {@code work} on a pooled connection, again (on a fresh connection) after a
   * serialization failure or deadlock, which guarantee a rollback; any other SQL failure becomes
   * {@link StorageUnavailableException} keeping it as the cause.
   *
   * @param what the operation, for messages
   */
  public <T> T withConnection(String what, SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        if (!PgErrors.isRetryable(e) || attempt >= TRANSIENT_ATTEMPTS || closed.getAsBoolean()) {
          throw PgErrors.unavailable(where, what, e);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> what + ": retrying after " + e.getSQLState());
      }
    }
  }

  /**
   * Runs {@code work} in a transaction on {@code c}, rolled back if anything fails. A commit
   * that fails for another reason than a rollback the server guarantees (the connection broke)
   * leaves the outcome unknown, which the unavailable error says.
   */
  public <T> T inTransaction(Connection c, String what, TxWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result;
      try {
        result = work.run();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
      try {
        c.commit();
      } catch (SQLException e) {
        if (PgErrors.isRetryable(e)) {
          throw e;
        }
        throw new StorageUnavailableException(
            what + " in " + where + ": the commit failed and the write may or may not have been"
                + " applied (entirely or not at all): " + PgErrors.reason(e), e);
      }
      return result;
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (SQLException e) {
        // The connection is broken; the pool discards it.
        LOG.log(System.Logger.Level.DEBUG, "could not restore auto-commit", e);
      }
    }
  }

  /** Prepares {@code sql} with the store's query timeout. */
  public PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    if (queryTimeoutSeconds > 0) {
      ps.setQueryTimeout(queryTimeoutSeconds);
    }
    return ps;
  }

  /** Binds {@code String}, {@code Long} and {@code Integer} parameters in order from 1. */
  public static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    int i = 1;
    for (Object p : params) {
      if (p instanceof String s) {
        ps.setString(i++, s);
      } else if (p instanceof Long l) {
        ps.setLong(i++, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i++, n);
      } else {
        throw new IllegalArgumentException("unexpected parameter type " + p.getClass());
      }
    }
  }

  /** Returns a {@code bytea[]} parameter (sent in one message however many elements). */
  public static Array bytea(Connection c, byte[][] values) throws SQLException {
    return c.createArrayOf("bytea", values);
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
