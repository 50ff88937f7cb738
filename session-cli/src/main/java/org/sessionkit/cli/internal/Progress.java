package org.sessionkit.cli.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Shows how far a long run has got, on the standard error: a progress bar redrawn in place on a
 * terminal, or a plain line every few seconds when the output goes to a file or a pipe (where a
 * bar would fill a log with carriage returns). A daemon thread draws; the work never waits for
 * it. The total may become known late (it is counted beside the work); until then the bar shows
 * counts without a percentage. Thread safe.
 */
final class Progress implements AutoCloseable {

  /** How progress is shown. */
  enum Mode {
    /** A bar on a terminal, else lines. */
    AUTO,
    /** A bar redrawn in place. */
    BAR,
    /** A plain line every interval. */
    LINES,
    /** Nothing. */
    NONE
  }

  private static final Duration BAR_REFRESH = Duration.ofMillis(200);
  private static final int BAR_CELLS = 24;

  // Before the first item is done: a store that scans a whole location for its first page
  // (files) takes a while to answer it.
  private static final String STARTING = "waiting for the first page of the listing";

  private final Io io;
  private final boolean bar;
  private final String verb;
  private final LongSupplier done;
  private final Supplier<String> details;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;
  private volatile long total = -1;
  private int lastWidth;
  private boolean closed;

  private Progress(Io io, Mode mode, Duration interval, String verb, LongSupplier done, Supplier<String> details) {
    this.io = io;
    Mode m = mode == Mode.AUTO ? (io.terminal() ? Mode.BAR : Mode.LINES) : mode;
    this.bar = m == Mode.BAR;
    this.verb = verb;
    this.done = done;
    this.details = details;
    if (m == Mode.NONE) {
      timer = null;
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sessionkit-progress");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, (bar ? BAR_REFRESH : interval).toNanos());
    timer.scheduleAtFixedRate(this::draw, every, every, TimeUnit.NANOSECONDS);
  }

  /**
   * Starts showing progress.
   *
   * @param mode how; {@link Mode#AUTO} draws a bar only on a terminal
   * @param interval how often a plain line is printed (the bar is redrawn 5 times a second)
   * @param verb what is being done, first on every line ("migrate", "export")
   * @param done how many items are done so far
   * @param details the counts to show after the number done
   */
  static Progress start(
      Io io, Mode mode, Duration interval, String verb, LongSupplier done, Supplier<String> details) {
    return new Progress(io, mode, interval, verb, done, details);
  }

  /** Returns whether a bar is drawn (so knowing the total is worth a count). */
  boolean drawsBar() {
    return bar && timer != null;
  }

  /** Sets the total number of items, once it is known. */
  void total(long total) {
    this.total = total;
  }

  private synchronized void draw() {
    if (closed) {
      return;
    }
    try {
      if (bar) {
        String line = barLine();
        int width = line.codePointCount(0, line.length());
        io.err().print("\r" + line + " ".repeat(Math.max(0, lastWidth - width)));
        io.err().flush();
        lastWidth = width;
      } else {
        io.eprintln(plainLine());
      }
    } catch (RuntimeException e) {
      // Progress is a courtesy: never let drawing disturb the work.
    }
  }

  private String barLine() {
    long n = done.getAsLong();
    long t = total;
    if (n == 0) {
      return verb + " \u00b7 " + STARTING + " \u00b7 " + Text.duration(Duration.ofNanos(System.nanoTime() - startNanos));
    }
    StringBuilder b = new StringBuilder(verb).append(' ');
    if (t > 0) {
      int filled = (int) Math.min(BAR_CELLS, n * BAR_CELLS / t);
      b.append('[').append("\u2588".repeat(filled)).append("\u2591".repeat(BAR_CELLS - filled)).append("] ");
      b.append(percent(n, t)).append(' ').append(Text.count(n)).append('/').append(Text.count(t));
    } else {
      b.append(Text.count(n));
    }
    b.append(" \u00b7 ").append(details.get()).append(" \u00b7 ").append(rateAndEta(n, t));
    return b.toString();
  }

  private String plainLine() {
    long n = done.getAsLong();
    long t = total;
    if (n == 0) {
      return verb + ": " + STARTING + " \u00b7 " + Text.duration(Duration.ofNanos(System.nanoTime() - startNanos));
    }
    StringBuilder b = new StringBuilder(verb).append(": ").append(Text.count(n));
    if (t > 0) {
      b.append(" of ").append(Text.count(t)).append(" (").append(percent(n, t)).append(')');
    }
    b.append(" done \u00b7 ").append(details.get()).append(" \u00b7 ").append(rateAndEta(n, t));
    return b.toString();
  }

  private String rateAndEta(long n, long t) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    String s = Text.rate(n, elapsed) + " \u00b7 " + Text.duration(elapsed);
    if (t > 0 && n > 0 && n < t) {
      long leftNanos = (long) ((double) elapsed.toNanos() * (t - n) / n);
      s += ", about " + Text.duration(Duration.ofNanos(leftNanos)) + " left";
    }
    return s;
  }

  private static String percent(long n, long t) {
    return String.format(Locale.ROOT, "%d%%", Math.min(100, n * 100 / Math.max(1, t)));
  }

  /** Stops drawing; a bar is drawn one last time and ended with a line break. */
  @Override
  public synchronized void close() {
    if (closed || timer == null) {
      closed = true;
      return;
    }
    timer.shutdownNow();
    if (bar) {
      String line = barLine();
      int width = line.codePointCount(0, line.length());
      io.err().print("\r" + line + " ".repeat(Math.max(0, lastWidth - width)) + System.lineSeparator());
      io.err().flush();
    }
    closed = true;
  }
}
