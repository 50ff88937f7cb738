package org.sessionkit.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sessionkit ls}: one page of the listing (or all of it), as a table or as JSON. */
@Command(
    name = "ls",
    header = "List sessions, newest first (a table, or --json).",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "List sessions, most recently updated first (then by id), one page at a time.",
      "A table by default; --json for scripts. Entries the store can't read are reported on the"
          + " standard error ('sessionkit check' reads every session)."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {RootCommand.EXIT_OK, RootCommand.EXIT_USAGE, RootCommand.EXIT_STORE})
final class LsCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "URI", description = "The store, e.g. file:./sessions.")
  String uri;

  @Option(names = "--prefix", paramLabel = "PREFIX", description = "Only ids that start with PREFIX (exact case), e.g. user-42/.")
  String prefix;

  @Option(
      names = {"-n", "--limit"},
      defaultValue = "50",
      paramLabel = "N",
      description = "Sessions per page, 1.." + ListQuery.MAX_LIMIT + ". Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(
      names = "--updated-after",
      paramLabel = "TIME",
      converter = Options.InstantConverter.class,
      description = "Only sessions updated after TIME: 2026-02-24T15:04:05Z, 2026-02-24 (midnight UTC) or an age (30m, 12h, 7d).")
  Instant updatedAfter;

  @Option(
      names = "--updated-before",
      paramLabel = "TIME",
      converter = Options.InstantConverter.class,
      description = "Only sessions updated before TIME (same forms; 30d = older than 30 days).")
  Instant updatedBefore;

  @Option(names = "--cursor", paramLabel = "CURSOR", description = "Continue after the page that printed this cursor.")
  String cursor;

  @Option(names = {"-a", "--all"}, description = "Every page, not just one.")
  boolean all;

  @Option(names = "--json", description = "JSON for scripts: {\"sessions\": [...], \"next_cursor\": ..., \"problems\": [...]}.")
  boolean json;

  @Override
  int run(Io io) throws IOException {
    if (limit < 1 || limit > ListQuery.MAX_LIMIT) {
      throw CliException.usage("--limit must be between 1 and " + ListQuery.MAX_LIMIT + ", not " + limit);
    }
    ListQuery query = ListQuery.firstPage().limit(limit);
    if (prefix != null) {
      query = query.idPrefix(prefix);
    }
    if (updatedAfter != null) {
      query = query.updatedAfter(updatedAfter);
    }
    if (updatedBefore != null) {
      query = query.updatedBefore(updatedBefore);
    }
    if (cursor != null) {
      query = query.after(cursor);
    }
    try (SessionStorage store = io.openExisting("", uri)) {
      return json ? json(io, store, query) : table(io, store, query);
    }
  }

  private int table(Io io, SessionStorage store, ListQuery query) {
    List<ListingProblem> problems = new ArrayList<>();
    long shown = 0;
    Optional<String> next;
    ListQuery q = query;
    boolean header = false;
    while (true) {
      SessionPage page = Futures.await(store.list(q));
      problems.addAll(page.problems());
      if (!header && !page.summaries().isEmpty()) {
        io.println(Text.padRight("UPDATED (UTC)", 21) + Text.padRight("CREATED (UTC)", 21)
            + Text.padLeft("MESSAGES", 8) + "  ID");
        header = true;
      }
      for (SessionSummary s : page.summaries()) {
        io.println(Text.padRight(Text.time(s.updatedAt()), 21) + Text.padRight(Text.time(s.createdAt()), 21)
            + Text.padLeft(Text.count(s.messageCount()), 8) + "  " + Text.id(s.id()));
        shown++;
      }
      next = page.nextCursor();
      if (!all || next.isEmpty()) {
        break;
      }
      q = q.after(next.get());
    }
    if (shown == 0) {
      io.println("no sessions" + (prefix != null ? " with ids starting with " + Text.id(prefix) : "")
          + (updatedAfter != null || updatedBefore != null ? " in that time range" : ""));
    } else {
      io.println(Text.plural(shown, "session") + (next.isPresent() ? " shown; next page: --cursor " + next.get() : ""));
    }
    reportProblems(io, problems);
    return ExitCode.OK;
  }

  private void reportProblems(Io io, List<ListingProblem> problems) {
    if (problems.isEmpty()) {
      return;
    }
    io.eprintln("warning: " + (problems.size() == 1 ? "1 stored entry" : Text.count(problems.size()) + " stored entries")
        + " can't be read as " + (problems.size() == 1 ? "a session" : "sessions") + ":");
    for (ListingProblem p : problems) {
      io.eprintln("  " + p.location() + ": " + p.reason());
    }
    io.eprintln("('sessionkit check' reads every session and lists every problem)");
  }

  private int json(Io io, SessionStorage store, ListQuery query) throws IOException {
    List<ListingProblem> problems = new ArrayList<>();
    Optional<String> next;
    ListQuery q = query;
    try (JsonGenerator g = Json.generator(io.out())) {
      g.writeStartObject();
      g.writeArrayFieldStart("sessions");
      while (true) {
        SessionPage page = Futures.await(store.list(q));
        problems.addAll(page.problems());
        for (SessionSummary s : page.summaries()) {
          Json.summary(g, s);
        }
        next = page.nextCursor();
        if (!all || next.isEmpty()) {
          break;
        }
        q = q.after(next.get());
      }
      g.writeEndArray();
      if (next.isPresent()) {
        g.writeStringField("next_cursor", next.get());
      } else {
        g.writeNullField("next_cursor");
      }
      g.writeArrayFieldStart("problems");
      for (ListingProblem p : problems) {
        Json.problem(g, p);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    io.out().println();
    return ExitCode.OK;
  }
}
