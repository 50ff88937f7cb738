package org.sessionkit.spi;

import org.sessionkit.SessionSummary;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A checked listing request as {@link AbstractSessionStorage} hands it to a backend: the
 * cursor is already decoded into a position and every value is valid.
 *
 * <p>A backend returns, in listing order, the first {@link #fetchSize()} stored sessions that
 * {@link #matches match}; one more than the page size, so that the base class knows whether
 * there is a next page without a second query.
 *
 * @param limit the page size
 * @param idPrefix the id prefix, empty for none (never an empty string)
 * @param updatedBefore exclusive upper bound of {@code updatedAt}
 * @param updatedAfter exclusive lower bound of {@code updatedAt}
 * @param after if present, only entries strictly after this position
 * @param customKeys keys of the custom state each summary carries ({@link
 *     SessionSummary#withCustom}); empty for none
 */
public record PageRequest(
    int limit,
    Optional<String> idPrefix,
    Optional<Instant> updatedBefore,
    Optional<Instant> updatedAfter,
    Optional<ListPosition> after,
    java.util.Set<String> customKeys) {

  /** Validates the fields. */
  public PageRequest {
    Objects.requireNonNull(idPrefix, "idPrefix");
    Objects.requireNonNull(updatedBefore, "updatedBefore");
    Objects.requireNonNull(updatedAfter, "updatedAfter");
    Objects.requireNonNull(after, "after");
    customKeys = java.util.Set.copyOf(customKeys);
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1");
    }
  }

  /** A request without custom keys. */
  public PageRequest(
      int limit,
      Optional<String> idPrefix,
      Optional<Instant> updatedBefore,
      Optional<Instant> updatedAfter,
      Optional<ListPosition> after) {
    this(limit, idPrefix, updatedBefore, updatedAfter, after, java.util.Set.of());
  }

  /** Returns a request for everything, {@code limit} at a time. */
  public static PageRequest all(int limit) {
    return new PageRequest(
        limit, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** How many matching summaries a backend returns at most: the page size plus one. */
  public int fetchSize() {
    return limit + 1;
  }

  /** Returns whether an entry passes the prefix and time filters (not the position). */
  public boolean matchesFilters(Instant updatedAt, String id) {
    return (idPrefix.isEmpty() || id.startsWith(idPrefix.get()))
        && (updatedBefore.isEmpty() || updatedAt.isBefore(updatedBefore.get()))
        && (updatedAfter.isEmpty() || updatedAt.isAfter(updatedAfter.get()));
  }

  /** Returns whether an entry belongs to the requested page range: filters and position. */
  public boolean matches(Instant updatedAt, String id) {
    return matchesFilters(updatedAt, id) && (after.isEmpty() || after.get().isBefore(updatedAt, id));
  }

  /** Returns whether {@code summary} belongs to the requested page range. */
  public boolean matches(SessionSummary summary) {
    return matches(summary.updatedAt(), summary.id());
  }

  /** Returns a copy continuing after {@code position}. */
  public PageRequest after(ListPosition position) {
    return new PageRequest(limit, idPrefix, updatedBefore, updatedAfter, Optional.of(position), customKeys);
  }
}
