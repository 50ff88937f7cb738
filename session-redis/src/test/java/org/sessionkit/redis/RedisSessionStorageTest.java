package org.sessionkit.redis;

import static org.sessionkit.redis.TestRedis.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.redis.TestRedis.bytes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.VersionedSession;
import org.sessionkit.redis.internal.KeyLayout;

/**
 * The contract, checked against the real test server. Each test works under its own id prefix
 * (a namespace inside the class's key prefix), so tests don't see each other's sessions.
 */
class RedisSessionStorageTest {

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

  /** A fresh id namespace for one test. */
  private static synchronized String ns() {
    return "t" + (namespaces++) + "/";
  }

  private static List<SessionSummary> all(String prefix, int pageSize) {
    return all(store, prefix, pageSize);
  }

  private static List<SessionSummary> all(RedisSessionStorage store, String prefix, int pageSize) {
    List<SessionSummary> out = new ArrayList<>();
    ListQuery q = ListQuery.withPrefix(prefix).limit(pageSize);
    while (true) {
      SessionPage page = await(store.list(q));
      out.addAll(page.summaries());
      if (page.nextCursor().isEmpty()) {
        return out;
      }
      q = q.after(page.nextCursor().get());
    }
  }

  @Test
  void saveThenLoadReturnsASessionEqualInEveryField() {
    Session s = Sessions.rich(ns() + "rich");
    Revision r = await(store.save(s));
    VersionedSession loaded = await(store.loadVersioned(s.id()));
    assertThat(loaded.session()).isEqualTo(s);
    assertThat(loaded.revision()).isEqualTo(r);
    // The same holds for a second instance on the same prefix (another process would see this).
    try (RedisSessionStorage other = TestRedis.open(PREFIX)) {
      assertThat(await(other.load(s.id()))).isEqualTo(s);
    }
  }

  @Test
  void everyValidIdRoundTripsAndStaysDistinct() {
    String ns = ns();
    String longest = "😀".repeat(SessionIds.MAX_CODE_POINTS - ns.codePointCount(0, ns.length()));
    List<String> ids =
        List.of("{", "}", "{x}", "}{", ":", "s:{", "}:h", " ", "a b", "A", "a", "é", "e\u0301",
            "😀", "\uFFFF", "\uE000", "%41", "..", "./x", "back\\slash", "\u00A0", "tab\u2028line", longest);
    for (int i = 0; i < ids.size(); i++) {
      await(store.save(Sessions.plain(ns + ids.get(i), i, Sessions.T0)));
    }
    for (int i = 0; i < ids.size(); i++) {
      Session loaded = await(store.load(ns + ids.get(i)));
      assertThat(loaded.id()).isEqualTo(ns + ids.get(i));
      assertThat(loaded.messages()).hasSize(i);
    }
    List<String> listed = all(ns, 5).stream().map(SessionSummary::id).toList();
    List<String> expected = ids.stream().map(id -> ns + id).sorted(SessionIds.CODE_POINT_ORDER).toList();
    assertThat(listed).containsExactlyElementsOf(expected);
  }

  @Test
  void everyKeyOfASessionStaysUnderThePrefixAndSharesOneHashTag() {
    String id = ns() + "}{ :*?[x] 😀";
    await(store.save(Sessions.plain(id, 2, Sessions.T0)));
    String hex = KeyLayout.hex(id);
    Set<String> keys = new HashSet<>();
    TestRedis.raw(redis -> redis.keys(PREFIX + "*" + hex).forEach(k -> keys.add(new String(k, java.nio.charset.StandardCharsets.UTF_8))));
    assertThat(keys).containsExactlyInAnyOrder(TestRedis.head(PREFIX, id), TestRedis.messages(PREFIX, id));
    assertThat(keys).allSatisfy(k -> assertThat(k).startsWith(KeyLayout.of(PREFIX, 1).shardStart(0)));
  }

  @Test
  void loadAndDeleteOfAnUnknownIdFailWithNotFound() {
    String id = ns() + "missing";
    assertThatThrownBy(() -> await(store.load(id))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.delete(id))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.append(id, Append.of(List.of(), SessionState.initial("/"), Sessions.T0))))
        .isInstanceOf(SessionNotFoundException.class);
    await(store.save(Sessions.plain(id, 1, Sessions.T0)));
    await(store.delete(id));
    assertThatThrownBy(() -> await(store.delete(id))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.load(id))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void conditionalWritesCompareRevisionsAndChangeNothingOnConflict() {
    String id = ns() + "cond";
    Session v1 = Sessions.plain(id, 1, Sessions.T0);
    Revision r1 = await(store.create(v1));
    assertThatThrownBy(() -> await(store.create(v1))).isInstanceOf(RevisionConflictException.class);
    Session v2 = Sessions.plain(id, 2, Sessions.T0.plusNanos(1));
    Revision r2 = await(store.saveIf(v2, r1));
    assertThat(r2).isNotEqualTo(r1);
    assertThatThrownBy(() -> await(store.saveIf(Sessions.plain(id, 3, Sessions.T0), r1)))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.deleteIf(id, r1))).isInstanceOf(RevisionConflictException.class);
    assertThat(await(store.loadVersioned(id))).isEqualTo(new VersionedSession(v2, r2));
    assertThat(all(id, 10)).containsExactly(v2.summary(r2));
    await(store.deleteIf(id, r2));
    assertThatThrownBy(() -> await(store.saveIf(v2, r2))).isInstanceOf(RevisionConflictException.class);
    // A re-created session never repeats a revision an old reader may still hold.
    Revision r3 = await(store.create(v1));
    assertThat(r3).isNotIn(r1, r2);
  }

  @Test
  void appendPushesOnlyTheNewMessagesAndReplacesStateAndTime() {
    String id = ns() + "append";
    Session s = Sessions.plain(id, 3, Sessions.T0);
    Revision r = await(store.save(s));
    SessionState state = s.state().withEventCount(5);
    Instant later = Sessions.T0.plusNanos(7);
    Revision r2 = await(store.append(id, Append.of(List.of(Message.user("four"), Message.assistant("five")), state, later).ifRevision(r)));
    assertThatThrownBy(() -> await(store.append(id, Append.of(List.of(Message.user("x")), state, later).ifRevision(r))))
        .isInstanceOf(RevisionConflictException.class);
    Session expected = s.withMessages(List.of(Message.user("four"), Message.assistant("five"))).withState(state).withUpdatedAt(later);
    assertThat(await(store.loadVersioned(id))).isEqualTo(new VersionedSession(expected, r2));
    assertThat(all(id, 10)).containsExactly(expected.summary(r2));
    Revision r3 = await(store.append(id, Append.of(List.of(), state, later)));
    assertThat(r3).isNotEqualTo(r2);
    long[] length = new long[1];
    TestRedis.raw(redis -> length[0] = redis.llen(bytes(TestRedis.messages(PREFIX, id))));
    assertThat(length[0]).isEqualTo(5);
  }

  @Test
  void listingIsByUpdatedAtDescendingThenIdInCodePointOrderExactToTheNanosecond() {
    String ns = ns();
    Instant t = Sessions.T0;
    List<Session> sessions = new ArrayList<>();
    for (String id : List.of("b", "a", "😀", "\uFFFF", "\uE000", "ab")) {
      sessions.add(Sessions.plain(ns + id, 1, t));
    }
    sessions.add(Sessions.plain(ns + "newer", 0, t.plusNanos(1)));
    sessions.add(Sessions.plain(ns + "older", 0, t.minusNanos(1)));
    sessions.add(Sessions.plain(ns + "ancient", 0, Instant.parse("0000-01-01T00:00:00Z")));
    sessions.add(Sessions.plain(ns + "future", 0, Instant.parse("9999-12-31T23:59:59.999999999Z")));
    List<SessionSummary> expected = new ArrayList<>();
    for (Session s : sessions) {
      expected.add(s.summary(await(store.save(s))));
    }
    expected.sort(ListPosition.SUMMARY_ORDER);
    for (int pageSize : List.of(1, 3, 1000)) {
      assertThat(all(ns, pageSize)).containsExactlyElementsOf(expected);
    }
    // The whole-store listing holds them in the same order.
    List<SessionSummary> everything = await(store.list()).stream().filter(x -> x.id().startsWith(ns)).toList();
    assertThat(everything).containsExactlyElementsOf(expected);
  }

  @Test
  void timeBoundsAreExclusiveToTheNanosecond() {
    String ns = ns();
    Instant t = Sessions.T0;
    for (int i = 0; i < 3; i++) {
      await(store.save(Sessions.plain(ns + i, 0, t.plusNanos(i))));
    }
    ListQuery q = ListQuery.withPrefix(ns);
    assertThat(ids(await(store.list(q.updatedBefore(t.plusNanos(1)))))).containsExactly(ns + 0);
    assertThat(ids(await(store.list(q.updatedAfter(t.plusNanos(1)))))).containsExactly(ns + 2);
    assertThat(ids(await(store.list(q.updatedAfter(t).updatedBefore(t.plusNanos(2)))))).containsExactly(ns + 1);
    assertThat(ids(await(store.list(q.updatedAfter(Instant.MIN).updatedBefore(Instant.MAX))))).hasSize(3);
    assertThat(ids(await(store.list(q.updatedBefore(Instant.MIN))))).isEmpty();
    assertThat(ids(await(store.list(q.updatedAfter(Instant.MAX))))).isEmpty();
  }

  @Test
  void aPrefixMatchingMoreSessionsThanTheIdIndexServesIsWalkedInOrderExactlyOnce() {
    String ns = ns();
    int n = 1_200; // more than RedisStore.PREFIX_ID_LIMIT: the listing index is walked
    List<CompletableFuture<Revision>> saves = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      saves.add(store.save(Sessions.plain(ns + "many/" + i, 0, Sessions.T0.plusSeconds(i % 7))));
    }
    saves.add(store.save(Sessions.plain(ns + "other", 0, Sessions.T0)));
    saves.forEach(TestRedis::await);
    List<SessionSummary> walked = all(ns + "many/", 97);
    assertThat(walked).hasSize(n).isSortedAccordingTo(ListPosition.SUMMARY_ORDER);
    assertThat(walked.stream().map(SessionSummary::id).collect(Collectors.toSet())).hasSize(n);
    assertThat(all(ns + "oth", 10)).extracting(SessionSummary::id).containsExactly(ns + "other");
  }

  @Test
  void onManyShardsAPrefixWithAFewDozenMatchesPerShardIsWalkedInOrderExactlyOnce() {
    // 16 shards share the id-index limit (64 each): 1,600 matches, ~100 a shard, take the walk
    // of each shard's listing index where one shard alone would read its id index.
    String prefix = TestRedis.newPrefix();
    try (RedisSessionStorage sharded =
        RedisSessionStorage.builder().uri(TestRedis.uri("prefix=" + prefix)).shards(16).build()) {
      assertThat(sharded.shards()).isEqualTo(16);
      int n = 1_600;
      List<CompletableFuture<Revision>> saves = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        saves.add(sharded.save(Sessions.plain("many/" + i, 0, Sessions.T0.plusSeconds(i % 7))));
        saves.add(sharded.save(Sessions.plain("many-not/" + i, 0, Sessions.T0.plusSeconds(i % 5))));
      }
      saves.forEach(TestRedis::await);
      for (int pageSize : new int[] {20, 97}) {
        List<SessionSummary> walked = all(sharded, "many/", pageSize);
        assertThat(walked).hasSize(n).isSortedAccordingTo(ListPosition.SUMMARY_ORDER);
        assertThat(walked.stream().map(SessionSummary::id).collect(Collectors.toSet())).hasSize(n);
        assertThat(walked).allSatisfy(summary -> assertThat(summary.id()).startsWith("many/"));
      }
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }

  @Test
  void damagedEntriesAreReportedByListingsAndFailLoadsWithCorruptDocument() {
    String ns = ns();
    String badState = ns + "bad-state";
    String badMessage = ns + "bad-message";
    String notAHash = ns + "not-a-hash";
    for (String id : List.of(badState, badMessage, notAHash, ns + "fine")) {
      await(store.save(Sessions.plain(id, 2, Sessions.T0)));
    }
    TestRedis.raw(redis -> {
      redis.hset(bytes(TestRedis.head(PREFIX, badState)), bytes("s"), bytes("{\"cwd\": oops"));
      redis.lset(bytes(TestRedis.messages(PREFIX, badMessage)), 1, bytes("[not json"));
      byte[] head = bytes(TestRedis.head(PREFIX, notAHash));
      redis.del(head);
      redis.set(head, bytes("hello"));
    });
    assertThatThrownBy(() -> await(store.load(badState)))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(badState);
    assertThatThrownBy(() -> await(store.load(badMessage)))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(badMessage)
        .hasMessageContaining("message 1");
    assertThatThrownBy(() -> await(store.load(notAHash)))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(notAHash);
    // Appending would replace the damaged state and hide the damage: it is refused.
    for (String id : List.of(badState, notAHash)) {
      assertThatThrownBy(() -> await(store.append(id, Append.of(List.of(Message.user("x")), SessionState.initial("/"), Sessions.T0))))
          .isInstanceOf(CorruptDocumentException.class)
          .hasMessageContaining(id);
    }

    for (int pageSize : List.of(1, 2, 100)) {
      List<SessionSummary> listed = new ArrayList<>();
      List<ListingProblem> problems = new ArrayList<>();
      // Asking for custom keys makes the listing read (and so check) each state.
      ListQuery q = ListQuery.withPrefix(ns).limit(pageSize).withCustomKeys("title");
      while (true) {
        SessionPage page = await(store.list(q));
        listed.addAll(page.summaries());
        problems.addAll(page.problems());
        if (page.nextCursor().isEmpty()) {
          break;
        }
        q = q.after(page.nextCursor().get());
      }
      // Listings don't read messages: the damaged message shows on load and in problems().
      assertThat(listed).extracting(SessionSummary::id).containsExactly(badMessage, ns + "fine");
      assertThat(problems).extracting(p -> p.id().orElseThrow()).containsExactlyInAnyOrder(badState, notAHash);
    }
    // Without custom keys a listing reads no state: only the head that is not a hash shows.
    SessionPage cheap = await(store.list(ListQuery.withPrefix(ns)));
    assertThat(cheap.summaries()).extracting(SessionSummary::id).containsExactly(badMessage, badState, ns + "fine");
    assertThat(cheap.problems()).extracting(p -> p.id().orElseThrow()).containsExactly(notAHash);
    assertThat(await(store.problems()))
        .extracting(p -> p.id().orElseThrow())
        .containsExactlyInAnyOrder(badState, badMessage, notAHash);

    // A save replaces a damaged session; a delete removes one.
    Session repaired = Sessions.plain(badState, 1, Sessions.T0);
    await(store.save(repaired));
    assertThat(await(store.load(badState))).isEqualTo(repaired);
    await(store.save(Sessions.plain(notAHash, 1, Sessions.T0)));
    assertThat(await(store.load(notAHash)).messages()).hasSize(1);
    await(store.delete(badMessage));
    assertThat(all(ns, 100)).extracting(SessionSummary::id).containsExactly(badState, ns + "fine", notAHash);
    assertThat(await(store.problems())).extracting(p -> p.id().orElseThrow()).doesNotContain(badState, badMessage, notAHash);
  }

  @Test
  void aWalkWithoutPrefixReportsEachDamagedEntryOnceAtItsPlace() {
    String prefix = TestRedis.newPrefix();
    try (RedisSessionStorage s = TestRedis.open(prefix)) {
      for (int i = 0; i < 6; i++) {
        await(s.save(Sessions.plain("s" + i, 1, Sessions.T0.plusSeconds(i))));
      }
      TestRedis.raw(redis -> {
        // A head edited by hand: its time no longer matches its index entry.
        redis.hset(bytes(TestRedis.head(prefix, "s2")), bytes("u"), bytes("2030-01-01T00:00:00Z"));
        // A head without its index member.
        redis.hdel(bytes(TestRedis.head(prefix, "s4")), bytes("k"));
      });
      for (int pageSize : List.of(1, 2, 4, 1000)) {
        List<String> listed = new ArrayList<>();
        List<ListingProblem> problems = new ArrayList<>();
        ListQuery q = ListQuery.firstPage().limit(pageSize);
        while (true) {
          SessionPage page = await(s.list(q));
          page.summaries().forEach(x -> listed.add(x.id()));
          problems.addAll(page.problems());
          if (page.nextCursor().isEmpty()) {
            break;
          }
          q = q.after(page.nextCursor().get());
        }
        assertThat(listed).as("page size %d", pageSize).containsExactly("s5", "s3", "s1", "s0");
        assertThat(problems).as("page size %d", pageSize).extracting(p -> p.id().orElseThrow()).containsExactly("s4", "s2");
      }
      assertThatThrownBy(() -> await(s.load("s2"))).isInstanceOf(CorruptDocumentException.class);
      assertThatThrownBy(() -> await(s.load("s4"))).isInstanceOf(CorruptDocumentException.class);
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }

  @Test
  void sessionsThatCantBeStoredFailBeforeAnyWrite() {
    String id = ns() + "invalid";
    Session ok = Sessions.plain(id, 1, Sessions.T0);
    assertThatThrownBy(() -> await(store.save(ok.withUpdatedAt(Instant.parse("+10000-01-01T00:00:00Z")))))
        .isInstanceOf(InvalidSessionException.class);
    assertThatThrownBy(() -> await(store.save(ok.withMessage(Message.user("lone \uD800 surrogate")))))
        .isInstanceOf(InvalidSessionException.class);
    assertThatThrownBy(() -> await(store.load(id))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void aSizeLimitRejectsSavesAndAppendsThatWouldExceedIt() {
    String prefix = TestRedis.newPrefix();
    try (RedisSessionStorage small =
        RedisSessionStorage.builder().uri(TestRedis.uri("prefix=" + prefix)).maxSessionBytes(2_000).build()) {
      String id = "limited";
      Revision r = await(small.save(Sessions.plain(id, 3, Sessions.T0)));
      assertThatThrownBy(() -> await(small.save(Sessions.plain(id, 100, Sessions.T0))))
          .isInstanceOf(InvalidSessionException.class);
      Append big = Append.of(List.of(Message.user("x".repeat(2_000))), SessionState.initial("/"), Sessions.T0);
      assertThatThrownBy(() -> await(small.append(id, big))).isInstanceOf(InvalidSessionException.class);
      List<Message> many = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        many.add(Message.user("message number " + i));
      }
      assertThatThrownBy(() -> await(small.append(id, Append.of(many, SessionState.initial("/"), Sessions.T0))))
          .isInstanceOf(InvalidSessionException.class);
      assertThat(await(small.loadVersioned(id))).isEqualTo(new VersionedSession(Sessions.plain(id, 3, Sessions.T0), r));
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }

  @Test
  void aLargeSessionIsSavedAndLoadedWhole() {
    String id = ns() + "large";
    Session s = Sessions.plain(id, 2_500, Sessions.T0); // pushed in chunks: Lua unpacks ~8000 values at most
    await(store.save(s));
    assertThat(await(store.load(id))).isEqualTo(s);
  }

  @Test
  void updateAppliesTheChangeAndKeepsEveryConcurrentChange() {
    String id = ns() + "update";
    await(store.save(Sessions.plain(id, 0, Sessions.T0)));
    List<CompletableFuture<VersionedSession>> updates = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String label = "u" + i;
      updates.add(store.update(id, s -> s.withMessage(Message.user(label))));
    }
    updates.forEach(TestRedis::await);
    assertThat(await(store.load(id)).messages()).hasSize(50);
  }

  @Test
  void aClosedStoreFailsEveryCallWithClosed() {
    RedisSessionStorage s = TestRedis.open(PREFIX);
    s.close();
    s.close();
    assertThatThrownBy(() -> await(s.load("x"))).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(() -> await(s.save(Sessions.plain("x", 0, Sessions.T0)))).isInstanceOf(StorageClosedException.class);
    assertThatThrownBy(() -> await(s.list(ListQuery.firstPage()))).isInstanceOf(StorageClosedException.class);
  }

  @Test
  void storesWithDifferentPrefixesDontSeeEachOther() {
    String other = TestRedis.newPrefix();
    String id = ns() + "mine";
    await(store.save(Sessions.plain(id, 0, Sessions.T0)));
    try (RedisSessionStorage s = TestRedis.open(other)) {
      assertThatThrownBy(() -> await(s.load(id))).isInstanceOf(SessionNotFoundException.class);
      assertThat(await(s.list())).isEmpty();
      assertThat(s.prefix()).isEqualTo(other);
    } finally {
      TestRedis.removeKeys(other);
    }
  }

  @Test
  void aWholeStoreListingReportsEachSessionOnce() {
    String prefix = TestRedis.newPrefix();
    try (RedisSessionStorage s = TestRedis.open(prefix)) {
      List<CompletableFuture<Revision>> saves = new ArrayList<>();
      for (int i = 0; i < 2_500; i++) {
        saves.add(s.save(Sessions.plain("s" + i, 0, Sessions.T0.plusMillis(i % 13))));
      }
      saves.forEach(TestRedis::await);
      List<SessionSummary> listed = await(s.list());
      assertThat(listed).hasSize(2_500).isSortedAccordingTo(ListPosition.SUMMARY_ORDER);
      assertThat(listed.stream().map(SessionSummary::id).distinct().count()).isEqualTo(2_500);
      assertThat(s.stream(ListQuery.firstPage().limit(333)).count()).isEqualTo(2_500);
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }

  private static List<String> ids(SessionPage page) {
    return page.summaries().stream().map(SessionSummary::id).toList();
  }
}
