package org.sessionkit.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionSummary;

/**
 * Reads rows of the sessions table into values, checking what the table's types can't: that
 * ids follow the id rule and instants lie within the years 0000–9999. A row that fails is
 * corrupt (written by hand or by something else), and is reported, never returned.
 */
public final class PostgresRows {

  /** The earliest instant a session may carry (0000-01-01T00:00:00Z). */
  public static final Instant MIN = Instant.parse("0000-01-01T00:00:00Z");

  /** The latest instant a session may carry (9999-12-31T23:59:59.999999999Z). */
  public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private PostgresRows() {}

  /** Thrown for a row that can't be read; the message says why. */
  public static final class BadRow extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code message} says what is wrong with the row. */
    public BadRow(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Returns the instant of a (seconds, nanos) pair.
   *
   * @throws BadRow if it is out of range
   */
  public static Instant instant(long seconds, int nanos, String column) throws BadRow {
    if (nanos < 0 || nanos > 999_999_999) {
      throw new BadRow(column + " has nanoseconds out of range: " + nanos);
    }
    Instant i;
    try {
      i = Instant.ofEpochSecond(seconds, nanos);
    } catch (DateTimeException e) {
      throw new BadRow(column + " is out of range: " + seconds + " s");
    }
    if (i.isBefore(MIN) || i.isAfter(MAX)) {
      throw new BadRow(column + " is outside the years 0000-9999: " + i);
    }
    return i;
  }

  /**
   * Returns the raw listing position of the current row of a summary query.
   *
   * @throws SQLException if the server fails
   */
  public static Sql.Position position(ResultSet rs) throws SQLException {
    return new Sql.Position(rs.getLong(6), rs.getInt(7), rs.getString(1));
  }

  /**
   * Reads the current row of a summary query ({@link Sql#SUMMARY_COLUMNS}).
   *
   * @throws BadRow if the row is corrupt
   * @throws SQLException if the server fails
   */
  public static SessionSummary summary(ResultSet rs) throws SQLException, BadRow {
    String id = rs.getString(1);
    if (!SessionIds.isValid(id)) {
      throw new BadRow("the id is not a valid session id");
    }
    Revisions revision = new Revisions(rs.getLong(2), rs.getLong(3));
    Instant created = instant(rs.getLong(4), rs.getInt(5), "created_at");
    Instant updated = instant(rs.getLong(6), rs.getInt(7), "updated_at");
    int count = rs.getInt(8);
    if (count < 0) {
      throw new BadRow("message_count is negative: " + count);
    }
    return new SessionSummary(id, created, updated, count, revision.toRevision());
  }
}
