package org.sessionkit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A query for one page of a listing: how many summaries, which ones, and where to continue.
 * Immutable; the {@code with…} methods return copies. The store checks the query when it runs
 * it: a page size outside 1..{@value #MAX_LIMIT}, a prefix that is not well-formed UTF-16 or a
 * malformed cursor fails the returned future with {@link InvalidArgumentException}.
 *
 * <p>Results are in the listing order: most recently updated first, then by id in Unicode
 * code-point order ({@link SessionIds#CODE_POINT_ORDER}).
 *
 * @param limit the page size, 1..{@value #MAX_LIMIT}; {@value #DEFAULT_LIMIT} by default
 * @param idPrefix if present and not empty, only ids starting with it (code points, exact case)
 * @param updatedBefore if present, only sessions with {@code updatedAt} strictly before it
 * @param updatedAfter if present, only sessions with {@code updatedAt} strictly after it
 * @param cursor if present, the opaque cursor of the previous page: continue after it
 * @param customKeys keys of the sessions' {@link SessionState#custom()} state to return in each
 *     summary ({@link SessionSummary#custom()}), read without reading messages; empty for none
 */
public record ListQuery(
    int limit,
    Optional<String> idPrefix,
    Optional<Instant> updatedBefore,
    Optional<Instant> updatedAfter,
    Optional<String> cursor,
    java.util.Set<String> customKeys) {

  /** The page size when none is given. */
  public static final int DEFAULT_LIMIT = 100;

  /** The largest page size a store accepts. */
  public static final int MAX_LIMIT = 1000;

  /** Validates the fields (nulls only; values are checked by the store). */
  public ListQuery {
    Objects.requireNonNull(idPrefix, "idPrefix");
    Objects.requireNonNull(updatedBefore, "updatedBefore");
    Objects.requireNonNull(updatedAfter, "updatedAfter");
    Objects.requireNonNull(cursor, "cursor");
    customKeys = java.util.Set.copyOf(customKeys);
  }

  /** A query without custom keys. */
  public ListQuery(
      int limit,
      Optional<String> idPrefix,
      Optional<Instant> updatedBefore,
      Optional<Instant> updatedAfter,
      Optional<String> cursor) {
    this(limit, idPrefix, updatedBefore, updatedAfter, cursor, java.util.Set.of());
  }

  /**
   * Returns a copy whose summaries carry these keys of each session's custom state (a title for
   * a sidebar, say), where a session has them.
   */
  public ListQuery withCustomKeys(String... keys) {
    return new ListQuery(limit, idPrefix, updatedBefore, updatedAfter, cursor, java.util.Set.of(keys));
  }

  /** Returns the query for the first page of everything, {@value #DEFAULT_LIMIT} per page. */
  public static ListQuery firstPage() {
    return new ListQuery(
        DEFAULT_LIMIT, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Returns the query for the first page of ids starting with {@code prefix}. */
  public static ListQuery withPrefix(String prefix) {
    return firstPage().idPrefix(prefix);
  }

  /** Returns a copy with page size {@code limit}. */
  public ListQuery limit(int limit) {
    return new ListQuery(limit, idPrefix, updatedBefore, updatedAfter, cursor, customKeys);
  }

  /** Returns a copy listing only ids that start with {@code prefix}. */
  public ListQuery idPrefix(String prefix) {
    return new ListQuery(limit, Optional.of(prefix), updatedBefore, updatedAfter, cursor, customKeys);
  }

  /** Returns a copy listing only sessions updated strictly before {@code instant}. */
  public ListQuery updatedBefore(Instant instant) {
    return new ListQuery(limit, idPrefix, Optional.of(instant), updatedAfter, cursor, customKeys);
  }

  /** Returns a copy listing only sessions updated strictly after {@code instant}. */
  public ListQuery updatedAfter(Instant instant) {
    return new ListQuery(limit, idPrefix, updatedBefore, Optional.of(instant), cursor, customKeys);
  }

  /** Returns a copy that continues after the page whose {@link SessionPage#nextCursor()} this is. */
  public ListQuery after(String cursor) {
    return new ListQuery(limit, idPrefix, updatedBefore, updatedAfter, Optional.of(cursor), customKeys);
  }

  /** Returns a copy that starts from the first page again. */
  public ListQuery fromStart() {
    return new ListQuery(limit, idPrefix, updatedBefore, updatedAfter, Optional.empty(), customKeys);
  }
}
