package org.sessionkit.postgres.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.postgresql.PGStatement;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.StorageUnavailableException;

/**
 * How a store runs JDBC work: a pooled connection per operation, transactions that roll back
 * on any failure, a transparent retry after failures that guarantee a rollback, and every other
 * SQL failure turned into {@link StorageUnavailableException} — or, for a write whose request
 * reached the server and whose answer did not come back, {@link AmbiguousOutcomeException}.
 * Thread safe.
 *
 * <h2>Which write failures are ambiguous</h2>
 *
 * A write reaches its point of no return when the request that commits it is sent: the single
 * auto-commit statement of {@code create} and {@code append}, or the {@code COMMIT} of a
 * transaction. The work marks that moment with {@link Write#sending()} and the moment its answer
 * arrived with {@link Write#settled()}. A failure in between is ambiguous unless the server
 * itself reported an error for that request (an {@code ERROR}: the statement or transaction was
 * rolled back, e.g. a statement timeout, a constraint or a serialization failure). Lost
 * connections (SQLState class 08, I/O errors, socket timeouts) and sessions the server ended
 * ({@code 57P01}-{@code 57P03}: terminated, crash, shutdown) are ambiguous there. Failures
 * before the point of no return (no connection, a failed statement inside a transaction that
 * was never committed: the server rolls it back when the connection goes) are plain.
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

  /** Write work on a connection, which marks its point of no return on {@code w}. */
  @FunctionalInterface
  public interface WriteWork<T> {
    /** Runs the work. */
    T run(Connection c, Write w) throws SQLException;
  }

  /** Work inside a transaction. */
  @FunctionalInterface
  public interface TxWork<T> {
    /** Runs the work. */
    T run() throws SQLException;
  }

  /**
   * The progress of one write attempt: whether the request that commits it may have been
   * applied without its answer having arrived. Confined to the thread running the write.
   */
  public static final class Write {
    private boolean inFlight;

    /** Marks that the committing request is about to be sent. */
    public void sending() {
      inFlight = true;
    }

    /** Marks that the answer of the committing request arrived (success or server error). */
    public void settled() {
      inFlight = false;
    }

    boolean inFlight() {
      return inFlight;
    }
  }

  /**
   * How statements are bounded in time.
   *
   * @param queryTimeoutSeconds the JDBC query timeout of every statement, 0 for none
   * @param localStatementTimeoutMillis if positive, the {@code statement_timeout} set with {@code
   *     SET LOCAL} before every statement (for poolers in transaction mode)
   * @param binaryReads whether the reads of whole sessions are server-side prepared from their
   *     first execution, so that pgjdbc receives {@code bytea} in binary (see {@link #prepareRead})
   */
  public record Settings(int queryTimeoutSeconds, long localStatementTimeoutMillis, boolean binaryReads) {}

  private final DataSource dataSource;
  private final String where;
  private final int queryTimeoutSeconds;
  private final String prefix;
  private final BooleanSupplier closed;
  private final boolean binaryReads;

  /**
   * Creates the runner.
   *
   * @param dataSource where connections come from
   * @param where the store, for messages (never a secret)
   * @param queryTimeoutSeconds the JDBC query timeout of every statement, 0 for none
   * @param localStatementTimeoutMillis if positive, every statement is sent after {@code SET
   *     LOCAL statement_timeout} in the same round trip (for poolers in transaction mode, where
   *     nothing can be set per connection)
   * @param closed whether the store is closed (then nothing is retried)
   * @param binaryReads see {@link Settings#binaryReads}
   */
  public Jdbc(DataSource dataSource, String where, int queryTimeoutSeconds,
      long localStatementTimeoutMillis, BooleanSupplier closed, boolean binaryReads) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.where = Objects.requireNonNull(where, "where");
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    // The statement and the SET share one implicit transaction (one Sync), so the setting
    // covers the statement and ends with it.
    this.prefix = localStatementTimeoutMillis > 0
        ? "SET LOCAL statement_timeout = " + localStatementTimeoutMillis + "; "
        : "";
    this.closed = Objects.requireNonNull(closed, "closed");
    this.binaryReads = binaryReads;
  }

  /**
   * Runs the read {@code work} on a pooled connection, again (on a fresh connection) after a
   * serialization failure or deadlock, which guarantee a rollback; any other SQL failure becomes
   * {@link StorageUnavailableException} keeping it as the cause.
   *
   * @param what the operation, for messages
   */
  public <T> T withConnection(String what, SqlWork<T> work) {
    return write(what, (c, w) -> work.run(c));
  }

  /**
   * Runs the write {@code work} as {@link #withConnection} does, except that a failure while
   * the work's committing request is in flight (see {@link Write}) becomes {@link
   * AmbiguousOutcomeException}, and is never retried.
   *
   * @param what the operation, for messages
   */
  public <T> T write(String what, WriteWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      Write w = new Write();
      try (Connection c = dataSource.getConnection()) {
        return work.run(c, w);
      } catch (SQLException e) {
        if (w.inFlight() && !PgErrors.isDefinitive(e)) {
          throw PgErrors.ambiguous(where, what, e);
        }
        if (!PgErrors.isRetryable(e) || attempt >= TRANSIENT_ATTEMPTS || closed.getAsBoolean()) {
          throw PgErrors.unavailable(where, what, e);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> what + ": retrying after " + e.getSQLState());
      }
    }
  }

  /**
   * Runs {@code work} in a transaction on {@code c}, rolled back if anything fails, and marks
   * the commit on {@code w} as the write's point of no return.
   */
  public <T> T inTransaction(Connection c, Write w, TxWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result;
      try {
        result = work.run();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
      w.sending();
      c.commit();
      w.settled();
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

  /**
   * Runs {@code work} in a transaction on {@code c} that writes nothing (or whose writes may as
   * well be lost), rolled back if anything fails.
   */
  public <T> T inReadTransaction(Connection c, TxWork<T> work) throws SQLException {
    return inTransaction(c, new Write(), work);
  }

  /** Prepares {@code sql} with the store's query timeout (and local statement timeout). */
  public PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(prefix + sql);
    if (queryTimeoutSeconds > 0) {
      ps.setQueryTimeout(queryTimeoutSeconds);
    }
    return ps;
  }

  /**
   * Prepares a read of whole sessions as {@link #prepare} does; with {@link Settings#binaryReads},
   * server-side prepared from its first execution, with binary results: until a statement is
   * server-prepared (by default at its fifth execution on a connection) pgjdbc receives {@code
   * bytea} as hex text, two bytes per byte, and a large session's load then holds both.
   */
  public PreparedStatement prepareRead(Connection c, String sql) throws SQLException {
    PreparedStatement ps = prepare(c, sql);
    if (binaryReads) {
      ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
    }
    return ps;
  }

  /** Runs a statement from {@link #prepare} that returns rows; the caller closes the result. */
  public ResultSet query(PreparedStatement ps) throws SQLException {
    if (prefix.isEmpty()) {
      return ps.executeQuery();
    }
    // The SET comes first and returns no rows: step over it to the statement's result.
    boolean isResult = ps.execute();
    while (!isResult) {
      if (ps.getUpdateCount() == -1) {
        throw new SQLException("the statement returned no rows");
      }
      isResult = ps.getMoreResults();
    }
    return ps.getResultSet();
  }

  /** Runs a statement from {@link #prepare} that returns no rows; returns its update count. */
  public int update(PreparedStatement ps) throws SQLException {
    if (prefix.isEmpty()) {
      return ps.executeUpdate();
    }
    ps.execute();
    // Skip the SET's count (0) to the statement's.
    ps.getMoreResults();
    return Math.max(0, ps.getUpdateCount());
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
      } else if (p instanceof Instant t) {
        setInstant(ps, i++, t);
      } else {
        throw new IllegalArgumentException("unexpected parameter type " + p.getClass());
      }
    }
  }

  /**
   * Binds a {@code timestamptz} parameter; {@link Instant#MIN} binds {@code -infinity} (a bound
   * that every row passes).
   */
  public static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
    if (t.equals(Instant.MIN)) {
      ps.setObject(i, OffsetDateTime.MIN);
    } else {
      ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
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
