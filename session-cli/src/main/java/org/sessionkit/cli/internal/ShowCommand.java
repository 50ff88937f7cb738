package org.sessionkit.cli.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.sessionkit.Futures;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionStorage;
import org.sessionkit.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sessionkit show}: one session, as a conversation or as its exact document. */
@Command(
    name = "show",
    header = "Show one session as a conversation (or --json: its document).",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show one session as a person reads it: times, working directory, token usage, then every"
          + " message with its role and text; reasoning, tool calls and tool results on one"
          + " shortened line each.",
      "--json prints the session's document in the shared format (neuron's JSON) instead."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      RootCommand.EXIT_OK,
      "1:the stored session can't be read (a corrupt document)",
      RootCommand.EXIT_USAGE,
      RootCommand.EXIT_STORE,
      RootCommand.EXIT_NOT_FOUND
    })
final class ShowCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "URI", description = "The store, e.g. file:./sessions.")
  String uri;

  @Parameters(index = "1", paramLabel = "ID", description = "The session id.")
  String id;

  @Option(names = "--json", description = "Print the session document (pretty-printed JSON, every field exactly).")
  boolean json;

  @Option(names = "--full", description = "Don't shorten tool calls, tool results and reasoning.")
  boolean full;

  @Override
  int run(Io io) throws IOException {
    Session session;
    try (SessionStorage store = io.openExisting("", uri)) {
      try {
        session = Futures.await(store.load(id));
      } catch (RuntimeException e) {
        throw CliException.of("can't show " + Text.id(id), e);
      }
    }
    if (json) {
      // The document itself, not scrubbed: it is data, and must stay byte for byte what the
      // format says.
      io.out().println(new String(SessionCodec.defaults().encodePretty(session), StandardCharsets.UTF_8));
    } else {
      for (String line : Conversation.render(session, full)) {
        io.out().println(line);
      }
    }
    return ExitCode.OK;
  }
}
