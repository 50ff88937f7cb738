package org.sessionkit.mysql.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SQL text of every statement a store runs, for one {@link TableNames}. Only the (checked,
 * quoted) table names are part of the text; every value is a {@code ?} parameter.
 *
 * <p>The same text runs on MySQL 8 and MariaDB: no {@code RETURNING}, no sequences, no row
 * aliases in {@code ON DUPLICATE KEY UPDATE} (MariaDB lacks them; {@code VALUES(col)} works on
 * both, MySQL 8.0.20+ merely warns).
 *
 * <p>Every write is one transaction that first locks the session's row ({@code SELECT … FOR
 * UPDATE}, or the insert or update of that row) and only then touches its messages, so that
 * message rows are only ever changed by the holder of their session's row lock. Reads are one
 * statement each: a statement reads one consistent snapshot in InnoDB, whatever the isolation
 * level.
 */
public final class Sql {

  /** The columns of a summary, in the order {@link Rows#summary} reads them. */
  static final String SUMMARY_COLUMNS =
      "id, revision, created_seconds, created_nanos, updated_seconds, updated_nanos, message_count";

  /** The columns of a locked head, in the order {@link Head#read} reads them. */
  static final String HEAD_COLUMNS = "revision, write_log, written_at, message_count,"
      + " created_seconds, created_nanos, updated_seconds, updated_nanos";

  private static final String ORDER = "newest_first_seconds, newest_first_nanos, id";

  private static final String ROW_COLUMNS = "(id, revision, created_seconds, created_nanos,"
      + " updated_seconds, updated_nanos, message_count, state, write_log, written_at)";

  private final TableNames names;

  /**
   * Load: the row's values on every row, its state and write log on the first, then each
   * message.
   */
  public final String load;
  /**
   * A slice: like {@link #load}, with the messages of positions {@code [start, end)} only, where
   * {@code end = LEAST(?, message_count)} and {@code start = GREATEST(0, end - ?)}; the session
   * row is a constant for the optimizer, so the message range is a range of the primary key.
   */
  public final String slice;
  /** Locks the session row and reads what a write decides on (or nothing if absent). */
  public final String lockHead;
  /** Locks the session row and reads the head and the state (for update). */
  public final String lockSession;
  /** The messages of one session, in order (for update, after {@link #lockSession}). */
  public final String messagesOf;
  /** Inserts a session row. */
  public final String insertSession;
  /** Replaces every value of a session row. */
  public final String updateSession;
  /**
   * Plain save: inserts or replaces the session row in one statement, keeping the stored write
   * log unless the stored session has expired.
   */
  public final String upsertSession;
  /** Append: replaces the head values of a session row. */
  public final String appendSession;
  /** Drops the messages at and after a position. */
  public final String deleteMessagesFrom;
  /** Deletes a session row. */
  public final String deleteSession;
  /** Deletes every message of a session. */
  public final String deleteMessages;
  /** Retention: the ids of the oldest writes before a time, by the written_at index. */
  public final String expired;

  /** Builds the statements for {@code names}. */
  public Sql(TableNames names) {
    this.names = Objects.requireNonNull(names, "names");
    String s = names.sessions();
    String m = names.messages();
    String head = "s.revision, s.created_seconds, s.created_nanos, s.updated_seconds, s.updated_nanos,"
        + " s.message_count";
    // No ORDER BY: with a LEFT JOIN, MariaDB sorts the whole result (blobs included) in a
    // temporary table; without it, the join reads the messages in primary-key order, and the
    // store checks (and if need be sorts) positions itself.
    String first = "m.position IS NULL OR m.position = ";
    load = "SELECT " + head + ", IF(" + first + "0, s.state, NULL), m.position, m.body,"
        + " IF(" + first + "0, s.write_log, NULL) FROM " + s + " s LEFT JOIN " + m + " m"
        + " ON m.session_id = s.id WHERE s.id = ? AND s.written_at >= ?";
    String end = "LEAST(?, s.message_count)";
    String start = "GREATEST(0, " + end + " - ?)";
    slice = "SELECT " + head + ", IF(" + first + start + ", s.state, NULL), m.position, m.body,"
        + " NULL FROM " + s + " s LEFT JOIN " + m + " m ON m.session_id = s.id"
        + " AND m.position >= " + start + " AND m.position < " + end
        + " WHERE s.id = ? AND s.written_at >= ?";
    lockHead = "SELECT " + HEAD_COLUMNS + " FROM " + s + " WHERE id = ? FOR UPDATE";
    lockSession = "SELECT " + HEAD_COLUMNS + ", state FROM " + s + " WHERE id = ? FOR UPDATE";
    messagesOf = "SELECT position, body FROM " + m + " WHERE session_id = ? ORDER BY position";
    insertSession = "INSERT INTO " + s + " " + ROW_COLUMNS + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    updateSession = "UPDATE " + s + " SET revision = ?, created_seconds = ?, created_nanos = ?,"
        + " updated_seconds = ?, updated_nanos = ?, message_count = ?, state = ?, write_log = ?,"
        + " written_at = ? WHERE id = ?";
    // Assignments run left to right and later ones see earlier results: write_log must be
    // decided while written_at still holds the stored session's write time.
    upsertSession = insertSession + " ON DUPLICATE KEY UPDATE"
        + " write_log = IF(written_at >= ?, write_log, VALUES(write_log)),"
        + " revision = VALUES(revision), created_seconds = VALUES(created_seconds),"
        + " created_nanos = VALUES(created_nanos), updated_seconds = VALUES(updated_seconds),"
        + " updated_nanos = VALUES(updated_nanos), message_count = VALUES(message_count),"
        + " state = VALUES(state), written_at = VALUES(written_at)";
    appendSession = "UPDATE " + s + " SET revision = ?, message_count = ?, updated_seconds = ?,"
        + " updated_nanos = ?, state = ?, write_log = ?, written_at = ? WHERE id = ?";
    deleteMessagesFrom = "DELETE FROM " + m + " WHERE session_id = ? AND position >= ?";
    deleteSession = "DELETE FROM " + s + " WHERE id = ?";
    deleteMessages = "DELETE FROM " + m + " WHERE session_id = ?";
    expired = "SELECT id FROM " + s + " WHERE written_at < ? ORDER BY written_at LIMIT ?";
  }

  /** Returns the names these statements use. */
  public TableNames names() {
    return names;
  }

  /**
   * Inserts {@code rows} messages of one session: {@code (?, ?, ?)} per row; with {@code
   * replace}, a row that exists gets the new body (unchanged bodies are left as they are by the
   * server, which compares before it writes).
   */
  public String insertMessages(int rows, boolean replace) {
    StringBuilder b = new StringBuilder(64 + rows * 11);
    b.append("INSERT INTO ").append(names.messages()).append(" (session_id, position, body) VALUES ");
    b.append(String.join(", ", Collections.nCopies(rows, "(?, ?, ?)")));
    if (replace) {
      b.append(" ON DUPLICATE KEY UPDATE body = VALUES(body)");
    }
    return b.toString();
  }

  /** Locks the rows of {@code ids} sessions and reads their revision and write time. */
  public String lockMany(int ids) {
    return "SELECT id, revision, written_at FROM " + names.sessions() + " WHERE id IN ("
        + placeholders(ids) + ") FOR UPDATE";
  }

  /** Deletes the rows of {@code ids} sessions. */
  public String deleteSessions(int ids) {
    return "DELETE FROM " + names.sessions() + " WHERE id IN (" + placeholders(ids) + ")";
  }

  /** Deletes the messages of {@code ids} sessions. */
  public String deleteMessagesOf(int ids) {
    return "DELETE FROM " + names.messages() + " WHERE session_id IN (" + placeholders(ids) + ")";
  }

  private static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  /**
   * A listing query: its text and the values of its parameters, in order.
   *
   * @param sql the statement
   * @param parameters the values to bind ({@code byte[]}, {@code Long} or {@code Integer})
   */
  public record Query(String sql, List<Object> parameters) {
    /** Copies the parameters. */
    public Query {
      Objects.requireNonNull(sql, "sql");
      parameters = List.copyOf(parameters);
    }
  }

  /**
   * Filters of a listing, as raw column values.
   *
   * @param prefixLow inclusive lower bound of the id bytes (the prefix), if any
   * @param prefixHigh exclusive upper bound of the id bytes (the prefix's successor), if any
   * @param updatedBefore the exclusive upper bound of updated-at, if any
   * @param updatedAfter the exclusive lower bound of updated-at, if any
   * @param writtenSince the oldest write time (ms) of a live session; {@code Long.MIN_VALUE}
   *     without retention
   */
  public record Filters(
      Optional<byte[]> prefixLow,
      Optional<byte[]> prefixHigh,
      Optional<Instant> updatedBefore,
      Optional<Instant> updatedAfter,
      long writtenSince) {

    /** Checks for nulls. */
    public Filters {
      Objects.requireNonNull(prefixLow, "prefixLow");
      Objects.requireNonNull(prefixHigh, "prefixHigh");
      Objects.requireNonNull(updatedBefore, "updatedBefore");
      Objects.requireNonNull(updatedAfter, "updatedAfter");
    }
  }

  /**
   * A raw position in the listing order: the values of a row, which need not be a valid instant
   * or id (corrupt rows are stepped over by their raw values).
   *
   * @param seconds updated_seconds
   * @param nanos updated_nanos
   * @param id the id bytes
   */
  public record Position(long seconds, int nanos, byte[] id) {
    /** Checks the id. */
    public Position {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * Returns the query for up to {@code limit} summaries matching {@code filters}, in listing
   * order, strictly after {@code after} if given; with {@code withState} the state column too
   * (for custom keys in summaries).
   *
   * <p>The listing index holds (−updated seconds, −updated nanos, id), all ascending, so the
   * listing order is the index order and every bound is a range of it: "strictly after a
   * position" and the time bounds are written as nested ORs over the index columns, which the
   * range optimizers of MySQL and MariaDB turn into index ranges (a row comparison such as
   * {@code (a, b) > (?, ?)} is not range-optimized by every supported version).
   */
  public Query list(Filters filters, Optional<Position> after, int limit, boolean withState) {
    List<Object> params = new ArrayList<>();
    List<String> conditions = new ArrayList<>();
    filters.prefixLow().ifPresent(v -> {
      conditions.add("id >= ?");
      params.add(v);
    });
    filters.prefixHigh().ifPresent(v -> {
      conditions.add("id < ?");
      params.add(v);
    });
    filters.updatedBefore().ifPresent(v -> {
      // updated < v  <=>  (-seconds, -nanos) > (-v.seconds, -v.nanos)
      conditions.add("(newest_first_seconds > ? OR (newest_first_seconds = ? AND newest_first_nanos > ?))");
      params.add(-v.getEpochSecond());
      params.add(-v.getEpochSecond());
      params.add(-v.getNano());
    });
    filters.updatedAfter().ifPresent(v -> {
      conditions.add("(newest_first_seconds < ? OR (newest_first_seconds = ? AND newest_first_nanos < ?))");
      params.add(-v.getEpochSecond());
      params.add(-v.getEpochSecond());
      params.add(-v.getNano());
    });
    after.ifPresent(p -> {
      conditions.add("(newest_first_seconds > ? OR (newest_first_seconds = ? AND"
          + " (newest_first_nanos > ? OR (newest_first_nanos = ? AND id > ?))))");
      params.add(-p.seconds());
      params.add(-p.seconds());
      params.add(-p.nanos());
      params.add(-p.nanos());
      params.add(p.id());
    });
    if (filters.writtenSince() != Long.MIN_VALUE) {
      conditions.add("written_at >= ?");
      params.add(filters.writtenSince());
    }
    params.add(limit);
    String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    return new Query("SELECT " + SUMMARY_COLUMNS + (withState ? ", state" : "") + " FROM "
        + names.sessions() + where + " ORDER BY " + ORDER + " LIMIT ?", params);
  }
}
