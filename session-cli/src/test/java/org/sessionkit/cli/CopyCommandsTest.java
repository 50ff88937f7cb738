package org.sessionkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.Futures;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.file.FileSessionStorage;

/** {@code export}, {@code import} and {@code migrate} between memory and file stores, end to end. */
class CopyCommandsTest {

  private static final String NL = System.lineSeparator();

  private final Cli cli = new Cli();

  @TempDir Path dir;

  @AfterEach
  void close() {
    cli.close();
  }

  private static List<Session> sessions() {
    List<Session> all = new ArrayList<>(Samples.smalls("s", 40));
    all.add(Samples.rich("user-42/chat 1"));
    all.add(Samples.rich("ünï/😀"));
    return all;
  }

  /** Asserts that {@code store} holds exactly {@code expected}, each equal in every field. */
  static void assertHoldsExactly(SessionStorage store, List<Session> expected) {
    List<SessionSummary> listed = Futures.await(store.list());
    assertThat(listed).extracting(SessionSummary::id)
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(Session::id).toList());
    for (Session s : expected) {
      assertThat(Futures.await(store.load(s.id()))).as(s.id()).isEqualTo(s);
    }
  }

  @Test
  void exportThenImportKeepsEverySessionExactly() {
    List<Session> all = sessions();
    Samples.saveAll(cli.memory("src"), all);
    Cli.Result export = cli.run("export", "mem:src");
    assertThat(export.code()).as(export.toString()).isZero();
    assertThat(export.out().lines()).hasSize(all.size());
    assertThat(export.err()).contains("exported " + all.size() + " · failed 0");
    Cli.Result imported = cli.runWithInput(export.outBytes(), "import", "mem:dst");
    assertThat(imported.code()).as(imported.toString()).isZero();
    assertThat(imported.out()).contains("imported the standard input into mem:dst")
        .contains("copied 42 · skipped 0 · failed 0");
    assertHoldsExactly(cli.memory("dst"), all);
  }

  @Test
  void exportWritesPlainDocumentsOneALineInListingOrder() throws Exception {
    List<Session> all = sessions();
    Samples.saveAll(cli.memory("src"), all);
    Path file = dir.resolve("backup.jsonl");
    Cli.Result r = cli.run("export", "mem:src", "-o", file.toString(), "--concurrency", "3");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("exported mem:src to " + file).contains("exported 42 · failed 0");
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> expected = Futures.await(cli.memory("src").list()).stream()
        .map(s -> new String(SessionCodec.defaults().encode(Futures.await(cli.memory("src").load(s.id()))), StandardCharsets.UTF_8))
        .toList();
    assertThat(lines).containsExactlyElementsOf(expected);
    assertThat(lines.get(0)).startsWith("{\"id\":").doesNotContain("\"sessionkit\"");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no partial file left beside it
    }
  }

  @Test
  void exportWithAPrefixWritesOnlyThoseSessions() {
    Samples.saveAll(cli.memory("src"), sessions());
    Cli.Result r = cli.run("export", "mem:src", "--prefix", "user-42/");
    assertThat(r.out().lines()).hasSize(1).allMatch(l -> l.contains("\"id\":\"user-42/chat 1\""));
  }

  @Test
  void importReadsAFileAndReportsMalformedLinesByNumber() throws Exception {
    Path file = dir.resolve("in.jsonl");
    String good = new String(SessionCodec.defaults().encode(Samples.rich("a")), StandardCharsets.UTF_8);
    String other = new String(SessionCodec.defaults().encode(Samples.small("b", 1)), StandardCharsets.UTF_8);
    Files.writeString(file, good + "\r\n\n{\"id\":\"c\"}\nnot json at all\n" + other, StandardCharsets.UTF_8);
    Cli.Result r = cli.run("import", "mem:dst", file.toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCode.FAILURES);
    assertThat(r.out()).contains("copied 2 · skipped 0 · failed 2").contains("the failures are listed above");
    assertThat(r.err()).contains("failed: line 3: ").contains("failed: line 4: ").doesNotContain("line 2", "line 5");
    assertHoldsExactly(cli.memory("dst"), List.of(Samples.rich("a"), Samples.small("b", 1)));
  }

  @Test
  void importOfAMissingFileIsAUsageError() {
    Cli.Result r = cli.run("import", "mem:dst", dir.resolve("nope.jsonl").toString());
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("no file ");
  }

  @Test
  void migrateCopiesEverySessionAndARerunSkipsThemAll() throws Exception {
    List<Session> all = sessions();
    Samples.saveAll(cli.memory("src"), all);
    String target = "file:" + dir + "?fsync=false";
    Cli.Result r = cli.run("migrate", "mem:src", target);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("migrated mem:src → " + target + " in ")
        .contains("copied 42 · skipped 0 · failed 0");
    Cli.Result again = cli.run("migrate", "mem:src", target);
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("copied 0 · skipped 42 (identical) · failed 0");
    try (FileSessionStorage files = FileSessionStorage.open(dir)) {
      assertHoldsExactly(files, all);
    }
    // And back: file -> memory, compared with the originals.
    Cli.Result back = cli.run("migrate", target, "mem:back");
    assertThat(back.code()).isZero();
    assertHoldsExactly(cli.memory("back"), all);
  }

  /** A target that fails, as a lost server would, once {@code limit} writes went through. */
  static final class FailingAfter extends ForwardingStorage {
    private final AtomicInteger writes = new AtomicInteger();
    private final int limit;

    FailingAfter(SessionStorage delegate, int limit) {
      super(delegate);
      this.limit = limit;
    }

    private <T> CompletableFuture<T> write(java.util.function.Supplier<CompletableFuture<T>> op) {
      if (writes.incrementAndGet() > limit) {
        return CompletableFuture.failedFuture(
            new StorageUnavailableException("connection to 127.0.0.1:5999 lost (simulated)"));
      }
      return op.get();
    }

    @Override
    public CompletableFuture<Revision> save(Session session) {
      return write(() -> delegate.save(session));
    }

    @Override
    public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
      return write(() -> delegate.saveIf(session, expected));
    }

    @Override
    public CompletableFuture<Revision> create(Session session) {
      return write(() -> delegate.create(session));
    }
  }

  @Test
  void anInterruptedMigrationResumesWithoutDuplicatesOrLosses() {
    List<Session> all = Samples.smalls("s", 500);
    Samples.saveAll(cli.memory("src"), all);
    cli.wrap("mem:dst", s -> new FailingAfter(s, 120));
    Cli.Result first = cli.run("migrate", "mem:src", "mem:dst", "--concurrency", "16");
    assertThat(first.code()).as(first.toString()).isEqualTo(ExitCode.STORE);
    assertThat(first.err()).contains("stopped early: connection to 127.0.0.1:5999 lost (simulated)")
        .contains("run the same command again");
    int copied = Futures.await(cli.memory("dst").list()).size();
    assertThat(copied).isEqualTo(120);
    assertThat(first.out()).contains("copied 120 · skipped 0 · failed ");

    cli.wrap("mem:dst", s -> s); // the server is back
    Cli.Result second = cli.run("migrate", "mem:src", "mem:dst", "--concurrency", "16");
    assertThat(second.code()).as(second.toString()).isZero();
    assertThat(second.out()).contains("copied 380 · skipped 120 (identical) · failed 0");
    assertHoldsExactly(cli.memory("dst"), all);
  }

  @Test
  void corruptSourceDocumentsAreCountedAsFailedInExportAndMigrate() throws Exception {
    List<Path> damaged = CheckCommandTest.damagedFileStore(dir, 5);
    String source = "file:" + dir;
    Cli.Result export = cli.run("export", source);
    assertThat(export.code()).as(export.toString()).isEqualTo(ExitCode.FAILURES);
    assertThat(export.out().lines()).hasSize(5);
    assertThat(export.err()).contains("exported 5 · failed 2")
        .contains("failed: " + damaged.get(0)).contains("failed: bad-role: ").contains(damaged.get(1).toString());

    Cli.Result migrate = cli.run("migrate", source, "mem:dst");
    assertThat(migrate.code()).as(migrate.toString()).isEqualTo(ExitCode.FAILURES);
    assertThat(migrate.out()).contains("copied 5 · skipped 0 · failed 2");
    assertThat(migrate.err()).contains("failed: " + damaged.get(0)).contains("failed: bad-role: ");
    assertThat(Futures.await(cli.memory("dst").list())).hasSize(5);
  }

  @Test
  void aNewerSessionInTheTargetIsKeptUnlessOverwrite() {
    Session source = Samples.small("x", 10);
    Session newer = source.withMessage(Message.user("added in the target")).withUpdatedAt(source.updatedAt().plusSeconds(60));
    Session older = Samples.small("y", 10).withUpdatedAt(Samples.T0.minusSeconds(60));
    Samples.saveAll(cli.memory("src"), List.of(source, Samples.small("y", 10), Samples.small("z", 10)));
    Samples.saveAll(cli.memory("dst"), List.of(newer, older, Samples.small("z", 10)));

    Cli.Result r = cli.run("migrate", "mem:src", "mem:dst", "--verbose");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("copied 1 · skipped 2 (1 identical, 1 newer in the target) · failed 0")
        .contains("1 session kept because the target's copy is newer (--verbose names them; --overwrite replaces them)");
    assertThat(r.err()).contains("kept: x: the target's copy (updated 2026-02-24T15:05:15.123456789Z) is not older");
    assertThat(Futures.await(cli.memory("dst").load("x"))).isEqualTo(newer);
    assertThat(Futures.await(cli.memory("dst").load("y"))).isEqualTo(Samples.small("y", 10));

    Cli.Result overwrite = cli.run("migrate", "mem:src", "mem:dst", "--overwrite");
    assertThat(overwrite.code()).isZero();
    assertThat(overwrite.out()).contains("copied 1 · skipped 2 (identical) · failed 0");
    assertThat(Futures.await(cli.memory("dst").load("x"))).isEqualTo(source);
  }

  @Test
  void aDifferentSessionWithTheSameUpdatedAtIsKeptUnlessOverwrite() {
    Session source = Samples.small("x", 10);
    Session same = source.withState(source.state().withCwd("/elsewhere"));
    Samples.saveAll(cli.memory("src"), List.of(source));
    Samples.saveAll(cli.memory("dst"), List.of(same));
    assertThat(cli.run("migrate", "mem:src", "mem:dst").out()).contains("skipped 1 (newer in the target)");
    assertThat(Futures.await(cli.memory("dst").load("x"))).isEqualTo(same);
  }

  @Test
  void importHonoursNewerSessionsAndOverwriteToo() {
    Session source = Samples.small("x", 10);
    Session newer = source.withUpdatedAt(source.updatedAt().plusSeconds(1));
    Samples.saveAll(cli.memory("dst"), List.of(newer));
    byte[] line = SessionCodec.defaults().encode(source);
    assertThat(cli.runWithInput(line, "import", "mem:dst").out()).contains("copied 0 · skipped 1 (newer in the target)");
    assertThat(Futures.await(cli.memory("dst").load("x"))).isEqualTo(newer);
    assertThat(cli.runWithInput(line, "import", "mem:dst", "--overwrite").out()).contains("copied 1 ·");
    assertThat(Futures.await(cli.memory("dst").load("x"))).isEqualTo(source);
  }

  @Test
  void dryRunDecidesButWritesNothing() {
    Session newer = Samples.small("s1", 1).withUpdatedAt(Samples.T0.plusSeconds(100));
    Samples.saveAll(cli.memory("src"), Samples.smalls("s", 10));
    Samples.saveAll(cli.memory("dst"), List.of(newer, Samples.small("s2", 2)));
    Cli.Result r = cli.run("migrate", "mem:src", "mem:dst", "--dry-run");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("checked a migration of mem:src → mem:dst")
        .contains("would copy 8 · would skip 2 (1 identical, 1 newer in the target) · failed 0")
        .contains("dry run: nothing was written");
    assertHoldsExactly(cli.memory("dst"), List.of(newer, Samples.small("s2", 2)));

    Cli.Result imp = cli.runWithInput(cli.run("export", "mem:src").outBytes(), "import", "mem:dst", "--dry-run");
    assertThat(imp.out()).contains("would copy 8 · would skip 2");
    assertHoldsExactly(cli.memory("dst"), List.of(newer, Samples.small("s2", 2)));
  }

  @Test
  void migrateRefusesTheSameStoreAsSourceAndTarget() {
    Cli.Result r = cli.run("migrate", "mem:a", "mem:a");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("the source and the target are the same store: mem:a");
  }

  /** A target whose writes take a while, so that a run lasts long enough to show progress. */
  static final class Slow extends ForwardingStorage {
    Slow(SessionStorage delegate) {
      super(delegate);
    }

    @Override
    public CompletableFuture<Revision> create(Session session) {
      return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS))
          .thenCompose(x -> delegate.create(session));
    }
  }

  @Test
  void progressIsPrintedAsPlainLinesWhenNotATerminal() {
    Samples.saveAll(cli.memory("src"), Samples.smalls("s", 200));
    cli.wrap("mem:dst", Slow::new);
    long start = System.nanoTime();
    Cli.Result r = cli.run("migrate", "mem:src", "mem:dst", "--concurrency", "4", "--progress-interval", "50ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(300));
    assertThat(r.code()).isZero();
    assertThat(r.err().lines().filter(l -> l.matches("migrate: [\\d,]+ done · copied [\\d,]+ · skipped 0 · failed 0 · .*/s · .*")))
        .hasSizeGreaterThan(2);
    assertThat(r.err()).doesNotContain("\r");
    Cli.Result quiet = cli.run("migrate", "mem:src", "mem:quiet", "--progress", "none");
    assertThat(quiet.err()).isEmpty();
  }

  @Test
  void aTargetCopyThatCantBeReadIsReportedAndReplacedOnlyWithOverwrite() throws Exception {
    Samples.saveAll(cli.memory("src"), List.of(Samples.small("s", 1)));
    Path target = dir.resolve("t");
    Files.createDirectories(target);
    Files.writeString(target.resolve("s.json"), "{ not json");
    Cli.Result r = cli.run("migrate", "mem:src", "file:" + target);
    assertThat(r.code()).isEqualTo(ExitCode.FAILURES);
    assertThat(r.err()).contains("failed: s: the target's copy can't be read (").contains("--overwrite replaces it");
    Cli.Result o = cli.run("migrate", "mem:src", "file:" + target, "--overwrite");
    assertThat(o.code()).as(o.toString()).isZero();
    try (FileSessionStorage files = FileSessionStorage.open(target)) {
      assertHoldsExactly(files, List.of(Samples.small("s", 1)));
    }
  }
}
