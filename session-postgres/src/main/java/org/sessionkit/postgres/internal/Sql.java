package org.sessionkit.postgres.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SQL text of every statement a store runs, for one {@link TableNames}. Only the (checked,
 * quoted) table names are part of the text; every value is a {@code ?} parameter.
 *
 * <p>Round trips per operation: load, slices, create and append are one statement each in
 * auto-commit mode; save, conditional save and delete are a transaction of two statements and
 * a commit, because replacing or removing messages must see every row committed before it,
 * which in READ COMMITTED only a statement that starts after the session's row lock was taken
 * does. Keyed writes and {@code update} first lock the session row (reading its write log and
 * drawing the next revision in the same statement), then write, then commit.
 *
 * <p>Every statement that reads or conditionally writes a session takes a <em>cutoff</em>
 * parameter and treats a row whose {@code written_at} is before it as absent (retention); a
 * store without retention binds {@code -infinity}.
 */
public final class Sql {

  /** The columns of a summary, in the order {@link PostgresRows} reads them. */
  static final String SUMMARY_COLUMNS = "id, revision, revision_nonce, created_seconds, created_nanos,"
      + " updated_seconds, updated_nanos, message_count";

  private static final String ORDER = "updated_seconds DESC, updated_nanos DESC, id";

  /** The first second of the year 0000, the earliest a session may carry. */
  static final long MIN_SECONDS = PostgresRows.MIN.getEpochSecond();
  /** The last second of the year 9999. */
  static final long MAX_SECONDS = PostgresRows.MAX.getEpochSecond();

  private final TableNames names;

  /**
   * Load: the session row first (position -1), then its messages by position. Parameters: id,
   * cutoff, id.
   */
  public final String load;
  /**
   * The first read of {@code update}: as {@link #load}, with the write log and the next
   * revision (drawn from the sequence) as two more columns of the session row. Parameters: id,
   * cutoff, id.
   */
  public final String loadForUpdate;
  /**
   * A slice: the session row (position -1, with the end of the slice as the last column), then
   * the messages in [end - count, end) where end = least(message_count, given end). Parameters:
   * end (null for the tail), id, cutoff, id, count.
   */
  public final String slice;
  /**
   * Save, step 1: insert or replace the session row, taking its lock; keeps the write log unless
   * the replaced row had expired; returns the revision. Parameters: id, nonce, written_at, the
   * six values of {@link SessionRows.Encoded#bindValues}, cutoff.
   */
  public final String upsertSession;
  /**
   * Conditional save, step 1: replace the session row if its revision matches and it is live.
   * Parameters: nonce, written_at, six values, id, revision, nonce, cutoff.
   */
  public final String updateSessionIfRevision;
  /**
   * A write that holds the row's lock: replace every value, the revision and the write log.
   * Parameters: revision, nonce, written_at, write_log, six values, id.
   */
  public final String rewriteLockedSession;
  /**
   * The write of an optimistic {@code update}: as {@link #rewriteLockedSession} only if the
   * revision is still the one read and the row is live. Parameters: as there, then revision,
   * nonce, cutoff.
   */
  public final String rewriteSessionIfRevision;
  /**
   * Save, step 2: drop messages beyond the new count and write the others that differ from what
   * is stored. Unchanged rows are compared, not touched (no new row version, no lock, no WAL),
   * which makes the usual load-change-save of a long session cheap. Correct because it runs
   * while the session's row lock is held and in a snapshot taken after it was granted.
   * Parameters: id, count, bodies, id, id.
   */
  public final String replaceMessages;
  /**
   * Create: insert the row and its messages in one statement, only if the id is free; the
   * revision is drawn from the sequence. Parameters: id, nonce, written_at, write_log, six
   * values, id, bodies.
   */
  public final String create;
  /** Create with a revision drawn beforehand: revision first, then as {@link #create}. */
  public final String createWithRevision;
  /**
   * Append: bump the row (only if live and readable) and insert the new messages after it.
   * Parameters: nonce, written_at, count, updated seconds, nanos, state, id, cutoff, count, id,
   * bodies.
   */
  public final String append;
  /**
   * Append with an expected revision: as {@link #append} with revision and nonce after the
   * cutoff.
   */
  public final String appendIfRevision;
  /**
   * Keyed append, under the row's lock: revision and write log given. Parameters: revision,
   * write_log, then as {@link #append}.
   */
  public final String appendLocked;
  /**
   * Locks the session row for a keyed write, reading what the write decides on, and draws the
   * next revision in the same statement. Always one row: nextval, then revision, nonce,
   * write_log, live (written_at at or after the cutoff), created_seconds — all null when there
   * is no row. Parameters: cutoff, id.
   */
  public final String lockForWrite;
  /**
   * Locks the session row for {@code update} and reads it whole but for the messages: nextval,
   * revision, nonce, write_log, live, created s/ns, updated s/ns, message_count, state.
   * Parameters: cutoff, id.
   */
  public final String lockForUpdate;
  /** The messages of a session by position (after {@link #lockForUpdate}). Parameter: id. */
  public final String messagesOf;
  /** Delete, step 1: remove the live row (taking its lock). Parameters: id, cutoff. */
  public final String deleteSession;
  /** Conditional delete, step 1. Parameters: id, cutoff, revision, nonce. */
  public final String deleteSessionIfRevision;
  /** Delete, step 2: remove the messages of a removed row. Parameter: id. */
  public final String deleteMessages;
  /**
   * The revision, nonce and created-at seconds of a live session, to tell "absent", "conflict"
   * and (for append) "corrupt" apart after a write found no row to change. Parameters: id,
   * cutoff.
   */
  public final String revisionOf;
  /**
   * A retention sweep: removes up to a limit of the rows written before the cutoff, oldest
   * first, with their messages, re-checking in the delete that each row is still the version
   * found (a session written meanwhile stays). Returns the number removed. Parameters: cutoff,
   * limit, cutoff.
   */
  public final String sweep;
  /** {@code SELECT 1}, the health check. */
  public final String ping = "SELECT 1";

  /** Builds the statements for {@code names}. */
  public Sql(TableNames names) {
    this.names = Objects.requireNonNull(names, "names");
    String s = names.sessions();
    String m = names.messages();
    String newRows = "unnest(?::bytea[]) WITH ORDINALITY AS t(body, ord)";
    String live = " AND written_at >= ?";
    load =
        "SELECT -1 AS position, revision, revision_nonce, created_seconds, created_nanos,"
            + " updated_seconds, updated_nanos, message_count, state AS body FROM " + s
            + " WHERE id = ?" + live
            + " UNION ALL SELECT position, NULL, NULL, NULL, NULL, NULL, NULL, NULL, body FROM " + m
            + " WHERE session_id = ? ORDER BY position";
    String seq = "nextval('" + names.revisions().replace("'", "''") + "')";
    loadForUpdate =
        "SELECT -1 AS position, revision, revision_nonce, created_seconds, created_nanos,"
            + " updated_seconds, updated_nanos, message_count, state AS body, write_log, " + seq
            + " AS next FROM " + s + " WHERE id = ?" + live
            + " UNION ALL SELECT position, NULL, NULL, NULL, NULL, NULL, NULL, NULL, body, NULL, NULL"
            + " FROM " + m + " WHERE session_id = ? ORDER BY position";
    slice =
        "WITH h AS (SELECT revision, revision_nonce, created_seconds, created_nanos, updated_seconds,"
            + " updated_nanos, message_count, state,"
            + " least(message_count, coalesce(?::integer, message_count)) AS stop FROM " + s
            + " WHERE id = ?" + live + ")"
            + " SELECT -1 AS position, revision, revision_nonce, created_seconds, created_nanos,"
            + " updated_seconds, updated_nanos, message_count, state AS body, stop FROM h"
            + " UNION ALL SELECT x.position, NULL, NULL, NULL, NULL, NULL, NULL, NULL, x.body, NULL"
            + " FROM h, " + m + " x WHERE x.session_id = ? AND x.position >= h.stop - ?"
            + " AND x.position < h.stop ORDER BY position";
    String valueColumns =
        "created_seconds, created_nanos, updated_seconds, updated_nanos, message_count, state";
    String sixValues = "?, ?, ?, ?, ?, ?";
    String setValues = "created_seconds = ?, created_nanos = ?, updated_seconds = ?,"
        + " updated_nanos = ?, message_count = ?, state = ?";
    upsertSession =
        "INSERT INTO " + s + " AS cur (id, revision_nonce, written_at, " + valueColumns + ")"
            + " VALUES (?, ?, ?, " + sixValues + ") ON CONFLICT (id) DO UPDATE SET"
            + " revision = EXCLUDED.revision, revision_nonce = EXCLUDED.revision_nonce,"
            + " written_at = EXCLUDED.written_at,"
            + " created_seconds = EXCLUDED.created_seconds, created_nanos = EXCLUDED.created_nanos,"
            + " updated_seconds = EXCLUDED.updated_seconds, updated_nanos = EXCLUDED.updated_nanos,"
            + " message_count = EXCLUDED.message_count, state = EXCLUDED.state,"
            // An expired row is an absent session: its keys are forgotten with it.
            + " write_log = CASE WHEN cur.written_at >= ? THEN cur.write_log ELSE '' END"
            + " RETURNING revision";
    updateSessionIfRevision =
        "UPDATE " + s + " SET revision = DEFAULT, revision_nonce = ?, written_at = ?, " + setValues
            + " WHERE id = ? AND revision = ? AND revision_nonce = ?" + live + " RETURNING revision";
    rewriteLockedSession =
        "UPDATE " + s + " SET revision = ?, revision_nonce = ?, written_at = ?, write_log = ?, "
            + setValues + " WHERE id = ?";
    rewriteSessionIfRevision = rewriteLockedSession + " AND revision = ? AND revision_nonce = ?" + live;
    replaceMessages =
        "WITH gone AS (DELETE FROM " + m + " WHERE session_id = ? AND position >= ?),"
            + " new AS (SELECT t.ord - 1 AS position, t.body FROM " + newRows + ")"
            + " INSERT INTO " + m + " (session_id, position, body)"
            + " SELECT ?, new.position, new.body FROM new WHERE NOT EXISTS (SELECT 1 FROM " + m
            + " kept WHERE kept.session_id = ? AND kept.position = new.position AND kept.body = new.body)"
            + " ON CONFLICT (session_id, position) DO UPDATE SET body = EXCLUDED.body";
    String createTail = " ON CONFLICT (id) DO NOTHING RETURNING revision),"
        + " m AS (INSERT INTO " + m + " (session_id, position, body)"
        + " SELECT ?, t.ord - 1, t.body FROM s, " + newRows + ")"
        + " SELECT revision FROM s";
    create =
        "WITH s AS (INSERT INTO " + s + " (id, revision_nonce, written_at, write_log, " + valueColumns
            + ") VALUES (?, ?, ?, ?, " + sixValues + ")" + createTail;
    createWithRevision =
        "WITH s AS (INSERT INTO " + s + " (revision, id, revision_nonce, written_at, write_log, "
            + valueColumns + ") VALUES (?, ?, ?, ?, ?, " + sixValues + ")" + createTail;
    // An append leaves the row's other values as they are, so it must not extend a row that
    // can't be read: one with instants outside the years 0000-9999 is left alone (the caller
    // then reports it as corrupt).
    String readable = " AND created_seconds BETWEEN " + MIN_SECONDS + " AND " + MAX_SECONDS;
    String bumpValues = " revision_nonce = ?, written_at = ?, message_count = message_count + ?,"
        + " updated_seconds = ?, updated_nanos = ?, state = ? WHERE id = ?" + live + readable;
    String insertAfter =
        " RETURNING revision, message_count - ? AS base),"
            + " m AS (INSERT INTO " + m + " (session_id, position, body)"
            + " SELECT ?, s.base + t.ord - 1, t.body FROM s, " + newRows + ")"
            + " SELECT revision FROM s";
    append = "WITH s AS (UPDATE " + s + " SET revision = DEFAULT," + bumpValues + insertAfter;
    appendIfRevision = "WITH s AS (UPDATE " + s + " SET revision = DEFAULT," + bumpValues
        + " AND revision = ? AND revision_nonce = ?" + insertAfter;
    appendLocked = "WITH s AS (UPDATE " + s + " SET revision = ?, write_log = ?," + bumpValues
        + insertAfter;
    lockForWrite =
        "SELECT " + seq + ", h.revision, h.revision_nonce, h.write_log, h.live, h.created_seconds"
            + " FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT revision, revision_nonce, write_log,"
            + " written_at >= ? AS live, created_seconds FROM " + s + " WHERE id = ? FOR UPDATE) h ON true";
    lockForUpdate =
        "SELECT " + seq + ", revision, revision_nonce, write_log, written_at >= ?, created_seconds,"
            + " created_nanos, updated_seconds, updated_nanos, message_count, state FROM " + s
            + " WHERE id = ? FOR UPDATE";
    messagesOf = "SELECT position, body FROM " + m + " WHERE session_id = ? ORDER BY position";
    deleteSession = "DELETE FROM " + s + " WHERE id = ?" + live + " RETURNING revision";
    deleteSessionIfRevision = "DELETE FROM " + s + " WHERE id = ?" + live
        + " AND revision = ? AND revision_nonce = ? RETURNING revision";
    deleteMessages = "DELETE FROM " + m + " WHERE session_id = ?";
    revisionOf = "SELECT revision, revision_nonce, created_seconds FROM " + s + " WHERE id = ?" + live;
    sweep =
        "WITH page AS (SELECT id, revision FROM " + s + " WHERE written_at < ? ORDER BY written_at LIMIT ?),"
            + " gone AS (DELETE FROM " + s + " x USING page WHERE x.id = page.id"
            + " AND x.revision = page.revision AND x.written_at < ? RETURNING x.id),"
            + " m AS (DELETE FROM " + m + " x USING gone WHERE x.session_id = gone.id)"
            + " SELECT count(*) FROM gone";
  }

  /** Returns the names these statements use. */
  public TableNames names() {
    return names;
  }

  /**
   * A query: its text and the values of its parameters, in order.
   *
   * @param sql the statement
   * @param parameters the values to bind ({@code String}, {@code Long}, {@code Integer} or
   *     {@code Instant}, see {@link Jdbc#bind})
   */
  public record Query(String sql, List<Object> parameters) {
    /** Copies the parameters. */
    public Query {
      Objects.requireNonNull(sql, "sql");
      parameters = List.copyOf(parameters);
    }
  }

  /**
   * Filters of a listing or bulk delete, as raw column values.
   *
   * @param prefixLow inclusive lower bound of the id (the prefix), if any
   * @param prefixHigh exclusive upper bound of the id (the prefix's successor), if any
   * @param updatedBefore the exclusive upper bound of updated-at, if any
   * @param updatedAfter the exclusive lower bound of updated-at, if any
   * @param cutoff rows written before it are absent ({@link Instant#MIN} for none)
   */
  public record Filters(
      Optional<String> prefixLow,
      Optional<String> prefixHigh,
      Optional<Instant> updatedBefore,
      Optional<Instant> updatedAfter,
      Instant cutoff) {

    /** Checks for nulls. */
    public Filters {
      Objects.requireNonNull(prefixLow, "prefixLow");
      Objects.requireNonNull(prefixHigh, "prefixHigh");
      Objects.requireNonNull(updatedBefore, "updatedBefore");
      Objects.requireNonNull(updatedAfter, "updatedAfter");
      Objects.requireNonNull(cutoff, "cutoff");
    }
  }

  /**
   * Returns the query for up to {@code limit} summaries matching {@code filters}, in listing
   * order, strictly after the position {@code (afterSeconds, afterNanos, afterId)} if given; with
   * {@code withState}, the state as a last column (for custom keys).
   *
   * <p>Listing order mixes directions (updated-at descending, id ascending), so "after a
   * position" is not a single row comparison that an index can range over. The keyset is
   * therefore split into two range scans of the listing index, merged in order: the rest of the
   * position's own instant (same updated-at, larger id), then everything strictly older.
   */
  public Query list(Filters filters, Optional<Position> after, int limit, boolean withState) {
    List<Object> params = new ArrayList<>();
    String s = names.sessions();
    String columns = SUMMARY_COLUMNS + (withState ? ", state" : "");
    if (after.isEmpty()) {
      String where = where(filters, params, "");
      params.add(limit);
      return new Query(
          "SELECT " + columns + " FROM " + s + where + " ORDER BY " + ORDER + " LIMIT ?",
          params);
    }
    Position p = after.get();
    String sameInstant =
        where(filters, params, "updated_seconds = ? AND updated_nanos = ? AND id > ?");
    params.add(p.seconds());
    params.add(p.nanos());
    params.add(p.id());
    params.add(limit);
    String older = where(filters, params, "(updated_seconds, updated_nanos) < (?, ?)");
    params.add(p.seconds());
    params.add(p.nanos());
    params.add(limit);
    params.add(limit);
    return new Query(
        "SELECT " + columns + " FROM ("
            + "(SELECT " + columns + " FROM " + s + sameInstant + " ORDER BY id LIMIT ?)"
            + " UNION ALL "
            + "(SELECT " + columns + " FROM " + s + older + " ORDER BY " + ORDER + " LIMIT ?)"
            + ") page ORDER BY " + ORDER + " LIMIT ?",
        params);
  }

  /**
   * Returns one page of a bulk delete, as one statement: the next {@code limit} live sessions
   * matching {@code filters} in id order after {@code afterId}, each deleted with its messages
   * only if its revision is still the one the page found (a session written meanwhile stays).
   * Its one row: the last id of the page (null when the page is empty), the number found, the
   * number deleted.
   */
  public Query deletePage(Filters filters, Optional<String> afterId, int limit) {
    List<Object> params = new ArrayList<>();
    String where = where(filters, params, afterId.isPresent() ? "id > ?" : "");
    afterId.ifPresent(params::add);
    params.add(limit);
    return new Query(
        "WITH page AS (SELECT id, revision FROM " + names.sessions() + where + " ORDER BY id LIMIT ?),"
            + " gone AS (DELETE FROM " + names.sessions() + " x USING page WHERE x.id = page.id"
            + " AND x.revision = page.revision RETURNING x.id),"
            + " m AS (DELETE FROM " + names.messages() + " x USING gone WHERE x.session_id = gone.id)"
            + " SELECT (SELECT max(id) FROM page), (SELECT count(*) FROM page), (SELECT count(*) FROM gone)",
        params);
  }

  /**
   * A raw position in the listing order (the values of a row, which need not be a valid
   * instant or id: corrupt rows are stepped over by their raw values).
   *
   * @param seconds updated_seconds
   * @param nanos updated_nanos
   * @param id the id
   */
  public record Position(long seconds, int nanos, String id) {
    /** Validates the id. */
    public Position {
      Objects.requireNonNull(id, "id");
    }
  }

  private static String where(Filters f, List<Object> params, String keyset) {
    // Parameters are added in the order their placeholders appear in the text.
    List<String> conditions = new ArrayList<>();
    if (!f.cutoff().equals(Instant.MIN)) {
      // Only with retention: without it the plans stay pure index range scans.
      conditions.add("written_at >= ?");
      params.add(f.cutoff());
    }
    f.prefixLow().ifPresent(v -> {
      conditions.add("id >= ?");
      params.add(v);
    });
    f.prefixHigh().ifPresent(v -> {
      conditions.add("id < ?");
      params.add(v);
    });
    f.updatedBefore().ifPresent(v -> {
      conditions.add("(updated_seconds, updated_nanos) < (?, ?)");
      params.add(v.getEpochSecond());
      params.add(v.getNano());
    });
    f.updatedAfter().ifPresent(v -> {
      conditions.add("(updated_seconds, updated_nanos) > (?, ?)");
      params.add(v.getEpochSecond());
      params.add(v.getNano());
    });
    if (!keyset.isEmpty()) {
      conditions.add(keyset);
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }
}
