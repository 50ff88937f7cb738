package org.sessionkit.testproviders;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.sessionkit.spi.AbstractSessionStorage;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;

/**
 * The simplest correct store on top of {@link AbstractSessionStorage}, used to test the base
 * class in isolation (sorting everything on each listing; fine for tests).
 */
public final class StubStorage extends AbstractSessionStorage {
  private final ConcurrentHashMap<String, VersionedSession> map = new ConcurrentHashMap<>();
  private final AtomicLong counter = new AtomicLong();
  /** How many times {@link #doClose()} ran. */
  public final AtomicLong closes = new AtomicLong();

  /** Creates a store described as {@code description}. */
  public StubStorage(String description) {
    super(description);
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    Revision r = Revision.of(counter.incrementAndGet());
    map.compute(
        session.id(),
        (k, old) -> {
          if (!condition.test(Optional.ofNullable(old).map(VersionedSession::revision))) {
            throw new RevisionConflictException("conflict on " + k);
          }
          return new VersionedSession(session, r);
        });
    return CompletableFuture.completedFuture(r);
  }

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    VersionedSession v = map.get(id);
    return v == null
        ? CompletableFuture.failedFuture(new SessionNotFoundException("no " + id))
        : CompletableFuture.completedFuture(v);
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    map.compute(
        id,
        (k, old) -> {
          if (old == null) {
            throw new SessionNotFoundException("no " + k);
          }
          if (expected.isPresent() && !expected.get().equals(old.revision())) {
            throw new RevisionConflictException("conflict on " + k);
          }
          return null;
        });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    List<SessionSummary> all =
        map.values().stream()
            .map(v -> v.session().summary(v.revision()))
            .filter(request::matches)
            .sorted(ListPosition.SUMMARY_ORDER)
            .limit(request.fetchSize())
            .toList();
    return CompletableFuture.completedFuture(PageResult.of(all));
  }

  private volatile java.time.Duration giveUpAfter = AbstractSessionStorage.UPDATE_GIVE_UP_AFTER;

  /** Sets how long updates retry (the test of giving up shortens it). */
  public void giveUpAfter(java.time.Duration d) {
    this.giveUpAfter = d;
  }

  @Override
  protected java.time.Duration updateGiveUpAfter() {
    return giveUpAfter;
  }

  @Override
  protected void doClose() {
    closes.incrementAndGet();
  }
}
