package org.sessionkit.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.sessionkit.Append;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The memory baseline ({@code raw-memory}): a {@link ConcurrentHashMap} of session references
 * and an already completed future, with none of sessionkit's code in between — no id or
 * session checks, no revisions (every revision is the same constant), no closed state.
 *
 * <p>It is the floor a memory store can't beat: {@code save} is one {@code put}, {@code load} one
 * {@code get}, {@code update} and {@code append} one atomic {@code compute}. Listings have no
 * index: {@code list()} sorts every session and a page is a full scan keeping the best {@code
 * limit} entries in a heap, the cheapest way to page a map without one. Conditional writes,
 * cursors and {@link #problems()} are not part of the baseline and fail with {@link
 * UnsupportedOperationException}. Thread safe.
 */
final class RawMemoryStorage extends RawBaseline {

  private static final Revision REVISION = Revision.of(1);

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

  @Override
  public CompletableFuture<Revision> save(Session session) {
    sessions.put(session.id(), session);
    return CompletableFuture.completedFuture(REVISION);
  }

  @Override
  public CompletableFuture<Session> load(String id) {
    Session s = sessions.get(id);
    return s == null ? CompletableFuture.failedFuture(notFound(id)) : CompletableFuture.completedFuture(s);
  }

  @Override
  public CompletableFuture<VersionedSession> loadVersioned(String id) {
    return load(id).thenApply(s -> new VersionedSession(s, REVISION));
  }

  @Override
  public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
    try {
      Session s = sessions.compute(id, (k, old) -> change.apply(present(k, old)));
      return CompletableFuture.completedFuture(new VersionedSession(s, REVISION));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Revision> append(String id, Append append) {
    try {
      sessions.compute(id, (k, old) -> append.applyTo(present(k, old)));
      return CompletableFuture.completedFuture(REVISION);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<SessionSummary>> list() {
    List<SessionSummary> all = new ArrayList<>(sessions.size());
    sessions.values().forEach(s -> all.add(s.summary(REVISION)));
    all.sort(ListPosition.SUMMARY_ORDER);
    return CompletableFuture.completedFuture(all);
  }

  @Override
  public CompletableFuture<SessionPage> list(ListQuery query) {
    if (query.cursor().isPresent()) {
      return unsupported("cursors");
    }
    return CompletableFuture.completedFuture(
        firstPage(query, sessions.values().stream().map(s -> s.summary(REVISION)).iterator()));
  }

  @Override
  public CompletableFuture<Void> delete(String id) {
    return sessions.remove(id) == null
        ? CompletableFuture.failedFuture(notFound(id))
        : CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    return unsupported("saveIf");
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    return unsupported("create");
  }

  @Override
  public CompletableFuture<Void> deleteIf(String id, Revision expected) {
    return unsupported("deleteIf");
  }

  @Override
  public CompletableFuture<List<ListingProblem>> problems() {
    return unsupported("problems");
  }

  @Override
  public void close() {
    sessions.clear();
  }

  @Override
  public String toString() {
    return "raw-memory";
  }

  /**
   * The first page of {@code query} over unordered summaries: a single pass keeping the best
   * {@code query.limit()} in a bounded heap (worst of them on top), then sorted.
   */
  static SessionPage firstPage(ListQuery query, java.util.Iterator<SessionSummary> summaries) {
    Comparator<SessionSummary> order = ListPosition.SUMMARY_ORDER;
    PriorityQueue<SessionSummary> best = new PriorityQueue<>(query.limit() + 1, order.reversed());
    while (summaries.hasNext()) {
      SessionSummary s = summaries.next();
      if (matches(query, s)) {
        best.add(s);
        if (best.size() > query.limit()) {
          best.poll();
        }
      }
    }
    List<SessionSummary> page = new ArrayList<>(best);
    page.sort(order);
    return new SessionPage(page, Optional.empty(), List.of());
  }

  private static boolean matches(ListQuery q, SessionSummary s) {
    return (q.idPrefix().isEmpty() || s.id().startsWith(q.idPrefix().get()))
        && (q.updatedBefore().isEmpty() || s.updatedAt().isBefore(q.updatedBefore().get()))
        && (q.updatedAfter().isEmpty() || s.updatedAt().isAfter(q.updatedAfter().get()));
  }

  private static Session present(String id, Session s) {
    if (s == null) {
      throw notFound(id);
    }
    return s;
  }

  private static SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + Objects.requireNonNull(id) + " in raw-memory");
  }

  static <T> CompletableFuture<T> unsupported(String what) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(what + " is not part of the raw baseline"));
  }
}
