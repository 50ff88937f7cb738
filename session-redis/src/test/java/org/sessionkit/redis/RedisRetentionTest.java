package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.sessionkit.redis.TestRedis.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.redis.TestRedis.bytes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.redis.internal.KeyLayout;

/**
 * The retention option: counted from a session's last write by the store's clock (a clock the
 * test moves), a session is absent for every operation at once, and writes and listings remove
 * such sessions, checking each one's write time again.
 */
class RedisRetentionTest {

  private static final Duration RETENTION = Duration.ofDays(30);
  private static final String PREFIX = TestRedis.newPrefix();
  private static final MovableClock CLOCK = new MovableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private static RedisSessionStorage store;
  private static int namespaces;

  /** A clock the test sets. */
  static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    MovableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @BeforeAll
  static void open() {
    TestRedis.assumeServer();
    store = RedisSessionStorage.builder().uri(TestRedis.uri("prefix=" + PREFIX + "&timeout=10s"))
        .retention(RETENTION).clock(CLOCK).build();
  }

  @AfterAll
  static void close() {
    if (store != null) {
      store.close();
    }
    TestRedis.removeKeys(PREFIX);
  }

  private static synchronized String ns() {
    return "r" + (namespaces++) + "/";
  }

  private static boolean exists(String key) {
    long[] out = new long[1];
    TestRedis.raw(r -> out[0] = r.exists(bytes(key)));
    return out[0] == 1;
  }

  private static Append turn(String text) {
    return Append.of(List.of(Message.user(text)), SessionState.initial("/"), Sessions.T0);
  }

  @Test
  void aSessionNotWrittenForTheRetentionIsAbsentForEveryOperationAtOnce() {
    String ns = ns();
    String idle = ns + "idle";
    // updatedAt lies far in the past (an import): retention counts from the write, not from it.
    Revision r = await(store.save(Sessions.plain(idle, 2, Instant.parse("2001-01-01T00:00:00Z"))));
    CLOCK.advance(RETENTION.minusMinutes(1));
    assertThat(await(store.loadVersioned(idle)).revision()).isEqualTo(r);
    CLOCK.advance(Duration.ofMinutes(1));
    // Nothing removed it yet, and still it is absent everywhere.
    assertThat(exists(TestRedis.head(PREFIX, idle))).isTrue();
    assertThatThrownBy(() -> await(store.load(idle))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.loadTail(idle, 5))).isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.list(ListQuery.withPrefix(ns))).summaries()).isEmpty();
    assertThatThrownBy(() -> await(store.saveIf(Sessions.plain(idle, 1, Sessions.T0), r)))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.append(idle, turn("late")))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.append(idle, turn("late").ifRevision(r))))
        .isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix(ns)))).isZero();
    // Creating it again works, as for an id never used, and starts from nothing.
    Session fresh = Sessions.plain(idle, 1, Sessions.T0);
    await(store.create(fresh));
    assertThat(await(store.load(idle))).isEqualTo(fresh);
    assertThat(await(store.list(ListQuery.withPrefix(ns))).summaries()).extracting(SessionSummary::messageCount)
        .containsExactly(1L);
    CLOCK.advance(RETENTION);
    assertThatThrownBy(() -> await(store.delete(idle))).isInstanceOf(SessionNotFoundException.class);
    assertThat(exists(TestRedis.head(PREFIX, idle))).as("a delete of an expired session removes it").isFalse();
  }

  @Test
  void everyWriteStartsThePeriodAgain() {
    String id = ns() + "busy";
    await(store.save(Sessions.plain(id, 1, Sessions.T0)));
    for (int i = 0; i < 4; i++) {
      CLOCK.advance(RETENTION.dividedBy(2));
      await(store.append(id, turn("tick " + i)));
    }
    CLOCK.advance(RETENTION.minusSeconds(1));
    assertThat(await(store.load(id)).messages()).hasSize(5);
  }

  @Test
  void writesRemoveExpiredSessionsOfTheirShardAndKeysGetAServerSideBackstop() {
    // A store of its own, so that only these sessions are due.
    String prefix = TestRedis.newPrefix();
    MovableClock clock = new MovableClock(Instant.parse("2032-01-01T00:00:00Z"));
    try (RedisSessionStorage s = RedisSessionStorage.builder().uri(TestRedis.uri("prefix=" + prefix))
        .retention(RETENTION).clock(clock).build()) {
      for (int i = 0; i < 6; i++) {
        await(s.save(Sessions.plain("old" + i, 1, Sessions.T0)));
      }
      long pttl = pttl(TestRedis.head(prefix, "old0"));
      assertThat(pttl).as("the server drops keys well after the retention").isGreaterThan(RETENTION.toMillis());
      clock.advance(Duration.ofDays(1));
      await(s.save(Sessions.plain("old5", 2, Sessions.T0))); // written again: not due
      clock.advance(RETENTION.minusDays(1).plusSeconds(1));
      // Each write removes up to two due sessions of its shard (one shard here), oldest first,
      // and reads each one's write time again: old5 stays.
      for (int i = 0; i < 3; i++) {
        await(s.save(Sessions.plain("new" + i, 1, Sessions.T0)));
      }
      for (int i = 0; i < 5; i++) {
        assertThat(exists(TestRedis.head(prefix, "old" + i))).as("old%d", i).isFalse();
        assertThat(exists(TestRedis.messages(prefix, "old" + i))).isFalse();
      }
      assertThat(zscore(KeyLayout.of(prefix, 1).idIndex(0), KeyLayout.hex("old0"))).isFalse();
      assertThat(await(s.load("old5")).messages()).hasSize(2);
      assertThat(await(s.list()).stream().map(SessionSummary::id)).containsExactlyInAnyOrder("old5", "new0", "new1", "new2");
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }

  @Test
  void aListingRemovesTheExpiredSessionsItMeets() {
    // A store of its own: writes of other tests must not sweep these first.
    String prefix = TestRedis.newPrefix();
    MovableClock clock = new MovableClock(Instant.parse("2031-01-01T00:00:00Z"));
    try (RedisSessionStorage s = RedisSessionStorage.builder().uri(TestRedis.uri("prefix=" + prefix))
        .retention(Duration.ofHours(1)).clock(clock).build()) {
      await(s.save(Sessions.plain("gone", 1, Sessions.T0)));
      clock.advance(Duration.ofMinutes(59));
      await(s.save(Sessions.plain("kept", 1, Sessions.T0)));
      clock.advance(Duration.ofMinutes(2));
      assertThat(await(s.list()).stream().map(SessionSummary::id)).containsExactly("kept");
      long deadline = System.nanoTime() + SECONDS.toNanos(10);
      while (exists(TestRedis.head(prefix, "gone")) && System.nanoTime() < deadline) {
        PrivateRedis.sleep(20);
      }
      assertThat(exists(TestRedis.head(prefix, "gone"))).isFalse();
      assertThat(zscore(KeyLayout.of(prefix, 1).idIndex(0), KeyLayout.hex("gone"))).isFalse();
      assertThat(exists(TestRedis.head(prefix, "kept"))).isTrue();
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }

  private static long pttl(String key) {
    long[] out = new long[1];
    TestRedis.raw(r -> out[0] = r.pttl(bytes(key)));
    return out[0];
  }

  private static boolean zscore(String key, String member) {
    boolean[] out = new boolean[1];
    TestRedis.raw(r -> out[0] = r.zscore(bytes(key), bytes(member)) != null);
    return out[0];
  }
}
