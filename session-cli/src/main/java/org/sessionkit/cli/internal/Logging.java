package org.sessionkit.cli.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes the log messages of the stores and their drivers (System.Logger and SLF4J both end in
 * java.util.logging here) for a command-line tool: silent by default, because the command itself
 * reports every problem it meets, and one line per message on the standard error with {@code
 * --verbose}. Only the {@code sessionkit} program installs it; a program embedding the command
 * keeps its own logging.
 */
public final class Logging {

  private static volatile boolean installed;

  private Logging() {}

  /**
   * Replaces the root logger's handlers with one that prints to {@code err}, scrubbing every
   * line with {@code scrub}, and silences it until {@link #verbose(boolean)}.
   */
  public static synchronized void install(PrintWriter err, UnaryOperator<String> scrub) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.OFF);
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (!isLoggable(r)) {
              return;
            }
            String msg = r.getMessage();
            if (r.getParameters() != null && msg != null && msg.contains("{")) {
              msg = java.text.MessageFormat.format(msg, r.getParameters());
            }
            StringBuilder b = new StringBuilder("[log] ")
                .append(r.getLevel().getName().toLowerCase(java.util.Locale.ROOT)).append(' ')
                .append(r.getLoggerName()).append(": ").append(msg);
            if (r.getThrown() != null) {
              StringWriter t = new StringWriter();
              r.getThrown().printStackTrace(new PrintWriter(t));
              b.append(System.lineSeparator()).append(t.toString().stripTrailing());
            }
            synchronized (err) {
              err.println(scrub.apply(b.toString()));
              err.flush();
            }
          }

          @Override
          public void flush() {
            err.flush();
          }

          @Override
          public void close() {}
        };
    h.setLevel(Level.ALL);
    root.addHandler(h);
    installed = true;
  }

  /** Shows log messages of level INFO and above when {@code verbose}, none otherwise. */
  public static void verbose(boolean verbose) {
    if (installed) {
      Logger.getLogger("").setLevel(verbose ? Level.INFO : Level.OFF);
    }
  }
}
