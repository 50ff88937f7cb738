package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionSummary;
import org.sessionkit.redis.internal.KeyLayout;
import org.sessionkit.spi.ListPosition;

/**
 * Listing over several shards on one server (the merge a cluster needs, without a cluster):
 * every page in the contract's order, each session exactly once, filters and problem entries
 * as with one shard, and bulk deletes across shards.
 */
class RedisShardedListingTest {

  private static final String PREFIX = TestRedis.newPrefix();
  private static final int SHARDS = 7;
  private static RedisSessionStorage store;
  private static final List<SessionSummary> SAVED = new ArrayList<>();

  @BeforeAll
  static void fill() {
    TestRedis.assumeServer();
    store = RedisSessionStorage.open(TestRedis.uri("prefix=" + PREFIX + "&shards=" + SHARDS + "&timeout=10s"));
    List<CompletableFuture<?>> saves = new ArrayList<>();
    Instant base = Instant.parse("2026-03-01T00:00:00Z");
    for (int i = 0; i < 700; i++) {
      // Many ties in updatedAt (ordered by id then), namespaces of different sizes.
      String id = (i % 10 == 0 ? "few/" : "many/") + i;
      Instant at = base.plusSeconds(i % 37).plusNanos(i % 3);
      saves.add(store.save(Sessions.plain(id, i % 4, at)));
    }
    saves.forEach(f -> Futures.await(f, 60, SECONDS));
    SAVED.addAll(Futures.await(store.list(), 60, SECONDS));
  }

  @AfterAll
  static void close() {
    if (store != null) {
      store.close();
    }
    TestRedis.removeKeys(PREFIX);
  }

  private static List<SessionSummary> walk(ListQuery first, List<ListingProblem> problems) {
    List<SessionSummary> out = new ArrayList<>();
    ListQuery q = first;
    while (true) {
      SessionPage page = Futures.await(store.list(q), 30, SECONDS);
      out.addAll(page.summaries());
      problems.addAll(page.problems());
      if (page.nextCursor().isEmpty()) {
        return out;
      }
      q = q.after(page.nextCursor().get());
    }
  }

  @Test
  void theStoreSpreadsSessionsOverEveryShard() {
    KeyLayout keys = KeyLayout.of(PREFIX, SHARDS);
    long[] perShard = new long[SHARDS];
    SAVED.forEach(s -> perShard[keys.shardOf(s.id())]++);
    for (long n : perShard) {
      assertThat(n).isGreaterThan(50);
    }
    assertThat(store.shards()).isEqualTo(SHARDS);
  }

  @Test
  void everyPageSizeWalksEverySessionOnceInTheContractsOrder() {
    assertThat(SAVED).hasSize(700).isSortedAccordingTo(ListPosition.SUMMARY_ORDER);
    for (int size : new int[] {1, 6, 97, 1000}) {
      List<ListingProblem> problems = new ArrayList<>();
      List<SessionSummary> walked = walk(ListQuery.firstPage().limit(size), problems);
      assertThat(walked).as("page size %d", size).containsExactlyElementsOf(SAVED);
      assertThat(problems).isEmpty();
    }
  }

  @Test
  void prefixesAndTimeBoundsSelectTheSameAsFilteringTheWholeListing() {
    Instant from = Instant.parse("2026-03-01T00:00:10Z");
    Instant to = Instant.parse("2026-03-01T00:00:20Z");
    for (String prefix : new String[] {"few/", "many/", "many/1", "none/"}) {
      List<SessionSummary> expected = SAVED.stream()
          .filter(s -> s.id().startsWith(prefix))
          .filter(s -> s.updatedAt().isAfter(from) && s.updatedAt().isBefore(to))
          .toList();
      List<SessionSummary> walked = walk(
          new ListQuery(13, Optional.of(prefix), Optional.of(to), Optional.of(from), Optional.empty()), new ArrayList<>());
      assertThat(walked).as(prefix).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aDamagedHeadInOneShardIsReportedOnceAtItsPlace() {
    String victim = SAVED.get(300).id();
    String prefix = TestRedis.newPrefix();
    try (RedisSessionStorage s = RedisSessionStorage.open(TestRedis.uri("prefix=" + prefix + "&shards=" + SHARDS))) {
      for (SessionSummary x : SAVED.subList(0, 400)) {
        Futures.await(s.save(Sessions.plain(x.id(), 1, x.updatedAt())), 30, SECONDS);
      }
      String head = KeyLayout.of(prefix, SHARDS).head(victim);
      TestRedis.raw(r -> r.hset(TestRedis.bytes(head), TestRedis.bytes("u"), TestRedis.bytes("2030-01-01T00:00:00Z")));
      for (int size : new int[] {1, 50, 1000}) {
        List<ListingProblem> problems = new ArrayList<>();
        List<SessionSummary> walked = new ArrayList<>();
        ListQuery q = ListQuery.firstPage().limit(size);
        while (true) {
          SessionPage page = Futures.await(s.list(q), 30, SECONDS);
          walked.addAll(page.summaries());
          problems.addAll(page.problems());
          if (page.nextCursor().isEmpty()) {
            break;
          }
          q = q.after(page.nextCursor().get());
        }
        assertThat(walked).as("page size %d", size).hasSize(399).extracting(SessionSummary::id).doesNotContain(victim);
        assertThat(problems).as("page size %d", size).extracting(p -> p.id().orElseThrow()).containsExactly(victim);
      }
      assertThat(Futures.await(s.problems(), 30, SECONDS)).extracting(p -> p.id().orElseThrow()).containsExactly(victim);
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }

  @Test
  void aBulkDeleteRemovesExactlyTheMatchingSessionsOfEveryShard() {
    String prefix = TestRedis.newPrefix();
    try (RedisSessionStorage s = RedisSessionStorage.open(TestRedis.uri("prefix=" + prefix + "&shards=" + SHARDS))) {
      List<CompletableFuture<?>> saves = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        saves.add(s.save(Sessions.plain((i % 3 == 0 ? "user-42/" : "user-7/") + i, 1, Sessions.T0.plusSeconds(i))));
      }
      saves.forEach(f -> Futures.await(f, 60, SECONDS));
      assertThat(Futures.await(s.deleteMatching(DeleteFilter.idPrefix("user-42/")), 60, SECONDS)).isEqualTo(400L);
      List<SessionSummary> left = Futures.await(s.list(), 60, SECONDS);
      assertThat(left).hasSize(800).allSatisfy(x -> assertThat(x.id()).startsWith("user-7/"));
      long before = left.stream().filter(x -> x.updatedAt().isBefore(Sessions.T0.plusSeconds(600))).count();
      assertThat(Futures.await(s.deleteMatching(DeleteFilter.updatedBefore(Sessions.T0.plusSeconds(600))), 60, SECONDS))
          .isEqualTo(before);
      assertThat(Futures.await(s.deleteMatching(DeleteFilter.all()), 60, SECONDS)).isEqualTo(800L - before);
      assertThat(Futures.await(s.list(), 60, SECONDS)).isEmpty();
      assertThat(SessionIds.isValid("user-42/1")).isTrue();
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }
}
