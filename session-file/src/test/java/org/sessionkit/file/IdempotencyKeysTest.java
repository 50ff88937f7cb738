package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.file.FileSessionStorageTest.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.spi.SessionCodec;

/**
 * Idempotency keys in the file store: the write log lives in the document's {@code sessionkit}
 * head, is checked and written under the file's lock (in-process lock plus OS lock), the key
 * before the revision condition; plain writes keep it, deletes drop it, and two processes on
 * one directory apply each key once.
 */
class IdempotencyKeysTest {

  @TempDir Path dir;

  private final List<FileSessionStorage> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(FileSessionStorage::close);
  }

  private FileSessionStorage open() {
    FileSessionStorage s = FileSessionStorage.builder(dir).fsync(false).build();
    opened.add(s);
    return s;
  }

  private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

  private static Session session(String id, int messages) {
    Session s = new Session(id, List.of(), SessionState.initial("/w"), T, T);
    for (int i = 0; i < messages; i++) {
      s = s.withMessage(Message.user("m" + i));
    }
    return s.withUpdatedAt(T);
  }

  private static Append turn(String text) {
    return Append.of(List.of(Message.user(text)), SessionState.initial("/w"), T);
  }

  private static IdempotencyKey key(String k) {
    return IdempotencyKey.of(k);
  }

  @Test
  void aRetriedKeyedWriteAppliesNothingAndCompletesWithTheFirstRevision() throws Exception {
    FileSessionStorage store = open();
    Revision created = await(store.create(session("s", 1), key("create-1")));
    // The retry of the create, even with another session in hand, is the create already applied.
    assertThat(await(store.create(session("s", 5), key("create-1")))).isEqualTo(created);
    assertThat(await(store.load("s")).messages()).hasSize(1);

    Revision appended = await(store.append("s", turn("two").withIdempotencyKey(key("turn-2"))));
    assertThat(await(store.append("s", turn("two").withIdempotencyKey(key("turn-2"))))).isEqualTo(appended);
    // The key comes before the expected revision: a retry with the stale revision still answers.
    assertThat(await(store.append("s", turn("two").withIdempotencyKey(key("turn-2")).ifRevision(created))))
        .isEqualTo(appended);
    assertThat(await(store.load("s")).messages()).hasSize(2);

    Revision saved = await(store.saveIf(session("s", 3), appended, key("save-3")));
    assertThat(await(store.saveIf(session("s", 3), appended, key("save-3")))).isEqualTo(saved);
    Revision updated = await(store.update("s", x -> x.withMessage(Message.user("u")), key("update-4")));
    assertThat(await(store.update("s", x -> x.withMessage(Message.user("u")), key("update-4")))).isEqualTo(updated);
    assertThat(await(store.load("s")).messages()).hasSize(4);
    // A new key with a stale revision is a conflict as before.
    assertThatThrownBy(() -> await(store.saveIf(session("s", 9), saved, key("save-9"))))
        .isInstanceOf(RevisionConflictException.class);
  }

  @Test
  void theLogIsInTheHeadSurvivesPlainWritesAndReopeningAndDiesWithTheSession() throws Exception {
    FileSessionStorage store = open();
    Revision r = await(store.create(session("h", 1), key("first")));
    String head = Files.readString(store.fileOf("h"));
    assertThat(head).startsWith("{\"sessionkit\":{").contains("\"write_log\":[{\"key\":\"first\",\"revision\":\"" + r.value() + "\"}]");
    assertThat(head.indexOf("write_log")).isLessThan(head.indexOf("\"messages\""));
    // A plain save keeps the stored keys; so does an unkeyed append.
    await(store.save(session("h", 2)));
    await(store.append("h", turn("plain")));
    assertThat(await(store.create(session("h", 1), key("first")))).isEqualTo(r);
    // Another instance (another process) sees them.
    FileSessionStorage again = open();
    assertThat(await(again.create(session("h", 1), key("first")))).isEqualTo(r);
    // Deleting the session forgets them.
    await(again.delete("h"));
    Revision fresh = await(store.create(session("h", 1), key("first")));
    assertThat(fresh).isNotEqualTo(r);
  }

  @Test
  void onlyTheLastSixteenKeysAreRemembered() {
    FileSessionStorage store = open();
    await(store.save(session("k", 0)));
    List<Revision> revs = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      revs.add(await(store.append("k", turn("t" + i).withIdempotencyKey(key("t" + i)))));
    }
    assertThat(await(store.append("k", turn("t16").withIdempotencyKey(key("t16"))))).isEqualTo(revs.get(16));
    assertThat(await(store.append("k", turn("t1").withIdempotencyKey(key("t1"))))).isEqualTo(revs.get(1));
    // t0 fell out of the log: its retry applies again.
    assertThat(await(store.append("k", turn("t0").withIdempotencyKey(key("t0"))))).isNotEqualTo(revs.get(0));
    assertThat(await(store.load("k")).messages()).hasSize(18);
  }

  @Test
  void neuronReadsADocumentWithALogAndARewriteByNeuronDropsIt() throws Exception {
    FileSessionStorage store = open();
    await(store.create(session("n", 2), key("k1")));
    Session s = SessionCodec.defaults().decode(Files.readAllBytes(store.fileOf("n")), "n");
    assertThat(s).isEqualTo(session("n", 2));
    Files.write(store.fileOf("n"), SessionCodec.defaults().encodePretty(s)); // as neuron rewrites it
    Revision again = await(store.create(session("n", 2), key("k2")).exceptionally(e -> null));
    assertThat(again).isNull(); // it exists: a create with a new key conflicts
    Revision saved = await(store.saveIf(session("n", 3), await(store.loadVersioned("n")).revision(), key("k1")));
    assertThat(await(store.load("n")).messages()).hasSize(3);
    assertThat(Files.readString(store.fileOf("n"))).contains("\"key\":\"k1\",\"revision\":\"" + saved.value() + "\"");
  }

  @Test
  void concurrentCallsWithOneKeyInOneProcessApplyOnceAndAgree() throws Exception {
    FileSessionStorage store = open();
    await(store.save(session("c", 0)));
    FileSessionStorage other = open();
    for (int round = 0; round < 20; round++) {
      IdempotencyKey k = key("round-" + round);
      var a = store.append("c", turn("r" + round).withIdempotencyKey(k));
      var b = other.append("c", turn("r" + round).withIdempotencyKey(k));
      assertThat(await(a)).isEqualTo(await(b));
    }
    assertThat(await(store.load("c")).messages()).hasSize(20);
  }

  /**
   * Two JVMs append the same keyed turns to one session in lock step (both call with each key at
   * about the same time): every turn is stored once, and both processes complete each key with
   * the same revision.
   */
  @Test
  void twoProcessesWithTheSameKeysApplyEachOnceAndAgreeOnTheRevision() throws Exception {
    int turns = 40;
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
      await(store.save(session("shared", 0)));
    }
    Path stderr = Files.createTempFile("sk-keys", ".log");
    Path coord = Files.createTempDirectory("sk-keys-coord");
    List<Process> children = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        children.add(Children.plain().start(stderr, "keyed", dir.toString(), "shared", Integer.toString(turns),
            coord.toString(), "child-" + i));
      }
      List<Map<Integer, String>> seen = new ArrayList<>();
      for (Process p : children) {
        Map<Integer, String> revisions = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
          String line;
          while ((line = out.readLine()) != null) {
            if (line.startsWith("rev ")) {
              String[] parts = line.split(" ");
              revisions.put(Integer.parseInt(parts[1]), parts[2]);
            }
          }
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("child's errors: %s", Files.readString(stderr)).isZero();
        seen.add(revisions);
      }
      assertThat(seen.get(0)).hasSize(turns).isEqualTo(seen.get(1));
      try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
        List<String> texts = await(store.load("shared")).messages().stream()
            .map(m -> ((ContentBlock.Text) m.content().get(0)).text()).collect(Collectors.toList());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < turns; i++) {
          expected.add("turn " + i);
        }
        assertThat(texts).isEqualTo(expected);
      }
    } finally {
      children.forEach(Process::destroyForcibly);
      Files.deleteIfExists(stderr);
      try (var files = Files.list(coord)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(coord);
    }
  }
}
