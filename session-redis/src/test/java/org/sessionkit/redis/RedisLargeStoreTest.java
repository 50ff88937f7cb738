package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionSummary;
import org.sessionkit.redis.internal.KeyLayout;

/**
 * A store of many sessions on a private server with a small call timeout: {@code list()},
 * {@code problems()} and {@code deleteMatching} page internally, so each Redis call stays far
 * below the timeout however large the store (the issue this reproduces: both failed over 7,366
 * sessions when the whole walk had to fit into one timeout). 10,000 sessions, 100,000 with
 * {@code -Dsessionkit.test.scale=full}.
 */
class RedisLargeStoreTest {

  private static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale"));
  private static final int SESSIONS = FULL ? 100_000 : 5_000;
  private static final Duration TIMEOUT = Duration.ofMillis(400);

  @Test
  void wholeStoreWalksAndChecksStayWithinTheCallTimeoutPerCall() throws Exception {
    try (PrivateRedis server = PrivateRedis.start()) {
      // Filled through a store with a generous timeout: many writes in flight at once queue.
      try (RedisSessionStorage filler = RedisSessionStorage.open(server.uri("prefix=big&timeout=30s"))) {
        fill(filler, SESSIONS);
      }
      checkThroughSmallTimeout(server);
    }
  }

  private static void checkThroughSmallTimeout(PrivateRedis server) {
    try (RedisSessionStorage store = RedisSessionStorage.open(server.uri("prefix=big&timeout=" + TIMEOUT.toMillis() + "ms"))) {
      // One damaged message body: problems() must read every session to find it.
      String victim = "s/" + (SESSIONS / 2);
      server.admin(a -> a.lset(KeyLayout.of("big", 1).messages(victim), 0, "{not json"));

      long start = System.nanoTime();
      List<SessionSummary> all = Futures.await(store.list(), 120, SECONDS);
      long listMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(all).hasSize(SESSIONS);

      start = System.nanoTime();
      List<ListingProblem> problems = Futures.await(store.problems(), 300, SECONDS);
      long problemMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(problems).extracting(p -> p.id().orElseThrow()).containsExactly(victim);

      start = System.nanoTime();
      assertThat(Futures.await(store.deleteMatching(DeleteFilter.all()), 300, SECONDS)).isEqualTo((long) SESSIONS);
      long deleteMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(Futures.await(store.list(), 30, SECONDS)).isEmpty();
      System.out.printf("%,d sessions, call timeout %d ms: list() %,d ms, problems() %,d ms, deleteMatching(all) %,d ms%n",
          SESSIONS, TIMEOUT.toMillis(), listMillis, problemMillis, deleteMillis);
    }
  }

  /** Writes {@code n} small sessions, a bounded number in flight at a time. */
  private static void fill(RedisSessionStorage store, int n) {
    List<CompletableFuture<?>> window = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      window.add(store.save(Sessions.plain("s/" + i, 2, Sessions.T0.plusMillis(i))));
      if (window.size() == 200) {
        window.forEach(f -> Futures.await(f, 60, SECONDS));
        window.clear();
      }
    }
    window.forEach(f -> Futures.await(f, 60, SECONDS));
  }
}
