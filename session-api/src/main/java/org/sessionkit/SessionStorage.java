package org.sessionkit;

import org.sessionkit.spi.AbstractSessionStorage;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Stores conversation sessions: the asynchronous contract every sessionkit store keeps.
 *
 * <h2>Results and errors</h2>
 *
 * Every operation returns a {@link CompletableFuture} and never blocks the caller's thread on
 * I/O. Every failure, including an invalid id, an invalid session, an invalid query and a call
 * after {@link #close()}, arrives as an exceptionally completed future whose cause is a {@link
 * SessionStorageException} subclass: {@link SessionNotFoundException}, {@link
 * RevisionConflictException}, {@link InvalidIdException}, {@link InvalidSessionException},
 * {@link InvalidArgumentException}, {@link CorruptDocumentException}, {@link
 * StorageUnavailableException} or {@link StorageClosedException}. The only exception thrown
 * synchronously is {@link NullPointerException} for a {@code null} argument, a programming
 * error. Ids follow the rule of {@link SessionIds}, checked before any I/O.
 *
 * <h2>Values</h2>
 *
 * After {@code save(s)} completes, {@code load(s.id())} — from this instance or, for a
 * persistent store, from a fresh instance on the same location — returns a session equal to
 * {@code s} in every field: nanosecond timestamps, every content block, JSON values exactly.
 * The store never changes {@code updatedAt} itself. Sessions are immutable, so nothing a
 * caller holds can change what the store returns later.
 *
 * <h2>Revisions</h2>
 *
 * A {@link Revision} is kept beside each stored session; every write produces a new one.
 * Conditional writes ({@link #saveIf}, {@link #create}, {@link #deleteIf}, {@link #append}
 * with an expected revision) fail with {@link RevisionConflictException} and change nothing
 * when the stored revision is not the expected one; {@link #update} retries on conflict.
 *
 * <h2>Listing</h2>
 *
 * Listings are in the listing order: most recently updated first, then by id in Unicode
 * code-point order ({@link SessionIds#CODE_POINT_ORDER}). Stored entries that can't be read
 * never fail a listing and are never hidden: they are logged and reported in {@link
 * SessionPage#problems()} and by {@link #problems()}.
 *
 * <h2>Thread safety and lifecycle</h2>
 *
 * Implementations are safe for concurrent use by any number of threads. {@link #close()} is
 * idempotent and releases every thread, file handle and connection the store opened (and only
 * those); afterwards every operation fails with {@link StorageClosedException}.
 *
 * <p>Implementations should extend {@link AbstractSessionStorage}, which implements the shared
 * parts of this contract once. The whole contract, as the compatibility kit checks it, is
 * described in <a href="https://github.com/sessionkit/sessionkit/blob/main/docs/contract.md">the
 * storage contract</a>; how sessions are stored in <a
 * href="https://github.com/sessionkit/sessionkit/blob/main/docs/format.md">the session document
 * format</a>.
 */
public interface SessionStorage extends AutoCloseable {

  /**
   * Creates or replaces the session with {@code session.id()} (last writer wins).
   *
   * @return a future completing with the new revision; failing with {@link InvalidIdException},
   *     {@link InvalidSessionException}, {@link StorageUnavailableException} or {@link
   *     StorageClosedException}
   */
  CompletableFuture<Revision> save(Session session);

  /**
   * Replaces the stored session only if its revision is still {@code expected}.
   *
   * @return a future completing with the new revision; failing with {@link
   *     RevisionConflictException} if the stored revision differs or no session is stored (and
   *     nothing changed), or as {@link #save} does
   */
  CompletableFuture<Revision> saveIf(Session session, Revision expected);

  /**
   * {@link #saveIf(Session, Revision)} with an idempotency key: the key is checked before the
   * revision, so a retry of a write that was applied completes with the revision it produced
   * and applies nothing.
   */
  CompletableFuture<Revision> saveIf(Session session, Revision expected, IdempotencyKey key);

  /**
   * Stores the session only if no session with its id exists.
   *
   * @return a future completing with the new revision; failing with {@link
   *     RevisionConflictException} if one exists (and nothing changed), or as {@link #save} does
   */
  CompletableFuture<Revision> create(Session session);

  /**
   * {@link #create(Session)} with an idempotency key: a retry of a create that was applied
   * completes with the revision it produced instead of failing with a conflict.
   */
  CompletableFuture<Revision> create(Session session, IdempotencyKey key);

  /**
   * Loads a session.
   *
   * @return a future completing with the stored session; failing with {@link
   *     SessionNotFoundException} for an unknown id, {@link CorruptDocumentException} if what is
   *     stored can't be read (the message names the id or file), {@link InvalidIdException},
   *     {@link StorageUnavailableException} or {@link StorageClosedException}
   */
  CompletableFuture<Session> load(String id);

  /**
   * Reads the last {@code count} messages of a session (all of them if it has fewer) with its
   * state, times, message count and revision, without reading the earlier messages where the
   * medium allows. The messages and the revision always belong to one stored version, also
   * under concurrent appends.
   *
   * @param count how many messages at most, from 0 to {@value #MAX_SLICE}
   * @return a future completing with the slice; failing with {@link InvalidArgumentException}
   *     for a count outside 0..{@value #MAX_SLICE}, or as {@link #load}
   */
  CompletableFuture<SessionSlice> loadTail(String id, int count);

  /**
   * Reads up to {@code count} messages just before position {@code beforeIndex} ("load older"
   * in a UI: pass the {@link SessionSlice#firstIndex()} of what is shown). A {@code beforeIndex}
   * beyond the stored message count is read as that count.
   *
   * @param beforeIndex the position (exclusive) the returned messages end at; at least 0
   * @param count how many messages at most, from 0 to {@value #MAX_SLICE}
   * @return a future completing with the slice; failing with {@link InvalidArgumentException}
   *     for a negative {@code beforeIndex} or a count outside 0..{@value #MAX_SLICE}, or as
   *     {@link #load}
   */
  CompletableFuture<SessionSlice> loadBefore(String id, long beforeIndex, int count);

  /** The largest {@code count} of {@link #loadTail} and {@link #loadBefore}. */
  int MAX_SLICE = 100_000;

  /**
   * Loads a session with its current revision, to write it back conditionally.
   *
   * @return a future completing with the session and its revision; failing as {@link #load}
   */
  CompletableFuture<VersionedSession> loadVersioned(String id);

  /**
   * Lists every stored session. Meant for small stores; use {@link #list(ListQuery)} or {@link
   * #stream(ListQuery)} for large ones. Entries that can't be read are logged and left out;
   * {@link #problems()} reports them.
   *
   * @return a future completing with one summary per stored session, in listing order
   */
  CompletableFuture<List<SessionSummary>> list();

  /**
   * Lists one page of sessions.
   *
   * <p>Keyset semantics: walking all pages with {@link SessionPage#nextCursor()} returns every
   * session that exists and is not modified during the whole walk exactly once, in listing
   * order; a session changed during the walk may be returned twice or not at all. A cursor works
   * on any instance of the same store location.
   *
   * @return a future completing with the page; failing with {@link InvalidArgumentException} for
   *     a page size outside 1..{@value ListQuery#MAX_LIMIT}, a malformed prefix or a cursor this
   *     store did not produce, or with {@link StorageUnavailableException} or {@link
   *     StorageClosedException}
   */
  CompletableFuture<SessionPage> list(ListQuery query);

  /**
   * Returns a lazy stream over every page of {@code query}, fetching a page only when the
   * stream needs it. The stream <b>blocks</b> the consuming thread while a page is fetched and
   * throws the {@link SessionStorageException} a page failed with; close it if you stop early.
   *
   * @throws NullPointerException if {@code query} is null
   */
  default Stream<SessionSummary> stream(ListQuery query) {
    Iterator<SessionSummary> it =
        new Iterator<>() {
          private Optional<ListQuery> next = Optional.of(query);
          private Iterator<SessionSummary> page = List.<SessionSummary>of().iterator();

          @Override
          public boolean hasNext() {
            while (!page.hasNext() && next.isPresent()) {
              SessionPage p = Futures.await(list(next.get()));
              page = p.summaries().iterator();
              next = p.nextCursor().map(next.get()::after);
            }
            return page.hasNext();
          }

          @Override
          public SessionSummary next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return page.next();
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /**
   * Deletes a session.
   *
   * @return a future completing when it is gone; failing with {@link SessionNotFoundException}
   *     if no session with the id is stored (so a second delete fails), or with {@link
   *     InvalidIdException}, {@link StorageUnavailableException} or {@link
   *     StorageClosedException}
   */
  CompletableFuture<Void> delete(String id);

  /**
   * Deletes a session only if its stored revision is still {@code expected}.
   *
   * @return a future completing when it is gone; failing with {@link RevisionConflictException}
   *     if the revision differs (nothing changed), or as {@link #delete}
   */
  CompletableFuture<Void> deleteIf(String id, Revision expected);

  /**
   * Applies {@code change} to the stored session and saves the result conditionally, retrying
   * from a fresh load when another writer got there first (with a randomised back-off), until
   * {@link org.sessionkit.spi.AbstractSessionStorage#UPDATE_GIVE_UP_AFTER} has passed without
   * success. {@code change} must be a pure function: it may run more than once. The session it
   * returns must keep the id. The result is always written and always gets a new revision, even
   * when {@code change} returns an equal session. A store may do all of this natively (in one
   * transaction or script).
   *
   * @return a future completing with the saved session and its revision; failing with {@link
   *     SessionNotFoundException} for an unknown id, {@link RevisionConflictException} when the
   *     attempts run out, {@link InvalidSessionException} if {@code change} returns a session with
   *     another id or one that can't be stored, with exactly the exception {@code change} threw,
   *     or as {@link #save}
   */
  CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change);

  /**
   * {@link #update(String, UnaryOperator)} with an idempotency key: if a write with {@code key}
   * was already applied to this session (a retry after an {@link AmbiguousOutcomeException}),
   * applies nothing and completes with the revision that write produced.
   *
   * @return a future completing with the revision of the write; failing as {@link
   *     #update(String, UnaryOperator)}
   */
  CompletableFuture<Revision> update(String id, UnaryOperator<Session> change, IdempotencyKey key);

  /**
   * Atomically adds {@code append.messages()} after the stored messages and replaces the state
   * and {@code updatedAt}; if {@code append.expectedRevision()} is present, only while the stored
   * revision is still that one. Concurrent appends are all kept, none is lost. Stores that can
   * append without rewriting the earlier messages do so.
   *
   * @return a future completing with the new revision; failing with {@link
   *     SessionNotFoundException} for an unknown id, {@link RevisionConflictException} if the
   *     expected revision is stale (nothing changed), {@link InvalidSessionException} if the
   *     result can't be stored, or as {@link #save}
   */
  CompletableFuture<Revision> append(String id, Append append);

  /**
   * Deletes every session {@code filter} selects, page by page, each only if it was not written
   * since the sweep read it: a session written (saved, appended, updated) while the deletion
   * runs survives. Native where the medium allows (one statement, one script per page).
   *
   * @return a future completing with how many sessions it deleted; failing with {@link
   *     BulkDeleteException} (saying how many were deleted before, with the cause) if it fails
   *     part way, or with {@link InvalidArgumentException} for a malformed prefix or {@link
   *     StorageClosedException}
   */
  CompletableFuture<Long> deleteMatching(DeleteFilter filter);

  /**
   * Checks cheaply that the store can serve requests: a round trip to the server, a look at the
   * directory, never a scan. Bounded by a timeout.
   *
   * @return a future completing when the store answered; failing with {@link
   *     StorageUnavailableException} (also on timeout) or {@link StorageClosedException}
   */
  CompletableFuture<Void> ping();

  /**
   * Returns a short name of the kind of store ({@code memory}, {@code file}, {@code postgresql},
   * {@code redis}…), for metrics and health reports. Never a location or a secret.
   */
  String kind();

  /**
   * Checks the whole store for entries that {@link #load} would reject (corrupt or foreign
   * documents, leftovers of interrupted writes), without failing on any of them. This is the
   * explicit, expensive check: it reads every stored session fully, as {@code load} does.
   * Listings report only what they meet cheaply.
   *
   * @return a future completing with the problems found, empty when there are none
   */
  CompletableFuture<List<ListingProblem>> problems();

  /**
   * Closes the store and releases what it opened. Idempotent; never throws. Afterwards every
   * operation fails with {@link StorageClosedException}.
   */
  @Override
  void close();
}
