package org.sessionkit.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;

/** The memory store's own handling of idempotency keys, retention and the new reads. */
class MemoryRetentionAndKeysTest {

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Throwable failure(java.util.concurrent.CompletableFuture<?> f) {
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class);
    return f.handle((v, e) -> e instanceof CompletionException c ? c.getCause() : e).join();
  }

  @Test
  void retriedAppendWithTheSameKeyAppliesOnceAndReturnsTheFirstRevision() {
    SessionStorage store = new MemorySessionStorage();
    Session s = Session.create("a", "/");
    Revision r0 = await(store.save(s));
    Append turn = Append.of(List.of(Message.user("hi")), s.state(), s.updatedAt())
        .ifRevision(r0).withIdempotencyKey(IdempotencyKey.of("turn-1"));
    Revision r1 = await(store.append("a", turn));
    Revision again = await(store.append("a", turn)); // expected revision is stale now: key wins
    assertThat(again).isEqualTo(r1);
    assertThat(await(store.load("a")).messages()).hasSize(1);
  }

  @Test
  void keysAreForgottenAfterSixteenLaterKeyedWrites() {
    SessionStorage store = new MemorySessionStorage();
    Session s = Session.create("a", "/");
    await(store.save(s));
    Append first = Append.of(List.of(Message.user("0")), s.state(), s.updatedAt()).withIdempotencyKey(IdempotencyKey.of("k0"));
    await(store.append("a", first));
    for (int i = 1; i <= IdempotencyKey.REMEMBERED; i++) {
      await(store.append("a", Append.of(List.of(Message.user("" + i)), s.state(), s.updatedAt())
          .withIdempotencyKey(IdempotencyKey.of("k" + i))));
    }
    await(store.append("a", first));
    assertThat(await(store.load("a")).messages()).hasSize(IdempotencyKey.REMEMBERED + 2);
  }

  @Test
  void retriedCreateWithTheSameKeyCompletesWithItsRevisionInsteadOfConflicting() {
    SessionStorage store = new MemorySessionStorage();
    Session s = Session.create("c", "/");
    Revision r = await(store.create(s, IdempotencyKey.of("create-c")));
    assertThat(await(store.create(s, IdempotencyKey.of("create-c")))).isEqualTo(r);
    assertThat(failure(store.create(s, IdempotencyKey.of("other")))).isInstanceOf(org.sessionkit.RevisionConflictException.class);
  }

  @Test
  void sessionNotWrittenForTheRetentionIsAbsentEverywhereAtOnce() {
    ManualClock clock = new ManualClock();
    SessionStorage store = MemorySessionStorage.builder().retention(Duration.ofDays(30)).clock(clock).build();
    // updatedAt far in the past (an import) does not expire a fresh write
    Session old = Session.create("old", "/").withUpdatedAt(Instant.parse("2000-01-01T00:00:00Z"));
    await(store.save(old));
    clock.advance(Duration.ofDays(29));
    assertThat(await(store.load("old"))).isEqualTo(old);
    await(store.save(Session.create("young", "/")));
    clock.advance(Duration.ofDays(2));
    assertThat(failure(store.load("old"))).isInstanceOf(SessionNotFoundException.class);
    assertThat(failure(store.loadTail("old", 5))).isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.list()).stream().map(x -> x.id())).containsExactly("young");
    assertThat(await(store.create(old))).isNotNull(); // absent, so create succeeds
  }

  @Test
  void retentionComesFromTheUri() {
    try (SessionStorage store = SessionStorages.open("memory:?retention=P30D")) {
      assertThat(store.kind()).isEqualTo("memory");
      await(store.ping());
    }
  }

  @Test
  void tailAndOlderSlicesCarryPositionsAndTheRevision() {
    SessionStorage store = new MemorySessionStorage();
    Session s = Session.create("t", "/");
    for (int i = 0; i < 10; i++) {
      s = s.withMessage(Message.user("m" + i));
    }
    Revision r = await(store.save(s));
    SessionSlice tail = await(store.loadTail("t", 3));
    assertThat(tail.messages()).extracting(m -> ((org.sessionkit.ContentBlock.Text) m.content().get(0)).text())
        .containsExactly("m7", "m8", "m9");
    assertThat(tail.firstIndex()).isEqualTo(7);
    assertThat(tail.totalMessages()).isEqualTo(10);
    assertThat(tail.revision()).isEqualTo(r);
    SessionSlice older = await(store.loadBefore("t", tail.firstIndex(), 5));
    assertThat(older.firstIndex()).isEqualTo(2);
    assertThat(older.messages()).hasSize(5);
    assertThat(await(store.loadBefore("t", 2, 5)).messages()).hasSize(2);
    assertThat(await(store.loadTail("t", 0)).messages()).isEmpty();
  }

  @Test
  void summariesCarryTheChosenCustomKeysAndMessageMetadataRoundTrips() {
    SessionStorage store = new MemorySessionStorage();
    Session s = Session.create("u/1", "/")
        .withState(Session.create("x", "/").state().withCustom(java.util.Map.of(
            "title", new JsonValue.JsonString("Trip"), "secret", new JsonValue.JsonString("no"))))
        .withMessage(Message.assistant("a").withMetadata("thought_signature", new JsonValue.JsonString("sig")));
    await(store.save(s));
    var page = await(store.list(ListQuery.withPrefix("u/").withCustomKeys("title", "missing")));
    assertThat(page.summaries().get(0).custom()).containsOnlyKeys("title");
    assertThat(await(store.load("u/1"))).isEqualTo(s);
  }

  @Test
  void deleteMatchingDeletesTheSelectedSessionsAndCountsThem() {
    SessionStorage store = new MemorySessionStorage();
    for (String id : List.of("user-42/a", "user-42/b", "user-4/c", "user-420")) {
      await(store.save(Session.create(id, "/")));
    }
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix("user-42/")))).isEqualTo(2);
    assertThat(await(store.list()).stream().map(x -> x.id())).containsExactlyInAnyOrder("user-4/c", "user-420");
    assertThat(await(store.deleteMatching(DeleteFilter.all()))).isEqualTo(2);
  }
}
