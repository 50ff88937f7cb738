package org.sessionkit.cli.internal;

import org.sessionkit.SessionStorageException;
import org.sessionkit.cli.ExitCode;

/** Ends a copy that a store failure stopped: says why and how to resume. */
final class Stops {

  private Stops() {}

  /**
   * Returns the exit status of a copy: {@link ExitCode#STORE} (after saying why) if a listing or
   * a store stopped it, else {@link ExitCode#FAILURES} if any session failed, else {@link
   * ExitCode#OK}.
   */
  static int exitCode(
      Io io, String command, SessionStorageException listingFailure, Transfer transfer, Tally.Counts counts) {
    Throwable stop = listingFailure != null ? listingFailure : transfer.stopped().orElse(null);
    if (stop != null) {
      io.eprintln("sessionkit " + command + ": stopped early: " + CliException.describe(stop));
      io.eprintln("what was done is kept; run the same command again to continue (done sessions are skipped)");
      return ExitCode.STORE;
    }
    return counts.failed() > 0 ? ExitCode.FAILURES : ExitCode.OK;
  }
}
