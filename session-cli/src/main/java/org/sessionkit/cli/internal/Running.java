package org.sessionkit.cli.internal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which command is running, so that the program can say, when it is stopped with Ctrl-C, that
 * the work done is kept and how to resume. Thread safe.
 */
public final class Running {

  private static final AtomicReference<String> COMMAND = new AtomicReference<>();

  private Running() {}

  static void started(String command) {
    COMMAND.set(command);
  }

  static void finished() {
    COMMAND.set(null);
  }

  /** Returns the name of the command under way, if one is. */
  public static Optional<String> command() {
    return Optional.ofNullable(COMMAND.get());
  }

  /** Returns what to tell a person who interrupted {@code command}. */
  public static String interruptedMessage(String command) {
    return switch (command) {
      case "migrate", "import" -> "sessionkit " + command + ": interrupted; every session written so far is"
          + " complete and kept: run the same command again to continue (what is done is skipped)";
      case "export" -> "sessionkit export: interrupted; the output file was not written (only a hidden"
          + " .partial file beside it may be left): run the same command again";
      default -> "sessionkit " + command + ": interrupted";
    };
  }
}
