package org.sessionkit.cli.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import org.sessionkit.cli.ExitCode;
import org.sessionkit.cli.StoreOpener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code sessionkit} command itself: its subcommands, {@code --help} and {@code --version}. */
@Command(
    name = "sessionkit",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Look into any sessionkit store, check it, back it up and move sessions between stores.",
      "",
      "A store is named by a URI, as in SessionStorages.open: file:./sessions, file:/var/lib/agent/sessions,"
          + " postgresql://user@host:5432/db, redis://host:6379/0, memory: (options in the query string,"
          + " e.g. file:./sessions?fsync=false). Passwords in URIs are never printed.",
      ""
    },
    commandListHeading = "Commands:%n",
    subcommands = {
      LsCommand.class,
      ShowCommand.class,
      RmCommand.class,
      CheckCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      MigrateCommand.class
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:done; for check: no problem found",
      RootCommand.EXIT_FAILURES,
      RootCommand.EXIT_USAGE,
      RootCommand.EXIT_STORE,
      RootCommand.EXIT_NOT_FOUND
    },
    footer = {"", "Run 'sessionkit COMMAND --help' for the options of a command."})
public final class RootCommand implements Callable<Integer> {

  // The exit status list of every --help (picocli's "key:description" form).
  static final String EXIT_OK = "0:done";
  static final String EXIT_FAILURES =
      "1:some sessions failed (each is named), or check found problems";
  static final String EXIT_USAGE = "2:wrong command line (unknown option, missing argument, bad value)";
  static final String EXIT_STORE =
      "3:a store can't be used (unknown scheme, bad option, unreachable server); work done is kept,"
          + " run again to resume";
  static final String EXIT_NOT_FOUND = "4:a session named on the command line does not exist";

  private final StoreOpener opener;
  private final InputStream in;
  private final OutputStream rawOut;
  private final boolean terminal;
  private final Secrets secrets;

  @Spec CommandSpec spec;

  /**
   * Creates the command.
   *
   * @param opener opens stores by URI
   * @param in the standard input
   * @param rawOut the standard output, for exported documents
   * @param terminal whether the standard error is an interactive terminal
   * @param secrets the secrets of this run's URIs, filled as they are seen
   */
  public RootCommand(StoreOpener opener, InputStream in, OutputStream rawOut, boolean terminal, Secrets secrets) {
    this.opener = opener;
    this.in = in;
    this.rawOut = rawOut;
    this.terminal = terminal;
    this.secrets = secrets;
  }

  /** Without a command: prints the usage and fails as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("sessionkit: a command is missing");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCode.USAGE;
  }

  /** Returns the streams and opener of this run, with the text writers of {@code command}. */
  Io io(CommandSpec command) {
    return new Io(
        opener,
        in,
        rawOut,
        command.commandLine().getOut(),
        command.commandLine().getErr(),
        terminal,
        secrets);
  }
}
