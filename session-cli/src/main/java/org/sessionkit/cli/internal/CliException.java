package org.sessionkit.cli.internal;

import java.net.UnknownHostException;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.InvalidIdException;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.cli.ExitCode;

/**
 * A failure that ends a command with a message for a person and an {@link ExitCode}; the cause,
 * if any, is shown only with {@code --verbose}. Messages may hold URIs: they are printed through
 * {@link Secrets#scrub}.
 */
public final class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  /** Creates a failure with {@code message}, ending the command with {@code exitCode}. */
  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** Returns a usage error ({@link ExitCode#USAGE}). */
  public static CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message, null);
  }

  /** Returns the exit status this failure ends the command with. */
  public int exitCode() {
    return exitCode;
  }

  /**
   * Returns the failure to open the {@code role} store of {@code uri}: what could not be done,
   * which store (the URI, redacted, unless the store's message already names it) and why.
   *
   * @param role "source", "target", or empty for the only store of a command
   */
  static CliException opening(String role, String uri, RuntimeException e) {
    Throwable c = Futures.unwrap(e);
    String shown = StorageUri.redact(uri);
    String store = role.isEmpty() ? "the store" : "the " + role + " store";
    String why = describe(c);
    String which = why.contains(shown) ? "" : " " + shown;
    if (c instanceof StorageConfigurationException) {
      return new CliException(ExitCode.STORE, "can't open " + store + ": " + why, c);
    }
    if (c instanceof StorageUnavailableException) {
      return new CliException(ExitCode.STORE, "can't reach " + store + which + ": " + why, c);
    }
    return new CliException(ExitCode.STORE, "can't open " + store + which + ": " + why, c);
  }

  /** Returns {@code t} as a failure of the command, with {@code context} before its message. */
  public static CliException of(String context, Throwable t) {
    Throwable c = Futures.unwrap(t);
    if (c instanceof CliException cli) {
      return cli;
    }
    String message = (context.isEmpty() ? "" : context + ": ") + describe(c);
    return new CliException(exitCodeOf(c), message, c);
  }

  /** Returns the exit status a failure of a store operation ends a command with. */
  public static int exitCodeOf(Throwable t) {
    Throwable c = Futures.unwrap(t);
    if (c instanceof CliException cli) {
      return cli.exitCode;
    }
    if (c instanceof SessionNotFoundException) {
      return ExitCode.NOT_FOUND;
    }
    if (c instanceof StorageUnavailableException
        || c instanceof StorageConfigurationException
        || c instanceof StorageClosedException) {
      return ExitCode.STORE;
    }
    if (c instanceof InvalidIdException || c instanceof InvalidArgumentException) {
      return ExitCode.USAGE;
    }
    if (c instanceof CorruptDocumentException) {
      return ExitCode.FAILURES;
    }
    return ExitCode.FAILURES;
  }

  /**
   * Describes a failure for a person: its message and, when it adds something, the message of
   * its innermost cause — the "why" of a failed connection is usually there ("Connection
   * refused", an unknown host). Never a stack trace.
   */
  public static String describe(Throwable t) {
    Throwable c = Futures.unwrap(t);
    String text = message(c);
    Throwable root = c;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 20; depth++) {
      root = root.getCause();
    }
    if (root != c) {
      String why = root instanceof UnknownHostException
          ? "unknown host " + (root.getMessage() == null ? "" : root.getMessage().strip())
          : message(root).lines().findFirst().orElse("").strip();
      if (!why.isEmpty() && !text.contains(why)) {
        text = text + ": " + why;
      }
    }
    return text;
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? simpleName(t) : m.strip();
  }

  private static String simpleName(Throwable t) {
    String n = t.getClass().getSimpleName();
    return n.isEmpty() ? t.getClass().getName() : n;
  }
}
