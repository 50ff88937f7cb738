package org.sessionkit.mysql.internal;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.sessionkit.Revision;
import org.sessionkit.spi.WriteLog;

/**
 * What a write reads of a session row it has locked ({@link Sql#HEAD_COLUMNS}): enough to decide
 * on idempotency keys, conditions, retention and appends.
 *
 * @param revision the stored revision (raw: a row written by hand may hold anything)
 * @param writeLog the stored write log, undecoded
 * @param writtenAt the time of the last write, ms since the epoch, by the writer's clock
 * @param messageCount the stored message count
 * @param createdSeconds created_at seconds
 * @param createdNanos created_at nanoseconds
 * @param updatedSeconds updated_at seconds
 * @param updatedNanos updated_at nanoseconds
 */
public record Head(
    byte[] revision,
    String writeLog,
    long writtenAt,
    int messageCount,
    long createdSeconds,
    int createdNanos,
    long updatedSeconds,
    int updatedNanos) {

  /** Reads the head from the current row of {@link Sql#lockHead} or {@link Sql#lockSession}. */
  public static Head read(ResultSet rs) throws SQLException {
    byte[] log = rs.getBytes(2);
    return new Head(rs.getBytes(1), log == null ? "" : new String(log, StandardCharsets.US_ASCII),
        rs.getLong(3), rs.getInt(4), rs.getLong(5), rs.getInt(6), rs.getLong(7), rs.getInt(8));
  }

  /** Whether the session is still alive under retention ({@code writtenSince} = now − retention). */
  public boolean liveAt(long writtenSince) {
    return writtenAt >= writtenSince;
  }

  /** Whether the stored revision is {@code expected}. */
  public boolean hasRevision(Revision expected) {
    return java.util.Arrays.equals(revision, Revisions.bytes(expected));
  }

  /** The stored revision, as the API shows it. */
  public Revision storedRevision() {
    return revision.length == 0 ? Revision.of("(empty)") : Revisions.of(revision);
  }

  /** Whether the stored instants are ones a session may carry (else the row is corrupt). */
  public boolean readable() {
    return Rows.readable(createdSeconds, createdNanos) && Rows.readable(updatedSeconds, updatedNanos)
        && messageCount >= 0;
  }

  /**
   * Decodes the write log.
   *
   * @param where the session, for the error message
   * @throws org.sessionkit.CorruptDocumentException if it is not a log the store wrote
   */
  public WriteLog log(String where) {
    return WriteLog.decode(writeLog, where);
  }
}
