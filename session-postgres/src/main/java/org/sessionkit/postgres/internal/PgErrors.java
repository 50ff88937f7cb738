package org.sessionkit.postgres.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
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
