package org.sessionkit.mysql.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.StorageUnavailableException;

/**
 * How a store runs JDBC work: a pooled connection per operation, transactions that roll back
 * on any failure, a transparent retry after failures that guarantee a rollback of the whole
 * transaction (deadlocks), and every other SQL failure turned into a typed error. Thread safe.
 *
 * <h2>Which failures are ambiguous</h2>
 *
 * Every write of the store is one explicit transaction. A failure before {@code COMMIT} was sent
 * (no connection, a statement refused, a lock wait or statement timeout, a connection lost while
 * a statement ran) leaves nothing applied: the server rolls back a transaction that was not
 * committed, also when its connection dies or the server crashes. Those are plain {@link
 * StorageUnavailableException}s. A failure of the {@code COMMIT} itself (the reply lost, the
 * connection or the server gone while it ran, a read timeout) may come after the server made the
 * transaction durable: that one is an {@link AmbiguousOutcomeException}. A deadlock reported by
 * the commit is not (the server rolled back).
 */
public final class Jdbc {

  /** Deadlocks are retried this often before failing. */
  static final int TRANSIENT_ATTEMPTS = 10;

  private static final System.Logger LOG = System.getLogger("org.sessionkit.mysql");

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

  /**
   * Thrown by work that found the database changed under it in a way that a fresh attempt
   * resolves (a row inserted by another writer after this one looked): the transaction is
   * rolled back and run again.
   */
  public static final class Retry extends SQLException {
    private static final long serialVersionUID = 1L;

    /** Creates the signal, saying why. */
    public Retry(String reason) {
      super(reason, "40001");
    }
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
   * Runs {@code work} on a pooled connection, again (on a fresh connection, after a short
   * random pause from the third attempt) after a deadlock or a {@link Retry}, which guarantee a
   * rollback; any other SQL failure becomes {@link StorageUnavailableException} keeping it as
   * the cause.
   *
   * @param what the operation, for messages
   */
  public <T> T withConnection(String what, SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        if (!Errors.isRetryable(e) || attempt >= TRANSIENT_ATTEMPTS || closed.getAsBoolean()) {
          throw Errors.unavailable(where, what, e);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> what + ": retrying after " + Errors.reason(e));
        if (attempt >= 2) {
          pause(attempt);
        }
      }
    }
  }

  /**
   * Runs {@code work} in a transaction on {@code c}, rolled back if anything fails. A commit
   * that fails for another reason than a deadlock leaves the outcome unknown: {@link
   * AmbiguousOutcomeException}.
   */
  public <T> T inTransaction(Connection c, String what, TxWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    boolean rolledBack = true;
    try {
      T result;
      try {
        result = work.run();
      } catch (Throwable e) {
        // Errors too: turning auto-commit back on below would commit what is open.
        rolledBack = rollbackQuietly(c, e);
        throw e;
      }
      try {
        c.commit();
      } catch (SQLException e) {
        // Whatever the commit left (normally nothing: a lost connection, a rolled-back deadlock).
        rolledBack = rollbackQuietly(c, e);
        if (Errors.isRetryable(e)) {
          throw e;
        }
        throw new AmbiguousOutcomeException(
            what + " in " + where + ": the commit failed and the write may or may not have been"
                + " applied (entirely or not at all): " + Errors.reason(e), e);
      }
      return result;
    } finally {
      if (rolledBack) {
        try {
          c.setAutoCommit(true);
        } catch (SQLException e) {
          // The connection is broken; the pool discards it.
          LOG.log(System.Logger.Level.DEBUG, "could not restore auto-commit", e);
        }
      } else {
        // Turning auto-commit back on would commit what the failed rollback left open: drop the
        // connection instead (the server then rolls the transaction back).
        abortQuietly(c);
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

  /** Binds {@code byte[]}, {@code Long} and {@code Integer} parameters in order from 1. */
  public static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    int i = 1;
    for (Object p : params) {
      if (p instanceof byte[] b) {
        ps.setBytes(i++, b);
      } else if (p instanceof Long l) {
        ps.setLong(i++, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i++, n);
      } else {
        throw new IllegalArgumentException("unexpected parameter type " + p.getClass());
      }
    }
  }

  /** Rolls back; returns false if that failed (the failure is added to {@code cause}). */
  private static boolean rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
      return true;
    } catch (SQLException e) {
      cause.addSuppressed(e);
      return false;
    }
  }

  private static void abortQuietly(Connection c) {
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "could not abort a connection after a failed rollback", e);
    }
  }

  private static void pause(int attempt) {
    long capMicros = Math.min(20_000L, 200L << Math.min(attempt, 6));
    try {
      TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(capMicros / 4, capMicros + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
