package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
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
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.StorageUnavailableException;

/**
 * Faults against a private redis-server (never the shared one): a server that stops answering,
 * paused writes, killed connections, a crash and restart, and a server out of memory. Every
 * affected call fails with {@link StorageUnavailableException} within the timeout, nothing is
 * half applied, and the store reconnects by itself.
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

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
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

  /** Asserts that {@code call} fails with unavailable, within the timeout plus slack. */
  private static StorageUnavailableException failsInTime(Supplier<CompletableFuture<?>> call) {
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
    return (StorageUnavailableException) failure;
  }

  @Test
  void aServerThatStopsAnsweringFailsCallsWithinTheTimeoutAndWorksAgainAfterwards() throws Exception {
    Session before = Sessions.plain("sleepy", 2, Sessions.T0);
    await(store.save(before));
    Session after = Sessions.plain("sleepy", 5, Sessions.T0.plusSeconds(1));
    Thread sleeper = server.sleepServer(4);
    try {
      PrivateRedis.sleep(300); // let DEBUG SLEEP start
      long start = System.nanoTime();
      List<CompletableFuture<?>> calls =
          List.of(store.save(after), store.load("sleepy"), store.list(ListQuery.firstPage()));
      for (CompletableFuture<?> call : calls) {
        assertThatThrownBy(() -> await(call))
            .isInstanceOf(StorageUnavailableException.class)
            .hasMessageContaining("did not answer within");
      }
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(TIMEOUT.toMillis() + SLACK_MILLIS);
    } finally {
      sleeper.join(20_000);
    }
    // The write that timed out may have been applied once the server woke up: entirely or not.
    assertThat(eventually(() -> store.load("sleepy"))).isIn(before, after);
  }

  @Test
  void pausedWritesTimeOutWhileLoadsAndListingsStillWork() {
    Session before = Sessions.plain("paused", 1, Sessions.T0);
    Revision r = await(store.save(before));
    // CLIENT PAUSE 3000 WRITE, as a failover does (Lettuce has no method for the WRITE mode).
    server.command(CommandType.CLIENT, "PAUSE", "3000", "WRITE");
    // Loading and listing are read-only scripts: the server runs them during the pause.
    assertThat(await(store.loadVersioned("paused")).revision()).isEqualTo(r);
    assertThat(await(store.list(ListQuery.withPrefix("paused"))).summaries()).hasSize(1);
    failsInTime(() -> store.save(Sessions.plain("paused", 3, Sessions.T0)));
    // (Calls queue behind the paused write on the one connection until the pause ends.)
    failsInTime(() -> store.append("paused", Append.of(List.of(Message.user("x")), SessionState.initial("/"), Sessions.T0)));
    server.command(CommandType.CLIENT, "UNPAUSE");
    Session now = eventually(() -> store.load("paused"));
    assertThat(now.messages().size()).as("each write applied whole or not at all").isIn(1, 2, 3, 4);
  }

  @Test
  void killedConnectionsFailInFlightCallsWithoutDuplicatesAndTheStoreReconnects() {
    await(store.save(Sessions.plain("killed", 0, Sessions.T0)));
    int n = 400;
    List<CompletableFuture<Revision>> inFlight = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inFlight.add(store.append("killed", Append.of(List.of(Message.user("m" + i)), SessionState.initial("/"), Sessions.T0)));
      if (i == n / 4) {
        server.admin(a -> a.clientKill(KillArgs.Builder.typeNormal()));
      }
    }
    int ok = 0;
    int unavailable = 0;
    for (CompletableFuture<Revision> f : inFlight) {
      try {
        await(f);
        ok++;
      } catch (StorageUnavailableException e) {
        unavailable++;
      }
    }
    assertThat(ok + unavailable).isEqualTo(n);
    Session s = eventually(() -> store.load("killed"));
    List<String> texts = s.messages().stream().map(m -> ((ContentBlock.Text) m.content().get(0)).text()).toList();
    // Each append applied once or not at all, never twice (no replay after the reconnect).
    Set<String> distinct = new HashSet<>(texts);
    assertThat(distinct).hasSameSizeAs(texts);
    assertThat(texts.size()).isBetween(ok, n);
    // The store works again on its own.
    Revision r = eventually(() -> store.append("killed", Append.of(List.of(Message.user("again")), SessionState.initial("/"), Sessions.T0)));
    assertThat(await(store.loadVersioned("killed")).revision()).isEqualTo(r);
  }

  @Test
  void aCrashedAndRestartedServerIsReconnectedWithScriptsLoadedAgain() throws Exception {
    await(store.save(Sessions.plain("crash", 1, Sessions.T0)));
    server.kill();
    // While the server is down, calls fail at once instead of waiting for it.
    failsInTime(() -> store.load("crash"));
    failsInTime(() -> store.save(Sessions.plain("crash", 2, Sessions.T0)));
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
  void aServerOutOfMemoryFailsWritesWholeAndStillServesReads() {
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
    assertThat(refused).isNotNull().hasMessageContaining("OOM");
    assertThatThrownBy(() -> await(store.append("oom", Append.of(List.of(Message.user(big)), SessionState.initial("/"), Sessions.T0))))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("OOM");
    assertThat(await(store.loadVersioned("oom")).revision()).isEqualTo(r);
    assertThat(await(store.load("oom"))).isEqualTo(small);
    assertThat(await(store.list(ListQuery.withPrefix("oom"))).summaries()).hasSize(1);
    server.admin(a -> a.configSet("maxmemory", "0"));
    await(store.append("oom", Append.of(List.of(Message.user("fits again")), SessionState.initial("/"), Sessions.T0)));
    assertThat(await(store.load("oom")).messages()).hasSize(3);
  }
}
