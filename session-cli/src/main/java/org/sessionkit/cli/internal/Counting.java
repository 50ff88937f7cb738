package org.sessionkit.cli.internal;

import org.sessionkit.ListQuery;
import org.sessionkit.SessionStorage;

/**
 * Counts a listing on a daemon thread beside the work, to give a progress bar its total
 * without delaying the start. Only done for a bar: it costs one more walk of the listing.
 */
final class Counting {

  private Counting() {}

  /** Starts counting {@code query} on {@code store}; the total goes to {@code progress}. */
  static void inBackground(SessionStorage store, ListQuery query, Progress progress) {
    Thread t = new Thread(() -> {
      try {
        progress.total(Walk.count(store, query));
      } catch (RuntimeException e) {
        // No total: the bar shows counts without a percentage. The walk reports the failure.
      }
    }, "sessionkit-count");
    t.setDaemon(true);
    t.start();
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
