package org.sessionkit.redis.internal;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Carries the completion of one call from the thread that got the reply (a Lettuce I/O thread,
 * or the timer of a timeout) to a thread where callbacks may block: to a caller already
 * waiting for the call's future (in {@code join} or {@code get}) if there is one, else to the
 * completion executor.
 *
 * <p>Why: handing every completion to the executor costs a thread wake-up on top of the one
 * that wakes the waiting caller (about 30–40 µs of a 150 µs append on a 2-core machine); a
 * caller that waits can run the completion itself, on its own thread, which is no I/O thread
 * and is blocked anyway. Callbacks attached without an executor then run on that caller's
 * thread, as {@link CompletableFuture} allows for any thread that completes a future.
 *
 * <p>One relay serves one call and hands over exactly one task, exactly once. Thread safe.
 */
final class Relay {

  /** The slot once the task has been handed over (to a waiting caller or the executor). */
  private static final Object TAKEN = new Object();

  private final Executor executor;

  /**
   * Empty (null), a waiting caller's {@link Thread}, the task handed to it (a {@link Task}: a
   * bare Runnable could not be told from a Thread, which is one), or {@link #TAKEN}.
   */
  private final AtomicReference<@Nullable Object> slot = new AtomicReference<>();

  Relay(Executor executor) {
    this.executor = executor;
  }

  /** Returns a new, incomplete future of this relay's call. */
  <T> Future<T> newFuture() {
    return new Future<>(this);
  }

  /**
   * Runs {@code task} (which completes the call's future) on the caller waiting for it, or on
   * the executor when no caller waits. Called once per relay, from any thread.
   */
  void complete(Runnable task) {
    while (true) {
      Object s = slot.get();
      if (s == null) {
        if (slot.compareAndSet(null, TAKEN)) {
          executor.execute(task);
          return;
        }
      } else if (s instanceof Thread waiter) {
        if (slot.compareAndSet(s, new Task(task))) {
          LockSupport.unpark(waiter);
          return;
        }
      } else {
        // (a second completion of one call: never happens; run it rather than lose it)
        executor.execute(task);
        return;
      }
    }
  }

  /**
   * Waits, until {@code deadline} ({@link System#nanoTime()}; {@code Long.MAX_VALUE} for none),
   * for either {@code target} to complete or the call's task, and runs the task here if it
   * comes. Returns at once if another caller already waits or the task was handed over. An
   * interrupt ends the wait with the thread's interrupt status kept: the caller's own wait
   * then deals with it.
   */
  void help(CompletableFuture<?> target, long deadline) {
    if (target.isDone() || slot.get() != null || Thread.currentThread() instanceof FastThreadLocalThread) {
      // (on an I/O thread, waiting here could never see the reply that thread has to read)
      return;
    }
    Thread me = Thread.currentThread();
    if (!slot.compareAndSet(null, me)) {
      return;
    }
    // (the target may complete without this call's task: a chain of calls, a cancel)
    target.whenComplete((v, e) -> LockSupport.unpark(me));
    while (true) {
      Object s = slot.get();
      if (s instanceof Task handed) {
        slot.set(TAKEN);
        handed.run().run();
        return;
      }
      long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
      if (target.isDone() || Thread.currentThread().isInterrupted() || left <= 0) {
        if (slot.compareAndSet(me, null)) {
          return; // the task, when it comes, goes to the executor or to another caller
        }
        continue; // the task has just been handed over: run it
      }
      LockSupport.parkNanos(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
    }
  }

  /** The task, as handed to a waiting caller. */
  private record Task(Runnable run) {}

  /**
   * A future of a relay's call, and of the stages made from it ({@code thenApply}, {@code
   * thenCompose}…): a caller waiting in {@code join} or {@code get} on any of them runs the
   * call's completion itself when it comes.
   *
   * @param <T> the value
   */
  static final class Future<T> extends CompletableFuture<T> {

    private final Relay relay;

    Future(Relay relay) {
      this.relay = relay;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new Future<>(relay);
    }

    @Override
    public T join() {
      relay.help(this, Long.MAX_VALUE);
      return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
      relay.help(this, Long.MAX_VALUE);
      return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
      long start = System.nanoTime();
      long nanos = unit.toNanos(timeout);
      relay.help(this, nanos >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE : start + nanos);
      return super.get(Math.max(0, nanos - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
    }
  }
}
