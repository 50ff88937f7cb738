package org.sessionkit.cli.internal;

import java.time.Duration;
import org.sessionkit.ListQuery;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorageException;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sessionkit migrate}: copies every session of one store into another. */
@Command(
    name = "migrate",
    header = "Copy sessions from one store into another.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Copy every session (or those with an id prefix) from one store into another, keeping every"
          + " field exactly. The source is only read.",
      "A session missing in the target is created; one already there and equal is skipped; one"
          + " whose copy in the target is newer (a later updated_at) is kept unless --overwrite;"
          + " an older one is replaced. So an interrupted or failed run can simply be run again:"
          + " nothing is copied twice and nothing is lost.",
      "Entries of the source that can't be read are reported and counted as failed, never"
          + " skipped silently. Ends with the counts (copied, skipped, failed)."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every session was copied or skipped",
      "1:some sessions failed (each is named on the standard error)",
      RootCommand.EXIT_USAGE,
      RootCommand.EXIT_STORE
    })
final class MigrateCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "FROM", description = "The source store, e.g. file:./sessions.")
  String from;

  @Parameters(index = "1", paramLabel = "TO", description = "The target store, e.g. postgresql://agent@db:5432/agents.")
  String to;

  @Option(names = "--prefix", paramLabel = "PREFIX", description = "Only sessions whose id starts with PREFIX.")
  String prefix;

  @Mixin Options.Copy copy;

  @Mixin Options.ProgressOptions progress;

  @Override
  int run(Io io) throws Exception {
    Options.concurrency(copy.concurrency);
    if (from.equals(to)) {
      throw CliException.usage("the source and the target are the same store: " + StorageUri.redact(from));
    }
    ListQuery query = prefix == null ? ListQuery.firstPage() : ListQuery.withPrefix(prefix);
    try (SessionStorage source = io.openExisting("source", from);
        SessionStorage target = io.open("target", to)) {
      Transfer transfer = new Transfer(
          target,
          new Transfer.Options(copy.overwrite, copy.dryRun, copy.concurrency),
          new Transfer.PrintingReport(io, common.verbose));
      long start = System.nanoTime();
      SessionStorageException listingFailure = null;
      Tally.Counts counts;
      try (Progress bar = Progress.start(io, progress.mode, progress.interval,
          copy.dryRun ? "migrate (dry run)" : "migrate",
          () -> transfer.counts().done(),
          () -> Summaries.progress(transfer.counts(), copy.dryRun))) {
        if (bar.drawsBar()) {
          Counting.inBackground(source, query, bar);
        }
        try {
          Walk.walk(
              source,
              query,
              s -> {
                try {
                  return transfer.submit(Text.id(s.id()), () -> source.load(s.id()));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
              },
              p -> transfer.failed(Summaries.label(p), p.reason()));
        } catch (SessionStorageException e) {
          listingFailure = e;
        }
        counts = transfer.finish();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      io.println((copy.dryRun ? "checked a migration of " : "migrated ") + StorageUri.redact(from)
          + " \u2192 " + StorageUri.redact(to) + " " + Summaries.took(counts.done(), took));
      io.println(Summaries.counts(counts, copy.dryRun));
      String advice = Summaries.advice(counts, copy.dryRun, copy.overwrite);
      if (!advice.isEmpty()) {
        io.println(advice);
      }
      return Stops.exitCode(io, "migrate", listingFailure, transfer, counts);
    }
  }
}
