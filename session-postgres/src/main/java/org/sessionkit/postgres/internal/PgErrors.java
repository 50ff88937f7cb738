package org.sessionkit.postgres.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.StorageUnavailableException;

/** Turns JDBC failures into the store's typed errors, keeping the cause. */
public final class PgErrors {

  private PgErrors() {}

  /**
   * Returns whether {@code e} guarantees that the transaction was rolled back and may simply be
   * run again: a serialization failure or a deadlock (possible when a user's DataSource defaults
   * to REPEATABLE READ or SERIALIZABLE).
   */
  public static boolean isRetryable(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  /**
   * Returns whether {@code e} is the server's own answer that the request failed and was rolled
   * back: an error response of severity {@code ERROR} on a connection that stays open. Anything
   * else (an I/O error, a lost or timed-out socket, a session ended by the server with {@code
   * FATAL} or {@code PANIC}, a driver error without a server message) leaves the outcome of a
   * request in flight unknown.
   */
  public static boolean isDefinitive(SQLException e) {
    if (!(e instanceof PSQLException p)) {
      return false;
    }
    ServerErrorMessage m = p.getServerErrorMessage();
    String state = e.getSQLState();
    if (m == null || state == null) {
      return false;
    }
    if (state.startsWith("08") || state.startsWith("57P")) {
      // Connection exceptions, and admin_shutdown / crash_shutdown / cannot_connect_now: the
      // server ended the session, possibly after the commit.
      return false;
    }
    String severity = m.getSeverity() == null ? "" : m.getSeverity().toUpperCase(Locale.ROOT);
    return !severity.equals("FATAL") && !severity.equals("PANIC");
  }

  /**
   * Returns the ambiguous-outcome error for a write whose committing request was in flight when
   * {@code e} happened.
   *
   * @param where the store, for the message (never a secret)
   * @param what the operation, e.g. {@code append to "a"}
   */
  public static AmbiguousOutcomeException ambiguous(String where, String what, SQLException e) {
    return new AmbiguousOutcomeException(
        what + " in " + where + " failed after it was sent, and may or may not have been applied"
            + " (entirely or not at all; retry with the same idempotency key to apply it once): "
            + reason(e), e);
  }

  /** Returns whether {@code e} is a unique violation. */
  public static boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  /**
   * Returns the unavailable error for {@code e}, saying what failed and why in the words of the
   * server or driver (neither puts passwords in messages).
   *
   * @param where the store, for the message (never a secret)
   * @param what the operation, e.g. {@code load of "a"}
   */
  public static StorageUnavailableException unavailable(String where, String what, SQLException e) {
    return new StorageUnavailableException(
        what + " in " + where + " failed: " + reason(e), e);
  }

  /** Describes {@code e} for a person: its kind and the server's or driver's message. */
  public static String reason(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String kind;
    if (e instanceof SQLTransientConnectionException) {
      kind = "no connection available";
    } else if (state.startsWith("08")) {
      kind = "connection failure";
    } else if (state.equals("57014")) {
      kind = "statement timeout or cancel";
    } else if (state.startsWith("57P")) {
      kind = "server shutting down or restarting";
    } else if (state.startsWith("53")) {
      kind = "server out of resources";
    } else {
      kind = "database error";
    }
    return kind + (state.isEmpty() ? "" : " (SQLState " + state + ")") + ": " + e.getMessage();
  }
}
