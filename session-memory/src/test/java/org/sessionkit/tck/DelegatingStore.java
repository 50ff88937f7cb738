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
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.IdempotencyKey;

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
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition, IdempotencyKey key) {
    if (condition instanceof WriteCondition.IfRevision ifRevision) {
      return backing.saveIf(session, ifRevision.expected(), key);
    }
    if (condition instanceof WriteCondition.IfAbsent) {
      return backing.create(session, key);
    }
    return super.doSave(session, condition, key); // the base never asks for a keyed plain save
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    // Through the public stream (which follows the backing store's own cursors): slow, but a
    // stand-in medium needs no more, and it uses nothing but the contract.
    ListQuery q = new ListQuery(ListQuery.MAX_LIMIT, request.idPrefix(), request.updatedBefore(), request.updatedAfter(),
        Optional.empty(), request.customKeys());
    List<SessionSummary> found = new ArrayList<>();
    try (var stream = backing.stream(q)) {
      for (var it = stream.iterator(); it.hasNext() && found.size() < request.fetchSize(); ) {
        SessionSummary s = it.next();
        if (request.after().isEmpty() || request.after().get().isBefore(s.updatedAt(), s.id())) {
          found.add(s);
        }
      }
    }
    return CompletableFuture.completedFuture(PageResult.of(found));
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
