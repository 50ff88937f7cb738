package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.file.FileSessionStorageTest.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.SessionCodec;

/**
 * Reading the recent end of a session without building its history, summaries with chosen
 * custom keys read from the head only, bulk deletes, and the cheap health check.
 */
class SlicesAndSummariesTest {

  @TempDir Path dir;

  private final List<FileSessionStorage> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(FileSessionStorage::close);
  }

  private FileSessionStorage open(FileSessionStorage.Builder b) {
    FileSessionStorage s = b.build();
    opened.add(s);
    return s;
  }

  private FileSessionStorage open() {
    return open(FileSessionStorage.builder(dir).fsync(false));
  }

  private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");

  private static Session session(String id, int messages, String title) {
    List<Message> list = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      list.add(i % 2 == 0 ? Message.user("q" + i) : Message.assistant("a" + i));
    }
    return new Session(id, list, SessionState.initial("/w").withCustom("title", JsonValue.of(title))
        .withCustom("n", JsonValue.of(messages)), T, T);
  }

  @Test
  void aTailIsTheEndOfTheStoredVersionWithItsRevision() {
    FileSessionStorage store = open();
    Session s = session("t", 10, "tail");
    var r = await(store.save(s));
    SessionSlice tail = await(store.loadTail("t", 3));
    assertThat(tail.messages()).isEqualTo(s.messages().subList(7, 10));
    assertThat(tail.firstIndex()).isEqualTo(7);
    assertThat(tail.totalMessages()).isEqualTo(10);
    assertThat(tail.revision()).isEqualTo(r);
    assertThat(tail.state()).isEqualTo(s.state());
    SessionSlice older = await(store.loadBefore("t", 7, 5));
    assertThat(older.messages()).isEqualTo(s.messages().subList(2, 7));
    assertThat(await(store.loadBefore("t", 50, 2)).messages()).isEqualTo(s.messages().subList(8, 10));
    assertThat(await(store.loadTail("t", 0)).messages()).isEmpty();
    assertThatThrownBy(() -> await(store.loadTail("nope", 1))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void aTailDoesNotBuildTheEarlierMessages() throws Exception {
    FileSessionStorage store = open();
    Session s = session("lazy", 6, "x");
    await(store.save(s));
    // An unknown role in the first message: load must reject it; a tail read never builds it.
    Path file = store.fileOf("lazy");
    Files.writeString(file, Files.readString(file).replaceFirst("\"User\"", "\"Robot\""));
    assertThatThrownBy(() -> await(store.load("lazy"))).isInstanceOf(CorruptDocumentException.class);
    assertThat(await(store.loadTail("lazy", 2)).messages()).isEqualTo(s.messages().subList(4, 6));
  }

  @Test
  void aTailOfADocumentNeuronWroteHasTheDigestRevisionOfLoad() throws Exception {
    FileSessionStorage store = open();
    Session s = session("neuron", 5, "n");
    Files.write(dir.resolve("neuron.json"), SessionCodec.defaults().encodePretty(s));
    VersionedSession v = await(store.loadVersioned("neuron"));
    SessionSlice tail = await(store.loadTail("neuron", 2));
    assertThat(tail.messages()).isEqualTo(s.messages().subList(3, 5));
    assertThat(tail.revision()).isEqualTo(v.revision());
    assertThat(tail.totalMessages()).isEqualTo(5);
  }

  @Test
  void summariesCarryChosenCustomKeysReadFromTheHeadOnly() throws Exception {
    TestOps ops = new TestOps();
    FileSessionStorage store = open(FileSessionStorage.builder(dir).fsync(false).fileSystemOps(ops));
    String big = "x".repeat(200_000);
    for (int i = 0; i < 5; i++) {
      Session s = session("c" + i, 4, "title " + i).withMessage(Message.user(big)).withUpdatedAt(T.plusSeconds(i));
      await(store.save(s));
    }
    // Age the files so that the cache may vouch for them.
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
      }
    }
    ops.resetCounts();
    List<SessionSummary> page = await(store.list(ListQuery.firstPage().withCustomKeys("title", "missing"))).summaries();
    assertThat(page).extracting(SessionSummary::id).containsExactly("c4", "c3", "c2", "c1", "c0");
    assertThat(page).extracting(SessionSummary::custom)
        .containsExactly(Map.of("title", JsonValue.of("title 4")), Map.of("title", JsonValue.of("title 3")),
            Map.of("title", JsonValue.of("title 2")), Map.of("title", JsonValue.of("title 1")),
            Map.of("title", JsonValue.of("title 0")));
    assertThat(ops.bytesRead()).as("bytes read for 5 summaries of 200 KB documents").isLessThan(5 * 10_000L);
    // Without custom keys, summaries have none; with them again, the cache serves them.
    assertThat(await(store.list())).allSatisfy(x -> assertThat(x.custom()).isEmpty());
    ops.resetCounts();
    assertThat(await(store.list(ListQuery.firstPage().withCustomKeys("n"))).summaries())
        .allSatisfy(x -> assertThat(x.custom()).isEqualTo(Map.of("n", JsonValue.of(4))));
    assertThat(ops.filesOpened()).isZero();
    // A document neuron wrote has them too (from a streaming scan).
    Files.write(dir.resolve("neuron.json"), SessionCodec.defaults().encodePretty(session("neuron", 2, "from neuron")));
    assertThat(await(store.list(ListQuery.withPrefix("neuron").withCustomKeys("title"))).summaries())
        .singleElement().satisfies(x -> assertThat(x.custom()).isEqualTo(Map.of("title", JsonValue.of("from neuron"))));
  }

  @Test
  void bulkDeleteRemovesExactlyTheMatchingSessions() throws Exception {
    FileSessionStorage store = open();
    for (int i = 0; i < 30; i++) {
      await(store.save(session((i % 3 == 0 ? "user-42/" : "user-7/") + i, 1, "t").withUpdatedAt(T.plusSeconds(i))));
    }
    Files.write(dir.resolve("broken.json"), "{".getBytes(UTF_8));
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix("user-42/")))).isEqualTo(10);
    assertThat(await(store.list())).hasSize(20).allSatisfy(x -> assertThat(x.id()).startsWith("user-7/"));
    assertThat(await(store.deleteMatching(DeleteFilter.updatedBefore(T.plusSeconds(10))))).isEqualTo(6);
    assertThat(await(store.deleteMatching(DeleteFilter.all()))).isEqualTo(14);
    assertThat(await(store.list())).isEmpty();
    assertThat(Files.exists(dir.resolve("broken.json"))).isTrue(); // not a session: left for a person
  }

  @Test
  void pingChecksTheDirectoryWithoutListingIt() throws Exception {
    TestOps ops = new TestOps();
    FileSessionStorage store = open(FileSessionStorage.builder(dir).fsync(false).fileSystemOps(ops));
    assertThat(store.kind()).isEqualTo("file");
    await(store.save(session("p", 1, "t")));
    ops.resetCounts();
    await(store.ping());
    assertThat(ops.filesOpened()).isZero();
    assertThat(ops.stats()).isLessThanOrEqualTo(1);
  }
}
