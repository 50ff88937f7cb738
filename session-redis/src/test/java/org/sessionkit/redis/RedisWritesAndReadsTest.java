package org.sessionkit.redis;

import static org.sessionkit.redis.TestRedis.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;

/**
 * What the scripts do natively, checked on the test server: idempotency keys in the write log
 * (kept with the session, checked before the revision, the last 16 remembered, across
 * instances), tail reads that read one version, revisions that never repeat, custom keys in
 * summaries, ping and kind.
 */
class RedisWritesAndReadsTest {

  private static final String PREFIX = TestRedis.newPrefix();
  private static RedisSessionStorage store;
  private static int namespaces;

  @BeforeAll
  static void open() {
    TestRedis.assumeServer();
    store = TestRedis.open(PREFIX);
  }

  @AfterAll
  static void close() {
    if (store != null) {
      store.close();
    }
    TestRedis.removeKeys(PREFIX);
  }

  private static synchronized String ns() {
    return "w" + (namespaces++) + "/";
  }

  private static Append turn(String text) {
    return Append.of(List.of(Message.user(text)), SessionState.initial("/"), Sessions.T0);
  }

  @Test
  void aKeyedWriteRetriedOnAnotherInstanceAppliesNothingAndReturnsTheFirstRevision() {
    String id = ns() + "keyed";
    Revision created = await(store.create(Sessions.plain(id, 1, Sessions.T0), IdempotencyKey.of("create-1")));
    Revision appended = await(store.append(id, turn("two").ifRevision(created).withIdempotencyKey(IdempotencyKey.of("turn-2"))));
    try (RedisSessionStorage other = TestRedis.open(PREFIX)) {
      // The key is checked before the revision: the stale expected revision does not matter.
      assertThat(await(other.append(id, turn("two").ifRevision(created).withIdempotencyKey(IdempotencyKey.of("turn-2")))))
          .isEqualTo(appended);
      assertThat(await(other.create(Sessions.plain(id, 5, Sessions.T0), IdempotencyKey.of("create-1")))).isEqualTo(created);
      assertThat(await(other.load(id)).messages()).hasSize(2);
      // A new key at a stale revision is a conflict as usual.
      assertThatThrownBy(() -> await(other.append(id, turn("x").ifRevision(created).withIdempotencyKey(IdempotencyKey.of("turn-3")))))
          .isInstanceOf(RevisionConflictException.class);
    }
    // A plain write keeps the log; a delete forgets it.
    await(store.save(Sessions.plain(id, 3, Sessions.T0)));
    assertThat(await(store.append(id, turn("two").withIdempotencyKey(IdempotencyKey.of("turn-2"))))).isEqualTo(appended);
    await(store.delete(id));
    Revision again = await(store.create(Sessions.plain(id, 1, Sessions.T0), IdempotencyKey.of("create-1")));
    assertThat(again).isNotEqualTo(created);
  }

  @Test
  void theLastSixteenKeysOfASessionAreRemembered() {
    String id = ns() + "sixteen";
    await(store.save(Sessions.plain(id, 0, Sessions.T0)));
    List<Revision> revisions = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      revisions.add(await(store.append(id, turn("t" + i).withIdempotencyKey(IdempotencyKey.of("k" + i)))));
    }
    for (int i = 4; i < 20; i++) {
      assertThat(await(store.append(id, turn("t" + i).withIdempotencyKey(IdempotencyKey.of("k" + i))))).isEqualTo(revisions.get(i));
    }
    assertThat(await(store.load(id)).messages()).hasSize(20);
    // The oldest keys are forgotten: a retry that late applies again.
    await(store.append(id, turn("t0").withIdempotencyKey(IdempotencyKey.of("k0"))));
    assertThat(await(store.load(id)).messages()).hasSize(21);
  }

  @Test
  void concurrentCallsWithOneKeyApplyOnceAndAllCompleteWithTheSameRevision() {
    String id = ns() + "racing";
    await(store.save(Sessions.plain(id, 0, Sessions.T0)));
    try (RedisSessionStorage other = TestRedis.open(PREFIX)) {
      for (int round = 0; round < 20; round++) {
        IdempotencyKey key = IdempotencyKey.of("turn-" + round);
        List<CompletableFuture<Revision>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          calls.add((i % 2 == 0 ? store : other).append(id, turn("r" + round).withIdempotencyKey(key)));
        }
        Set<Revision> seen = new HashSet<>();
        calls.forEach(c -> seen.add(await(c)));
        assertThat(seen).hasSize(1);
      }
      CompletableFuture<Revision> u1 = store.update(id, s -> s.withMessage(Message.user("u")), IdempotencyKey.of("upd"));
      CompletableFuture<Revision> u2 = other.update(id, s -> s.withMessage(Message.user("u")), IdempotencyKey.of("upd"));
      assertThat(await(u1)).isEqualTo(await(u2));
    }
    assertThat(await(store.load(id)).messages()).hasSize(21);
  }

  @Test
  void revisionsNeverRepeatAcrossDeletesRecreatesAndInstances() {
    String id = ns() + "revs";
    Set<Revision> seen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      try (RedisSessionStorage s = TestRedis.open(PREFIX)) {
        assertThat(seen.add(await(s.create(Sessions.plain(id, 1, Sessions.T0))))).isTrue();
        assertThat(seen.add(await(s.append(id, turn("x"))))).isTrue();
        await(s.delete(id));
      }
    }
  }

  @Test
  void aTailIsReadWithItsHeadAsOneVersion() {
    String id = ns() + "tail";
    Session s = Sessions.plain(id, 30, Sessions.T0);
    Revision r = await(store.save(s));
    SessionSlice tail = await(store.loadTail(id, 5));
    assertThat(tail.messages()).isEqualTo(s.messages().subList(25, 30));
    assertThat(tail.firstIndex()).isEqualTo(25);
    assertThat(tail.totalMessages()).isEqualTo(30);
    assertThat(tail.revision()).isEqualTo(r);
    assertThat(tail.state()).isEqualTo(s.state());
    SessionSlice older = await(store.loadBefore(id, 25, 10));
    assertThat(older.messages()).isEqualTo(s.messages().subList(15, 25));
    assertThat(await(store.loadBefore(id, 3, 10)).messages()).isEqualTo(s.messages().subList(0, 3));
    assertThat(await(store.loadBefore(id, 99, 2)).firstIndex()).isEqualTo(28);
    assertThat(await(store.loadTail(id, 0)).messages()).isEmpty();
    assertThat(await(store.loadTail(id, 0)).firstIndex()).isEqualTo(30);
    // Under concurrent appends, the count, the messages and the revision belong together.
    List<CompletableFuture<Revision>> appends = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      appends.add(store.append(id, turn("more " + i)));
      SessionSlice t = await(store.loadTail(id, 3));
      assertThat(t.firstIndex() + t.messages().size()).isEqualTo(t.totalMessages());
      Session whole = await(store.loadVersioned(id)).session();
      assertThat(whole.messages().size()).isGreaterThanOrEqualTo((int) t.totalMessages());
    }
    appends.forEach(TestRedis::await);
    SessionSlice last = await(store.loadTail(id, 1));
    assertThat(last.totalMessages()).isEqualTo(80);
    assertThat(last.revision()).isEqualTo(await(store.loadVersioned(id)).revision());
  }

  @Test
  void summariesCarryTheChosenCustomKeys() {
    String ns = ns();
    Session s = Sessions.plain(ns + "titled", 2, Sessions.T0);
    s = s.withState(s.state().withCustom(Map.of(
        "title", JsonValue.of("Trip to Lyon"), "big", new JsonValue.JsonDecimal(new java.math.BigDecimal("3.0")),
        "other", JsonValue.NULL)));
    await(store.save(s));
    List<SessionSummary> plain = await(store.list(ListQuery.withPrefix(ns))).summaries();
    assertThat(plain.get(0).custom()).isEmpty();
    SessionSummary chosen = await(store.list(ListQuery.withPrefix(ns).withCustomKeys("title", "big", "missing"))).summaries().get(0);
    assertThat(chosen.custom()).containsOnlyKeys("title", "big");
    assertThat(chosen.custom().get("title")).isEqualTo(JsonValue.of("Trip to Lyon"));
    assertThat(chosen.custom().get("big")).isEqualTo(new JsonValue.JsonDecimal(new java.math.BigDecimal("3.0")));
  }

  @Test
  void pingAnswersAndTheKindIsRedis() {
    await(store.ping());
    assertThat(store.kind()).isEqualTo("redis");
  }
}
