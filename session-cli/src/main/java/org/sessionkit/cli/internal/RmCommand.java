package org.sessionkit.cli.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sessionkit rm}: deletes sessions by id, or every session a filter selects (an id
 * prefix, updated bounds) after showing what it would delete and asking for confirmation.
 */
@Command(
    name = "rm",
    header = "Delete sessions by id, or by id prefix and age.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Delete sessions. With ids, each id is reported as deleted, missing or failed; the others are"
          + " still deleted when one fails.",
      "With --prefix and/or --updated-before/--updated-after (or --all-sessions), it counts the"
          + " matching sessions, shows the first ones, asks for confirmation (or takes --yes) and"
          + " deletes them with the store's bulk delete. A session written while the deletion runs"
          + " is kept. --dry-run only shows what would be deleted."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every selected session was deleted (or, with --dry-run, nothing failed)",
      "1:some deletions failed, or the confirmation was refused",
      RootCommand.EXIT_USAGE,
      RootCommand.EXIT_STORE,
      "4:some ids did not exist (and nothing else failed)"
    })
final class RmCommand extends BaseCommand {

  /** How many matching ids a bulk deletion shows before asking. */
  static final int SHOWN = 10;

  @Parameters(index = "0", paramLabel = "URI", description = "The store, e.g. file:./sessions.")
  String uri;

  @Parameters(index = "1..*", arity = "0..*", paramLabel = "ID", description = "The ids of the sessions to delete.")
  List<String> ids = new ArrayList<>();

  @Option(names = "--prefix", paramLabel = "PREFIX", description = "Delete every session whose id starts with PREFIX (e.g. user-42/).")
  String prefix;

  @Option(
      names = "--updated-before",
      paramLabel = "TIME",
      converter = Options.InstantConverter.class,
      description = "Delete sessions updated before TIME: 2026-02-24T15:04:05Z, 2026-02-24 or an age (30d = older than 30 days).")
  Instant updatedBefore;

  @Option(
      names = "--updated-after",
      paramLabel = "TIME",
      converter = Options.InstantConverter.class,
      description = "Delete sessions updated after TIME (same forms).")
  Instant updatedAfter;

  @Option(names = "--all-sessions", description = "Delete every session of the store (asks for confirmation).")
  boolean everything;

  @Option(names = "--dry-run", description = "Show what would be deleted; delete nothing.")
  boolean dryRun;

  @Option(names = {"-y", "--yes"}, description = "Don't ask for confirmation.")
  boolean yes;

  @Override
  int run(Io io) {
    boolean filtered = prefix != null || updatedBefore != null || updatedAfter != null;
    if (!ids.isEmpty() && (filtered || everything)) {
      throw CliException.usage("give ids or a filter (--prefix, --updated-before, --updated-after, --all-sessions), not both");
    }
    if (ids.isEmpty() && !filtered && !everything) {
      throw CliException.usage("Missing required parameter: ID, or a filter (--prefix, --updated-before, --updated-after, --all-sessions)");
    }
    if (everything && filtered) {
      throw CliException.usage("--all-sessions takes no other filter");
    }
    if (prefix != null && prefix.isEmpty()) {
      throw CliException.usage("--prefix must not be empty (use --all-sessions to delete everything)");
    }
    return ids.isEmpty() ? bulk(io) : byId(io);
  }

  private int byId(Io io) {
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

  private DeleteFilter filter() {
    if (everything) {
      return DeleteFilter.all();
    }
    DeleteFilter f = null;
    if (prefix != null) {
      f = DeleteFilter.idPrefix(prefix);
    }
    if (updatedBefore != null) {
      f = f == null ? DeleteFilter.updatedBefore(updatedBefore) : f.andUpdatedBefore(updatedBefore);
    }
    if (updatedAfter != null) {
      f = f == null
          ? new DeleteFilter(java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(updatedAfter), false)
          : f.andUpdatedAfter(updatedAfter);
    }
    return f;
  }

  private ListQuery query() {
    ListQuery q = ListQuery.firstPage().limit(ListQuery.MAX_LIMIT);
    if (prefix != null) {
      q = q.idPrefix(prefix);
    }
    if (updatedBefore != null) {
      q = q.updatedBefore(updatedBefore);
    }
    if (updatedAfter != null) {
      q = q.updatedAfter(updatedAfter);
    }
    return q;
  }

  private int bulk(Io io) {
    DeleteFilter filter = filter();
    try (SessionStorage store = io.openExisting("", uri)) {
      long matching = 0;
      List<String> shown = new ArrayList<>();
      try (Stream<SessionSummary> all = store.stream(query())) {
        for (SessionSummary s : (Iterable<SessionSummary>) all::iterator) {
          if (shown.size() < SHOWN) {
            shown.add(s.id());
          }
          matching++;
        }
      } catch (RuntimeException e) {
        throw CliException.of("can't list the sessions to delete", e);
      }
      String what = matching + " session" + (matching == 1 ? "" : "s");
      if (matching == 0) {
        io.println("no session matches; nothing to delete");
        return ExitCode.OK;
      }
      io.println((dryRun ? "would delete " : "deleting ") + what + ":");
      for (String id : shown) {
        io.println("  " + Text.id(id));
      }
      if (matching > shown.size()) {
        io.println("  … and " + (matching - shown.size()) + " more");
      }
      if (dryRun) {
        return ExitCode.OK;
      }
      if (!yes && !confirmed(io, what)) {
        io.eprintln("not confirmed; nothing deleted");
        return ExitCode.FAILURES;
      }
      try {
        long deleted = Futures.await(store.deleteMatching(filter));
        io.println("deleted " + deleted + " session" + (deleted == 1 ? "" : "s")
            + (deleted < matching ? " (the others changed or went away meanwhile and were kept)" : ""));
        return ExitCode.OK;
      } catch (BulkDeleteException e) {
        io.eprintln("failed after deleting " + e.deleted() + ": " + CliException.describe(e.getCause()));
        io.eprintln("run the same command again to finish");
        return ExitCode.FAILURES;
      } catch (RuntimeException e) {
        throw CliException.of("can't delete", e);
      }
    }
  }

  private static boolean confirmed(Io io, String what) {
    io.err().print("delete " + what + "? type 'yes' to confirm: ");
    io.err().flush();
    try {
      String line = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8)).readLine();
      return line != null && line.trim().toLowerCase(Locale.ROOT).matches("y|yes");
    } catch (IOException e) {
      return false;
    }
  }
}
