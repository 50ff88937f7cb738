package org.sessionkit.mysql.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.sessionkit.StorageUnavailableException;

/**
 * Reads JDBC failures of MySQL and MariaDB (the same error codes through either driver) and
 * turns them into the store's typed errors, keeping the cause.
 */
public final class Errors {

  /** ER_DUP_ENTRY: a duplicate key. */
  public static final int DUPLICATE_KEY = 1062;
  /** ER_LOCK_DEADLOCK: the server rolled the whole transaction back. */
  public static final int DEADLOCK = 1213;
  /** ER_LOCK_WAIT_TIMEOUT: the statement (not the transaction) was rolled back. */
  public static final int LOCK_WAIT_TIMEOUT = 1205;
  /** ER_BAD_DB_ERROR: unknown database. */
  public static final int UNKNOWN_DATABASE = 1049;
  /** MariaDB's ER_STATEMENT_TIMEOUT (max_statement_time exceeded). */
  public static final int MARIADB_STATEMENT_TIMEOUT = 1969;
  /** MySQL's ER_QUERY_TIMEOUT (max_execution_time exceeded). */
  public static final int MYSQL_QUERY_TIMEOUT = 3024;
  /** ER_QUERY_INTERRUPTED: cancelled, e.g. by a JDBC query timeout. */
  public static final int QUERY_INTERRUPTED = 1317;

  private Errors() {}

  /** Returns the server's error code of {@code e} or of an SQLException among its causes; 0 if none. */
  public static int code(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getErrorCode() != 0) {
        return s.getErrorCode();
      }
    }
    return 0;
  }

  /**
   * Returns whether {@code e} means that the server rolled back the whole transaction and it
   * may simply be run again: a deadlock (or a serialization failure, SQLState 40001).
   */
  public static boolean isRetryable(SQLException e) {
    return code(e) == DEADLOCK || "40001".equals(e.getSQLState());
  }

  /** Returns whether {@code e} is a duplicate key. */
  public static boolean isDuplicateKey(SQLException e) {
    return code(e) == DUPLICATE_KEY;
  }

  /**
   * Returns the unavailable error for {@code e}, saying what failed and why in the words of the
   * server or driver (neither puts passwords in messages).
   *
   * @param where the store, for the message (never a secret)
   * @param what the operation, e.g. {@code load of "a"}
   */
  public static StorageUnavailableException unavailable(String where, String what, SQLException e) {
    return new StorageUnavailableException(what + " in " + where + " failed: " + reason(e), e);
  }

  /** Describes {@code e} for a person: its kind and the server's or driver's message. */
  public static String reason(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    int code = code(e);
    String kind;
    if (e instanceof SQLTransientConnectionException && code == 0) {
      kind = "no connection available";
    } else if (code == MARIADB_STATEMENT_TIMEOUT || code == MYSQL_QUERY_TIMEOUT
        || code == QUERY_INTERRUPTED || e instanceof java.sql.SQLTimeoutException) {
      kind = "statement timeout or cancel";
    } else if (code == LOCK_WAIT_TIMEOUT) {
      kind = "lock wait timeout";
    } else if (code == DEADLOCK) {
      kind = "deadlock";
    } else if (state.startsWith("08") || code == 2006 || code == 2013 || code == 1053 || code == 1927) {
      kind = "connection failure";
    } else if (code == 1040 || code == 1041 || code == 1135) {
      kind = "server out of resources";
    } else {
      kind = "database error";
    }
    String detail = state.isEmpty() && code == 0 ? ""
        : " (" + (state.isEmpty() ? "" : "SQLState " + state) + (state.isEmpty() || code == 0 ? "" : ", ")
            + (code == 0 ? "" : "error " + code) + ")";
    return kind + detail + ": " + e.getMessage();
  }
}
