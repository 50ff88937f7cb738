package org.sessionkit.bench;

import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorage;

/**
 * The base of the raw baselines: the operations a baseline does not measure fail with {@link
 * UnsupportedOperationException}, so a benchmark that calls one fails loudly instead of
 * measuring nothing.
 */
abstract class RawBaseline implements SessionStorage {

  static <T> CompletableFuture<T> notInBaseline(String what) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(what + " is not part of the raw baseline"));
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected, IdempotencyKey key) {
    return notInBaseline("saveIf with an idempotency key");
  }

  @Override
  public CompletableFuture<Revision> create(Session session, IdempotencyKey key) {
    return notInBaseline("create with an idempotency key");
  }

  @Override
  public CompletableFuture<Revision> update(String id, UnaryOperator<Session> change, IdempotencyKey key) {
    return notInBaseline("update with an idempotency key");
  }

  @Override
  public CompletableFuture<SessionSlice> loadTail(String id, int count) {
    return notInBaseline("loadTail");
  }

  @Override
  public CompletableFuture<SessionSlice> loadBefore(String id, long beforeIndex, int count) {
    return notInBaseline("loadBefore");
  }

  @Override
  public CompletableFuture<Long> deleteMatching(DeleteFilter filter) {
    return notInBaseline("deleteMatching");
  }

  @Override
  public CompletableFuture<Void> ping() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public String kind() {
    return "raw";
  }
}
