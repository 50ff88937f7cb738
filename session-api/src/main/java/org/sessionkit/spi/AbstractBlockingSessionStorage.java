package org.sessionkit.spi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.SessionStorageException;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;

/**
 * The base class of stores whose medium blocks (files, JDBC, a blocking client): runs every
 * blocking operation on an executor, never on the caller's thread or the common pool.
 *
 * <p>The executor is either the user's (never shut down by the store) or one the store creates
 * with a fixed number of daemon threads.
 *
 * <h2>Closing never leaves a future pending</h2>
 *
 * {@link #close()} fails every operation that has not started with {@link
 * StorageClosedException}; it waits at most {@link #CLOSE_WAIT_SECONDS} seconds for the ones
 * running, and then fails those still running with {@link AmbiguousOutcomeException} if they are
 * writes (a write that may have committed never looks "closed", which would invite a duplicating
 * retry) or with {@link StorageUnavailableException} if they are reads. Called from one of the
 * store's own operations (for example {@code save(s).thenRun(store::close)} completing on a
 * store thread) it does not wait for itself.
 */
public abstract class AbstractBlockingSessionStorage extends AbstractSessionStorage {

  /** How long {@link #close()} waits for operations in flight. */
  public static final long CLOSE_WAIT_SECONDS = 30;

  private static final System.Logger LOG = System.getLogger("org.sessionkit");

  /** Set while a thread runs one of this class's operations (of any store). */
  private static final ThreadLocal<AbstractBlockingSessionStorage> RUNNING_FOR = new ThreadLocal<>();

  private final Executor executor;
  private final Optional<ExecutorService> owned;
  private final Set<Task<?>> pending = ConcurrentHashMap.newKeySet();
  private volatile long closeWaitMillis = TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS);

  /**
   * Creates the base of a blocking store.
   *
   * @param description what this store is, for messages and logs; never a secret
   * @param executor the user's executor, or empty to create one with {@code threads} threads
   * @param threads the number of threads of the executor the store creates (at least 1)
   */
  protected AbstractBlockingSessionStorage(
      String description, Optional<Executor> executor, int threads) {
    super(description);
    Objects.requireNonNull(executor, "executor");
    if (executor.isPresent()) {
      this.executor = executor.get();
      this.owned = Optional.empty();
    } else {
      if (threads < 1) {
        throw new IllegalArgumentException("threads < 1: " + threads);
      }
      ExecutorService service = Executors.newFixedThreadPool(threads, daemonThreads(description));
      this.executor = service;
      this.owned = Optional.of(service);
    }
  }

  /** A blocking operation of a store. */
  @FunctionalInterface
  protected interface BlockingOperation<T> {
    /**
     * Runs the operation; may block and may throw what its medium throws ({@link IOException},
     * {@code SQLException}…), which {@link #translate} turns into the store's exceptions.
     */
    T run() throws Exception;
  }

  /**
   * Runs the read {@code operation} on the store's executor. Its result completes the returned
   * future; a {@link SessionStorageException} fails it as is; any other exception goes through
   * {@link #translate}; a rejected submission fails it with {@link StorageClosedException} when
   * the store is closed, else with {@link StorageUnavailableException}.
   */
  protected final <T> CompletableFuture<T> blocking(BlockingOperation<T> operation) {
    return submit(operation, false);
  }

  /**
   * Runs the write {@code operation} as {@link #blocking} does; if {@link #close()} gives up
   * waiting for it, it fails with {@link AmbiguousOutcomeException} instead.
   */
  protected final <T> CompletableFuture<T> blockingWrite(BlockingOperation<T> operation) {
    return submit(operation, true);
  }

  /**
   * Turns what a blocking operation threw (other than a {@link SessionStorageException}) into
   * the store's exception. The default makes an {@link IOException} (or {@link
   * UncheckedIOException}) a {@link StorageUnavailableException} naming the store and keeping
   * the cause, and anything else the same with the exception's class in the message. Stores
   * override it to tell apart failures whose outcome is unknown ({@link
   * AmbiguousOutcomeException}) and failures of the caller's input.
   *
   * @param failure what the operation threw
   * @param write whether the operation was a write ({@link #blockingWrite})
   */
  protected SessionStorageException translate(Exception failure, boolean write) {
    if (failure instanceof UncheckedIOException u) {
      return unavailable(u.getCause());
    }
    if (failure instanceof IOException io) {
      return unavailable(io);
    }
    return new StorageUnavailableException(
        "error in " + description() + ": " + failure.getClass().getSimpleName() + ": " + failure.getMessage(),
        failure);
  }

  /** Returns the exception for an I/O failure of this store. */
  protected StorageUnavailableException unavailable(IOException e) {
    return new StorageUnavailableException(
        "I/O error in " + description() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  /** For tests of the close semantics: how long {@link #close()} waits for running operations. */
  protected final void closeWait(long millis) {
    this.closeWaitMillis = millis;
  }

  private <T> CompletableFuture<T> submit(BlockingOperation<T> operation, boolean write) {
    Task<T> task = new Task<>(operation, write);
    pending.add(task);
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      pending.remove(task);
      if (isClosed()) {
        return closedFailure();
      }
      task.future.completeExceptionally(
          new StorageUnavailableException("the executor of " + description() + " rejected the operation", e));
    }
    if (isClosed()) {
      // close() may have drained the queue before this task was added: fail it if it has not
      // started, so that it neither hangs nor runs after close.
      task.failIfQueued(closedException());
    }
    return task.future;
  }

  private StorageClosedException closedException() {
    return new StorageClosedException("the store " + description() + " is closed");
  }

  /**
   * Fails what has not started, waits (bounded) for what runs, then fails what still runs and
   * shuts down the executor the store created. A subclass that overrides this calls {@code
   * super.doClose()} first, so that no operation in flight still uses the resources it then
   * releases.
   */
  @Override
  protected void doClose() {
    for (Task<?> t : pending) {
      t.failIfQueued(closedException());
    }
    owned.ifPresent(ExecutorService::shutdown);
    boolean selfCall = RUNNING_FOR.get() == this;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(closeWaitMillis);
    boolean interrupted = false;
    while (!selfCall && !pending.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
    }
    for (Task<?> t : pending) {
      if (t.thread != Thread.currentThread()) {
        t.failRunning();
      }
    }
    if (!pending.isEmpty() && !selfCall) {
      LOG.log(Level.WARNING, "operations of " + description() + " still running after close");
    }
    if (!selfCall) {
      owned.ifPresent(ExecutorService::shutdownNow);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** One submitted operation: queued, then running, then done — or failed by close. */
  private final class Task<T> implements Runnable {
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;

    final CompletableFuture<T> future = new CompletableFuture<>();
    final AtomicInteger state = new AtomicInteger(QUEUED);
    final BlockingOperation<T> operation;
    final boolean write;
    volatile Thread thread;

    Task(BlockingOperation<T> operation, boolean write) {
      this.operation = operation;
      this.write = write;
    }

    @Override
    public void run() {
      if (!state.compareAndSet(QUEUED, RUNNING)) {
        return;
      }
      thread = Thread.currentThread();
      AbstractBlockingSessionStorage previous = RUNNING_FOR.get();
      RUNNING_FOR.set(AbstractBlockingSessionStorage.this);
      try {
        T result;
        try {
          result = operation.run();
        } catch (SessionStorageException e) {
          finish(null, e);
          return;
        } catch (Exception e) {
          finish(null, translate(e, write));
          return;
        } catch (Throwable t) {
          finish(null, t);
          return;
        }
        finish(result, null);
      } finally {
        if (previous == null) {
          RUNNING_FOR.remove();
        } else {
          RUNNING_FOR.set(previous);
        }
      }
    }

    private void finish(T result, Throwable failure) {
      state.set(DONE);
      pending.remove(this);
      // Complete after leaving the pending set, so that a close() called by a dependent stage
      // on this thread does not count this task as still running.
      if (failure == null) {
        future.complete(result);
      } else {
        future.completeExceptionally(failure);
      }
    }

    void failIfQueued(StorageClosedException e) {
      if (state.compareAndSet(QUEUED, DONE)) {
        pending.remove(this);
        future.completeExceptionally(e);
      }
    }

    void failRunning() {
      if (state.get() == RUNNING) {
        String what = "the store " + description() + " was closed while this operation was running";
        future.completeExceptionally(write
            ? new AmbiguousOutcomeException(what + "; the write may or may not have been applied")
            : new StorageUnavailableException(what));
      }
    }
  }

  private static ThreadFactory daemonThreads(String description) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "sessionkit-" + description + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
