package org.sessionkit.cli.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;

/**
 * Walks every page of a listing on the calling thread, asking for the next page as soon as the
 * current one arrives, so that a server store's round trip overlaps the work on the current
 * page. Unlike {@link SessionStorage#stream}, it hands over the problem entries of each page, so
 * a command can count what it could not read instead of dropping it.
 */
final class Walk {

  private Walk() {}

  /**
   * Walks {@code query} (its page size is raised to the maximum), calling {@code each} for every
   * summary in listing order until it returns {@code false}, and {@code problem} for every
   * problem entry.
   *
   * @return whether the walk reached the end (else {@code each} stopped it)
   * @throws org.sessionkit.SessionStorageException if a page fails
   */
  static boolean walk(
      SessionStorage store, ListQuery query, Predicate<SessionSummary> each, Consumer<ListingProblem> problem) {
    ListQuery q = query.limit(ListQuery.MAX_LIMIT);
    CompletableFuture<SessionPage> next = store.list(q);
    while (true) {
      SessionPage page = Futures.await(next);
      if (page.nextCursor().isPresent()) {
        next = store.list(q.after(page.nextCursor().get()));
      }
      page.problems().forEach(problem);
      for (SessionSummary s : page.summaries()) {
        if (!each.test(s)) {
          if (page.nextCursor().isPresent()) {
            next.cancel(false);
          }
          return false;
        }
      }
      if (page.nextCursor().isEmpty()) {
        return true;
      }
    }
  }

  /**
   * Counts the sessions {@code query} lists (for a progress bar's total).
   *
   * @throws org.sessionkit.SessionStorageException if a page fails
   */
  static long count(SessionStorage store, ListQuery query) {
    long[] n = {0};
    walk(store, query, s -> {
      n[0]++;
      return true;
    }, p -> {});
    return n[0];
  }
}
