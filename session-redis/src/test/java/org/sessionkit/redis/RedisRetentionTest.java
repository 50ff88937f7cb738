package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.redis.TestRedis.bytes;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.redis.internal.KeyLayout;

/** The retention option: sessions not written for the period expire, index entries included. */
class RedisRetentionTest {

  private static final long RETENTION_MILLIS = 1_500;
  private static final String PREFIX = TestRedis.newPrefix();
  private static RedisSessionStorage store;

  @BeforeAll
  static void open() {
    TestRedis.assumeServer();
    store = RedisSessionStorage.open(TestRedis.uri("prefix=" + PREFIX + "&retention=" + RETENTION_MILLIS + "ms"));
  }

  @AfterAll
  static void close() {
    if (store != null) {
      store.close();
    }
    TestRedis.removeKeys(PREFIX);
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  private static long pttl(String key) {
    long[] out = new long[1];
    TestRedis.raw(r -> out[0] = r.pttl(bytes(key)));
    return out[0];
  }

  private static boolean indexed(String id) {
    boolean[] out = new boolean[1];
    TestRedis.raw(r -> out[0] = r.zscore(bytes(PREFIX + "idx:id"), bytes(KeyLayout.hex(id))) != null);
    return out[0];
  }

  @Test
  void everyWriteSetsTheRetentionOnBothKeysOfTheSession() {
    await(store.save(Sessions.plain("ttl", 2, Sessions.T0)));
    String hex = KeyLayout.hex("ttl");
    assertThat(pttl(PREFIX + "s:{" + hex + "}:h")).isBetween(1L, RETENTION_MILLIS);
    assertThat(pttl(PREFIX + "s:{" + hex + "}:m")).isBetween(1L, RETENTION_MILLIS);
    await(store.append("ttl", Append.of(List.of(Message.user("more")), SessionState.initial("/"), Sessions.T0)));
    assertThat(pttl(PREFIX + "s:{" + hex + "}:m")).isBetween(1L, RETENTION_MILLIS);
    assertThat(pttl(PREFIX + "idx:updated")).as("indexes never expire").isEqualTo(-1);
  }

  @Test
  void sessionsNotWrittenForTheRetentionPeriodVanishFromLoadAndListings() {
    String ns = "vanish/";
    await(store.save(Sessions.plain(ns + "idle", 1, Sessions.T0)));
    await(store.save(Sessions.plain(ns + "busy", 1, Sessions.T0)));
    long until = System.nanoTime() + (RETENTION_MILLIS + 800) * 1_000_000;
    while (System.nanoTime() < until) {
      PrivateRedis.sleep(RETENTION_MILLIS / 5);
      await(store.append(ns + "busy", Append.of(List.of(Message.user("tick")), SessionState.initial("/"), Sessions.T0)));
    }
    assertThatThrownBy(() -> await(store.load(ns + "idle"))).isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.load(ns + "busy")).messages().size()).isGreaterThan(1);
    assertThat(await(store.list(ListQuery.withPrefix(ns))).summaries())
        .extracting(SessionSummary::id)
        .containsExactly(ns + "busy");
    assertThat(await(store.list()).stream().map(SessionSummary::id)).doesNotContain(ns + "idle");
    // The listings handed the stale index entries to the pruning script.
    long deadline = System.nanoTime() + SECONDS.toNanos(5);
    while (indexed(ns + "idle") && System.nanoTime() < deadline) {
      PrivateRedis.sleep(50);
    }
    assertThat(indexed(ns + "idle")).isFalse();
    assertThat(indexed(ns + "busy")).isTrue();
  }

  @Test
  void aSessionSavedAgainAfterItExpiredIsListedOnceWithItsNewTime() {
    await(store.save(Sessions.plain("again", 1, Sessions.T0)));
    PrivateRedis.sleep(RETENTION_MILLIS + 300);
    await(store.save(Sessions.plain("again", 2, Sessions.T0.plusSeconds(5))));
    assertThat(await(store.list(ListQuery.withPrefix("again"))).summaries())
        .extracting(SessionSummary::messageCount)
        .containsExactly(2L);
  }
}
