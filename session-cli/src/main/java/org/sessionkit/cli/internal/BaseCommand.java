package org.sessionkit.cli.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.sessionkit.SessionStorageException;
import org.sessionkit.cli.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The shape of every subcommand: it runs with the {@link Io} of the run, and every failure it
 * expects ends it with a one-line message and an {@link ExitCode}, a stack trace only with
 * {@code --verbose}. Everything printed passes {@link Secrets#scrub}.
 */
abstract class BaseCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Spec CommandSpec spec;

  @Mixin Options.Common common;

  /** Runs the command; returns its exit status. */
  abstract int run(Io io) throws Exception;

  @Override
  public final Integer call() {
    Io io = root.io(spec);
    Logging.verbose(common.verbose);
    Running.started(spec.name());
    try {
      return run(io);
    } catch (CliException e) {
      return fail(io, e.getMessage(), e.getCause(), e.exitCode());
    } catch (SessionStorageException e) {
      return fail(io, CliException.describe(e), e, CliException.exitCodeOf(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(io, "interrupted", e, ExitCode.STORE);
    } catch (Exception e) {
      return fail(io, "unexpected failure: " + CliException.describe(e)
          + (common.verbose ? "" : " (--verbose shows where)"), e, ExitCode.FAILURES);
    } finally {
      Running.finished();
      io.out().flush();
      io.err().flush();
    }
  }

  private int fail(Io io, String message, Throwable cause, int exitCode) {
    io.eprintln("sessionkit " + spec.name() + ": " + message);
    if (common.verbose && cause != null) {
      StringWriter trace = new StringWriter();
      cause.printStackTrace(new PrintWriter(trace));
      io.eprintln(trace.toString().stripTrailing());
    }
    return exitCode;
  }
}
