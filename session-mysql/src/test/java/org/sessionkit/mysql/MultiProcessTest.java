package org.sessionkit.mysql;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.Session;

/**
 * Two JVMs hammering one session through {@code update} and {@code append} lose nothing: the
 * server decides every condition under the row lock. 40 changes per process by default, 500
 * with {@code -Dsessionkit.test.scale=full}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiProcessTest {

  private TestDatabase db;

  @BeforeAll
  void server() {
    db = TestDatabase.shared();
  }

  @BeforeEach
  void requireServer() {
    db.require();
  }

  @AfterAll
  void drop() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void twoProcessesChangingOneSessionLoseNoChange() throws Exception {
    int count = "full".equals(System.getProperty("sessionkit.test.scale")) ? 500 : 40;
    String uri = db.storeUrl(db.newPrefix(), "");
    String id = "shared/one";
    try (MySqlSessionStorage store = MySqlSessionStorage.open(uri)) {
      Futures.await(store.save(Session.create(id, "/work").withUpdatedAt(Instant.parse("2025-01-01T00:00:00Z"))),
          30, SECONDS);
      Path log = Files.createTempFile("sessionkit-worker", ".log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          UpdateWorker.class.getName(), uri, id, Integer.toString(count), "child")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        CompletableFuture<Void> mine =
            CompletableFuture.runAsync(() -> UpdateWorker.run(store, id, count, "parent"));
        Futures.await(mine, 120, SECONDS);
        assertThat(child.waitFor(120, SECONDS)).as("child finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("done");
      } finally {
        child.destroyForcibly();
        Files.deleteIfExists(log);
      }
      Session s = Futures.await(store.load(id), 30, SECONDS);
      List<String> texts = s.messages().stream()
          .map(m -> ((ContentBlock.Text) m.content().get(0)).text()).collect(Collectors.toList());
      assertThat(texts).hasSize(2 * count).doesNotHaveDuplicates();
      for (String who : List.of("parent", "child")) {
        // Each process's own changes stay in its order.
        List<String> own = texts.stream().filter(t -> t.startsWith(who + "-")).collect(Collectors.toList());
        assertThat(own).hasSize(count);
        for (int i = 0; i < count; i++) {
          assertThat(own.get(i)).isEqualTo(who + "-" + i);
        }
      }
      assertThat(s.state().eventCount()).isEqualTo(count);
    }
  }
}
