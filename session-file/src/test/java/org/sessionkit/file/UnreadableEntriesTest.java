package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionSummary;
import org.sessionkit.spi.SessionCodec;

/**
 * Entries under a session's name that are not regular files, reproduced as the fault campaign
 * of issue 17 found them: a FIFO named {@code *.json} (whose {@code load} never returned, and
 * four of which exhausted the store's threads and made {@code close()} wait 30 s), a symbolic
 * link loop (reported as "unavailable"), a link to a file outside the directory (whose first
 * token the error message quoted) and a link to {@code /dev/zero} (read for 7 s up to the size
 * limit). The store opens none of them: each fails {@code load} at once with {@link
 * CorruptDocumentException} naming the entry and nothing it points to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnreadableEntriesTest {

  @TempDir Path dir;
  @TempDir Path outside;

  private final List<FileSessionStorage> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(FileSessionStorage::close);
  }

  private FileSessionStorage open(int threads) {
    FileSessionStorage s = FileSessionStorage.builder(dir).fsync(false).threads(threads).build();
    opened.add(s);
    return s;
  }

  /** Awaits a future for at most 5 s: every call here must answer at once. */
  private static <T> T quickly(CompletableFuture<T> f) {
    return Futures.await(f, 5, SECONDS);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      quickly(f);
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  private void mkfifo(Path path) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "mkfifo is not available: " + e.getMessage());
      return;
    }
    assertThat(p.waitFor(10, SECONDS)).isTrue();
    assumeTrue(p.exitValue() == 0, "mkfifo failed on this file system");
  }

  private static Session session(String id) {
    java.time.Instant t = java.time.Instant.parse("2026-12-06T10:00:00.5Z");
    return new Session(id, List.of(), Session.create(id, "/w").state(), t, t).withMessage(Message.user("hello")).withUpdatedAt(t);
  }

  @Test
  void aFifoNamedLikeASessionFailsLoadAtOnceAsCorrupt() throws Exception {
    FileSessionStorage store = open(4);
    mkfifo(dir.resolve("pipe.json"));
    assertThat(failure(store.load("pipe")))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(dir.resolve("pipe.json").toString())
        .hasMessageContaining("FIFO");
    assertThat(failure(store.loadTail("pipe", 3))).isInstanceOf(CorruptDocumentException.class);
    assertThat(failure(store.append("pipe", org.sessionkit.Append.of(List.of(Message.user("x")), session("pipe").state(),
        java.time.Instant.now())))).isInstanceOf(CorruptDocumentException.class);
    assertThat(failure(store.create(session("pipe")))).isInstanceOf(CorruptDocumentException.class);
  }

  @Test
  void fourFifosDoNotExhaustTheThreadsAndCloseReturnsAtOnce() throws Exception {
    FileSessionStorage store = open(4);
    for (int i = 0; i < 4; i++) {
      mkfifo(dir.resolve("pipe" + i + ".json"));
    }
    List<CompletableFuture<Session>> loads = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 4; i++) {
        loads.add(store.load("pipe" + i));
      }
    }
    for (CompletableFuture<Session> f : loads) {
      assertThat(failure(f)).isInstanceOf(CorruptDocumentException.class);
    }
    // Every thread is free: ordinary work goes on, listings and the full check report the pipes.
    quickly(store.save(session("fine")));
    assertThat(quickly(store.load("fine"))).isEqualTo(session("fine"));
    assertThat(quickly(store.list())).extracting(SessionSummary::id).containsExactly("fine");
    assertThat(quickly(store.problems())).hasSize(4)
        .allSatisfy(p -> assertThat(p.reason()).contains("FIFO"));
    long start = System.nanoTime();
    store.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aSymbolicLinkLoopIsCorruptNotUnavailable() throws Exception {
    FileSessionStorage store = open(2);
    Files.createSymbolicLink(dir.resolve("loop-a.json"), dir.resolve("loop-b.json"));
    Files.createSymbolicLink(dir.resolve("loop-b.json"), dir.resolve("loop-a.json"));
    assertThat(failure(store.load("loop-a")))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(dir.resolve("loop-a.json").toString())
        .hasMessageContaining("symbolic link");
    assertThat(quickly(store.list(org.sessionkit.ListQuery.firstPage())).problems())
        .extracting(ListingProblem::location)
        .containsExactly(dir.resolve("loop-a.json").toString(), dir.resolve("loop-b.json").toString());
  }

  @Test
  void aLinkToAFileOutsideTheDirectoryIsNeverFollowedNorQuoted() throws Exception {
    FileSessionStorage store = open(2);
    Path secret = outside.resolve("credentials.json");
    Files.write(secret, "{\"aws_secret\": \"hunter2\"}".getBytes(UTF_8));
    // Even a valid session document outside is not read through a link.
    Path elsewhere = outside.resolve("elsewhere.json");
    Files.write(elsewhere, SessionCodec.defaults().encode(session("elsewhere")));
    Files.createSymbolicLink(dir.resolve("creds.json"), secret);
    Files.createSymbolicLink(dir.resolve("elsewhere.json"), elsewhere);

    for (String id : List.of("creds", "elsewhere")) {
      Throwable e = failure(store.load(id));
      assertThat(e).isInstanceOf(CorruptDocumentException.class)
          .hasMessageContaining(dir.resolve(id + ".json").toString())
          .hasMessageContaining("symbolic link");
      assertThat(e.getMessage()).doesNotContain("aws_secret").doesNotContain("hunter2")
          .doesNotContain(outside.toString());
    }
    assertThat(quickly(store.list())).isEmpty();
    for (ListingProblem p : quickly(store.problems())) {
      assertThat(p.reason()).doesNotContain("aws_secret").doesNotContain(outside.toString());
    }
    // A conditional write through the link is refused; the outside file is never touched.
    assertThat(failure(store.saveIf(session("creds"), org.sessionkit.Revision.of("r")))).isInstanceOf(CorruptDocumentException.class);
    assertThat(Files.readString(secret)).contains("hunter2");
    // A plain save replaces the link itself, not its target; delete removes a link, not its target.
    quickly(store.save(session("creds")));
    assertThat(Files.isSymbolicLink(dir.resolve("creds.json"))).isFalse();
    assertThat(Files.readString(secret)).contains("hunter2");
    quickly(store.delete("elsewhere"));
    assertThat(Files.exists(dir.resolve("elsewhere.json"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.exists(elsewhere)).isTrue();
  }

  @Test
  void aLinkToDevZeroIsRefusedWithoutReadingIt() throws Exception {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero), "no /dev/zero here");
    FileSessionStorage store = open(2);
    Files.createSymbolicLink(dir.resolve("zero.json"), zero);
    long start = System.nanoTime();
    assertThat(failure(store.load("zero")))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(dir.resolve("zero.json").toString());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aDirectoryNamedLikeASessionIsCorruptForEveryOperation() throws Exception {
    FileSessionStorage store = open(2);
    Files.createDirectory(dir.resolve("x.json"));
    for (CompletableFuture<?> f : List.<CompletableFuture<?>>of(
        store.load("x"), store.loadTail("x", 1), store.save(session("x")), store.delete("x"),
        store.create(session("x")))) {
      assertThat(failure(f)).isInstanceOf(CorruptDocumentException.class)
          .hasMessageContaining(dir.resolve("x.json").toString())
          .hasMessageContaining("directory");
    }
    assertThat(quickly(store.problems())).extracting(ListingProblem::location)
        .containsExactly(dir.resolve("x.json").toString());
  }

  @Test
  void aFifoIsReplacedByAPlainSaveAndRemovedByDelete() throws Exception {
    FileSessionStorage store = open(2);
    mkfifo(dir.resolve("p.json"));
    mkfifo(dir.resolve("q.json"));
    quickly(store.save(session("p")));
    assertThat(quickly(store.load("p"))).isEqualTo(session("p"));
    quickly(store.delete("q"));
    assertThat(Files.exists(dir.resolve("q.json"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(failure(store.deleteIf("p", org.sessionkit.Revision.of("nope"))))
        .isInstanceOf(RevisionConflictException.class);
  }
}
