package org.sessionkit.cli;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * A store that hands every call to another; tests override what they change. {@link #close()}
 * does not close the delegate, so a test can look at a store after a command closed its view.
 */
class ForwardingStorage implements SessionStorage {

  final SessionStorage delegate;

  ForwardingStorage(SessionStorage delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableFuture<Revision> save(Session session) {
    return delegate.save(session);
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    return delegate.saveIf(session, expected);
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    return delegate.create(session);
  }

  @Override
  public CompletableFuture<Session> load(String id) {
    return delegate.load(id);
  }

  @Override
  public CompletableFuture<VersionedSession> loadVersioned(String id) {
    return delegate.loadVersioned(id);
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
    return delegate.delete(id);
  }

  @Override
  public CompletableFuture<Void> deleteIf(String id, Revision expected) {
    return delegate.deleteIf(id, expected);
  }

  @Override
  public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
    return delegate.update(id, change);
  }

  @Override
  public CompletableFuture<Revision> append(String id, Append append) {
    return delegate.append(id, append);
  }

  @Override
  public CompletableFuture<List<ListingProblem>> problems() {
    return delegate.problems();
  }

  @Override
  public void close() {
    // The delegate stays open: the test owns it.
  }
}
