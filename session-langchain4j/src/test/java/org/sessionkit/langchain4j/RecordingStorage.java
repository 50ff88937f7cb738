package org.sessionkit.langchain4j;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorage;
import org.sessionkit.VersionedSession;
import org.sessionkit.tck.ForwardingSessionStorage;

/**
 * A store decorator that counts the calls the adapters make, to show which reads and writes they
 * chose, and injects failures.
 */
final class RecordingStorage extends ForwardingSessionStorage {
  final AtomicInteger loads = new AtomicInteger();
  final AtomicInteger tailReads = new AtomicInteger();
  final AtomicInteger appends = new AtomicInteger();
  final AtomicInteger conditionalSaves = new AtomicInteger();
  final AtomicInteger creates = new AtomicInteger();
  final AtomicInteger plainSaves = new AtomicInteger();
  final AtomicInteger deletes = new AtomicInteger();
  /** When set, loads never complete (a store that stopped answering). */
  volatile boolean hang;
  /** When set, every conditional write fails as if another writer always got there first. */
  volatile boolean alwaysConflict;
  /**
   * How many of the next appends are applied but then fail with {@link AmbiguousOutcomeException},
   * as when the reply of the store is lost.
   */
  final AtomicInteger appliedButReplyLost = new AtomicInteger();

  RecordingStorage(SessionStorage delegate) {
    super(delegate);
  }

  /** The store underneath, for writes the adapter must not see counted or failed. */
  SessionStorage inner() {
    return delegate;
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
  public CompletableFuture<Revision> saveIf(Session session, Revision expected, IdempotencyKey key) {
    conditionalSaves.incrementAndGet();
    return alwaysConflict ? conflict() : delegate.saveIf(session, expected, key);
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    creates.incrementAndGet();
    return alwaysConflict ? conflict() : delegate.create(session);
  }

  @Override
  public CompletableFuture<Revision> create(Session session, IdempotencyKey key) {
    creates.incrementAndGet();
    return alwaysConflict ? conflict() : lossy(delegate.create(session, key));
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
  public CompletableFuture<SessionSlice> loadTail(String id, int count) {
    tailReads.incrementAndGet();
    return hang ? new CompletableFuture<>() : delegate.loadTail(id, count);
  }

  @Override
  public CompletableFuture<SessionSlice> loadBefore(String id, long beforeIndex, int count) {
    tailReads.incrementAndGet();
    return hang ? new CompletableFuture<>() : delegate.loadBefore(id, beforeIndex, count);
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
  public CompletableFuture<Revision> append(String id, Append append) {
    appends.incrementAndGet();
    return alwaysConflict ? conflict() : lossy(delegate.append(id, append));
  }

  /** Applies the write, then (while {@link #appliedButReplyLost} is positive) loses its reply. */
  private CompletableFuture<Revision> lossy(CompletableFuture<Revision> write) {
    return write.thenApply(revision -> {
      if (appliedButReplyLost.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new AmbiguousOutcomeException("injected: the reply of an applied write was lost");
      }
      return revision;
    });
  }

  private static <T> CompletableFuture<T> conflict() {
    return CompletableFuture.failedFuture(new RevisionConflictException("injected conflict"));
  }
}
