package org.sessionkit.cli.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Keeps at most a fixed number of asynchronous operations in flight: {@link #submit} blocks the
 * calling thread while the limit is reached, so a fast producer (a listing, a file being read)
 * can't queue unbounded work and memory in front of a slower store. Thread safe.
 */
final class Bounded {

  private final int limit;
  private final Semaphore permits;

  /** Creates a limiter of {@code limit} operations in flight (at least 1). */
  Bounded(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1: " + limit);
    }
    this.limit = limit;
    this.permits = new Semaphore(limit);
  }

  /**
   * Waits for a free slot, starts {@code operation} and, when its future completes, calls {@code
   * done} with its value or failure (on the thread that completes it) and frees the slot. An
   * operation that throws instead of returning a future counts as failed the same way.
   *
   * @throws InterruptedException if the thread is interrupted while waiting for a slot
   */
  <T> void submit(Supplier<CompletableFuture<T>> operation, BiConsumer<T, Throwable> done)
      throws InterruptedException {
    permits.acquire();
    CompletableFuture<T> f;
    try {
      f = operation.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (value, failure) -> {
          try {
            done.accept(value, failure);
          } finally {
            permits.release();
          }
        });
  }

  /**
   * Waits until every submitted operation has completed and its {@code done} has returned.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void awaitAll() throws InterruptedException {
    permits.acquire(limit);
    permits.release(limit);
  }
}
