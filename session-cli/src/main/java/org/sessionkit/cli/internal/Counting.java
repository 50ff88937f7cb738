package org.sessionkit.cli.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;

/**
 * Counts a listing on a daemon thread beside the work, to give a progress bar its total
 * without delaying the start. Only done for a bar: it costs one more walk of the listing.
 */
final class Counting {

  private Counting() {}

  /**
   * Starts counting {@code query} on {@code store}; the total goes to {@code progress}. Returns
   * after the count's first page has arrived (or failed): the work's own walk then starts on a
   * store that has just answered the same question (a file store has its heads cached), instead
   * of both walks paying for a cold first page at once.
   */
  static void inBackground(SessionStorage store, ListQuery query, Progress progress) {
    CompletableFuture<Void> firstPage = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        ListQuery q = query.limit(ListQuery.MAX_LIMIT);
        SessionPage first = Futures.await(store.list(q));
        firstPage.complete(null);
        long n = first.summaries().size();
        if (first.nextCursor().isPresent()) {
          n += Walk.count(store, q.after(first.nextCursor().get()));
        }
        progress.total(n);
      } catch (RuntimeException e) {
        // No total: the bar shows counts without a percentage. The walk reports the failure.
      } finally {
        firstPage.complete(null);
      }
    }, "sessionkit-count");
    t.setDaemon(true);
    t.start();
    try {
      firstPage.get(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Start the work anyway.
    }
  }

  /** Starts counting the lines of {@code file} (blank ones too: the total is an estimate). */
  static void linesInBackground(java.nio.file.Path file, Progress progress) {
    Thread t = new Thread(() -> {
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
        byte[] buffer = new byte[1 << 16];
        long lines = 0;
        int last = '\n';
        int n;
        while ((n = in.read(buffer)) > 0) {
          for (int i = 0; i < n; i++) {
            if (buffer[i] == '\n') {
              lines++;
            }
          }
          last = buffer[n - 1];
        }
        progress.total(last == '\n' ? lines : lines + 1);
      } catch (java.io.IOException e) {
        // No total: the bar shows counts without a percentage.
      }
    }, "sessionkit-count");
    t.setDaemon(true);
    t.start();
  }
}
