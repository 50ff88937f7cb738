package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.sessionkit.redis.TestRedis.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.KillArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;

/**
 * Faults against a private redis-server (never the shared one): a server that stops answering,
 * paused writes, killed connections, a crash and restart, a server out of memory, closing with
 * writes in flight. Every affected call fails within the timeout with a typed error — {@link
 * AmbiguousOutcomeException} exactly where a write may have been applied — nothing is half
 * applied, a retry with the write's idempotency key applies it at most once, reads never wait
 * behind held writes, and the store reconnects by itself.
 */
class RedisFaultTest {

  private static final Duration TIMEOUT = Duration.ofMillis(700);
  /** Slack for a slow, shared CI machine on top of the timeout. */
  private static final long SLACK_MILLIS = 1_500;

  private static PrivateRedis server;
  private static RedisSessionStorage store;

  @BeforeAll
  static void start() throws Exception {
    server = PrivateRedis.start();
    store = RedisSessionStorage.open(server.uri("prefix=faults&timeout=" + TIMEOUT.toMillis() + "ms&clientName=sessionkit-under-test"));
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void unpause() {
    server.command(CommandType.CLIENT, "UNPAUSE");
    server.admin(r -> r.configSet("maxmemory", "0"));
  }

  /** Waits until {@code call} succeeds (the store reconnected), at most 10 seconds. */
  private static <T> T eventually(Supplier<CompletableFuture<T>> call) {
    long deadline = System.nanoTime() + SECONDS.toNanos(10);
    while (true) {
      try {
        return await(call.get());
      } catch (StorageUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        PrivateRedis.sleep(50);
      }
    }
  }

  /** Returns how {@code call} failed, asserting it did within the timeout plus slack. */
  private static Throwable failsInTime(Supplier<CompletableFuture<?>> call) {
    long start = System.nanoTime();
    Throwable failure = null;
    try {
      await(call.get());
    } catch (RuntimeException e) {
      failure = e;
    }
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(failure).isInstanceOf(StorageUnavailableException.class);
    assertThat(tookMillis).isLessThan(TIMEOUT.toMillis() + SLACK_MILLIS);
    return failure;
  }

  private static Append turn(String text) {
    return Append.of(List.of(Message.user(text)), SessionState.initial("/"), Sessions.T0);
  }

  private static List<String> texts(Session s) {
    return s.messages().stream().map(m -> ((ContentBlock.Text) m.content().get(0)).text()).toList();
  }

  @Test
  void aWriteThatTimesOutIsAmbiguousMayApplyLaterAndItsKeyedRetryAppliesNothing() throws Exception {
    await(store.save(Sessions.plain("sleepy", 2, Sessions.T0)));
    IdempotencyKey key = IdempotencyKey.of("turn-3-of-sleepy");
    Thread sleeper = server.sleepServer(3);
    CompletableFuture<Revision> append;
    CompletableFuture<?> load;
    CompletableFuture<?> list;
    try {
      PrivateRedis.sleep(300); // let DEBUG SLEEP start
      long start = System.nanoTime();
      append = store.append("sleepy", turn("third").withIdempotencyKey(key));
      load = store.load("sleepy");
      list = store.list(ListQuery.firstPage());
      assertThatThrownBy(() -> await(append))
          .isInstanceOf(AmbiguousOutcomeException.class)
          .hasMessageContaining("did not answer within")
          .hasMessageContaining("may or may not have been applied");
      for (CompletableFuture<?> read : List.of(load, list)) {
        assertThatThrownBy(() -> await(read))
            .isInstanceOf(StorageUnavailableException.class)
            .isNotInstanceOf(AmbiguousOutcomeException.class)
            .hasMessageContaining("did not answer within");
      }
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(TIMEOUT.toMillis() + SLACK_MILLIS);
    } finally {
      sleeper.join(20_000);
    }
    // The script stayed queued on the stalled server and ran when it woke: a reload now shows
    // the turn, though the caller saw a failure. The keyed retry tells: it applies nothing and
    // completes with the revision the first attempt produced.
    VersionedSession after = eventually(() -> store.loadVersioned("sleepy"));
    assertThat(texts(after.session())).containsExactly("message 0", "answer 1", "third");
    Revision retried = await(store.append("sleepy", turn("third").withIdempotencyKey(key)));
    assertThat(retried).isEqualTo(after.revision());
    assertThat(texts(await(store.load("sleepy")))).containsExactly("message 0", "answer 1", "third");
  }

  @Test
  void readsKeepWorkingWhileAWriteWaitsOnPausedWrites() {
    Session before = Sessions.plain("paused", 1, Sessions.T0);
    Revision r = await(store.save(before));
    // CLIENT PAUSE … WRITE, as a failover does (Lettuce has no method for the WRITE mode).
    server.command(CommandType.CLIENT, "PAUSE", "4000", "WRITE");
    CompletableFuture<Revision> held = store.append("paused", turn("held").withIdempotencyKey(IdempotencyKey.of("held-1")));
    PrivateRedis.sleep(100);
    // The write is held by the server for 4 s; loads and listings go through the read
    // connection, so each of them completes within the 700 ms call timeout.
    for (int i = 0; i < 10; i++) {
      assertThat(await(store.loadVersioned("paused")).revision()).isEqualTo(r);
      assertThat(await(store.loadTail("paused", 1)).totalMessages()).isEqualTo(1);
      assertThat(await(store.list(ListQuery.withPrefix("paused"))).summaries()).hasSize(1);
      await(store.ping());
    }
    assertThatThrownBy(() -> await(held)).isInstanceOf(AmbiguousOutcomeException.class);
    Throwable second = failsInTime(() -> store.save(Sessions.plain("paused", 3, Sessions.T0)));
    assertThat(second).isInstanceOf(AmbiguousOutcomeException.class);
    server.command(CommandType.CLIENT, "UNPAUSE");
    Session now = eventually(() -> store.load("paused"));
    assertThat(now.messages().size()).as("each write applied whole or not at all").isIn(1, 2, 3);
  }

  @Test
  void killedConnectionsFailInFlightAppendsAndKeyedRetriesStoreEachTurnExactlyOnce() {
    // One turn per session: a session remembers the keys of its last 16 writes (the contract's
    // window), so 400 keyed appends to one session could not all be retried safely — a retry
    // whose key 16 later writes have pushed out applies again, as the contract allows.
    int n = 400;
    List<CompletableFuture<Revision>> saves = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      saves.add(store.save(Sessions.plain("killed-" + i, 0, Sessions.T0)));
    }
    saves.forEach(f -> await(f));
    List<CompletableFuture<Revision>> inFlight = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inFlight.add(store.append("killed-" + i, turn("m" + i).withIdempotencyKey(IdempotencyKey.of("k" + i))));
      if (i == n / 4) {
        server.admin(a -> a.clientKill(KillArgs.Builder.typeNormal()));
      }
    }
    int ok = 0;
    int ambiguous = 0;
    int unavailable = 0;
    List<Integer> failed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try {
        await(inFlight.get(i));
        ok++;
      } catch (AmbiguousOutcomeException e) {
        ambiguous++;
        failed.add(i);
      } catch (StorageUnavailableException e) {
        unavailable++;
        failed.add(i);
      }
    }
    assertThat(ok + ambiguous + unavailable).isEqualTo(n);
    int stored = 0;
    for (int i = 0; i < n; i++) {
      String id = "killed-" + i;
      List<String> texts = texts(eventually(() -> store.load(id)));
      assertThat(texts).as("session %s: its one turn at most (no replay after the reconnect)", id)
          .isSubsetOf(List.of("m" + i)).hasSizeLessThanOrEqualTo(1);
      stored += texts.size();
    }
    assertThat(stored).isBetween(ok, ok + ambiguous);
    // Retrying every failed append with its own key stores each missing turn once, and those
    // that were applied not again.
    for (int i : failed) {
      int j = i;
      eventually(() -> store.append("killed-" + j, turn("m" + j).withIdempotencyKey(IdempotencyKey.of("k" + j))));
    }
    for (int i = 0; i < n; i++) {
      assertThat(texts(await(store.load("killed-" + i)))).as("session killed-%d", i).containsExactly("m" + i);
    }
  }

  @Test
  void whileTheServerIsDownWritesFailAsNotAppliedAndScriptsAreLoadedAgainAfterARestart() throws Exception {
    await(store.save(Sessions.plain("crash", 1, Sessions.T0)));
    server.kill();
    // While the server is down, calls fail at once (nothing is sent, so nothing is ambiguous).
    failsInTime(() -> store.load("crash"));
    Throwable write = failsInTime(() -> store.save(Sessions.plain("crash", 2, Sessions.T0)));
    PrivateRedis.sleep(200);
    write = failsInTime(() -> store.save(Sessions.plain("crash", 2, Sessions.T0)));
    assertThat(write).isNotInstanceOf(AmbiguousOutcomeException.class);
    server.startAgain();
    // This server has no persistence: the session is gone, and the script cache is empty.
    Session fresh = Sessions.plain("crash", 3, Sessions.T0);
    eventually(() -> store.save(fresh));
    assertThat(await(store.load("crash"))).isEqualTo(fresh);
    assertThat(await(store.list(ListQuery.withPrefix("crash"))).summaries()).hasSize(1);
  }

  @Test
  void aServerWithAnAppendOnlyFileKeepsSessionsAcrossACrash() throws Exception {
    try (PrivateRedis durable = PrivateRedis.start("--appendonly", "yes", "--appendfsync", "always");
        RedisSessionStorage s = RedisSessionStorage.open(durable.uri("timeout=2s"))) {
      Session kept = Sessions.rich("kept");
      Revision r = await(s.save(kept));
      durable.restart();
      assertThat(eventually(() -> s.loadVersioned("kept")).session()).isEqualTo(kept);
      assertThat(await(s.loadVersioned("kept")).revision()).isEqualTo(r);
    }
  }

  @Test
  void aServerOutOfMemoryRefusesWritesWholeAsNotAppliedAndStillServesReads() {
    Session small = Sessions.plain("oom", 2, Sessions.T0);
    Revision r = await(store.save(small));
    String big = "x".repeat(200_000);
    server.admin(a -> {
      long used = Long.parseLong(a.info("memory").lines()
          .filter(l -> l.startsWith("used_memory:")).findFirst().orElseThrow().substring("used_memory:".length()).trim());
      a.configSet("maxmemory-policy", "noeviction");
      a.configSet("maxmemory", Long.toString(used + 100_000));
    });
    // Writes grow memory until the server refuses them; each refused one changes nothing.
    StorageUnavailableException refused = null;
    for (int i = 0; i < 50 && refused == null; i++) {
      try {
        await(store.save(Sessions.plain("filler" + i, 0, Sessions.T0).withMessage(Message.user(big)).withUpdatedAt(Sessions.T0)));
      } catch (StorageUnavailableException e) {
        refused = e;
      }
    }
    assertThat(refused).isNotNull().isNotInstanceOf(AmbiguousOutcomeException.class).hasMessageContaining("OOM");
    assertThatThrownBy(() -> await(store.append("oom", turn(big))))
        .isInstanceOf(StorageUnavailableException.class)
        .isNotInstanceOf(AmbiguousOutcomeException.class)
        .hasMessageContaining("OOM");
    assertThat(await(store.loadVersioned("oom")).revision()).isEqualTo(r);
    assertThat(await(store.load("oom"))).isEqualTo(small);
    assertThat(await(store.list(ListQuery.withPrefix("oom"))).summaries()).hasSize(1);
    server.admin(a -> a.configSet("maxmemory", "0"));
    await(store.append("oom", turn("fits again")));
    assertThat(await(store.load("oom")).messages()).hasSize(3);
  }

  @Test
  void openingIsBoundedByTheConnectTimeoutNotTheCallTimeout() throws Exception {
    Thread sleeper = server.sleepServer(2);
    try {
      PrivateRedis.sleep(200);
      long start = System.nanoTime();
      try (RedisSessionStorage s = RedisSessionStorage.open(server.uri("prefix=handshake&timeout=300ms&connectTimeout=10s"))) {
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThan(300);
        await(s.save(Sessions.plain("h", 1, Sessions.T0)));
      }
    } finally {
      sleeper.join(20_000);
    }
    assertThatThrownBy(() -> {
      Thread again = server.sleepServer(2);
      try {
        PrivateRedis.sleep(200);
        RedisSessionStorage.open(server.uri("prefix=handshake&timeout=10s&connectTimeout=300ms")).close();
      } finally {
        again.join(20_000);
      }
    }).isInstanceOf(StorageUnavailableException.class);
  }

  @Test
  void closingWithAWriteInFlightFailsItAsAmbiguousAndReadsAsClosed() throws Exception {
    // close() waits half the call timeout (2 s) for calls in flight; the server sleeps longer.
    RedisSessionStorage s = RedisSessionStorage.open(server.uri("prefix=closing&timeout=4s"));
    await(s.save(Sessions.plain("c", 1, Sessions.T0)));
    Thread sleeper = server.sleepServer(4);
    try {
      PrivateRedis.sleep(200);
      CompletableFuture<Revision> write = s.append("c", turn("in flight"));
      CompletableFuture<Session> read = s.load("c");
      s.close();
      assertThatThrownBy(() -> await(write)).isInstanceOf(AmbiguousOutcomeException.class).hasMessageContaining("closed");
      assertThatThrownBy(() -> await(read)).isInstanceOf(StorageClosedException.class);
      assertThatThrownBy(() -> await(s.load("c"))).isInstanceOf(StorageClosedException.class);
    } finally {
      sleeper.join(20_000);
    }
  }
}
