package org.sessionkit.spi;

import org.sessionkit.ListingProblem;
import org.sessionkit.SessionSummary;
import java.util.List;

/**
 * What a backend returns for a {@link PageRequest}: up to {@link PageRequest#fetchSize()}
 * matching summaries in listing order, and the problem entries it met.
 *
 * @param summaries matching summaries in listing order; an unmodifiable list
 * @param problems entries that could not be read; an unmodifiable list
 */
public record PageResult(List<SessionSummary> summaries, List<ListingProblem> problems) {

  /** Copies the lists. */
  public PageResult {
    summaries = List.copyOf(summaries);
    problems = List.copyOf(problems);
  }

  /** Returns a result without problems. */
  public static PageResult of(List<SessionSummary> summaries) {
    return new PageResult(summaries, List.of());
  }
}
