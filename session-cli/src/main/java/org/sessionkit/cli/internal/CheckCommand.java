package org.sessionkit.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.spi.Timestamps;
import org.sessionkit.cli.ExitCode;
import org.sessionkit.spi.LocalLocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sessionkit check}: reads every session and reports what can't be read. */
@Command(
    name = "check",
    header = "Read every session and report what can't be read.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Read every session of a store and report every entry that can't be read: corrupt or"
          + " foreign documents, documents under the wrong name, damaged rows or keys. For a file"
          + " store each problem names its file, and temporary files left by interrupted writes"
          + " (older than " + CheckCommand.LEFTOVER_AGE_SECONDS + " s) are reported too (opening"
          + " the store removes them).",
      "Nothing is changed apart from that clean-up."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:every session can be read",
      "1:problems were found (each is listed)",
      RootCommand.EXIT_USAGE,
      RootCommand.EXIT_STORE
    })
final class CheckCommand extends BaseCommand {

  /** Temporary files younger than this may belong to a write under way, and are not reported. */
  static final int LEFTOVER_AGE_SECONDS = 10;

  @Parameters(index = "0", paramLabel = "URI", description = "The store, e.g. file:./sessions.")
  String uri;

  @Option(names = "--json", description = "JSON for scripts: {\"sessions_read\": N, \"problems\": [{\"location\", \"id\", \"reason\"}]}.")
  boolean json;

  @Option(
      names = "--concurrency",
      defaultValue = "64",
      paramLabel = "N",
      description = "Sessions read at once, 1..1024. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Mixin Options.ProgressOptions progress;

  private record Problem(String location, Optional<String> id, String reason) {}

  private record Leftover(Path path, long size, Instant modified) {}

  @Override
  int run(Io io) throws Exception {
    Options.concurrency(concurrency);
    Instant started = Instant.now();
    List<Leftover> leftovers = leftovers(started);
    Map<String, Problem> problems = new LinkedHashMap<>();
    Set<String> idsWithProblems = new HashSet<>();
    AtomicLong read = new AtomicLong();
    long nanos = System.nanoTime();
    try (SessionStorage store = io.openExisting("", uri)) {
      for (ListingProblem p : Futures.await(store.problems())) {
        add(problems, idsWithProblems, p.location(), p.id(), p.reason());
      }
      Bounded bounded = new Bounded(concurrency);
      AtomicReference<Throwable> stop = new AtomicReference<>();
      try (Progress bar =
          Progress.start(io, progress.mode, progress.interval, "check", read::get,
              () -> Text.plural(problemCount(problems), "problem"))) {
        if (bar.drawsBar()) {
          Counting.inBackground(store, ListQuery.firstPage(), bar);
        }
        Walk.walk(
            store,
            ListQuery.firstPage(),
            s -> {
              if (stop.get() != null) {
                return false;
              }
              try {
                bounded.submit(
                    () -> store.load(s.id()),
                    (session, e) -> {
                      if (e == null) {
                        read.incrementAndGet();
                        return;
                      }
                      Throwable c = Futures.unwrap(e);
                      if (Transfer.isStoreFailure(c)) {
                        stop.compareAndSet(null, c);
                      } else {
                        synchronized (problems) {
                          if (!idsWithProblems.contains(s.id())) {
                            add(problems, idsWithProblems, s.id(), Optional.of(s.id()), CliException.describe(c));
                          }
                        }
                      }
                    });
              } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                stop.compareAndSet(null, ie);
                return false;
              }
              return true;
            },
            p -> {
              synchronized (problems) {
                add(problems, idsWithProblems, p.location(), p.id(), p.reason());
              }
            });
        bounded.awaitAll();
      }
      if (stop.get() != null) {
        throw CliException.of("the check stopped after " + Text.plural(read.get(), "session"), stop.get());
      }
    }
    for (Leftover l : leftovers) {
      boolean gone = !Files.exists(l.path());
      add(problems, idsWithProblems, l.path().toString(), Optional.empty(),
          "temporary file left by an interrupted write (" + Text.bytes(l.size()) + ", last written "
              + Timestamps.format(l.modified()) + ")"
              + (gone ? "; the store removed it when it opened the directory" : "; still present"));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - nanos);
    if (json) {
      printJson(io, read.get(), problems);
    } else {
      io.println("checked " + StorageUri.redact(uri) + ": " + Text.plural(read.get(), "session")
          + " read in " + Text.duration(took));
      if (problems.isEmpty()) {
        io.println("no problems found");
      } else {
        io.println(Text.plural(problems.size(), "problem") + ":");
        for (Problem p : problems.values()) {
          io.println("  " + p.location() + ": " + p.reason());
        }
      }
    }
    return problems.isEmpty() ? ExitCode.OK : ExitCode.FAILURES;
  }

  private static int problemCount(Map<String, Problem> problems) {
    synchronized (problems) {
      return problems.size();
    }
  }

  private static void add(
      Map<String, Problem> problems, Set<String> ids, String location, Optional<String> id, String reason) {
    synchronized (problems) {
      problems.putIfAbsent(location, new Problem(location, id, reason));
      id.ifPresent(ids::add);
    }
  }

  private void printJson(Io io, long read, Map<String, Problem> problems) throws IOException {
    try (JsonGenerator g = Json.generator(io.out())) {
      g.writeStartObject();
      g.writeStringField("store", StorageUri.redact(uri));
      g.writeNumberField("sessions_read", read);
      g.writeArrayFieldStart("problems");
      for (Problem p : problems.values()) {
        Json.problem(g, p.location(), p.id(), p.reason());
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    io.out().println();
  }

  /**
   * Returns the temporary files of interrupted writes in the directory of a store kept in files
   * (the file store's {@code .sk-*.tmp}, or what another store's provider names), looked at
   * before the store opens it (opening removes them). Empty for other stores, and when the URI
   * is malformed (opening reports that).
   */
  private List<Leftover> leftovers(Instant now) throws IOException {
    Optional<LocalLocation> location;
    try {
      location = Io.localLocation(uri);
    } catch (RuntimeException e) {
      return List.of();
    }
    if (location.isEmpty() || location.get().leftoverGlob().isEmpty()) {
      return List.of();
    }
    Path dir = location.get().directory();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    Instant cutoff = now.minusSeconds(LEFTOVER_AGE_SECONDS);
    List<Leftover> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, location.get().leftoverGlob().get())) {
      for (Path p : files) {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          Instant modified = a.lastModifiedTime().toInstant();
          if (a.isRegularFile() && modified.isBefore(cutoff)) {
            found.add(new Leftover(p, a.size(), modified));
          }
        } catch (IOException e) {
          // Gone meanwhile: a write finished.
        }
      }
    }
    found.sort((a, b) -> a.path().compareTo(b.path()));
    return found;
  }
}
