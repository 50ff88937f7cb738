package org.sessionkit.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import org.sessionkit.spi.AbstractSessionStorage;
import org.sessionkit.Append;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorageException;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;

/**
 * A {@link SessionStorage} that keeps sessions in memory: the reference implementation of the
 * contract, for tests and single-process applications that need no durability. Opened as
 * {@code memory:}; every instance is a separate, empty store.
 *
 * <p>Fully concurrent without a global lock: writes of one id are serialised by the map's
 * per-key atomic {@code compute}; writes of different ids run in parallel. Sessions are
 * immutable, so they are stored and returned without copies. Listing walks an ordered index
 * (listing order, and ids in code-point order for prefix queries) instead of sorting every
 * session on each call. Revisions come from one counter, so a revision is never reused for an id,
 * not even after a delete. All futures are already complete when returned.
 */
public final class MemorySessionStorage extends AbstractSessionStorage {

  private record Entry(Session session, Revision revision) {}

  private static final Comparator<ListPosition> ORDER = ListPosition::compareTo;

  private final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<ListPosition> byUpdated = new ConcurrentSkipListSet<>(ORDER);
  private final ConcurrentSkipListSet<String> byId =
      new ConcurrentSkipListSet<>(SessionIds.CODE_POINT_ORDER);
  private final AtomicLong revisions = new AtomicLong();

  /** Creates an empty store. */
  public MemorySessionStorage() {
    super("memory:");
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    Revision[] out = new Revision[1];
    sessions.compute(
        session.id(),
        (id, old) -> {
          if (!condition.test(Optional.ofNullable(old).map(Entry::revision))) {
            if (old == null && isClosed()) {
              throw closed();
            }
            throw conflict(id, condition);
          }
          Entry fresh = new Entry(session, nextRevision());
          reindex(old, fresh);
          out[0] = fresh.revision();
          return fresh;
        });
    return CompletableFuture.completedFuture(out[0]);
  }

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    Entry e = sessions.get(id);
    if (e == null) {
      return CompletableFuture.failedFuture(missing(id));
    }
    return CompletableFuture.completedFuture(new VersionedSession(e.session(), e.revision()));
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    sessions.compute(
        id,
        (key, old) -> {
          if (old == null) {
            throw missing(key);
          }
          if (expected.isPresent() && !expected.get().equals(old.revision())) {
            throw new RevisionConflictException(
                "delete of " + quote(key) + ": the stored revision is not " + expected.get());
          }
          reindex(old, null);
          return null;
        });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    Revision[] out = new Revision[1];
    sessions.compute(
        id,
        (key, old) -> {
          if (old == null) {
            throw missing(key);
          }
          if (append.expectedRevision().isPresent()
              && !append.expectedRevision().get().equals(old.revision())) {
            throw new RevisionConflictException(
                "append to " + quote(key) + ": the stored revision is not "
                    + append.expectedRevision().get());
          }
          Session s = old.session();
          // The stored messages were checked when they were stored: check only what is new.
          validate(new Session(key, append.messages(), append.state(), s.createdAt(), append.updatedAt()));
          Entry fresh = new Entry(append.applyTo(s), nextRevision());
          reindex(old, fresh);
          out[0] = fresh.revision();
          return fresh;
        });
    return CompletableFuture.completedFuture(out[0]);
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    List<SessionSummary> found = new ArrayList<>(Math.min(request.fetchSize(), 1024));
    if (request.idPrefix().isPresent()) {
      // A prefix selects a range of the id index; only that range is sorted.
      String prefix = request.idPrefix().get();
      List<SessionSummary> matching = new ArrayList<>();
      for (String id : byId.tailSet(prefix, true)) {
        if (!id.startsWith(prefix)) {
          break;
        }
        Entry e = sessions.get(id);
        if (e != null && request.matches(e.session().updatedAt(), id)) {
          matching.add(summary(e));
        }
      }
      matching.sort(ListPosition.SUMMARY_ORDER);
      found.addAll(matching.subList(0, Math.min(matching.size(), request.fetchSize())));
    } else {
      Iterable<ListPosition> from =
          request.after().isPresent() ? byUpdated.tailSet(request.after().get(), false) : byUpdated;
      for (ListPosition p : from) {
        if (found.size() >= request.fetchSize()) {
          break;
        }
        if (request.updatedBefore().isPresent() && !p.updatedAt().isBefore(request.updatedBefore().get())) {
          continue;
        }
        if (request.updatedAfter().isPresent() && !p.updatedAt().isAfter(request.updatedAfter().get())) {
          break; // the index is sorted by updatedAt descending: nothing later can match
        }
        Entry e = sessions.get(p.id());
        // An index entry may be briefly stale while a write replaces it: trust only entries
        // that agree with the stored session.
        if (e != null && e.session().updatedAt().equals(p.updatedAt())) {
          found.add(summary(e));
        }
      }
    }
    if (isClosed()) {
      // close() may have emptied the indexes under this scan: don't pass a partial page off as
      // the store's content.
      return closedFailure();
    }
    return CompletableFuture.completedFuture(PageResult.of(found));
  }

  @Override
  protected void doClose() {
    sessions.clear();
    byUpdated.clear();
    byId.clear();
  }

  private void reindex(Entry old, Entry fresh) {
    // Called inside compute() for the id, so index changes of one id never interleave. The new
    // position is added before the old one is removed, so a concurrent listing never misses a
    // session that exists; doList() drops the stale position.
    if (fresh != null) {
      byUpdated.add(position(fresh));
      byId.add(fresh.session().id());
    }
    if (old != null) {
      ListPosition before = position(old);
      if (fresh == null || !before.equals(position(fresh))) {
        byUpdated.remove(before);
      }
      if (fresh == null) {
        byId.remove(old.session().id());
      }
    }
  }

  private static ListPosition position(Entry e) {
    return new ListPosition(e.session().updatedAt(), e.session().id());
  }

  private static SessionSummary summary(Entry e) {
    return e.session().summary(e.revision());
  }

  private Revision nextRevision() {
    return Revision.of(revisions.incrementAndGet());
  }

  private static RevisionConflictException conflict(String id, WriteCondition condition) {
    if (condition instanceof WriteCondition.IfAbsent) {
      return new RevisionConflictException("create of " + quote(id) + ": a session with this id exists");
    }
    return new RevisionConflictException(
        "save of " + quote(id) + ": the stored revision is not "
            + ((WriteCondition.IfRevision) condition).expected() + " (or the session was deleted)");
  }

  /**
   * The error for an id that is not in the map: not found, unless {@link #close()} emptied the
   * map under an operation that was already running, which must then fail as closed rather than
   * tell its caller that the session does not exist.
   */
  private SessionStorageException missing(String id) {
    return isClosed() ? closed() : notFound(id);
  }

  private static StorageClosedException closed() {
    return new StorageClosedException("the store memory: is closed");
  }

  private static SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + quote(id) + " in memory:");
  }

  private static String quote(String id) {
    return '"' + id + '"';
  }
}
