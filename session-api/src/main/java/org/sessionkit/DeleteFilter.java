package org.sessionkit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which sessions {@link SessionStorage#deleteMatching} deletes: those whose id starts with a
 * prefix and/or whose {@code updatedAt} lies within bounds. An empty filter would delete every
 * session, so it is only accepted when made by {@link #all()}.
 *
 * <pre>{@code
 * store.deleteMatching(DeleteFilter.idPrefix("user-42/"));                 // erase one user
 * store.deleteMatching(DeleteFilter.updatedBefore(Instant.now().minus(Duration.ofDays(60))));
 * }</pre>
 *
 * @param idPrefix only ids starting with it (code point by code point); empty for any id
 * @param updatedBefore only sessions with {@code updatedAt} strictly before it
 * @param updatedAfter only sessions with {@code updatedAt} strictly after it
 * @param everything true only for {@link #all()}: the caller asked for every session
 */
public record DeleteFilter(
    Optional<String> idPrefix,
    Optional<Instant> updatedBefore,
    Optional<Instant> updatedAfter,
    boolean everything) {

  /**
   * Validates the filter.
   *
   * @throws InvalidArgumentException if it selects nothing in particular (no prefix, no bound)
   *     and {@code everything} is false, or names a bound while {@code everything} is true, or
   *     has an empty prefix
   */
  public DeleteFilter {
    Objects.requireNonNull(idPrefix, "idPrefix");
    Objects.requireNonNull(updatedBefore, "updatedBefore");
    Objects.requireNonNull(updatedAfter, "updatedAfter");
    if (idPrefix.isPresent() && idPrefix.get().isEmpty()) {
      throw new InvalidArgumentException("an empty id prefix selects every session: use DeleteFilter.all()");
    }
    boolean narrowed = idPrefix.isPresent() || updatedBefore.isPresent() || updatedAfter.isPresent();
    if (!narrowed && !everything) {
      throw new InvalidArgumentException(
          "an empty filter would delete every session: use DeleteFilter.all() to say so");
    }
    if (narrowed && everything) {
      throw new InvalidArgumentException("DeleteFilter.all() takes no prefix or bounds");
    }
  }

  /** Every session of the store. */
  public static DeleteFilter all() {
    return new DeleteFilter(Optional.empty(), Optional.empty(), Optional.empty(), true);
  }

  /** Sessions whose id starts with {@code prefix} (not empty). */
  public static DeleteFilter idPrefix(String prefix) {
    return new DeleteFilter(Optional.of(prefix), Optional.empty(), Optional.empty(), false);
  }

  /** Sessions last updated strictly before {@code instant}. */
  public static DeleteFilter updatedBefore(Instant instant) {
    return new DeleteFilter(Optional.empty(), Optional.of(instant), Optional.empty(), false);
  }

  /** Returns a copy that also requires the id to start with {@code prefix}. */
  public DeleteFilter andIdPrefix(String prefix) {
    return new DeleteFilter(Optional.of(prefix), updatedBefore, updatedAfter, false);
  }

  /** Returns a copy that also requires {@code updatedAt} strictly before {@code instant}. */
  public DeleteFilter andUpdatedBefore(Instant instant) {
    return new DeleteFilter(idPrefix, Optional.of(instant), updatedAfter, false);
  }

  /** Returns a copy that also requires {@code updatedAt} strictly after {@code instant}. */
  public DeleteFilter andUpdatedAfter(Instant instant) {
    return new DeleteFilter(idPrefix, updatedBefore, Optional.of(instant), false);
  }

  /** Returns whether a session with this id and {@code updatedAt} is selected. */
  public boolean matches(String id, Instant updatedAt) {
    return idPrefix.map(id::startsWith).orElse(true)
        && updatedBefore.map(updatedAt::isBefore).orElse(true)
        && updatedAfter.map(updatedAt::isAfter).orElse(true);
  }
}
