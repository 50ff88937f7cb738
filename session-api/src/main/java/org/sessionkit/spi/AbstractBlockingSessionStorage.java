package org.sessionkit.spi;

import org.sessionkit.SessionStorageException;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The base class of stores whose medium blocks (files, JDBC): runs every blocking operation on
 * an executor, never on the caller's thread or the common pool.
 *
 * <p>The executor is either the user's (never shut down by the store) or one the store creates
 * with a fixed number of daemon threads, shut down by {@link #close()} after the operations in
 * flight have finished (waiting at most {@link #CLOSE_WAIT_SECONDS} seconds).
 */
public abstract class AbstractBlockingSessionStorage extends AbstractSessionStorage {

  /** How long {@link #close()} waits for operations in flight on an executor the store owns. */
  public static final long CLOSE_WAIT_SECONDS = 30;

  private static final System.Logger LOG = System.getLogger("org.sessionkit");

  private final Executor executor;
  private final Optional<ExecutorService> owned;

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
    /** Runs the operation; may block. */
    T run() throws IOException;
  }

  /**
   * Runs {@code operation} on the store's executor. Its result completes the returned future; an
   * {@link IOException} (or {@link UncheckedIOException}) fails it with {@link
   * StorageUnavailableException} keeping the cause, a {@link SessionStorageException} fails it as
   * is; a rejected submission fails it with {@link StorageClosedException} when the store is
   * closed, else with {@link StorageUnavailableException}.
   */
  protected final <T> CompletableFuture<T> blocking(BlockingOperation<T> operation) {
    CompletableFuture<T> future = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            try {
              future.complete(operation.run());
            } catch (IOException e) {
              future.completeExceptionally(unavailable(e));
            } catch (UncheckedIOException e) {
              future.completeExceptionally(unavailable(e.getCause()));
            } catch (Throwable t) {
              future.completeExceptionally(t);
            }
          });
    } catch (RejectedExecutionException e) {
      if (isClosed()) {
        return closedFailure();
      }
      future.completeExceptionally(
          new StorageUnavailableException("the executor of " + description() + " rejected the operation", e));
    }
    return future;
  }

  /** Returns the exception for an I/O failure of this store. */
  protected StorageUnavailableException unavailable(IOException e) {
    return new StorageUnavailableException(
        "I/O error in " + description() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  /**
   * Shuts down the executor the store created, after the operations in flight. A subclass that
   * overrides this calls {@code super.doClose()} first, so that no operation in flight still
   * uses the resources it then releases.
   */
  @Override
  protected void doClose() {
    owned.ifPresent(
        service -> {
          service.shutdown();
          try {
            if (!service.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
              LOG.log(Level.WARNING, "operations of " + description() + " still running after close");
              service.shutdownNow();
            }
          } catch (InterruptedException e) {
            service.shutdownNow();
            Thread.currentThread().interrupt();
          }
        });
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
