package org.sessionkit.postgres.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The SQL text of every statement a store runs, for one {@link TableNames}. Only the (checked,
 * quoted) table names are part of the text; every value is a {@code ?} parameter.
 *
 * <p>Round trips per operation: load, create and append are one statement each in auto-commit
 * mode; save, conditional save and delete are a transaction of two statements and a commit,
 * because replacing or removing messages must see every row committed before it, which in
 * READ COMMITTED only a statement that starts after the session's row lock was taken does.
 */
public final class Sql {

  /** The columns of a summary, in the order {@link PostgresRows} reads them. */
  static final String SUMMARY_COLUMNS =
      "id, revision, created_seconds, created_nanos, updated_seconds, updated_nanos, message_count";

  private static final String ORDER = "updated_seconds DESC, updated_nanos DESC, id";

  /** The first second of the year 0000, the earliest a session may carry. */
  static final long MIN_SECONDS = PostgresRows.MIN.getEpochSecond();
  /** The last second of the year 9999. */
  static final long MAX_SECONDS = PostgresRows.MAX.getEpochSecond();

  private final TableNames names;

  /** Load: the session row first (position -1), then its messages by position. */
  public final String load;
  /** Save, step 1: insert or replace the session row, taking its lock; returns the revision. */
  public final String upsertSession;
  /** Conditional save, step 1: replace the session row if its revision matches. */
  public final String updateSessionIfRevision;
  /**
   * Save, step 2: drop messages beyond the new count and write the others that differ from what
   * is stored. Unchanged rows are compared, not touched (no new row version, no lock, no WAL),
   * which makes the usual load-change-save of a long session cheap. Correct because it runs
   * while the session's row lock is held and in a snapshot taken after it was granted.
   */
  public final String replaceMessages;
  /** Create: insert the row and its messages in one statement, only if the id is free. */
  public final String create;
  /** Append: bump the row (optionally only at a revision) and insert the new messages after it. */
  public final String append;
  /** Append with an expected revision. */
  public final String appendIfRevision;
  /** Delete, step 1: remove the row (taking its lock); returns it if it was there. */
  public final String deleteSession;
  /** Conditional delete, step 1. */
  public final String deleteSessionIfRevision;
  /** Delete, step 2: remove the messages of a removed row. */
  public final String deleteMessages;
  /**
   * The revision and created-at seconds of a session, to tell "absent", "conflict" and (for
   * append) "corrupt" apart after a write found no row to change.
   */
  public final String revisionOf;

  /** Builds the statements for {@code names}. */
  public Sql(TableNames names) {
    this.names = Objects.requireNonNull(names, "names");
    String s = names.sessions();
    String m = names.messages();
    String newRows = "unnest(?::bytea[]) WITH ORDINALITY AS t(body, ord)";
    load =
        "SELECT -1 AS position, revision, created_seconds, created_nanos, updated_seconds,"
            + " updated_nanos, message_count, state AS body FROM " + s + " WHERE id = ?"
            + " UNION ALL SELECT position, NULL, NULL, NULL, NULL, NULL, NULL, body FROM " + m
            + " WHERE session_id = ? ORDER BY position";
    String values = "(id, created_seconds, created_nanos, updated_seconds, updated_nanos,"
        + " message_count, state) VALUES (?, ?, ?, ?, ?, ?, ?)";
    upsertSession =
        "INSERT INTO " + s + " " + values + " ON CONFLICT (id) DO UPDATE SET"
            + " revision = EXCLUDED.revision, created_seconds = EXCLUDED.created_seconds,"
            + " created_nanos = EXCLUDED.created_nanos, updated_seconds = EXCLUDED.updated_seconds,"
            + " updated_nanos = EXCLUDED.updated_nanos, message_count = EXCLUDED.message_count,"
            + " state = EXCLUDED.state RETURNING revision";
    updateSessionIfRevision =
        "UPDATE " + s + " SET revision = DEFAULT, created_seconds = ?, created_nanos = ?,"
            + " updated_seconds = ?, updated_nanos = ?, message_count = ?, state = ?"
            + " WHERE id = ? AND revision = ? RETURNING revision";
    replaceMessages =
        "WITH gone AS (DELETE FROM " + m + " WHERE session_id = ? AND position >= ?),"
            + " new AS (SELECT t.ord - 1 AS position, t.body FROM " + newRows + ")"
            + " INSERT INTO " + m + " (session_id, position, body)"
            + " SELECT ?, new.position, new.body FROM new WHERE NOT EXISTS (SELECT 1 FROM " + m
            + " kept WHERE kept.session_id = ? AND kept.position = new.position AND kept.body = new.body)"
            + " ON CONFLICT (session_id, position) DO UPDATE SET body = EXCLUDED.body";
    create =
        "WITH s AS (INSERT INTO " + s + " " + values + " ON CONFLICT (id) DO NOTHING RETURNING revision),"
            + " m AS (INSERT INTO " + m + " (session_id, position, body)"
            + " SELECT ?, t.ord - 1, t.body FROM s, " + newRows + ")"
            + " SELECT revision FROM s";
    // An append leaves the row's other values as they are, so it must not extend a row that
    // can't be read: one with instants outside the years 0000-9999 is left alone (the caller
    // then reports it as corrupt).
    String readable = " AND created_seconds BETWEEN " + MIN_SECONDS + " AND " + MAX_SECONDS;
    String bump =
        "UPDATE " + s + " SET revision = DEFAULT, message_count = message_count + ?,"
            + " updated_seconds = ?, updated_nanos = ?, state = ? WHERE id = ?" + readable;
    String insertAfter =
        " RETURNING revision, message_count - ? AS base),"
            + " m AS (INSERT INTO " + m + " (session_id, position, body)"
            + " SELECT ?, s.base + t.ord - 1, t.body FROM s, " + newRows + ")"
            + " SELECT revision FROM s";
    append = "WITH s AS (" + bump + insertAfter;
    appendIfRevision = "WITH s AS (" + bump + " AND revision = ?" + insertAfter;
    deleteSession = "DELETE FROM " + s + " WHERE id = ? RETURNING revision";
    deleteSessionIfRevision = "DELETE FROM " + s + " WHERE id = ? AND revision = ? RETURNING revision";
    deleteMessages = "DELETE FROM " + m + " WHERE session_id = ?";
    revisionOf = "SELECT revision, created_seconds FROM " + s + " WHERE id = ?";
  }

  /** Returns the names these statements use. */
  public TableNames names() {
    return names;
  }

  /**
   * A listing query: its text and the values of its parameters, in order.
   *
   * @param sql the statement
   * @param parameters the values to bind ({@code String}, {@code Long} or {@code Integer})
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
   * @param prefixLow inclusive lower bound of the id (the prefix), if any
   * @param prefixHigh exclusive upper bound of the id (the prefix's successor), if any
   * @param updatedBefore the exclusive upper bound of updated-at, if any
   * @param updatedAfter the exclusive lower bound of updated-at, if any
   */
  public record Filters(
      java.util.Optional<String> prefixLow,
      java.util.Optional<String> prefixHigh,
      java.util.Optional<Instant> updatedBefore,
      java.util.Optional<Instant> updatedAfter) {

    /** Checks for nulls. */
    public Filters {
      Objects.requireNonNull(prefixLow, "prefixLow");
      Objects.requireNonNull(prefixHigh, "prefixHigh");
      Objects.requireNonNull(updatedBefore, "updatedBefore");
      Objects.requireNonNull(updatedAfter, "updatedAfter");
    }
  }

  /**
   * Returns the query for up to {@code limit} summaries matching {@code filters}, in listing
   * order, strictly after the position {@code (afterSeconds, afterNanos, afterId)} if given.
   *
   * <p>Listing order mixes directions (updated-at descending, id ascending), so "after a
   * position" is not a single row comparison that an index can range over. The keyset is
   * therefore split into two range scans of the listing index, merged in order: the rest of the
   * position's own instant (same updated-at, larger id), then everything strictly older.
   */
  public Query list(Filters filters, java.util.Optional<Position> after, int limit) {
    List<Object> params = new ArrayList<>();
    String s = names.sessions();
    if (after.isEmpty()) {
      String where = where(filters, params, "");
      params.add(limit);
      return new Query(
          "SELECT " + SUMMARY_COLUMNS + " FROM " + s + where + " ORDER BY " + ORDER + " LIMIT ?",
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
        "SELECT " + SUMMARY_COLUMNS + " FROM ("
            + "(SELECT " + SUMMARY_COLUMNS + " FROM " + s + sameInstant + " ORDER BY id LIMIT ?)"
            + " UNION ALL "
            + "(SELECT " + SUMMARY_COLUMNS + " FROM " + s + older + " ORDER BY " + ORDER + " LIMIT ?)"
            + ") page ORDER BY " + ORDER + " LIMIT ?",
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
