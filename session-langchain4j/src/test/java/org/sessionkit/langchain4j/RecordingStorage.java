package org.sessionkit.langchain4j;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/** A store decorator that counts the calls the adapter makes, to show which writes it chose. */
final class RecordingStorage implements SessionStorage {
  final SessionStorage delegate;
  final AtomicInteger loads = new AtomicInteger();
  final AtomicInteger appends = new AtomicInteger();
  final AtomicInteger conditionalSaves = new AtomicInteger();
  final AtomicInteger creates = new AtomicInteger();
  final AtomicInteger plainSaves = new AtomicInteger();
  final AtomicInteger deletes = new AtomicInteger();
  /** When set, loads never complete (a store that stopped answering). */
  volatile boolean hang;
  /** When set, every conditional write fails as if another writer always got there first. */
  volatile boolean alwaysConflict;

  RecordingStorage(SessionStorage delegate) {
    this.delegate = delegate;
  }

  int writes() {
    return appends.get() + conditionalSaves.get() + creates.get() + plainSaves.get();
  }

  @Override
  public CompletableFuture<Revision> save(Session session) {
    plainSaves.incrementAndGet();
    return delegate.save(session);
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    conditionalSaves.incrementAndGet();
    return alwaysConflict ? conflict() : delegate.saveIf(session, expected);
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    creates.incrementAndGet();
    return alwaysConflict ? conflict() : delegate.create(session);
  }

  @Override
  public CompletableFuture<Session> load(String id) {
    loads.incrementAndGet();
    return delegate.load(id);
  }

  @Override
  public CompletableFuture<VersionedSession> loadVersioned(String id) {
    loads.incrementAndGet();
    return hang ? new CompletableFuture<>() : delegate.loadVersioned(id);
  }

  @Override
  public CompletableFuture<List<SessionSummary>> list() {
    return delegate.list();
  }

  @Override
  public CompletableFuture<SessionPage> list(ListQuery query) {
    return delegate.list(query);
  }

  @Override
  public CompletableFuture<Void> delete(String id) {
    deletes.incrementAndGet();
    return delegate.delete(id);
  }

  @Override
  public CompletableFuture<Void> deleteIf(String id, Revision expected) {
    deletes.incrementAndGet();
    return delegate.deleteIf(id, expected);
  }

  @Override
  public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
    return delegate.update(id, change);
  }

  @Override
  public CompletableFuture<Revision> append(String id, Append append) {
    appends.incrementAndGet();
    return alwaysConflict ? conflict() : delegate.append(id, append);
  }

  @Override
  public CompletableFuture<List<ListingProblem>> problems() {
    return delegate.problems();
  }

  private static <T> CompletableFuture<T> conflict() {
    return CompletableFuture.failedFuture(new RevisionConflictException("injected conflict"));
  }

  @Override
  public void close() {
    delegate.close();
  }
}
