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
import java.util.OptionalLong;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.sessionkit.internal.Cursors;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorageException;
import org.sessionkit.StorageUnavailableException;

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

  /**
   * How long {@link #update} and the default {@link #append} keep retrying on conflicts before
   * they give up with {@link RevisionConflictException}. A time bound rather than an attempt
   * count, so that ordinary contention on a slow machine never makes an update give up.
   */
  public static final Duration UPDATE_GIVE_UP_AFTER = Duration.ofSeconds(30);

  /** How long {@link #ping()} waits for the store's answer. */
  public static final Duration PING_TIMEOUT = Duration.ofSeconds(5);

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
   * match} {@code request}, in listing order, and the problem entries met on the way. Problem
   * entries (a document or row whose head can't be read) don't count towards the fetch size:
   * keep reading until {@code fetchSize} readable summaries or the end. Read only what a
   * summary needs (a document's head, a row's head columns), never the messages; a damaged
   * body is for {@link #doProblems()} and {@code load} to find.
   */
  protected abstract CompletableFuture<PageResult> doList(PageRequest request);

  /**
   * Appends atomically. The default loads, applies and saves conditionally, retrying on conflict
   * when no revision was expected; it is correct for every store, but rewrites the session.
   * Stores that can append without rewriting earlier messages override it.
   */
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    return appendAttempt(id, append, 1, System.nanoTime());
  }

  /**
   * Stores {@code session} under {@code condition} as the keyed write {@code key}, atomically:
   * if the session's {@link WriteLog} holds {@code key}, apply nothing and complete with the
   * revision recorded there; else check {@code condition} (a {@link RevisionConflictException}
   * if false); else write the session and the log with {@code key} recorded (see {@link
   * WriteLog}). The default fails with {@link InvalidArgumentException}: a store that supports
   * idempotency keys overrides it (and {@link #doSave(Session, WriteCondition)} keeps the stored
   * log unchanged).
   */
  protected CompletableFuture<Revision> doSave(
      Session session, WriteCondition condition, IdempotencyKey key) {
    return CompletableFuture.failedFuture(new InvalidArgumentException(
        "the store " + description + " does not support idempotency keys"));
  }

  /**
   * Reads up to {@code count} messages ending at {@code end} (exclusive; empty for the end of the
   * session) with the session's state and revision, as one consistent version. The default
   * loads the whole session and cuts the slice; stores that can read a range natively override
   * it.
   */
  protected CompletableFuture<SessionSlice> doLoadSlice(String id, OptionalLong end, int count) {
    return doLoad(id).thenApply(v -> {
      int total = v.session().messages().size();
      int to = (int) Math.min(total, end.orElse(total));
      int from = Math.max(0, to - count);
      return SessionSlice.of(v, from, to);
    });
  }

  /**
   * Applies {@code change} and writes the result conditionally, as {@link #update} describes,
   * with {@code key} if present. The default is a retry loop over {@link #doLoad} and {@link
   * #doSave}; a store that can do it in one transaction or script overrides it.
   *
   * @return the revision written and the session written, or only the revision when the key
   *     showed that this write was already applied
   */
  protected CompletableFuture<UpdateResult> doUpdate(
      String id, UnaryOperator<Session> change, Optional<IdempotencyKey> key) {
    return updateAttempt(id, change, key, 1, System.nanoTime());
  }

  /**
   * Deletes every session {@code filter} selects, as {@link #deleteMatching} describes, and
   * returns how many. The default walks the matching pages with {@link #doList} and deletes each
   * session with {@link #doDelete} only if its revision is still the listed one; a store that
   * can delete a page in one statement or script overrides it. On a failure part way, fail with
   * {@link BulkDeleteException} carrying the count so far.
   */
  protected CompletableFuture<Long> doDeleteMatching(DeleteFilter filter) {
    PageRequest first = new PageRequest(
        ListQuery.MAX_LIMIT, filter.idPrefix(), filter.updatedBefore(), filter.updatedAfter(), Optional.empty());
    java.util.concurrent.atomic.AtomicLong deleted = new java.util.concurrent.atomic.AtomicLong();
    return deletePages(first, deleted)
        .handle((v, failure) -> {
          if (failure == null) {
            return CompletableFuture.completedFuture(deleted.get());
          }
          Throwable cause = Futures.unwrap(failure);
          return CompletableFuture.<Long>failedFuture(
              cause instanceof BulkDeleteException ? cause : new BulkDeleteException(deleted.get(), cause));
        })
        .thenCompose(f -> f);
  }

  private CompletableFuture<Void> deletePages(PageRequest request, java.util.concurrent.atomic.AtomicLong deleted) {
    if (closed.get()) {
      return closedFailure();
    }
    return doList(request).thenCompose(result -> {
      List<SessionSummary> found = result.summaries();
      boolean more = found.size() > request.limit();
      List<SessionSummary> page = more ? found.subList(0, request.limit()) : found;
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (SessionSummary s : page) {
        chain = chain.thenCompose(v -> deleteOne(s)
            .handle((ok, failure) -> {
              if (failure == null) {
                deleted.incrementAndGet();
                return null;
              }
              Throwable cause = Futures.unwrap(failure);
              if (cause instanceof RevisionConflictException || cause instanceof SessionNotFoundException) {
                return null; // written or deleted by someone else during the sweep: it stays as they left it
              }
              throw new BulkDeleteException(deleted.get(), cause);
            }));
      }
      return chain.thenCompose(v -> more
          ? deletePages(request.after(ListPosition.of(page.get(page.size() - 1))), deleted)
          : CompletableFuture.completedFuture(null));
    });
  }

  /** {@code doDelete} of a listed session if it still has the listed revision; a throw becomes a failed future. */
  private CompletableFuture<Void> deleteOne(SessionSummary s) {
    try {
      return doDelete(s.id(), Optional.of(s.revision()));
    } catch (RuntimeException e) {
      // Backends may throw instead of failing the future (the class comment allows it): a
      // conflict thrown here must count as "written during the sweep", not fail the sweep.
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Checks cheaply that the store answers. The default lists a page of one session, which is
   * cheap for an indexed medium; a store whose listing reads a whole directory overrides it.
   */
  protected CompletableFuture<Void> doPing() {
    return doList(new PageRequest(1, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()))
        .thenApply(r -> null);
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

  /**
   * How long {@link #update} and the default {@link #append} retry on conflicts; {@link
   * #UPDATE_GIVE_UP_AFTER} unless overridden (tests of giving up override it).
   */
  protected Duration updateGiveUpAfter() {
    return UPDATE_GIVE_UP_AFTER;
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
    return guard(() -> checkedSave(session, WriteCondition.ALWAYS, Optional.empty()));
  }

  @Override
  public final CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(expected, "expected");
    return guard(() -> checkedSave(session, WriteCondition.ifRevision(expected), Optional.empty()));
  }

  @Override
  public final CompletableFuture<Revision> create(Session session) {
    Objects.requireNonNull(session, "session");
    return guard(() -> checkedSave(session, WriteCondition.IF_ABSENT, Optional.empty()));
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
          return doUpdate(id, change, Optional.empty())
              .thenApply(r -> new VersionedSession(
                  r.written().orElseThrow(() -> new IllegalStateException(
                      "a store's doUpdate without a key returned no session")),
                  r.revision()));
        });
  }

  @Override
  public final CompletableFuture<Revision> update(
      String id, UnaryOperator<Session> change, IdempotencyKey key) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(key, "key");
    return guard(
        () -> {
          SessionIds.requireValid(id);
          return doUpdate(id, change, Optional.of(key)).thenApply(UpdateResult::revision);
        });
  }

  @Override
  public final CompletableFuture<Revision> saveIf(Session session, Revision expected, IdempotencyKey key) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(key, "key");
    return guard(() -> checkedSave(session, WriteCondition.ifRevision(expected), Optional.of(key)));
  }

  @Override
  public final CompletableFuture<Revision> create(Session session, IdempotencyKey key) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(key, "key");
    return guard(() -> checkedSave(session, WriteCondition.IF_ABSENT, Optional.of(key)));
  }

  @Override
  public final CompletableFuture<SessionSlice> loadTail(String id, int count) {
    Objects.requireNonNull(id, "id");
    return guard(
        () -> {
          SessionIds.requireValid(id);
          checkCount(count);
          return doLoadSlice(id, OptionalLong.empty(), count);
        });
  }

  @Override
  public final CompletableFuture<SessionSlice> loadBefore(String id, long beforeIndex, int count) {
    Objects.requireNonNull(id, "id");
    return guard(
        () -> {
          SessionIds.requireValid(id);
          checkCount(count);
          if (beforeIndex < 0) {
            throw new InvalidArgumentException("beforeIndex must not be negative, was " + beforeIndex);
          }
          return doLoadSlice(id, OptionalLong.of(beforeIndex), count);
        });
  }

  @Override
  public final CompletableFuture<Long> deleteMatching(DeleteFilter filter) {
    Objects.requireNonNull(filter, "filter");
    return guard(
        () -> {
          if (filter.idPrefix().isPresent() && !isWellFormed(filter.idPrefix().get())) {
            throw new InvalidArgumentException("the id prefix is not well-formed UTF-16");
          }
          return doDeleteMatching(filter);
        });
  }

  @Override
  public final CompletableFuture<Void> ping() {
    return guard(
        () -> doPing()
            .orTimeout(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .handle((v, failure) -> {
              if (failure == null) {
                return null;
              }
              Throwable cause = Futures.unwrap(failure);
              if (cause instanceof java.util.concurrent.TimeoutException) {
                throw new StorageUnavailableException(
                    "the store " + description + " did not answer within " + PING_TIMEOUT.toMillis() + " ms", cause);
              }
              if (cause instanceof SessionStorageException e) {
                throw e;
              }
              throw new StorageUnavailableException("ping of " + description + " failed: " + cause, cause);
            }));
  }

  /**
   * Returns the kind of store for metrics and health. The default is the scheme of the
   * description ({@code "file"} for {@code "file:/var/sessions"}); override it when that is not
   * a good name.
   */
  @Override
  public String kind() {
    String d = description.startsWith("jdbc:") ? description.substring(5) : description;
    int colon = d.indexOf(':');
    return (colon > 0 ? d.substring(0, colon) : d).toLowerCase(java.util.Locale.ROOT);
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

  private CompletableFuture<Revision> checkedSave(
      Session session, WriteCondition condition, Optional<IdempotencyKey> key) {
    SessionIds.requireValid(session.id());
    validate(session);
    return save(session, condition, key);
  }

  /** {@code doSave} with or without a key. */
  private CompletableFuture<Revision> save(
      Session session, WriteCondition condition, Optional<IdempotencyKey> key) {
    return key.isPresent() ? doSave(session, condition, key.get()) : doSave(session, condition);
  }

  private static void checkCount(int count) {
    if (count < 0 || count > MAX_SLICE) {
      throw new InvalidArgumentException(
          "count must be between 0 and " + MAX_SLICE + ", was " + count);
    }
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

  private CompletableFuture<UpdateResult> updateAttempt(
      String id, UnaryOperator<Session> change, Optional<IdempotencyKey> key, int attempt, long start) {
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
              return save(changed, WriteCondition.ifRevision(current.revision()), key)
                  .thenApply(rev -> UpdateResult.of(changed, rev, key));
            })
        .handle((result, failure) -> retryOnConflict(result, failure, attempt, start,
            () -> updateAttempt(id, change, key, attempt + 1, start), "update of " + SessionIds.quote(id)))
        .thenCompose(f -> f);
  }

  private CompletableFuture<Revision> appendAttempt(String id, Append append, int attempt, long start) {
    if (closed.get()) {
      return closedFailure();
    }
    return doLoad(id)
        .thenCompose(
            current -> {
              Session appended = append.applyTo(current.session());
              validate(appended);
              // With an expected revision, the condition is the caller's: a stale one conflicts
              // (after the store checked the key, so that a retry of an applied append still
              // completes with its revision).
              WriteCondition condition = WriteCondition.ifRevision(
                  append.expectedRevision().orElse(current.revision()));
              return save(appended, condition, append.idempotencyKey());
            })
        .handle((result, failure) -> {
          if (append.expectedRevision().isPresent()) {
            // The caller asked for exactly one revision: a conflict is their answer, not ours
            // to retry.
            return failure == null ? CompletableFuture.completedFuture(result)
                : CompletableFuture.<Revision>failedFuture(Futures.unwrap(failure));
          }
          return retryOnConflict(result, failure, attempt, start,
              () -> appendAttempt(id, append, attempt + 1, start), "append to " + SessionIds.quote(id));
        })
        .thenCompose(f -> f);
  }

  private <T> CompletableFuture<T> retryOnConflict(
      T result, Throwable failure, int attempt, long start, Supplier<CompletableFuture<T>> retry, String what) {
    if (failure == null) {
      return CompletableFuture.completedFuture(result);
    }
    Throwable cause = Futures.unwrap(failure);
    if (!(cause instanceof RevisionConflictException)) {
      return CompletableFuture.failedFuture(cause);
    }
    long elapsed = System.nanoTime() - start;
    if (elapsed >= updateGiveUpAfter().toNanos()) {
      return CompletableFuture.failedFuture(new RevisionConflictException(
          what + " gave up after " + attempt + " attempts in " + TimeUnit.NANOSECONDS.toMillis(elapsed)
              + " ms: other writers kept changing it", cause));
    }
    if (attempt < 3) {
      return retry.get();
    }
    // Exponential back-off with full jitter, capped at 20 ms: writers that collided spread out
    // instead of colliding again, and a busy 2-core machine lets the winner finish.
    long capMicros = Math.min(20_000L, 50L << Math.min(attempt - 3, 10));
    long delayMicros = ThreadLocalRandom.current().nextLong(capMicros / 4, capMicros + 1);
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
    return new PageRequest(query.limit(), prefix, query.updatedBefore(), query.updatedAfter(), after, query.customKeys());
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
