package org.sessionkit.cli.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorageException;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sessionkit export}: every session of a store as JSON Lines. */
@Command(
    name = "export",
    header = "Write sessions as JSON Lines (one document per line).",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write every session (or those with an id prefix) as JSON Lines: one session document per"
          + " line, in the shared format (neuron's JSON, every field exactly), in listing order."
          + " 'sessionkit import' reads it back into any store.",
      "With -o the file is written beside its final name and renamed into place at the end, so an"
          + " interrupted export never leaves a partial file under that name; run it again."
          + " Entries that can't be read are reported and counted as failed, never skipped silently."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every session was exported",
      "1:some sessions could not be read (each is named; the others were exported)",
      RootCommand.EXIT_USAGE,
      RootCommand.EXIT_STORE
    })
final class ExportCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "URI", description = "The store, e.g. file:./sessions.")
  String uri;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of the standard output.")
  Path output;

  @Option(names = "--prefix", paramLabel = "PREFIX", description = "Only sessions whose id starts with PREFIX.")
  String prefix;

  @Option(
      names = "--concurrency",
      defaultValue = "64",
      paramLabel = "N",
      description = "Sessions read ahead at once, 1..1024. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Mixin Options.ProgressOptions progress;

  private record Pending(String id, CompletableFuture<Session> session) {}

  @Override
  int run(Io io) throws Exception {
    Options.concurrency(concurrency);
    boolean toStdout = output == null || output.toString().equals("-");
    ListQuery query = prefix == null ? ListQuery.firstPage() : ListQuery.withPrefix(prefix);
    Tally tally = new Tally();
    Transfer.PrintingReport report = new Transfer.PrintingReport(io, common.verbose);
    SessionStorageException stop = null;
    long start = 0;
    Path temp = null;
    try (SessionStorage store = io.openExisting("", uri)) {
      start = System.nanoTime();
      OutputStream sink;
      if (toStdout) {
        io.out().flush();
        sink = io.rawOut();
      } else {
        Path dir = output.toAbsolutePath().getParent();
        temp = Files.createTempFile(dir, "." + output.getFileName() + ".", ".partial");
        sink = Files.newOutputStream(temp);
      }
      OutputStream out = new BufferedOutputStream(sink, 1 << 16);
      try (Progress bar = Progress.start(io, progress.mode, progress.interval, "export",
          () -> tally.snapshot().done(),
          () -> "exported " + Text.count(tally.snapshot().copied()) + " \u00b7 failed " + Text.count(tally.snapshot().failed()))) {
        if (bar.drawsBar()) {
          Counting.inBackground(store, query, bar);
        }
        ArrayDeque<Pending> window = new ArrayDeque<>();
        try {
          Walk.walk(
              store,
              query,
              s -> {
                window.add(new Pending(s.id(), store.load(s.id())));
                while (window.size() >= concurrency) {
                  write(window.poll(), out, tally, report);
                }
                return true;
              },
              p -> {
                tally.failed();
                report.failed(Summaries.label(p), p.reason());
              });
          while (!window.isEmpty()) {
            write(window.poll(), out, tally, report);
          }
        } catch (StoppedException e) {
          stop = e.cause;
        } catch (SessionStorageException e) {
          stop = e;
        }
        window.forEach(p -> p.session().cancel(false));
      }
      if (toStdout) {
        out.flush();
      } else {
        out.close();
        if (stop == null) {
          Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          temp = null;
        }
      }
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
    Tally.Counts c = tally.snapshot();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String where = toStdout ? "the standard output" : output.toString();
    String line1 = "exported " + StorageUri.redact(uri) + " to " + where + " " + Summaries.took(c.done(), took);
    String line2 = "exported " + Text.count(c.copied()) + " \u00b7 failed " + Text.count(c.failed());
    // Counts go to the standard error when the standard output carries the documents.
    if (toStdout) {
      io.eprintln(line1);
      io.eprintln(line2);
    } else {
      io.println(line1);
      io.println(line2);
    }
    if (stop != null) {
      io.eprintln("sessionkit export: stopped early: " + CliException.describe(stop));
      io.eprintln(toStdout ? "the output is incomplete; run the same command again"
          : where + " was not written; run the same command again");
      return ExitCode.STORE;
    }
    return c.failed() > 0 ? ExitCode.FAILURES : ExitCode.OK;
  }

  /**
   * Writes the next session in order, or counts its failure.
   *
   * @throws StoppedException when a store failure stops the export
   */
  private static void write(Pending p, OutputStream out, Tally tally, Transfer.Report report) {
    Session s;
    try {
      s = p.session().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoppedException(new org.sessionkit.StorageUnavailableException("interrupted", e));
    } catch (ExecutionException e) {
      Throwable c = Futures.unwrap(e);
      if (Transfer.isStoreFailure(c) && c instanceof SessionStorageException sse) {
        throw new StoppedException(sse);
      }
      tally.failed();
      report.failed(Text.id(p.id()), CliException.describe(c));
      return;
    }
    try {
      SessionCodec.defaults().encode(s, Optional.empty(), out);
      out.write('\n');
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILURES, "can't write the export: " + CliException.describe(e), e);
    } catch (SessionStorageException e) {
      tally.failed();
      report.failed(Text.id(p.id()), CliException.describe(e));
      return;
    }
    tally.copied();
  }

  /** Carries a store failure out of the listing callback. */
  private static final class StoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient SessionStorageException cause;

    StoppedException(SessionStorageException cause) {
      super(cause);
      this.cause = cause;
    }
  }
}
