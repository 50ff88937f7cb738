package org.sessionkit.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.sessionkit.cli.internal.Logging;
import org.sessionkit.cli.internal.RootCommand;
import org.sessionkit.cli.internal.Running;
import org.sessionkit.cli.internal.Secrets;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code sessionkit} command: {@code ls}, {@code show}, {@code rm}, {@code check}, {@code
 * export}, {@code import} and {@code migrate} on any store found on the class path, named by the
 * same URIs as {@link org.sessionkit.SessionStorages#open(String)}.
 *
 * <pre>{@code
 * java -jar sessionkit.jar ls file:./sessions
 * java -jar sessionkit.jar migrate file:./sessions 'postgresql://agent@db:5432/agents'
 * }</pre>
 *
 * <p>{@link #main} runs it as a program and exits with one of the {@link ExitCode}s. {@link
 * #commandLine} builds the same command for a program that embeds it (or a test), with its own
 * streams and stores; each call returns a new, independent command, which is not thread safe
 * (run it from one thread).
 */
public final class Sessionkit {

  private Sessionkit() {}

  /**
   * Runs the command with the process's standard streams and exits with its status.
   *
   * @param args the command line, e.g. {@code ls file:./sessions --limit 20}
   */
  public static void main(String... args) {
    Secrets secrets = new Secrets();
    CommandLine cmd = commandLine(StoreOpener.discovering(), System.in, System.out, System.err, isTerminal(), secrets);
    Logging.install(cmd.getErr(), secrets::scrub);
    // Ctrl-C ends the JVM at once; say what that means for the work under way.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> Running.command().ifPresent(c -> {
      System.err.println();
      System.err.println(Running.interruptedMessage(c));
      System.err.flush();
    }), "sessionkit-interrupted"));
    int status = cmd.execute(args);
    cmd.getOut().flush();
    cmd.getErr().flush();
    System.exit(status);
  }

  /**
   * Returns the command, reading and writing the given streams and opening stores with {@code
   * opener}. Progress is printed as plain lines (the streams are not taken for a terminal).
   * {@link CommandLine#execute} returns the exit status; text is written as UTF-8.
   *
   * @param opener opens the stores named on the command line
   * @param in what {@code import} reads when no file is given
   * @param out the standard output (exported documents are written to it byte for byte)
   * @param err the standard error: messages, progress
   */
  public static CommandLine commandLine(StoreOpener opener, InputStream in, PrintStream out, PrintStream err) {
    return commandLine(opener, in, out, err, false, new Secrets());
  }

  private static CommandLine commandLine(
      StoreOpener opener, InputStream in, PrintStream out, PrintStream err, boolean terminal, Secrets secrets) {
    Objects.requireNonNull(opener, "opener");
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    CommandLine cmd = new CommandLine(new RootCommand(opener, in, out, terminal, secrets));
    cmd.setOut(writer(out));
    cmd.setErr(writer(err));
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setParameterExceptionHandler((ParameterException e, String[] args) -> {
      // The message may quote an argument, and arguments may be URIs with passwords.
      for (String a : args) {
        secrets.register(a);
      }
      CommandLine failed = e.getCommandLine();
      PrintWriter w = failed.getErr();
      String name = failed.getCommandSpec().qualifiedName();
      w.println(secrets.scrub(name + ": " + e.getMessage()));
      if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, w)) {
        w.println("Run '" + name + " --help' for its usage.");
      }
      w.flush();
      return ExitCode.USAGE;
    });
    return cmd;
  }

  private static PrintWriter writer(OutputStream out) {
    return new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
  }

  /**
   * Whether the process talks to a person: a console is attached and, on Java 22 and later
   * (where {@code System.console()} is never null), it is a terminal.
   */
  private static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method m = java.io.Console.class.getMethod("isTerminal");
      return (Boolean) m.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // before Java 22: a console means a terminal
    }
  }
}
