package org.sessionkit.spi;

import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.VersionedSession;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.sessionkit.internal.Cursors;

/**
 * The base class of stores: implements everything of {@link SessionStorage} that is the same
 * for every medium, once, so that a backend writes only what its medium does differently.
 *
 * <p>This class owns: the closed state (every call after {@link #close()} fails with {@link
 * StorageClosedException}), {@code null} checks, the id rule ({@link SessionIds}), checking that
 * a session can be stored ({@link SessionCodec#validate}), checking listing queries and
 * encoding/decoding cursors, the {@link #update} retry loop, a correct default {@link #append},
 * the whole-store {@link #list()} and {@link #problems()} walks, and logging of problem entries.
 *
 * <p>A backend implements the {@code do…} methods. They receive only checked arguments and are
 * never called after {@link #close()} has started. They report failures through the returned
 * future (throwing from a {@code do…} method is treated the same), using the exception types of
 * {@link SessionStorage}. Backends must be thread safe.
 */
public abstract class AbstractSessionStorage implements SessionStorage {

  /** How many times {@link #update} and the default {@link #append} try before giving up. */
  public static final int MAX_UPDATE_ATTEMPTS = 100;

  private static final System.Logger LOG = System.getLogger("org.sessionkit");

  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Creates the base of a store.
   *
   * @param description what this store is, for messages and logs (e.g. {@code
   *     "file:/var/sessions"}); must never contain a secret
   */
  protected AbstractSessionStorage(String description) {
    this.description = Objects.requireNonNull(description, "description");
  }

  // ---------------------------------------------------------------- backend SPI

  /**
   * Stores {@code session} if {@code condition} holds for the stored revision, atomically.
   *
   * @return the new revision; a failed future with {@link RevisionConflictException} if the
   *     condition is false
   */
  protected abstract CompletableFuture<Revision> doSave(Session session, WriteCondition condition);

  /** Loads a session and its revision; {@link SessionNotFoundException} if absent. */
  protected abstract CompletableFuture<VersionedSession> doLoad(String id);

  /**
   * Deletes a session, if {@code expected} is present only while its revision is that one.
   *
   * @return a failed future with {@link SessionNotFoundException} if absent, {@link
   *     RevisionConflictException} if the revision differs
   */
  protected abstract CompletableFuture<Void> doDelete(String id, Optional<Revision> expected);

  /**
   * Returns up to {@link PageRequest#fetchSize()} summaries that {@link PageRequest#matches
   * match} {@code request}, in listing order, and the problem entries met on the way.
   */
  protected abstract CompletableFuture<PageResult> doList(PageRequest request);

  /**
   * Appends atomically. The default loads, applies and saves conditionally, retrying on conflict
   * when no revision was expected; it is correct for every store, but rewrites the session.
   * Stores that can append without rewriting earlier messages override it.
   */
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    return appendAttempt(id, append, 1);
  }

  /**
   * Scans the whole store for problem entries. The default walks every page and collects their
   * problems; override it when a store can do better.
   */
  protected CompletableFuture<List<ListingProblem>> doProblems() {
    List<ListingProblem> problems = new ArrayList<>();
    return walk(PageRequest.all(ListQuery.MAX_LIMIT), page -> problems.addAll(page.problems()))
        .thenApply(v -> List.copyOf(problems));
  }

  /** Releases what the store opened. Called once, by the first {@link #close()}. */
  protected void doClose() {}

  /**
   * Checks that {@code session} can be stored faithfully, before any I/O. The default runs
   * {@link SessionCodec#validate} with the default limits; a store that encodes every session
   * anyway may override it to check while encoding instead of walking the session twice.
   *
   * @throws InvalidSessionException if it can't
   */
  protected void validate(Session session) {
    SessionCodec.defaults().validate(session);
  }

  /** Returns whether {@link #close()} has been called. */
  protected final boolean isClosed() {
    return closed.get();
  }

  /** Returns the description given at construction. */
  protected final String description() {
    return description;
  }

  /** Returns a failed future for an operation on a closed store. */
  protected final <T> CompletableFuture<T> closedFailure() {
    return CompletableFuture.failedFuture(
        new StorageClosedException("the store " + description + " is closed"));
  }

  // ---------------------------------------------------------------- the contract

  @Override
  public final CompletableFuture<Revision> save(Session session) {
    Objects.requireNonNull(session, "session");
    return guard(() -> checkedSave(session, WriteCondition.ALWAYS));
  }

  @Override
  public final CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(expected, "expected");
    return guard(() -> checkedSave(session, WriteCondition.ifRevision(expected)));
  }

  @Override
  public final CompletableFuture<Revision> create(Session session) {
    Objects.requireNonNull(session, "session");
    return guard(() -> checkedSave(session, WriteCondition.IF_ABSENT));
  }

  @Override
  public final CompletableFuture<Session> load(String id) {
    return loadVersioned(id).thenApply(VersionedSession::session);
  }

  @Override
  public final CompletableFuture<VersionedSession> loadVersioned(String id) {
    Objects.requireNonNull(id, "id");
    return guard(
        () -> {
          SessionIds.requireValid(id);
          return doLoad(id);
        });
  }

  @Override
  public final CompletableFuture<Void> delete(String id) {
    Objects.requireNonNull(id, "id");
    return guard(
        () -> {
          SessionIds.requireValid(id);
          return doDelete(id, Optional.empty());
        });
  }

  @Override
  public final CompletableFuture<Void> deleteIf(String id, Revision expected) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(expected, "expected");
    return guard(
        () -> {
          SessionIds.requireValid(id);
          return doDelete(id, Optional.of(expected));
        });
  }

  @Override
  public final CompletableFuture<List<SessionSummary>> list() {
    return guard(
        () -> {
          List<SessionSummary> all = new ArrayList<>();
          return walk(
                  PageRequest.all(ListQuery.MAX_LIMIT),
                  page -> {
                    all.addAll(page.summaries());
                    logProblems(page.problems());
                  })
              .thenApply(v -> List.copyOf(all));
        });
  }

  @Override
  public final CompletableFuture<SessionPage> list(ListQuery query) {
    Objects.requireNonNull(query, "query");
    return guard(
        () -> {
          PageRequest request = toRequest(query);
          return doList(request)
              .thenApply(
                  result -> {
                    logProblems(result.problems());
                    return toPage(request, result);
                  });
        });
  }

  @Override
  public final CompletableFuture<VersionedSession> update(
      String id, UnaryOperator<Session> change) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(change, "change");
    return guard(
        () -> {
          SessionIds.requireValid(id);
          return updateAttempt(id, change, 1);
        });
  }

  @Override
  public final CompletableFuture<Revision> append(String id, Append append) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(append, "append");
    return guard(
        () -> {
          SessionIds.requireValid(id);
          return doAppend(id, append);
        });
  }

  @Override
  public final CompletableFuture<List<ListingProblem>> problems() {
    return guard(this::doProblems);
  }

  @Override
  public final void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        doClose();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "closing " + description + " failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + description + "]";
  }

  // ---------------------------------------------------------------- shared machinery

  private CompletableFuture<Revision> checkedSave(Session session, WriteCondition condition) {
    SessionIds.requireValid(session.id());
    validate(session);
    return doSave(session, condition);
  }

  /**
   * Runs an operation unless the store is closed, turning anything it throws into a failed
   * future, so that every failure reaches the caller the same way.
   */
  private <T> CompletableFuture<T> guard(Supplier<CompletableFuture<T>> operation) {
    if (closed.get()) {
      return closedFailure();
    }
    try {
      return Objects.requireNonNull(operation.get(), "a store operation returned null");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<VersionedSession> updateAttempt(
      String id, UnaryOperator<Session> change, int attempt) {
    if (closed.get()) {
      return closedFailure();
    }
    return doLoad(id)
        .thenCompose(
            current -> {
              Session changed = Objects.requireNonNull(change.apply(current.session()), "change returned null");
              if (!changed.id().equals(id)) {
                throw new InvalidSessionException("update must keep the session id " + SessionIds.quote(id));
              }
              validate(changed);
              return doSave(changed, WriteCondition.ifRevision(current.revision()))
                  .thenApply(rev -> new VersionedSession(changed, rev));
            })
        .handle((result, failure) -> retryOnConflict(result, failure, attempt,
            () -> updateAttempt(id, change, attempt + 1), "update of " + SessionIds.quote(id)))
        .thenCompose(f -> f);
  }

  private CompletableFuture<Revision> appendAttempt(String id, Append append, int attempt) {
    if (closed.get()) {
      return closedFailure();
    }
    return doLoad(id)
        .thenCompose(
            current -> {
              if (append.expectedRevision().isPresent()
                  && !append.expectedRevision().get().equals(current.revision())) {
                throw new RevisionConflictException(
                    "append to " + SessionIds.quote(id) + ": the stored revision is not "
                        + append.expectedRevision().get());
              }
              Session appended = append.applyTo(current.session());
              validate(appended);
              return doSave(appended, WriteCondition.ifRevision(current.revision()));
            })
        .handle((result, failure) -> {
          if (append.expectedRevision().isPresent()) {
            // The caller asked for exactly one revision: a conflict is their answer, not ours
            // to retry.
            return failure == null ? CompletableFuture.completedFuture(result)
                : CompletableFuture.<Revision>failedFuture(Futures.unwrap(failure));
          }
          return retryOnConflict(result, failure, attempt,
              () -> appendAttempt(id, append, attempt + 1), "append to " + SessionIds.quote(id));
        })
        .thenCompose(f -> f);
  }

  private <T> CompletableFuture<T> retryOnConflict(
      T result, Throwable failure, int attempt, Supplier<CompletableFuture<T>> retry, String what) {
    if (failure == null) {
      return CompletableFuture.completedFuture(result);
    }
    Throwable cause = Futures.unwrap(failure);
    if (!(cause instanceof RevisionConflictException)) {
      return CompletableFuture.failedFuture(cause);
    }
    if (attempt >= MAX_UPDATE_ATTEMPTS) {
      return CompletableFuture.failedFuture(new RevisionConflictException(
          what + " gave up after " + attempt + " attempts: other writers kept changing it", cause));
    }
    if (attempt < 3) {
      return retry.get();
    }
    // Under heavy contention, back off a little (randomised) so that the writers spread out
    // instead of all failing again together.
    long delayMicros = ThreadLocalRandom.current().nextLong(50, 100L * Math.min(attempt, 50));
    return CompletableFuture.supplyAsync(
            retry, CompletableFuture.delayedExecutor(delayMicros, TimeUnit.MICROSECONDS, Runnable::run))
        .thenCompose(f -> f);
  }

  private PageRequest toRequest(ListQuery query) {
    if (query.limit() < 1 || query.limit() > ListQuery.MAX_LIMIT) {
      throw new InvalidArgumentException(
          "page size must be between 1 and " + ListQuery.MAX_LIMIT + ", was " + query.limit());
    }
    Optional<String> prefix = query.idPrefix().filter(p -> !p.isEmpty());
    if (prefix.isPresent() && !isWellFormed(prefix.get())) {
      throw new InvalidArgumentException("the id prefix is not well-formed UTF-16");
    }
    Optional<ListPosition> after = query.cursor().map(Cursors::decode);
    return new PageRequest(query.limit(), prefix, query.updatedBefore(), query.updatedAfter(), after);
  }

  private SessionPage toPage(PageRequest request, PageResult result) {
    List<SessionSummary> found = result.summaries();
    if (found.size() > request.limit()) {
      List<SessionSummary> page = found.subList(0, request.limit());
      String next = Cursors.encode(ListPosition.of(page.get(page.size() - 1)));
      return new SessionPage(page, Optional.of(next), result.problems());
    }
    return new SessionPage(found, Optional.empty(), result.problems());
  }

  /** Walks every page of {@code request}, handing each (trimmed to the limit) to {@code sink}. */
  private CompletableFuture<Void> walk(
      PageRequest request, java.util.function.Consumer<PageResult> sink) {
    if (closed.get()) {
      return closedFailure();
    }
    return doList(request)
        .thenCompose(
            result -> {
              List<SessionSummary> found = result.summaries();
              boolean more = found.size() > request.limit();
              List<SessionSummary> page = more ? found.subList(0, request.limit()) : found;
              sink.accept(new PageResult(page, result.problems()));
              if (!more) {
                return CompletableFuture.completedFuture(null);
              }
              return walk(request.after(ListPosition.of(page.get(page.size() - 1))), sink);
            });
  }

  private void logProblems(List<ListingProblem> problems) {
    for (ListingProblem p : problems) {
      LOG.log(
          Level.WARNING,
          () -> "store " + description + ": skipped unreadable entry " + p.location() + ": " + p.reason());
    }
  }

  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(++i))) {
          return false;
        }
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
