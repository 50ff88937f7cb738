package org.sessionkit.tck;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.SessionSlice;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * Forwards every call of the public contract to another store: the base of decorators and of
 * tests that change one operation (the kit's broken stores override the one they get wrong).
 * {@code stream} is not forwarded, so it walks this store's {@code list(query)}. {@link #close()}
 * closes the delegate; override it where the delegate belongs to someone else. As thread safe as
 * the delegate.
 */
public class ForwardingSessionStorage implements SessionStorage {

  /** The store every call goes to. */
  protected final SessionStorage delegate;

  /**
   * Creates a store forwarding to {@code delegate}.
   *
   * @param delegate the store every call goes to
   */
  public ForwardingSessionStorage(SessionStorage delegate) {
    this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
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
    delegate.close();
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected, IdempotencyKey key) {
    return delegate.saveIf(session, expected, key);
  }

  @Override
  public CompletableFuture<Revision> create(Session session, IdempotencyKey key) {
    return delegate.create(session, key);
  }

  @Override
  public CompletableFuture<Revision> update(String id, UnaryOperator<Session> change, IdempotencyKey key) {
    return delegate.update(id, change, key);
  }

  @Override
  public CompletableFuture<SessionSlice> loadTail(String id, int count) {
    return delegate.loadTail(id, count);
  }

  @Override
  public CompletableFuture<SessionSlice> loadBefore(String id, long beforeIndex, int count) {
    return delegate.loadBefore(id, beforeIndex, count);
  }

  @Override
  public CompletableFuture<Long> deleteMatching(DeleteFilter filter) {
    return delegate.deleteMatching(filter);
  }

  @Override
  public CompletableFuture<Void> ping() {
    return delegate.ping();
  }

  @Override
  public String kind() {
    return delegate.kind();
  }
}
