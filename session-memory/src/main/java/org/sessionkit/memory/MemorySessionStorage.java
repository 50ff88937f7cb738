package org.sessionkit.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import org.sessionkit.IdempotencyKey;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.spi.WriteLog;

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
 *
 * <p>Idempotency keys are kept in each entry's {@link WriteLog}, checked and recorded inside the
 * same atomic {@code compute} as the write. With a {@linkplain Builder#retention retention}, a
 * session not written for that long (by the store's {@link Clock}) is absent for every
 * operation at once; writes and listings sweep a bounded number of expired entries as they go.
 */
public final class MemorySessionStorage extends AbstractSessionStorage {

  private record Entry(Session session, Revision revision, WriteLog log, Instant writtenAt) {}

  /** How many expired sessions one call removes at most. */
  private static final int SWEEP_BATCH = 32;

  private static final Comparator<ListPosition> ORDER = ListPosition::compareTo;

  private final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<ListPosition> byUpdated = new ConcurrentSkipListSet<>(ORDER);
  private final ConcurrentSkipListSet<String> byId =
      new ConcurrentSkipListSet<>(SessionIds.CODE_POINT_ORDER);
  private final ConcurrentSkipListSet<ListPosition> byWritten = new ConcurrentSkipListSet<>(
      java.util.Comparator.comparing(ListPosition::updatedAt).thenComparing(ListPosition::id, SessionIds.CODE_POINT_ORDER));
  private final AtomicLong revisions = new AtomicLong();
  private final Optional<Duration> retention;
  private final Clock clock;

  /** Creates an empty store that keeps sessions until they are deleted. */
  public MemorySessionStorage() {
    this(builder());
  }

  private MemorySessionStorage(Builder b) {
    super("memory:");
    this.retention = b.retention;
    this.clock = b.clock;
  }

  /** Returns a builder of memory stores (for a retention, or a clock in tests). */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link MemorySessionStorage}. Not thread safe; each {@link #build()} is a new, empty store. */
  public static final class Builder {
    private Optional<Duration> retention = Optional.empty();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Expires a session once it has not been written for {@code retention} (by the store's
     * clock, not by its {@code updatedAt}); {@link Duration#ZERO} keeps sessions forever.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder retention(Duration retention) {
      if (retention.isNegative()) {
        throw new IllegalArgumentException("retention must not be negative: " + retention);
      }
      this.retention = retention.isZero() ? Optional.empty() : Optional.of(retention);
      return this;
    }

    /** The clock that times writes for the retention (the system UTC clock by default). */
    public Builder clock(Clock clock) {
      this.clock = java.util.Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Returns a new, empty store. */
    public MemorySessionStorage build() {
      return new MemorySessionStorage(this);
    }
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition, IdempotencyKey key) {
    return write(session, condition, Optional.of(key));
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    return write(session, condition, Optional.empty());
  }

  private CompletableFuture<Revision> write(
      Session session, WriteCondition condition, Optional<IdempotencyKey> key) {
    Revision[] out = new Revision[1];
    Instant now = clock.instant();
    sessions.compute(
        session.id(),
        (id, stored) -> {
          Entry old = live(stored, now);
          if (key.isPresent() && old != null) {
            Optional<Revision> done = old.log().find(key.get());
            if (done.isPresent()) {
              out[0] = done.get();
              return stored; // applied before: apply nothing
            }
          }
          if (!condition.test(Optional.ofNullable(old).map(Entry::revision))) {
            if (old == null && isClosed()) {
              throw closed();
            }
            throw conflict(id, condition);
          }
          Revision rev = nextRevision();
          WriteLog log = old == null ? WriteLog.empty() : old.log();
          Entry fresh = new Entry(session, rev, log.after(key, rev), now);
          reindex(stored, fresh);
          out[0] = rev;
          return fresh;
        });
    sweep(now);
    return CompletableFuture.completedFuture(out[0]);
  }
  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    Entry e = live(sessions.get(id), clock.instant());
    if (e == null) {
      return CompletableFuture.failedFuture(missing(id));
    }
    return CompletableFuture.completedFuture(new VersionedSession(e.session(), e.revision()));
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    sessions.compute(
        id,
        (key, stored) -> {
          Entry old = live(stored, clock.instant());
          if (old == null) {
            throw missing(key); // an expired entry was absent all along; a sweep removes it
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
    Instant now = clock.instant();
    sessions.compute(
        id,
        (key, stored) -> {
          Entry old = live(stored, now);
          if (old == null) {
            throw missing(key);
          }
          if (append.idempotencyKey().isPresent()) {
            Optional<Revision> done = old.log().find(append.idempotencyKey().get());
            if (done.isPresent()) {
              out[0] = done.get();
              return stored; // applied before: apply nothing
            }
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
          Revision rev = nextRevision();
          Entry fresh = new Entry(append.applyTo(s), rev, old.log().after(append.idempotencyKey(), rev), now);
          reindex(old, fresh);
          out[0] = rev;
          return fresh;
        });
    sweep(now);
    return CompletableFuture.completedFuture(out[0]);
  }

  @Override
  protected CompletableFuture<Void> doPing() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    Instant now = clock.instant();
    sweep(now);
    List<SessionSummary> found = new ArrayList<>(Math.min(request.fetchSize(), 1024));
    if (request.idPrefix().isPresent()) {
      // A prefix selects a range of the id index; only that range is sorted.
      String prefix = request.idPrefix().get();
      List<SessionSummary> matching = new ArrayList<>();
      for (String id : byId.tailSet(prefix, true)) {
        if (!id.startsWith(prefix)) {
          break;
        }
        Entry e = live(sessions.get(id), now);
        if (e != null && request.matches(e.session().updatedAt(), id)) {
          matching.add(summary(e, request));
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
        Entry e = live(sessions.get(p.id()), now);
        // An index entry may be briefly stale while a write replaces it: trust only entries
        // that agree with the stored session.
        if (e != null && e.session().updatedAt().equals(p.updatedAt())) {
          found.add(summary(e, request));
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
    byWritten.clear();
  }

  private void reindex(Entry old, Entry fresh) {
    // Called inside compute() for the id, so index changes of one id never interleave. The new
    // position is added before the old one is removed, so a concurrent listing never misses a
    // session that exists; doList() drops the stale position.
    if (fresh != null) {
      byUpdated.add(position(fresh));
      byId.add(fresh.session().id());
      if (retention.isPresent()) {
        byWritten.add(new ListPosition(fresh.writtenAt(), fresh.session().id()));
      }
    }
    if (old != null) {
      if (retention.isPresent() && (fresh == null || !fresh.writtenAt().equals(old.writtenAt()))) {
        byWritten.remove(new ListPosition(old.writtenAt(), old.session().id()));
      }
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

  private static SessionSummary summary(Entry e, PageRequest request) {
    return e.session().summary(e.revision(), request.customKeys());
  }

  /** Returns {@code e} unless it is absent or expired at {@code now}. */
  private Entry live(Entry e, Instant now) {
    if (e == null || retention.isEmpty()) {
      return e;
    }
    return e.writtenAt().plus(retention.get()).isAfter(now) ? e : null;
  }

  /**
   * Removes up to {@link #SWEEP_BATCH} expired sessions, oldest write first, each re-checked
   * inside its atomic {@code compute}: a session written meanwhile survives.
   */
  private void sweep(Instant now) {
    if (retention.isEmpty()) {
      return;
    }
    for (int i = 0; i < SWEEP_BATCH; i++) {
      ListPosition oldest;
      try {
        oldest = byWritten.first();
      } catch (java.util.NoSuchElementException e) {
        return;
      }
      if (oldest.updatedAt().plus(retention.get()).isAfter(now)) {
        return;
      }
      sessions.computeIfPresent(oldest.id(), (id, stored) -> {
        if (live(stored, now) != null) {
          return stored;
        }
        reindex(stored, null);
        return null;
      });
      byWritten.remove(oldest); // also when the entry changed: its current position is another one
    }
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
