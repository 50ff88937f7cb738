package org.sessionkit.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.sessionkit.spi.AbstractSessionStorage;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.spi.ListPosition;

/**
 * A correct backend (on the shared base class) whose medium is another store, by default a
 * {@code MemorySessionStorage}: each {@code do…} method maps to one public call. Broken stores
 * override one method to misbehave the way a real backend could.
 */
class DelegatingStore extends AbstractSessionStorage {

  protected final SessionStorage backing;
  private final boolean closeBacking;

  DelegatingStore(SessionStorage backing, boolean closeBacking) {
    super("delegating:");
    this.backing = backing;
    this.closeBacking = closeBacking;
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    if (condition instanceof WriteCondition.IfRevision ifRevision) {
      return backing.saveIf(session, ifRevision.expected());
    }
    if (condition instanceof WriteCondition.IfAbsent) {
      return backing.create(session);
    }
    return backing.save(session);
  }

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    return backing.loadVersioned(id);
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    return expected.isPresent() ? backing.deleteIf(id, expected.get()) : backing.delete(id);
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    return backing.append(id, append);
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    List<SessionSummary> found = new ArrayList<>();
    ListQuery q = new ListQuery(Math.min(request.fetchSize(), ListQuery.MAX_LIMIT), request.idPrefix(),
        request.updatedBefore(), request.updatedAfter(), request.after().map(ListPosition::cursor));
    while (true) {
      SessionPage page = Futures.await(backing.list(q));
      found.addAll(page.summaries());
      if (found.size() >= request.fetchSize() || page.nextCursor().isEmpty()) {
        break;
      }
      q = q.after(page.nextCursor().get());
    }
    return CompletableFuture.completedFuture(
        PageResult.of(found.subList(0, Math.min(found.size(), request.fetchSize()))));
  }

  /** Lists every stored summary, unordered and unfiltered, for mutants that list naively. */
  protected List<SessionSummary> everything() {
    return Futures.await(backing.list());
  }

  @Override
  protected void doClose() {
    if (closeBacking) {
      backing.close();
    }
  }
}
