package org.sessionkit.cli;

/**
 * The exit statuses of the {@code sessionkit} command, the same for every subcommand. Scripts may
 * rely on them; they are listed in every command's {@code --help}.
 */
public final class ExitCode {

  /** Everything asked for was done; {@code check} found no problem. */
  public static final int OK = 0;

  /**
   * The command ran, but some items failed (a session that could not be copied, exported,
   * imported or deleted) or {@code check} found problems. The output names each one.
   */
  public static final int FAILURES = 1;

  /** The command line was wrong: an unknown option, a missing argument, a malformed value. */
  public static final int USAGE = 2;

  /**
   * A store could not be used: a URI that no store serves or with a bad option, a server that
   * can't be reached, a medium that fails. Work done before the failure is kept; running the
   * same command again resumes.
   */
  public static final int STORE = 3;

  /** A session named on the command line ({@code show}, {@code rm}) does not exist. */
  public static final int NOT_FOUND = 4;

  private ExitCode() {}
}
