package org.sessionkit.tck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.AbstractSessionStorage;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.spi.WriteLog;

/**
 * A correct store over a shared {@link Location} — a stand-in for a directory or a server that
 * outlives the instances opened on it — so that every check of the kit, the capability checks
 * (PERSISTENT, CROSS_PROCESS, CORRUPTIBLE with both kinds of damage) and retention included, can
 * be run and shown to catch broken stores without a real medium. Written for obviousness, not
 * speed: every operation holds the location's one lock. It keeps what a real store keeps beside
 * each session: its revision, its write log (idempotency keys) and the time of its last write
 * by the location's clock. Closing an instance leaves the location as it is.
 *
 * <p>The {@code protected} methods are the seams mutants override to break one clause.
 */
class SharedLocationStore extends AbstractSessionStorage {

  /** What is stored for one id. */
  record Entry(Session session, Revision revision, WriteLog log, Instant writtenAt) {}

  /** What the instances share: the sessions, the damaged entries, the clock and the retention. */
  static final class Location {
    private static final AtomicInteger COUNT = new AtomicInteger();

    final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    final Map<String, Entry> entries = new HashMap<>();
    /** Entries whose whole document is unreadable: listed as problems. Guarded by {@link #lock}. */
    final Map<String, String> corrupt = new HashMap<>();
    /** Entries whose head is intact but whose messages can't be read. Guarded by {@link #lock}. */
    final Set<String> bodyCorrupt = new LinkedHashSet<>();
    final String name = "location-" + COUNT.incrementAndGet();
    final Clock clock;
    final Optional<Duration> retention;
    /** Guarded by {@link #lock}. */
    long revisions;

    Location() {
      this(Clock.systemUTC(), Optional.empty());
    }

    Location(Clock clock, Optional<Duration> retention) {
      this.clock = clock;
      this.retention = retention;
    }

    /** Replaces what is stored for {@code id} by something that is not a session. */
    void corrupt(String id) {
      synchronized (lock) {
        entries.remove(id);
        corrupt.put(id, "{\"id\": \"" + id + "\", \"messages\": [tru");
      }
    }

    /** Damages the messages of {@code id}, leaving its head (summary, state) readable. */
    void corruptBody(String id) {
      synchronized (lock) {
        bodyCorrupt.add(id);
      }
    }
  }

  final Location location;

  SharedLocationStore(Location location) {
    super("location:" + location.name);
    this.location = location;
  }

  Location location() {
    return location;
  }

  // ---------------------------------------------------------------- seams for mutants

  /** The stored entry of {@code id} if it is there and not expired. Call with the lock held. */
  protected Entry live(String id) {
    Entry e = location.entries.get(id);
    return e != null && !expired(e) ? e : null;
  }

  /** Whether the last write of {@code e} is older than the retention. */
  protected boolean expired(Entry e) {
    return location.retention.isPresent()
        && location.clock.instant().isAfter(e.writtenAt().plus(location.retention.get()));
  }

  /** The revision of an applied write with {@code key}, if {@code current}'s log remembers one. Lock held. */
  protected Optional<Revision> applied(String id, Entry current, IdempotencyKey key) {
    return current == null ? Optional.empty() : current.log().find(key);
  }

  /** The write log stored with the write after {@code current} that produced {@code revision}. Lock held. */
  protected WriteLog logAfter(String id, Entry current, Optional<IdempotencyKey> key, Revision revision) {
    return (current == null ? WriteLog.empty() : current.log()).after(key, revision);
  }

  /** Called when a write of {@code id} fails its condition; changes nothing. Lock held. */
  protected void onConflict(String id, Entry current, Optional<IdempotencyKey> key) {}

  /** The entry written for {@code session}; {@code previous} is the live entry or null. Lock held. */
  protected Entry written(Session session, Revision revision, WriteLog log, Entry previous, boolean append) {
    return new Entry(session, revision, log, location.clock.instant());
  }

  /** Whether {@link #doProblems()} reads every entry fully (true) or only walks the listing. */
  protected boolean fullProblemCheck() {
    return true;
  }

  /** The summary a listing gives for an entry. */
  protected SessionSummary summarise(Entry e, PageRequest request) {
    return e.session().summary(e.revision(), request.customKeys());
  }

  // ---------------------------------------------------------------- the backend

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    return write(session, condition, Optional.empty());
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition, IdempotencyKey key) {
    return write(session, condition, Optional.of(key));
  }

  private CompletableFuture<Revision> write(Session session, WriteCondition condition, Optional<IdempotencyKey> key) {
    synchronized (location.lock) {
      sweep();
      String id = session.id();
      if (location.corrupt.containsKey(id)) {
        if (!(condition instanceof WriteCondition.Always)) {
          return CompletableFuture.failedFuture(new RevisionConflictException(
              "the entry " + id + " is unreadable, its revision can't match"));
        }
        location.corrupt.remove(id);
      }
      Entry current = live(id);
      if (key.isPresent()) {
        Optional<Revision> applied = applied(id, current, key.get());
        if (applied.isPresent()) {
          return CompletableFuture.completedFuture(applied.get());
        }
      }
      if (!condition.test(Optional.ofNullable(current).map(Entry::revision))) {
        onConflict(id, current, key);
        return CompletableFuture.failedFuture(new RevisionConflictException(
            "write of " + id + ": the stored revision is not the expected one"));
      }
      return CompletableFuture.completedFuture(put(session, current, key, false));
    }
  }

  /** Stores {@code session} as the write after {@code current}. Call with the lock held. */
  private Revision put(Session session, Entry current, Optional<IdempotencyKey> key, boolean append) {
    Revision r = Revision.of(location.name + "/" + ++location.revisions);
    location.entries.put(session.id(), written(session, r, logAfter(session.id(), current, key, r), current, append));
    location.bodyCorrupt.remove(session.id());
    return r;
  }

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    synchronized (location.lock) {
      if (location.corrupt.containsKey(id) || location.bodyCorrupt.contains(id) && live(id) != null) {
        return CompletableFuture.failedFuture(corruptError(id));
      }
      Entry e = live(id);
      if (e == null) {
        return CompletableFuture.failedFuture(new SessionNotFoundException("no session " + id));
      }
      return CompletableFuture.completedFuture(new VersionedSession(e.session(), e.revision()));
    }
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    synchronized (location.lock) {
      sweep();
      if (location.corrupt.containsKey(id)) {
        if (expected.isPresent()) {
          return CompletableFuture.failedFuture(new RevisionConflictException("the entry " + id + " is unreadable"));
        }
        location.corrupt.remove(id);
        return CompletableFuture.completedFuture(null);
      }
      Entry e = live(id);
      if (e == null) {
        return CompletableFuture.failedFuture(new SessionNotFoundException("no session " + id));
      }
      if (expected.isPresent() && !expected.get().equals(e.revision())) {
        return CompletableFuture.failedFuture(new RevisionConflictException("delete of " + id + ": stale revision"));
      }
      location.entries.remove(id);
      location.bodyCorrupt.remove(id);
      return CompletableFuture.completedFuture(null);
    }
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    synchronized (location.lock) {
      sweep();
      if (location.corrupt.containsKey(id) || location.bodyCorrupt.contains(id) && live(id) != null) {
        return CompletableFuture.failedFuture(corruptError(id));
      }
      Entry current = live(id);
      if (current == null) {
        return CompletableFuture.failedFuture(new SessionNotFoundException("no session " + id));
      }
      if (append.idempotencyKey().isPresent()) {
        Optional<Revision> applied = applied(id, current, append.idempotencyKey().get());
        if (applied.isPresent()) {
          return CompletableFuture.completedFuture(applied.get());
        }
      }
      if (append.expectedRevision().isPresent() && !append.expectedRevision().get().equals(current.revision())) {
        onConflict(id, current, append.idempotencyKey());
        return CompletableFuture.failedFuture(new RevisionConflictException("append to " + id + ": stale revision"));
      }
      Session appended = append.applyTo(current.session());
      validate(appended);
      return CompletableFuture.completedFuture(put(appended, current, append.idempotencyKey(), true));
    }
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    synchronized (location.lock) {
      List<SessionSummary> found = new ArrayList<>();
      for (Map.Entry<String, Entry> e : location.entries.entrySet()) {
        if (live(e.getKey()) != null && request.matches(e.getValue().session().updatedAt(), e.getKey())) {
          found.add(summarise(e.getValue(), request));
        }
      }
      found.sort(ListPosition.SUMMARY_ORDER);
      List<SessionSummary> page = List.copyOf(found.subList(0, Math.min(found.size(), request.fetchSize())));
      List<ListingProblem> problems = new ArrayList<>();
      if (request.after().isEmpty()) {
        // like a file store, report unreadable documents with the first page of a walk
        location.corrupt.keySet().stream()
            .filter(id -> request.idPrefix().isEmpty() || id.startsWith(request.idPrefix().get()))
            .forEach(id -> problems.add(new ListingProblem(location.name + "/" + id, Optional.of(id), "not JSON")));
      }
      return CompletableFuture.completedFuture(new PageResult(page, problems));
    }
  }

  /** The full check: every entry load would reject, the ones with an intact head included. */
  @Override
  protected CompletableFuture<List<ListingProblem>> doProblems() {
    if (!fullProblemCheck()) {
      return super.doProblems();
    }
    synchronized (location.lock) {
      List<ListingProblem> problems = new ArrayList<>();
      location.corrupt.keySet().forEach(id -> problems.add(new ListingProblem(location.name + "/" + id, Optional.of(id), "not JSON")));
      location.bodyCorrupt.stream().filter(id -> live(id) != null)
          .forEach(id -> problems.add(new ListingProblem(location.name + "/" + id, Optional.of(id), "messages unreadable")));
      return CompletableFuture.completedFuture(List.copyOf(problems));
    }
  }

  /**
   * Removes a few expired entries, re-checking each under the lock (so a session written since
   * it expired stays): sweeping is built in and bounded per call. Call with the lock held.
   */
  protected void sweep() {
    if (location.retention.isEmpty()) {
      return;
    }
    int budget = 16;
    for (Iterator<Map.Entry<String, Entry>> it = location.entries.entrySet().iterator(); it.hasNext() && budget > 0; ) {
      Map.Entry<String, Entry> e = it.next();
      if (expired(e.getValue())) {
        it.remove();
        location.bodyCorrupt.remove(e.getKey());
        budget--;
      }
    }
  }

  private CorruptDocumentException corruptError(String id) {
    return new CorruptDocumentException("the entry " + location.name + "/" + id + " is not a session document");
  }
}
