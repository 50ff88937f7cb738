package org.sessionkit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param summaries the summaries, in listing order; an unmodifiable list of at most the
 *     query's limit
 * @param nextCursor the cursor for the next page, empty when this is the last page; opaque,
 *     valid on any instance of the same store location
 * @param problems stored entries that could not be read while producing this page (for stores
 *     that scan a whole location, such as files, they are reported with the first page of a
 *     walk); an unmodifiable list, empty when there were none
 */
public record SessionPage(
    List<SessionSummary> summaries, Optional<String> nextCursor, List<ListingProblem> problems) {

  /** Validates the fields and copies the lists. */
  public SessionPage {
    summaries = List.copyOf(summaries);
    Objects.requireNonNull(nextCursor, "nextCursor");
    problems = List.copyOf(problems);
  }

  /** Returns whether a next page may hold more summaries. */
  public boolean hasNext() {
    return nextCursor.isPresent();
  }
}
