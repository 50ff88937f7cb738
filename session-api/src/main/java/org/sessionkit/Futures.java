package org.sessionkit;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Small helpers for the futures of {@link SessionStorage}, for code that wants to block (tests,
 * command-line tools, framework adapters with synchronous interfaces). Thread safe; no state.
 */
public final class Futures {

  private Futures() {}

  /**
   * Waits for {@code future} and returns its value, rethrowing its failure as is: a {@link
   * SessionStorageException} (or whatever unchecked exception the future failed with) without
   * the {@code CompletionException}/{@code ExecutionException} wrapper.
   *
   * @throws StorageUnavailableException if the thread is interrupted while waiting (the
   *     interrupt flag is kept) or the future was cancelled
   */
  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException("interrupted while waiting for the store", e);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (CancellationException e) {
      throw new StorageUnavailableException("the operation was cancelled", e);
    }
  }

  /**
   * Like {@link #await(CompletableFuture)}, but gives up after {@code timeout}.
   *
   * @throws StorageUnavailableException if the future is not done in time
   */
  public static <T> T await(CompletableFuture<T> future, long timeout, TimeUnit unit) {
    try {
      return future.get(timeout, unit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException("interrupted while waiting for the store", e);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (TimeoutException e) {
      throw new StorageUnavailableException(
          "the store did not answer within " + timeout + " " + unit.name().toLowerCase(), e);
    } catch (CancellationException e) {
      throw new StorageUnavailableException("the operation was cancelled", e);
    }
  }

  /** Returns the failure inside {@code CompletionException} / {@code ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static RuntimeException rethrow(Throwable cause) {
    Throwable c = unwrap(cause);
    if (c instanceof RuntimeException r) {
      return r;
    }
    if (c instanceof Error e) {
      throw e;
    }
    return new StorageUnavailableException(String.valueOf(c.getMessage()), c);
  }
}
