package org.sessionkit.cli.internal;

import org.sessionkit.Futures;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sessionkit rm}: deletes sessions by id. */
@Command(
    name = "rm",
    header = "Delete sessions by id.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Delete sessions. Each id is reported as deleted, missing or failed; the others are"
        + " still deleted when one fails.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every session was deleted",
      "1:some deletions failed",
      RootCommand.EXIT_USAGE,
      RootCommand.EXIT_STORE,
      "4:some ids did not exist (and nothing else failed)"
    })
final class RmCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "URI", description = "The store, e.g. file:./sessions.")
  String uri;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "ID", description = "The ids of the sessions to delete.")
  java.util.List<String> ids;

  @Override
  int run(Io io) {
    int missing = 0;
    int failed = 0;
    try (SessionStorage store = io.openExisting("", uri)) {
      for (String id : ids) {
        try {
          Futures.await(store.delete(id));
          io.println("deleted " + Text.id(id));
        } catch (SessionNotFoundException e) {
          missing++;
          io.eprintln("no session " + Text.id(id));
        } catch (RuntimeException e) {
          if (Transfer.isStoreFailure(e)) {
            throw CliException.of("can't delete " + Text.id(id), e);
          }
          failed++;
          io.eprintln("failed: " + Text.id(id) + ": " + CliException.describe(e));
        }
      }
    }
    if (failed > 0) {
      return ExitCode.FAILURES;
    }
    return missing > 0 ? ExitCode.NOT_FOUND : ExitCode.OK;
  }
}
