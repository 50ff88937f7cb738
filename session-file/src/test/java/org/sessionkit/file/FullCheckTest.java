package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionSummary;

/**
 * {@code problems()} is the full check: it reads every document as {@code load} would. Issue
 * 17's campaign planted documents whose head is intact but whose body {@code load} rejects
 * (flipped bytes in a body, an unknown role, a lone surrogate, a head whose message count
 * disagrees with the body); {@code problems()} missed them because it read only heads. Planted
 * the same way here.
 */
class FullCheckTest {

  @TempDir Path dir;

  private FileSessionStorage store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  private static Session session(String id) {
    java.time.Instant t = java.time.Instant.parse("2026-12-06T10:00:00.5Z");
    return new Session(id, List.of(), Session.create(id, "/w").state(), t, t)
        .withMessage(Message.user("what is in the file?"))
        .withMessage(Message.assistant("the answer"))
        .withMessage(Message.user("thanks")).withUpdatedAt(t);
  }

  /** Rewrites a document of the store in place with one textual substitution in its body. */
  private void plant(String id, String from, String to) throws Exception {
    Path file = store.fileOf(id);
    String doc = Files.readString(file);
    int messages = doc.indexOf("\"messages\"");
    int at = doc.indexOf(from, messages);
    assertThat(at).as("%s in the body of %s", from, id).isGreaterThan(messages);
    Files.write(file, (doc.substring(0, at) + to + doc.substring(at + from.length())).getBytes(UTF_8));
  }

  @Test
  void problemsFindsEveryDocumentLoadRejectsWhileListingsStayCheap() throws Exception {
    store = FileSessionStorage.builder(dir).fsync(false).build();
    for (String id : List.of("healthy", "flipped", "role", "surrogate", "count", "utf8")) {
      await(store.save(session(id)));
    }
    plant("flipped", "\"role\":\"Assistant\",\"content\":[{", "\"role\":\"Assistant\",\"content\":[[");
    plant("role", "\"Assistant\"", "\"Robot\"");
    plant("surrogate", "the answer", "the \\ud800nswer");
    plant("count", ",{\"role\":\"User\",\"content\":[{\"Text\":\"thanks\"}]}", "");
    // Bytes that are not UTF-8 in a text.
    Path utf8 = store.fileOf("utf8");
    byte[] bytes = Files.readAllBytes(utf8);
    String doc = new String(bytes, UTF_8);
    int at = doc.indexOf("thanks");
    bytes[at] = (byte) 0xFF;
    Files.write(utf8, bytes);

    // Listings read heads only: every planted document still has an intact head.
    try (FileSessionStorage fresh = FileSessionStorage.builder(dir).fsync(false).build()) {
      assertThat(await(fresh.list())).extracting(SessionSummary::id)
          .containsExactlyInAnyOrder("healthy", "flipped", "role", "surrogate", "count", "utf8");
    }

    Map<String, String> reasons = await(store.problems()).stream()
        .collect(Collectors.toMap(p -> p.id().orElseThrow(), ListingProblem::reason, (a, b) -> a, TreeMap::new));
    assertThat(reasons.keySet()).containsExactly("count", "flipped", "role", "surrogate", "utf8");
    assertThat(reasons.get("role")).contains("Robot");
    assertThat(reasons.get("surrogate")).contains("surrogate");
    assertThat(reasons.get("count")).contains("3 messages but it holds 2");
    for (ListingProblem p : await(store.problems())) {
      assertThat(p.location()).isEqualTo(store.fileOf(p.id().orElseThrow()).toString());
      assertThatThrownBy(() -> await(store.load(p.id().get())))
          .isInstanceOf(CorruptDocumentException.class).hasMessageContaining(p.location());
    }
    assertThat(await(store.load("healthy"))).isEqualTo(session("healthy"));
  }

  @Test
  void theFullCheckOfAHealthyDirectoryIsEmptyAndReportsForeignNames() throws Exception {
    store = FileSessionStorage.builder(dir).fsync(false).build();
    await(store.save(session("a")));
    await(store.save(session("user/1")));
    Files.write(dir.resolve("a b.json"), org.sessionkit.spi.SessionCodec.defaults().encodePretty(session("a b")));
    assertThat(await(store.problems())).singleElement().satisfies(p -> {
      assertThat(p.location()).isEqualTo(dir.resolve("a b.json").toString());
      assertThat(p.id()).isEqualTo(Optional.of("a b"));
    });
  }
}
