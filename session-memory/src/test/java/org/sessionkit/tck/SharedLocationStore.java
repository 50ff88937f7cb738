package org.sessionkit.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.ListingProblem;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * A correct store over a shared {@link Location} — a stand-in for a directory or a server that
 * outlives the instances opened on it — so that the kit's PERSISTENT, CROSS_PROCESS and
 * CORRUPTIBLE checks can be run, and shown to catch broken stores, without a real medium.
 * Closing an instance leaves the location as it is.
 */
class SharedLocationStore extends DelegatingStore {

  /** What the instances share: the sessions and the entries damaged by a test. */
  static final class Location {
    private static final AtomicInteger COUNT = new AtomicInteger();

    final MemorySessionStorage data = new MemorySessionStorage();
    final Map<String, String> corrupt = new ConcurrentHashMap<>();
    final String name = "location-" + COUNT.incrementAndGet();

    /** Replaces what is stored for {@code id} by something that is not a session. */
    void corrupt(String id) {
      Futures.await(data.delete(id));
      corrupt.put(id, "{\"id\": \"" + id + "\", \"messages\": [tru");
    }
  }

  private final Location location;

  SharedLocationStore(Location location) {
    super(location.data, false);
    this.location = location;
  }

  Location location() {
    return location;
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    if (location.corrupt.containsKey(session.id())) {
      if (!(condition instanceof WriteCondition.Always)) {
        return CompletableFuture.failedFuture(new RevisionConflictException(
            "the entry " + session.id() + " is unreadable, its revision can't match"));
      }
      location.corrupt.remove(session.id());
    }
    return super.doSave(session, condition);
  }

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    if (location.corrupt.containsKey(id)) {
      return CompletableFuture.failedFuture(corruptError(id));
    }
    return super.doLoad(id);
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    if (location.corrupt.containsKey(id)) {
      if (expected.isPresent()) {
        return CompletableFuture.failedFuture(new RevisionConflictException("the entry " + id + " is unreadable"));
      }
      return location.corrupt.remove(id) != null
          ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(new SessionNotFoundException("no session " + id));
    }
    return super.doDelete(id, expected);
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    if (location.corrupt.containsKey(id)) {
      return CompletableFuture.failedFuture(corruptError(id));
    }
    return super.doAppend(id, append);
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    return super.doList(request).thenApply(result -> {
      if (request.after().isPresent()) {
        return result; // like a file store, report problems with the first page of a walk
      }
      List<ListingProblem> problems = new ArrayList<>(result.problems());
      location.corrupt.keySet().stream()
          .filter(id -> request.idPrefix().isEmpty() || id.startsWith(request.idPrefix().get()))
          .forEach(id -> problems.add(new ListingProblem(location.name + "/" + id, Optional.of(id), "not JSON")));
      return new PageResult(result.summaries(), problems);
    });
  }

  private CorruptDocumentException corruptError(String id) {
    return new CorruptDocumentException("the entry " + location.name + "/" + id + " is not a session document");
  }
}
