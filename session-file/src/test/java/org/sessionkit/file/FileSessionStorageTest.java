package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.VersionedSession;

class FileSessionStorageTest {

  @TempDir Path dir;

  private final List<FileSessionStorage> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(FileSessionStorage::close);
  }

  private FileSessionStorage open() {
    return open(FileSessionStorage.builder(dir).fsync(false));
  }

  private FileSessionStorage open(FileSessionStorage.Builder builder) {
    FileSessionStorage s = builder.build();
    opened.add(s);
    return s;
  }

  static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  static Session session(String id, int messages) {
    Session s = Session.create(id, "/work/" + id).withUpdatedAt(Instant.parse("2026-03-01T10:00:00.123456789Z"));
    for (int i = 0; i < messages; i++) {
      s = s.withMessage(i % 2 == 0 ? Message.user("question " + i) : Message.assistant("answer " + i));
    }
    return s.withState(st -> st.withCustom("n", JsonValue.of(messages)).withCustom("pi", JsonValue.of(3.0)));
  }

  private List<String> namesIn(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void savedSessionsLoadEqualFromThisAndAFreshInstance() {
    FileSessionStorage store = open();
    Session s = session("sess-1", 5);
    Revision r = await(store.save(s));
    assertThat(await(store.load("sess-1"))).isEqualTo(s);
    assertThat(await(store.loadVersioned("sess-1"))).isEqualTo(new VersionedSession(s, r));
    FileSessionStorage again = open();
    assertThat(await(again.loadVersioned("sess-1"))).isEqualTo(new VersionedSession(s, r));
  }

  @Test
  void simpleIdsLiveInIdDotJsonAndOthersInEncodedNames() throws IOException {
    FileSessionStorage store = open();
    await(store.save(session("sess-7f3a9c", 1)));
    await(store.save(session("user-42/chat 1", 1)));
    await(store.save(session("../escape", 1)));
    assertThat(namesIn(dir))
        .contains("sess-7f3a9c.json", "~user-42%2Fchat%201.json", "~..%2Fescape.json")
        .allMatch(n -> !n.contains("/"));
    assertThat(Files.exists(dir.getParent().resolve("escape.json"))).isFalse();
    assertThat(store.fileOf("user-42/chat 1")).isEqualTo(dir.toAbsolutePath().resolve("~user-42%2Fchat%201.json"));
    assertThat(await(store.list()).stream().map(SessionSummary::id))
        .containsExactlyInAnyOrder("sess-7f3a9c", "user-42/chat 1", "../escape");
  }

  @Test
  void idsDifferingOnlyInCaseOrNormalisationAreTwoSessions() {
    FileSessionStorage store = open();
    for (String id : List.of("Abc", "abc", "\u00e9", "e\u0301")) {
      await(store.save(session(id, id.length())));
    }
    for (String id : List.of("Abc", "abc", "\u00e9", "e\u0301")) {
      assertThat(await(store.load(id)).messages()).hasSize(id.length());
    }
  }

  @Test
  void aCaseInsensitiveDirectoryStoresUpperCaseIdsEncoded() throws IOException {
    FileSessionStorage store = open(FileSessionStorage.builder(dir).fsync(false).caseInsensitive(true));
    assertThat(store.caseInsensitive()).isTrue();
    await(store.save(session("Abc", 1)));
    await(store.save(session("abc", 2)));
    assertThat(namesIn(dir)).contains("abc.json", "~%41bc.json");
    assertThat(await(store.load("Abc")).messages()).hasSize(1);
    assertThat(await(store.load("abc")).messages()).hasSize(2);
  }

  @Test
  void theProbeFindsThisFileSystemRespectsCaseAndLeavesNothingBehind() throws IOException {
    FileSessionStorage store = open();
    assertThat(store.caseInsensitive()).isFalse(); // Linux file systems in CI respect case
    assertThat(namesIn(dir)).allMatch(n -> !n.endsWith(".tmp"));
  }

  @Test
  void longIdsGetAHashedNameAndAreCheckedAgainstTheDocument() throws IOException {
    FileSessionStorage store = open();
    String id = "漢".repeat(256);
    await(store.save(session(id, 2)));
    String name = store.fileOf(id).getFileName().toString();
    assertThat(name).startsWith("~~");
    assertThat(name.getBytes(UTF_8).length).isLessThanOrEqualTo(255);
    assertThat(await(store.load(id)).id()).isEqualTo(id);
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly(id);
    // A document of another id copied under that name is not returned as either session.
    String other = "字".repeat(256);
    await(store.save(session(other, 1)));
    Files.copy(store.fileOf(other), store.fileOf(id), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> await(store.load(id))).isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(name);
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly(other);
    assertThat(await(store.problems())).extracting(ListingProblem::location)
        .containsExactly(store.fileOf(id).toString());
  }

  @Test
  void everyWriteProducesANewRevisionAndConditionalWritesCheckIt() {
    FileSessionStorage store = open();
    Session s = session("c", 1);
    Revision r1 = await(store.create(s));
    assertThatThrownBy(() -> await(store.create(s))).isInstanceOf(RevisionConflictException.class);
    Revision r2 = await(store.save(s));
    assertThat(r2).isNotEqualTo(r1);
    assertThatThrownBy(() -> await(store.saveIf(s, r1))).isInstanceOf(RevisionConflictException.class);
    Revision r3 = await(store.saveIf(s.withMessage(Message.user("x")), r2));
    assertThat(await(store.loadVersioned("c")).revision()).isEqualTo(r3);
    assertThatThrownBy(() -> await(store.deleteIf("c", r2))).isInstanceOf(RevisionConflictException.class);
    await(store.deleteIf("c", r3));
    assertThatThrownBy(() -> await(store.load("c"))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.delete("c"))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.saveIf(s, r3))).isInstanceOf(RevisionConflictException.class);
  }

  @Test
  void appendAddsTheTurnWithANewRevisionAndChecksTheExpectedOne() {
    FileSessionStorage store = open();
    Session s = session("ap", 2);
    Revision r1 = await(store.save(s));
    Instant later = s.updatedAt().plusSeconds(5);
    Append turn = Append.of(List.of(Message.user("more"), Message.assistant("sure")),
        s.state().withEventCount(7), later);
    Revision r2 = await(store.append("ap", turn.ifRevision(r1)));
    assertThat(r2).isNotEqualTo(r1);
    VersionedSession loaded = await(store.loadVersioned("ap"));
    assertThat(loaded.revision()).isEqualTo(r2);
    assertThat(loaded.session()).isEqualTo(turn.applyTo(s));
    assertThatThrownBy(() -> await(store.append("ap", turn.ifRevision(r1))))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(await(store.load("ap")).messages()).hasSize(4);
    assertThatThrownBy(() -> await(store.append("nope", turn))).isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.list(ListQuery.firstPage())).summaries().get(0))
        .isEqualTo(new SessionSummary("ap", s.createdAt(), later, 4, r2));
  }

  @Test
  void concurrentAppendsAndUpdatesFromManyThreadsAreAllKept() throws Exception {
    FileSessionStorage store = open(FileSessionStorage.builder(dir).fsync(false).threads(8));
    Session s = session("hot", 0);
    await(store.save(s));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int tt = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 25; i++) {
            String label = tt + ":" + i;
            if (i % 2 == 0) {
              await(store.append("hot", Append.of(List.of(Message.user(label)), s.state(), s.updatedAt())));
            } else {
              await(store.update("hot", x -> x.withMessage(Message.user(label))));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> texts = await(store.load("hot")).messages().stream()
        .map(m -> ((org.sessionkit.ContentBlock.Text) m.content().get(0)).text()).collect(Collectors.toList());
    assertThat(texts).hasSize(200).doesNotHaveDuplicates();
    for (int t = 0; t < 8; t++) {
      String prefix = t + ":";
      List<String> mine = texts.stream().filter(x -> x.startsWith(prefix)).collect(Collectors.toList());
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        expected.add(prefix + i);
      }
      assertThat(mine).isEqualTo(expected);
    }
  }

  @Test
  void listingIsInContractOrderWithPagesAndPrefixes() {
    FileSessionStorage store = open();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    List<String> ids = List.of("user-1/a", "user-1/b", "user-2/a", "b", "a", "\uE000", "😀");
    for (int i = 0; i < ids.size(); i++) {
      await(store.save(session(ids.get(i), i).withUpdatedAt(i < 3 ? t.plusSeconds(i) : t)));
    }
    List<String> all = await(store.list()).stream().map(SessionSummary::id).collect(Collectors.toList());
    // Newest first; ties on updatedAt in code-point order (U+E000 before U+1F600, unlike
    // String.compareTo).
    assertThat(all).containsExactly("user-2/a", "user-1/b", "a", "b", "user-1/a", "\uE000", "😀");
    List<String> paged = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    do {
      ListQuery q = ListQuery.firstPage().limit(2);
      SessionPage page = await(store.list(cursor.isPresent() ? q.after(cursor.get()) : q));
      page.summaries().forEach(s -> paged.add(s.id()));
      cursor = page.nextCursor();
    } while (cursor.isPresent());
    assertThat(paged).isEqualTo(all);
    SessionPage user1 = await(store.list(ListQuery.firstPage().idPrefix("user-1/")));
    assertThat(user1.summaries()).extracting(SessionSummary::id).containsExactly("user-1/b", "user-1/a");
  }

  @Test
  void filesAreOwnerOnlyAndNoTemporaryFilesRemain() throws IOException {
    FileSessionStorage store = open(FileSessionStorage.builder(dir));
    await(store.save(session("p", 1)));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.fileOf("p"))))
        .isEqualTo("rw-------");
    assertThat(namesIn(dir)).containsExactly(".sessionkit.lock", "p.json");
    Path created = dir.resolve("new/deeper");
    try (FileSessionStorage s = FileSessionStorage.builder(created).build()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s.directory())))
          .isEqualTo("rwx------");
    }
  }

  @Test
  void leftoverTemporaryFilesAreNeverListedAndRemovedAtOpenOnceOld() throws IOException {
    FileSessionStorage store = open();
    await(store.save(session("keep", 1)));
    Path stale = dir.resolve(".sk-17-abcdef.tmp");
    Path fresh = dir.resolve(".sk-18-abcdef.tmp");
    Path foreign = dir.resolve("notes.tmp");
    for (Path p : List.of(stale, fresh, foreign)) {
      Files.write(p, "{\"id\":\"half".getBytes(UTF_8));
    }
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    Files.setLastModifiedTime(foreign, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("keep");
    assertThat(await(store.problems())).isEmpty();
    open();
    assertThat(namesIn(dir)).contains(fresh.getFileName().toString(), "notes.tmp")
        .doesNotContain(stale.getFileName().toString());
  }

  @Test
  void brokenFilesAreReportedNotFatalAndLoadNamesTheFile() throws IOException {
    FileSessionStorage store = open();
    await(store.save(session("good", 3)));
    Files.write(dir.resolve("garbage.json"), "{not json".getBytes(UTF_8));
    Files.write(dir.resolve("empty.json"), new byte[0]);
    Files.write(dir.resolve("foreign.json"), "{\"name\":\"my-package\",\"version\":\"1.0.0\"}".getBytes(UTF_8));
    byte[] good = Files.readAllBytes(dir.resolve("good.json"));
    Files.write(dir.resolve("truncated.json"), java.util.Arrays.copyOf(good, good.length - 10));
    Files.write(dir.resolve("neuron-truncated.json"),
        SessionCodec.defaults().encodePretty(session("neuron-truncated", 3)).length > 0
            ? java.util.Arrays.copyOf(SessionCodec.defaults().encodePretty(session("neuron-truncated", 3)), 60)
            : new byte[0]);
    Files.write(dir.resolve("mismatch.json"), SessionCodec.defaults().encode(session("someone-else", 1)));
    Files.createDirectory(dir.resolve("folder.json"));
    Files.write(dir.resolve("a b.json"), SessionCodec.defaults().encodePretty(session("a b", 1)));
    Files.write(dir.resolve("README.md"), "not a session".getBytes(UTF_8));
    Files.createSymbolicLink(dir.resolve("dangling.json"), dir.resolve("nowhere"));

    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("good");
    SessionPage first = await(store.list(ListQuery.firstPage()));
    assertThat(first.summaries()).extracting(SessionSummary::id).containsExactly("good");
    List<String> expected = Stream.of("garbage", "empty", "foreign", "truncated", "neuron-truncated",
            "mismatch", "folder", "a b", "dangling")
        .map(n -> dir.toAbsolutePath().resolve(n + ".json").toString()).sorted().collect(Collectors.toList());
    assertThat(first.problems()).extracting(ListingProblem::location).containsExactlyElementsOf(expected);
    // The full check finds the same entries (its reasons come from a full read).
    assertThat(await(store.problems())).extracting(ListingProblem::location).containsExactlyElementsOf(expected);
    assertThat(first.problems()).filteredOn(p -> p.location().endsWith("mismatch.json"))
        .singleElement().satisfies(p -> {
          assertThat(p.id()).contains("mismatch");
          assertThat(p.reason()).contains("someone-else");
        });
    assertThat(first.problems()).filteredOn(p -> p.location().endsWith("a b.json"))
        .singleElement().satisfies(p -> assertThat(p.reason()).contains("~a%20b.json"));

    for (String id : List.of("garbage", "empty", "foreign", "truncated", "neuron-truncated", "mismatch", "folder",
        "dangling")) {
      assertThatThrownBy(() -> await(store.load(id)))
          .as(id).isInstanceOf(CorruptDocumentException.class).hasMessageContaining(id + ".json");
    }
    // Repairing is possible: a plain save replaces a broken file, a delete removes it.
    await(store.save(session("garbage", 1)));
    assertThat(await(store.load("garbage")).messages()).hasSize(1);
    await(store.delete("truncated"));
    await(store.delete("dangling"));
    assertThat(Files.exists(dir.resolve("dangling.json"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThatThrownBy(() -> await(store.create(session("empty", 1)))).isInstanceOf(RevisionConflictException.class);
  }

  @Test
  void prefixListingsReportOnlyProblemsThatMayBelongToThePrefix() throws IOException {
    FileSessionStorage store = open();
    await(store.save(session("u1-a", 1)));
    Files.write(dir.resolve("u1-broken.json"), "{".getBytes(UTF_8));
    Files.write(dir.resolve("u2-broken.json"), "{".getBytes(UTF_8));
    SessionPage page = await(store.list(ListQuery.firstPage().idPrefix("u1-")));
    assertThat(page.summaries()).extracting(SessionSummary::id).containsExactly("u1-a");
    assertThat(page.problems()).extracting(ListingProblem::id).containsExactly(Optional.of("u1-broken"));
  }

  @Test
  void problemsComeWithTheFirstPageOnlySoAWalkReportsEachOnce() throws IOException {
    FileSessionStorage store = open();
    for (int i = 0; i < 5; i++) {
      await(store.save(session("s" + i, 1)));
    }
    Files.write(dir.resolve("bad.json"), "[]".getBytes(UTF_8));
    SessionPage first = await(store.list(ListQuery.firstPage().limit(2)));
    assertThat(first.problems()).hasSize(1);
    SessionPage second = await(store.list(ListQuery.firstPage().limit(2).after(first.nextCursor().orElseThrow())));
    assertThat(second.problems()).isEmpty();
  }

  @Test
  void aWarmListingReadsNoFileAndSeesChangesByOthers() throws Exception {
    TestOps ops = new TestOps();
    FileSessionStorage store = open(FileSessionStorage.builder(dir).fsync(false).fileSystemOps(ops));
    for (int i = 0; i < 20; i++) {
      await(store.save(session("s" + i, 3)));
    }
    // Age the files beyond the racy window, as if written a while ago.
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".json")).collect(Collectors.toList())) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
      }
    }
    ops.resetCounts();
    assertThat(await(store.list())).hasSize(20);
    assertThat(ops.filesOpened()).isEqualTo(20);
    ops.resetCounts();
    assertThat(await(store.list())).hasSize(20);
    assertThat(ops.filesOpened()).isZero();
    assertThat(store.cachedHeads()).isEqualTo(20);

    // Another instance (as another process would) rewrites one session: the cache notices.
    FileSessionStorage other = open();
    await(other.save(session("s7", 9)));
    ops.resetCounts();
    List<SessionSummary> after = await(store.list());
    assertThat(after).filteredOn(x -> x.id().equals("s7")).singleElement()
        .satisfies(x -> assertThat(x.messageCount()).isEqualTo(9));
    assertThat(ops.filesOpened()).isEqualTo(1);
    await(other.delete("s3"));
    assertThat(await(store.list())).hasSize(19);
    // s3 is forgotten; s7 was written just now, so it is read again until it is a few seconds
    // old (a same-size rewrite within one clock tick must not be mistaken for it).
    assertThat(store.cachedHeads()).isEqualTo(18);
  }

  @Test
  void laterPagesOfAWalkOverAQuietDirectoryCostOneStatEach() throws Exception {
    TestOps ops = new TestOps();
    FileSessionStorage store = open(FileSessionStorage.builder(dir).fsync(false).fileSystemOps(ops));
    for (int i = 0; i < 30; i++) {
      await(store.save(session(String.format("s%02d", i), 1).withUpdatedAt(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i % 7))));
    }
    FileTime past = FileTime.from(Instant.now().minusSeconds(60));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.collect(Collectors.toList())) {
        Files.setLastModifiedTime(p, past);
      }
    }
    Files.setLastModifiedTime(dir, past);
    List<String> expected = await(store.list()).stream().map(SessionSummary::id).collect(Collectors.toList());

    ops.resetCounts();
    List<String> walked = new ArrayList<>();
    SessionPage page = await(store.list(ListQuery.firstPage().limit(4)));
    long firstPageStats = ops.stats();
    page.summaries().forEach(x -> walked.add(x.id()));
    while (page.nextCursor().isPresent()) {
      page = await(store.list(ListQuery.firstPage().limit(4).after(page.nextCursor().get())));
      page.summaries().forEach(x -> walked.add(x.id()));
    }
    assertThat(walked).isEqualTo(expected);
    assertThat(firstPageStats).isEqualTo(31); // the directory and each file
    assertThat(ops.stats() - firstPageStats).isEqualTo(7); // the directory, once per later page
    // A prefix walk continues from the snapshot too and sees exactly its ids.
    SessionPage p1 = await(store.list(ListQuery.firstPage().limit(2)));
    SessionPage p2 = await(store.list(ListQuery.firstPage().limit(2).idPrefix("s1").after(p1.nextCursor().get())));
    assertThat(p2.summaries()).allMatch(x -> x.id().startsWith("s1"));

    // Another instance (as another process would) adds a session: the directory changed, so
    // the next page scans again and finds it.
    SessionPage first = await(store.list(ListQuery.firstPage().limit(1)));
    await(open().save(session("s99", 1).withUpdatedAt(Instant.parse("2025-01-01T00:00:00Z"))));
    List<String> rest = new ArrayList<>();
    Optional<String> cursor = first.nextCursor();
    while (cursor.isPresent()) {
      SessionPage next = await(store.list(ListQuery.firstPage().limit(10).after(cursor.get())));
      next.summaries().forEach(x -> rest.add(x.id()));
      cursor = next.nextCursor();
    }
    assertThat(rest).endsWith("s99").hasSize(30);
  }

  @Test
  void closeReleasesThePoolButNeverTheCallersExecutor() {
    ExecutorService mine = Executors.newSingleThreadExecutor();
    try {
      FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).executor(mine).build();
      await(store.save(session("x", 1)));
      store.close();
      store.close();
      assertThat(mine.isShutdown()).isFalse();
      assertThatThrownBy(() -> await(store.load("x"))).isInstanceOf(StorageClosedException.class);
      // Another instance on the same directory keeps working after one closes.
      FileSessionStorage a = open();
      FileSessionStorage b = open();
      b.close();
      await(a.save(session("y", 1)));
      assertThat(await(a.load("y")).messages()).hasSize(1);
    } finally {
      mine.shutdownNow();
    }
  }

  @Test
  void aSessionOverTheDocumentLimitIsRefusedBeforeAnyIo() throws IOException {
    FileSessionStorage store = open(FileSessionStorage.builder(dir).fsync(false).maxDocumentBytes(2_000));
    assertThatThrownBy(() -> await(store.save(session("big", 200))))
        .isInstanceOf(org.sessionkit.InvalidSessionException.class);
    assertThat(namesIn(dir)).noneMatch(n -> n.startsWith("big"));
  }

  @Test
  void customValuesRoundTripExactly() {
    FileSessionStorage store = open();
    Session s = session("json", 1).withState(st -> st
        .withCustom("int", JsonValue.of(3))
        .withCustom("float", JsonValue.of(3.0))
        .withCustom("big", JsonValue.of(new java.math.BigInteger("123456789012345678901234567890")))
        .withCustom("null", JsonValue.NULL)
        .withCustom("nested", JsonValue.object(Map.of("a", JsonValue.array(JsonValue.TRUE, JsonValue.of("é"))))));
    await(store.save(s));
    assertThat(await(open().load("json"))).isEqualTo(s);
  }
}
