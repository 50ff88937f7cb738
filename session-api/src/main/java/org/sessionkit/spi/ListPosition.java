package org.sessionkit.spi;

import org.sessionkit.SessionIds;
import org.sessionkit.SessionSummary;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A position in the listing order: most recently updated first, then by id in Unicode
 * code-point order. Backends use it to continue a listing after the last entry of a page
 * (keyset paging); callers see it only as an opaque cursor string.
 *
 * @param updatedAt the {@code updatedAt} of the entry
 * @param id the id of the entry
 */
public record ListPosition(Instant updatedAt, String id) implements Comparable<ListPosition> {

  /** The listing order of summaries. */
  public static final Comparator<SessionSummary> SUMMARY_ORDER =
      (a, b) -> compare(a.updatedAt(), a.id(), b.updatedAt(), b.id());

  /** Validates the fields. */
  public ListPosition {
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(id, "id");
  }

  /** Returns the position of {@code summary}. */
  public static ListPosition of(SessionSummary summary) {
    return new ListPosition(summary.updatedAt(), summary.id());
  }

  /**
   * Compares two entries in listing order: negative if the first comes first.
   *
   * @return a negative number, zero or a positive number
   */
  public static int compare(Instant updatedA, String idA, Instant updatedB, String idB) {
    int c = updatedB.compareTo(updatedA);
    return c != 0 ? c : SessionIds.compareCodePoints(idA, idB);
  }

  /** Returns whether the entry ({@code updatedAt}, {@code id}) comes strictly after this one. */
  public boolean isBefore(Instant updatedAt, String id) {
    return compare(this.updatedAt, this.id, updatedAt, id) < 0;
  }

  /**
   * Returns the opaque cursor that continues a listing after this position, as stores hand it out
   * in {@link org.sessionkit.SessionPage#nextCursor()}. For stores that list through another store
   * (decorators, forwarding stores): the cursor works on any store.
   */
  public String cursor() {
    return org.sessionkit.internal.Cursors.encode(this);
  }

  /**
   * Returns the position a cursor stands for.
   *
   * @throws org.sessionkit.InvalidArgumentException if {@code cursor} is not one a store produced
   */
  public static ListPosition fromCursor(String cursor) {
    return org.sessionkit.internal.Cursors.decode(Objects.requireNonNull(cursor, "cursor"));
  }

  @Override
  public int compareTo(ListPosition other) {
    return compare(updatedAt, id, other.updatedAt, other.id);
  }
}
