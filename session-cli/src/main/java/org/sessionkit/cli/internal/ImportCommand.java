package org.sessionkit.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.StorageUri;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sessionkit import}: reads JSON Lines (as {@code export} writes them) into a store. */
@Command(
    name = "import",
    header = "Read JSON Lines into a store.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Read JSON Lines — one session document per line, as 'sessionkit export' writes them — into"
          + " a store, keeping every field exactly. Reads the standard input when no FILE (or -) is"
          + " given. Blank lines are ignored.",
      "A session missing in the store is created; one already there and equal is skipped; one"
          + " whose stored copy is newer (a later updated_at) is kept unless --overwrite; an older"
          + " one is replaced. An interrupted import can simply be run again.",
      "Lines that are not valid session documents are reported with their line number and"
          + " counted as failed. Ends with the counts (copied, skipped, failed)."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every session was copied or skipped",
      "1:some lines or sessions failed (each is named on the standard error)",
      RootCommand.EXIT_USAGE,
      RootCommand.EXIT_STORE
    })
final class ImportCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "URI", description = "The target store, e.g. file:./sessions.")
  String uri;

  @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", description = "The JSON Lines file; the standard input if absent or -.")
  Path file;

  @Mixin Options.Copy copy;

  @Mixin Options.ProgressOptions progress;

  @Override
  int run(Io io) throws Exception {
    Options.concurrency(copy.concurrency);
    boolean stdin = file == null || file.toString().equals("-");
    InputStream in;
    if (stdin) {
      in = io.in();
    } else {
      try {
        in = Files.newInputStream(file);
      } catch (NoSuchFileException e) {
        throw CliException.usage("no file " + file);
      } catch (IOException e) {
        throw CliException.usage("can't read " + file + ": " + CliException.describe(e));
      }
    }
    SessionCodec codec = SessionCodec.defaults();
    try (SessionStorage target = io.open("", uri)) {
      Transfer transfer = new Transfer(
          target,
          new Transfer.Options(copy.overwrite, copy.dryRun, copy.concurrency),
          new Transfer.PrintingReport(io, common.verbose));
      long start = System.nanoTime();
      Tally.Counts counts;
      try (Progress bar = Progress.start(io, progress.mode, progress.interval,
          copy.dryRun ? "import (dry run)" : "import",
          () -> transfer.counts().done(),
          () -> Summaries.progress(transfer.counts(), copy.dryRun))) {
        if (bar.drawsBar() && !stdin) {
          Counting.linesInBackground(file, bar);
        }
        JsonLines lines = new JsonLines(in, codec.maxDocumentBytes());
        Optional<JsonLines.Line> next;
        while ((next = lines.next()).isPresent()) {
          JsonLines.Line line = next.get();
          String where = "line " + line.number();
          if (line.tooLong().isPresent()) {
            transfer.failed(where, line.tooLong().get());
            continue;
          }
          if (line.blank()) {
            continue;
          }
          Session session;
          try {
            session = codec.decode(line.bytes(), where);
          } catch (CorruptDocumentException e) {
            transfer.failed(where, CliException.describe(e));
            continue;
          }
          if (!transfer.submit(where + " (" + Text.id(session.id()) + ")", () -> CompletableFuture.completedFuture(session))) {
            break;
          }
        }
        counts = transfer.finish();
      } finally {
        if (!stdin) {
          in.close();
        }
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      io.println((copy.dryRun ? "checked an import of " : "imported ") + (stdin ? "the standard input" : file.toString())
          + " into " + StorageUri.redact(uri) + " " + Summaries.took(counts.done(), took));
      io.println(Summaries.counts(counts, copy.dryRun));
      String advice = Summaries.advice(counts, copy.dryRun, copy.overwrite);
      if (!advice.isEmpty()) {
        io.println(advice);
      }
      return Stops.exitCode(io, "import", null, transfer, counts);
    }
  }
}
