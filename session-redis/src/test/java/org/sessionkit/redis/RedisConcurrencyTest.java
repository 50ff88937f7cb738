package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.VersionedSession;

/**
 * Several writers on one session, through separate connections and a separate JVM: revisions are
 * compared on the server, so nothing is lost and no two writers win with one revision. Sizes
 * grow with {@code -Dsessionkit.test.scale=full}.
 */
class RedisConcurrencyTest {

  private static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale"));
  private static final String PREFIX = TestRedis.newPrefix();
  private static RedisSessionStorage first;
  private static RedisSessionStorage second;

  @BeforeAll
  static void open() {
    TestRedis.assumeServer();
    first = TestRedis.open(PREFIX);
    second = TestRedis.open(PREFIX);
  }

  @AfterAll
  static void close() {
    if (first != null) {
      first.close();
      second.close();
    }
    TestRedis.removeKeys(PREFIX);
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 60, SECONDS);
  }

  @Test
  void twoClientsRacingWithOneExpectedRevisionNeverBothWin() {
    String id = "race";
    Revision r = await(first.save(Sessions.plain(id, 0, Sessions.T0)));
    int rounds = FULL ? 2_000 : 100;
    for (int i = 0; i < rounds; i++) {
      CompletableFuture<Revision> a = first.saveIf(Sessions.plain(id, 1, Sessions.T0), r);
      CompletableFuture<Revision> b = second.saveIf(Sessions.plain(id, 2, Sessions.T0), r);
      List<Revision> won = new ArrayList<>();
      int conflicts = 0;
      for (CompletableFuture<Revision> f : List.of(a, b)) {
        try {
          won.add(await(f));
        } catch (RevisionConflictException e) {
          conflicts++;
        }
      }
      assertThat(won).as("round %d", i).hasSize(1);
      assertThat(conflicts).isEqualTo(1);
      r = won.get(0);
      assertThat(await(second.loadVersioned(id)).revision()).isEqualTo(r);
    }
  }

  @Test
  void concurrentAppendsAndUpdatesThroughTwoConnectionsLoseNothing() {
    String id = "shared";
    await(first.save(Sessions.plain(id, 0, Sessions.T0)));
    int perWriter = FULL ? 1_000 : 60;
    // Four writers at once, each adding its messages one after another: two append through one
    // connection, two update (load, change, conditional save, retry) through the other.
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (String w : List.of("a1", "a2")) {
      writers.add(chain(0, perWriter, i -> first.append(id,
          Append.of(List.of(Message.user(w + ":" + i)), SessionState.initial("/"), Sessions.T0))));
    }
    for (String w : List.of("u1", "u2")) {
      writers.add(chain(0, perWriter, i -> second.update(id, s -> s.withMessage(Message.user(w + ":" + i)))));
    }
    writers.forEach(RedisConcurrencyTest::await);
    Session s = await(first.load(id));
    assertThat(s.messages()).hasSize(4 * perWriter);
    assertThat(checkEachWriterInOrder(s))
        .containsOnlyKeys("a1", "a2", "u1", "u2")
        .allSatisfy((writer, last) -> assertThat(last).isEqualTo(perWriter - 1));
  }

  /** Runs {@code step(from)}, then {@code step(from + 1)}… up to {@code to - 1}, one at a time. */
  private static CompletableFuture<Void> chain(int from, int to, java.util.function.IntFunction<CompletableFuture<?>> step) {
    if (from >= to) {
      return CompletableFuture.completedFuture(null);
    }
    return step.apply(from).thenCompose(x -> chain(from + 1, to, step));
  }

  @Test
  void twoProcessesHammeringOneSessionLoseNothing() throws Exception {
    String id = "two-processes";
    await(first.save(Sessions.plain(id, 0, Sessions.T0)));
    int count = FULL ? 2_000 : 100;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), Hammer.class.getName(),
                TestRedis.uri("prefix=" + PREFIX), id, Integer.toString(count), "child")
            .redirectErrorStream(true)
            .redirectOutput(File.createTempFile("hammer", ".log"));
    Process child = pb.start();
    try {
      Hammer.hammer(first, id, count, "parent");
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the other process finished").isTrue();
      assertThat(child.exitValue()).isZero();
    } finally {
      child.destroyForcibly();
    }
    Session s = await(first.load(id));
    assertThat(s.messages()).hasSize(2 * count);
    assertThat(checkEachWriterInOrder(s)).containsEntry("parent", count - 1).containsEntry("child", count - 1);
  }

  @Test
  void aConditionalAppendWinsOnlyAtItsRevision() {
    String id = "conditional-append";
    Revision r = await(first.save(Sessions.plain(id, 0, Sessions.T0)));
    Append one = Append.of(List.of(Message.user("one")), SessionState.initial("/"), Sessions.T0).ifRevision(r);
    Append two = Append.of(List.of(Message.user("two")), SessionState.initial("/"), Sessions.T0).ifRevision(r);
    CompletableFuture<Revision> a = first.append(id, one);
    CompletableFuture<Revision> b = second.append(id, two);
    int won = 0;
    for (CompletableFuture<Revision> f : List.of(a, b)) {
      try {
        await(f);
        won++;
      } catch (RevisionConflictException e) {
        // the other one won
      }
    }
    assertThat(won).isEqualTo(1);
    VersionedSession v = await(first.loadVersioned(id));
    assertThat(v.session().messages()).hasSize(1);
  }

  /** Checks that each writer's messages appear once each, in order; returns each writer's last. */
  private static Map<String, Integer> checkEachWriterInOrder(Session s) {
    Map<String, Integer> last = new HashMap<>();
    for (Message m : s.messages()) {
      String text = ((ContentBlock.Text) m.content().get(0)).text();
      String[] parts = text.split(":");
      int n = Integer.parseInt(parts[1]);
      int previous = last.getOrDefault(parts[0], -1);
      assertThat(n).as("message %s after %d", text, previous).isEqualTo(previous + 1);
      last.put(parts[0], n);
    }
    return last;
  }
}
