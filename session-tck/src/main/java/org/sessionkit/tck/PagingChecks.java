package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.ListQuery;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;

/**
 * The kit's checks of one clause — Paged listing: keyset pages, prefix and time filters, cursors.
 * Wired into the kit as its nested group {@code Paging}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PagingChecks extends CheckGroup {

  PagingChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  /** Filled once for the read-only checks of this group; closed after the last one. */
  private SessionStorage shared;

  /** What the shared store holds, in listing order. */
  private List<SessionSummary> all;

  @BeforeAll
  void storeTheSessionsToPage() {
    shared = untracked();
    all = saveAll(shared, Samples.pagingSessions(sc().pagingSessions()));
  }

  @AfterAll
  void closeTheSharedStore() {
    if (shared != null) {
      shared.close();
    }
  }

  @ParameterizedTest(name = "pages of {0}")
  @ValueSource(ints = {1, 2, 7, 100, 1000})
  @DisplayName("walking every page returns every session exactly once, in listing order, ties included")
  void walkingAllPagesReturnsEverySessionOnceInOrder(int pageSize) {
    List<SessionPage> pages = walk(shared, ListQuery.firstPage().limit(pageSize), all.size());
    assertListing("walk with pages of " + pageSize, all, flatten(pages));
    assertThat(pages.get(pages.size() - 1).nextCursor()).as("cursor of the last page").isEmpty();
  }

  @Test
  @DisplayName("list() holds the same summaries as the pages, revisions included")
  void listEqualsThePages() {
    assertListing("list()", all, await(shared.list()));
  }

  @Test
  @DisplayName("ties on updatedAt are ordered by code point, also with supplementary characters and U+E000-U+FFFF")
  void tiesAreOrderedByCodePoint() {
    List<SessionSummary> ties = all.stream().filter(s -> s.updatedAt().equals(Samples.TIE_TIME)).toList();
    List<String> tieIds = ids(ties);
    assertThat(tieIds).as("the kit's sample: code-point order differs from String.compareTo")
        .isNotEqualTo(tieIds.stream().sorted().toList());
    for (int size : new int[] {1, 3, 1000}) {
      List<SessionSummary> walked = flatten(walk(shared, ListQuery.firstPage().limit(size)
          .updatedAfter(Samples.TIE_TIME.minusNanos(1)).updatedBefore(Samples.TIE_TIME.plusNanos(1)), ties.size()));
      assertListing("the sessions updated at one instant, pages of " + size, ties, walked);
    }
  }

  @ParameterizedTest(name = "prefix {0}")
  @ValueSource(strings = {"user-1", "user-1/", "user-10/", "user-12/chat-", "tie/", "tie/\uD83D\uDE00", "tie/\uE000",
      "t\uD83D\uDE00/", "t\uE000/", "t", "p", "p/1", "p/10", "pq", "p\uD83D\uDE00", "P", "s/\uDBFF\uDFFF", "zzz-none"})
  @DisplayName("a prefix filter returns exactly the ids that start with it, in order, across pages (case-sensitive, code points)")
  void prefixFilterReturnsExactlyTheMatchingIds(String prefix) {
    List<SessionSummary> expected = all.stream().filter(s -> s.id().startsWith(prefix)).toList();
    for (int size : new int[] {7, 1000}) {
      List<SessionSummary> walked = flatten(walk(shared, ListQuery.withPrefix(prefix).limit(size), expected.size()));
      assertListing("prefix " + Samples.show(prefix) + ", pages of " + size, expected, walked);
    }
  }

  @Test
  @DisplayName("a prefix that is a whole id returns that id and the longer ones only")
  void prefixThatIsAWholeId() {
    assertThat(ids(flatten(walk(shared, ListQuery.withPrefix("p/1").limit(1), 3)))).as("prefix p/1 in pages of 1").containsExactly("p/1", "p/10");
    assertThat(ids(flatten(walk(shared, ListQuery.withPrefix("p/10").limit(1), 3)))).as("prefix p/10 in pages of 1").containsExactly("p/10");
    assertThat(ids(flatten(walk(shared, ListQuery.withPrefix("p").limit(2), 8)))).as("prefix p in pages of 2")
        .containsExactly("p", "p/1", "p/10", "p/2", "pq", "p\uE000", "p\uD83D\uDE00");
  }

  @Test
  @DisplayName("an empty prefix filters nothing")
  void emptyPrefixFiltersNothing() {
    assertListing("prefix \"\"", all, flatten(walk(shared, ListQuery.withPrefix("").limit(1000), all.size())));
  }

  @Test
  @DisplayName("updatedBefore alone: strictly before the bound")
  void updatedBeforeIsStrict() {
    for (Instant bound : boundaries()) {
      checkFilter(ListQuery.firstPage().updatedBefore(bound), s -> s.updatedAt().isBefore(bound), 7, 1000);
    }
  }

  @Test
  @DisplayName("updatedAfter alone: strictly after the bound")
  void updatedAfterIsStrict() {
    for (Instant bound : boundaries()) {
      checkFilter(ListQuery.firstPage().updatedAfter(bound), s -> s.updatedAt().isAfter(bound), 7, 1000);
    }
  }

  @Test
  @DisplayName("updatedAfter and updatedBefore together, and with a prefix")
  void boundsCombined() {
    List<Instant> b = boundaries();
    for (int i = 0; i < b.size(); i++) {
      for (int j = 0; j < b.size(); j++) {
        Instant after = b.get(i);
        Instant before = b.get(j);
        checkFilter(ListQuery.firstPage().updatedAfter(after).updatedBefore(before),
            s -> s.updatedAt().isAfter(after) && s.updatedAt().isBefore(before), 1000);
      }
    }
    Instant after = Samples.T0.plusSeconds(2);
    Instant before = Samples.T0.plusSeconds(8);
    checkFilter(ListQuery.firstPage().updatedAfter(after).updatedBefore(before),
        s -> s.updatedAt().isAfter(after) && s.updatedAt().isBefore(before), 7);
    for (String prefix : List.of("user-1", "t\uD83D\uDE00/", "tie/", "p")) {
      checkFilter(ListQuery.withPrefix(prefix).updatedAfter(after).updatedBefore(before),
          s -> s.id().startsWith(prefix) && s.updatedAt().isAfter(after) && s.updatedAt().isBefore(before), 7, 1000);
    }
  }

  @Test
  @DisplayName("bounds one nanosecond around an instant select exactly the sessions updated at it")
  void boundsOneNanosecondApart() {
    for (Instant t : List.of(Samples.T0, Samples.T0.plusNanos(1), Samples.TIE_TIME, Samples.T0.plusSeconds(10))) {
      checkFilter(ListQuery.firstPage().updatedAfter(t.minusNanos(1)).updatedBefore(t.plusNanos(1)),
          s -> s.updatedAt().equals(t), 1, 1000);
    }
  }

  @Test
  @DisplayName("filters that match nothing give one empty page without a cursor")
  void filtersThatMatchNothing() {
    List<ListQuery> empty = List.of(
        ListQuery.withPrefix("no such prefix"),
        ListQuery.withPrefix("P"),
        ListQuery.firstPage().updatedBefore(Samples.T0),
        ListQuery.firstPage().updatedAfter(Samples.T0.plusSeconds(11)),
        ListQuery.firstPage().updatedAfter(Samples.TIE_TIME).updatedBefore(Samples.TIE_TIME),
        ListQuery.firstPage().updatedAfter(Samples.T0.plusSeconds(6)).updatedBefore(Samples.T0.plusSeconds(2)),
        ListQuery.withPrefix("tie/").updatedBefore(Samples.TIE_TIME));
    for (ListQuery q : empty) {
      SessionPage page = await(shared.list(q));
      assertThat(page.summaries()).as("summaries of %s", describe(q)).isEmpty();
      assertThat(page.nextCursor()).as("cursor of %s", describe(q)).isEmpty();
    }
  }

  private List<Instant> boundaries() {
    return List.of(Samples.T0.minusSeconds(1), Samples.T0, Samples.T0.plusNanos(1), Samples.T0.plusSeconds(3),
        Samples.TIE_TIME, Samples.TIE_TIME.plusNanos(1), Samples.T0.plusSeconds(10).plusNanos(1), Samples.T0.plusSeconds(11));
  }

  private void checkFilter(ListQuery query, java.util.function.Predicate<SessionSummary> filter, int... pageSizes) {
    List<SessionSummary> expected = all.stream().filter(filter).toList();
    for (int size : pageSizes) {
      ListQuery q = query.limit(size);
      assertListing(describe(q), expected, flatten(walk(shared, q, expected.size())));
    }
  }

  @Test
  @DisplayName("a page size covering everything gives one page without a cursor")
  void onePageWhenTheLimitCoversEverything() {
    SessionPage page = await(shared.list(ListQuery.withPrefix("p").limit(1000)));
    assertThat(ids(page.summaries())).as("a page of 1000 with prefix p").hasSize(7);
    assertThat(page.nextCursor()).as("cursor of a page that holds everything").isEmpty();
    SessionPage exact = await(shared.list(ListQuery.withPrefix("p").limit(7)));
    assertThat(ids(exact.summaries())).as("a page of exactly 7 with prefix p").hasSize(7);
    if (exact.nextCursor().isPresent()) {
      // A store may not know that a full page was the last one; the next page must be empty.
      SessionPage after = await(shared.list(ListQuery.withPrefix("p").limit(7).after(exact.nextCursor().get())));
      assertThat(after.summaries()).as("page after the last full page").isEmpty();
      assertThat(after.nextCursor()).as("cursor of the empty page after the last full one").isEmpty();
    }
  }

  @Test
  @DisplayName("a cursor can be used again and again: the same page each time")
  void cursorsCanBeReused() {
    ListQuery q = ListQuery.firstPage().limit(7);
    SessionPage first = await(shared.list(q));
    String cursor = first.nextCursor().orElseThrow();
    SessionPage second = await(shared.list(q.after(cursor)));
    SessionPage again = await(shared.list(q.after(cursor)));
    assertThat(again).as("the page read again with the same cursor").isEqualTo(second);
    List<SessionSummary> rest1 = flatten(walk(shared, q.after(cursor), all.size()));
    List<SessionSummary> rest2 = flatten(walk(shared, q.after(cursor), all.size()));
    assertListing("walk from a reused cursor", all.subList(7, all.size()), rest1);
    assertThat(rest2).as("the walk from the same cursor, again").isEqualTo(rest1);
    ListQuery filtered = ListQuery.withPrefix("user-1").limit(3);
    String fc = await(shared.list(filtered)).nextCursor().orElseThrow();
    List<SessionSummary> expected = all.stream().filter(s -> s.id().startsWith("user-1")).skip(3).toList();
    assertListing("walk from a reused cursor of a filtered query", expected, flatten(walk(shared, filtered.after(fc), all.size())));
    assertListing("again", expected, flatten(walk(shared, filtered.after(fc), all.size())));
  }

  @Test
  @DisplayName("garbage cursors fail with InvalidArgumentException")
  void garbageCursorsFailWithInvalidArgument() {
    String real = await(shared.list(ListQuery.firstPage().limit(3))).nextCursor().orElseThrow();
    int mid = real.length() / 2;
    char flipped = real.charAt(mid) == 'A' ? 'B' : 'A';
    List<String> garbage = List.of("", " ", "garbage", "null", "0", "-1", "%%%%", "c1", "c1AAAA", "\uD800",
        "eyJ1cGRhdGVkQXQiOjB9", real.substring(0, mid), real.substring(0, mid) + flipped + real.substring(mid + 1),
        real + "AAAA", new StringBuilder(real).reverse().toString(), real.toUpperCase(java.util.Locale.ROOT) + "x");
    for (String g : garbage) {
      if (g.equals(real)) {
        continue;
      }
      fails(InvalidArgumentException.class, () -> shared.list(ListQuery.firstPage().after(g)),
          "list with cursor " + Samples.show(g));
    }
  }

  @Test
  @DisplayName("page sizes outside 1..1000 fail with InvalidArgumentException; 1 and 1000 work")
  void pageSizesOutsideTheRangeFail() {
    for (int bad : new int[] {0, -1, 1001, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      fails(InvalidArgumentException.class, () -> shared.list(ListQuery.firstPage().limit(bad)), "page size " + bad);
    }
    assertThat(await(shared.list(ListQuery.firstPage().limit(1))).summaries()).as("a page of 1").hasSize(1);
    assertThat(await(shared.list(ListQuery.firstPage().limit(1000))).summaries()).as("a page of 1000").hasSize(Math.min(1000, all.size()));
    assertThat(ListQuery.firstPage().limit()).as("the default page size of ListQuery").isEqualTo(ListQuery.DEFAULT_LIMIT);
    assertThat(await(shared.list(ListQuery.firstPage())).summaries()).as("a page of the default size").hasSize(Math.min(ListQuery.DEFAULT_LIMIT, all.size()));
  }

  @Test
  @DisplayName("a prefix that is not well-formed UTF-16 fails with InvalidArgumentException")
  void malformedPrefixFails() {
    fails(InvalidArgumentException.class, () -> shared.list(ListQuery.withPrefix("user-\uD800")));
    fails(InvalidArgumentException.class, () -> shared.list(ListQuery.withPrefix("\uDC00")));
  }

  @Test
  @DisplayName("stream(query) walks every page: all sessions, a filtered query, and a garbage cursor fails")
  void streamWalksEveryPage() {
    assertListing("stream of pages of 7", all, collect(shared.stream(ListQuery.firstPage().limit(7)), all.size()));
    assertListing("stream of pages of 1000", all, collect(shared.stream(ListQuery.firstPage().limit(1000)), all.size()));
    Instant after = Samples.T0.plusSeconds(3);
    assertListing("stream with prefix and bound",
        all.stream().filter(s -> s.id().startsWith("user-1") && s.updatedAt().isAfter(after)).toList(),
        collect(shared.stream(ListQuery.withPrefix("user-1").updatedAfter(after).limit(3)), all.size()));
    assertThatThrownBy(() -> collect(shared.stream(ListQuery.firstPage().after("garbage")), all.size()),
        "a stream from a garbage cursor")
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  @DisplayName("stream(query) is lazy: it fetches a page only when it needs one")
  void streamIsLazy() {
    SessionStorage store = fresh();
    try (Stream<SessionSummary> stream = store.stream(ListQuery.firstPage().limit(1))) {
      saveAll(store, List.of(Samples.small("x1", Samples.T0.plusSeconds(3), 1, "x"),
          Samples.small("x2", Samples.T0.plusSeconds(2), 1, "x"), Samples.small("x3", Samples.T0.plusSeconds(1), 1, "x")));
      Iterator<SessionSummary> it = stream.iterator();
      assertThat(it.hasNext()).as("a session saved after the stream was created, before it was read").isTrue();
      assertThat(it.next().id()).as("the first session of the stream").isEqualTo("x1");
      await(store.save(Samples.small("x4", Samples.T0, 1, "x")));
      List<String> rest = new ArrayList<>();
      while (it.hasNext() && rest.size() <= 10) { // bounded: a cursor that repeats an entry makes it endless
        rest.add(it.next().id());
      }
      assertThat(rest).as("the rest, including a session saved (at the end of the order) while reading").containsExactly("x2", "x3", "x4");
    }
  }

  @Test
  @DisplayName("sessions added, changed or deleted during a walk don't disturb the others: each untouched one comes exactly once, in order")
  void changesDuringAWalkDoNotDisturbTheOthers() {
    SessionStorage store = fresh();
    List<Session> stable = new ArrayList<>();
    List<Session> moving = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      stable.add(Samples.small("s/" + i, Samples.T0.plusSeconds(i % 9), 1, "stable"));
    }
    for (int i = 0; i < 30; i++) {
      moving.add(Samples.small("v/" + i, Samples.T0.plusSeconds(i % 9).plusNanos(i % 2), 1, "moving"));
    }
    List<SessionSummary> expected = saveAll(store, stable);
    saveAll(store, moving);
    ListQuery q = ListQuery.firstPage().limit(7);
    List<SessionSummary> seen = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    int round = 0;
    do {
      SessionPage page = await(store.list(cursor.map(q::after).orElse(q)));
      seen.addAll(page.summaries());
      cursor = page.nextCursor();
      if (round < 30) {
        await(store.delete("v/" + round));
      }
      if (round + 15 < 30) {
        await(store.save(Samples.small("v/" + (round + 15), Samples.T0.plusSeconds((round * 5) % 9), 2, "moved")));
      }
      await(store.save(Samples.small("n/" + round, Samples.T0.plusSeconds(round % 9).plusNanos(3), 1, "new")));
      round++;
    } while (cursor.isPresent() && round < 1_000);
    List<SessionSummary> stableSeen = seen.stream().filter(s -> s.id().startsWith("s/")).toList();
    assertListing("the untouched sessions of a walk with concurrent changes", expected, stableSeen);
  }
}
