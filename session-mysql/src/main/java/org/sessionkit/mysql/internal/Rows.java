package org.sessionkit.mysql.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.sessionkit.Revision;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionSummary;
import org.sessionkit.spi.SessionCodec;

/**
 * Reads rows of the sessions table into values, checking what the table's types can't: that
 * ids are UTF-8 and follow the id rule, and that instants lie within the years 0000–9999. A row
 * that fails is corrupt (written by hand or by something else) and is reported, never returned.
 */
public final class Rows {

  /** The earliest instant a session may carry (0000-01-01T00:00:00Z). */
  public static final Instant MIN = Instant.parse("0000-01-01T00:00:00Z");

  /** The latest instant a session may carry (9999-12-31T23:59:59.999999999Z). */
  public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private Rows() {}

  /** Thrown for a row that can't be read; the message says why. */
  public static final class BadRow extends Exception {
    private static final long serialVersionUID = 1L;

    BadRow(String message) {
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

  /** Returns whether an instant lies within the years 0000-9999. */
  public static boolean readable(long seconds, int nanos) {
    try {
      instant(seconds, nanos, "");
      return true;
    } catch (BadRow e) {
      return false;
    }
  }

  /** Returns a stored revision, or fails for an empty one. */
  public static Revision revision(byte[] stored) throws BadRow {
    if (stored == null || stored.length == 0) {
      throw new BadRow("the revision is empty");
    }
    return Revisions.of(stored);
  }

  /**
   * Returns the raw listing position of the current row of a summary query.
   *
   * @throws SQLException if the server fails
   */
  public static Sql.Position position(ResultSet rs) throws SQLException {
    return new Sql.Position(rs.getLong(5), rs.getInt(6), rs.getBytes(1));
  }

  /**
   * Reads the current row of a summary query ({@link Sql#SUMMARY_COLUMNS}, then the state if
   * {@code customKeys} is not empty).
   *
   * @throws BadRow if the row is corrupt
   * @throws SQLException if the server fails
   */
  public static SessionSummary summary(ResultSet rs, Set<String> customKeys, SessionCodec codec, TableNames names)
      throws SQLException, BadRow {
    Optional<String> decoded = Ids.decode(rs.getBytes(1));
    if (decoded.isEmpty() || !SessionIds.isValid(decoded.get())) {
      throw new BadRow("the id is not a valid session id");
    }
    String id = decoded.get();
    Revision revision = revision(rs.getBytes(2));
    Instant created = instant(rs.getLong(3), rs.getInt(4), "created_at");
    Instant updated = instant(rs.getLong(5), rs.getInt(6), "updated_at");
    int count = rs.getInt(7);
    if (count < 0) {
      throw new BadRow("message_count is negative: " + count);
    }
    SessionSummary summary = new SessionSummary(id, created, updated, count, revision);
    if (customKeys.isEmpty()) {
      return summary;
    }
    try {
      return summary.withCustom(codec.decodeState(rs.getBytes(8), Problems.source(names, id)).custom(), customKeys);
    } catch (RuntimeException e) {
      throw new BadRow("the state can't be read: " + e.getMessage());
    }
  }
}
