package org.sessionkit.tck;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — every listing agrees with every write: whatever a store
 * keeps to answer filtered listings (an index by id prefix, by update time, a cache of
 * summaries) follows {@code save}, {@code append}, {@code update}, {@code delete}, {@code
 * deleteIf} and {@code deleteMatching}, and survives reopening. After each kind of write the kit
 * compares a battery of listings — unfiltered, by each prefix, by time bounds, both, pages of 1
 * and 1000, the stream — with what the writes imply. Wired into the kit as its nested group
 * {@code Indexes}.
 */
abstract class IndexChecks extends CheckGroup {

  IndexChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  /** What the kit expects the store to hold: id → the summary of the stored version. */
  private final Map<String, SessionSummary> model = new TreeMap<>();

  private static final List<String> PREFIXES = List.of("a/", "a/1", "b/", "b/x", "c", "a", "zz");

  private List<Session> sessions() {
    List<Session> out = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      String id = (i % 3 == 0 ? "a/" : i % 3 == 1 ? "b/x" : "c/") + i;
      out.add(Samples.small(id, Samples.T0.plusSeconds(i % 6).plusNanos(i % 2), 1 + i % 3, "i" + i));
    }
    return out;
  }

  private SessionStorage filled() {
    SessionStorage store = fresh();
    for (SessionSummary s : saveAll(store, sessions())) {
      model.put(s.id(), s);
    }
    assertEveryListingAgrees(store, "after the first saves");
    return store;
  }

  private void wrote(SessionStorage store, String id) {
    VersionedSession v = await(store.loadVersioned(id));
    model.put(id, v.session().summary(v.revision()));
  }

  @Test
  @DisplayName("delete, deleteIf and deleteMatching take a session out of every filtered and time-bounded listing")
  void deletesLeaveEveryListing() {
    SessionStorage store = filled();
    await(store.delete("a/0"));
    model.remove("a/0");
    await(store.deleteIf("b/x1", model.get("b/x1").revision()));
    model.remove("b/x1");
    assertEveryListingAgrees(store, "after delete and deleteIf");
    await(store.deleteMatching(DeleteFilter.idPrefix("c/1")));
    model.keySet().removeIf(id -> id.startsWith("c/1"));
    assertEveryListingAgrees(store, "after deleteMatching by prefix");
    Instant bound = Samples.T0.plusSeconds(2);
    await(store.deleteMatching(DeleteFilter.updatedBefore(bound).andIdPrefix("a/")));
    model.values().removeIf(s -> s.id().startsWith("a/") && s.updatedAt().isBefore(bound));
    assertEveryListingAgrees(store, "after deleteMatching by prefix and time");
    await(store.save(Samples.small("a/0", Samples.T0.plusSeconds(9), 2, "back")));
    wrote(store, "a/0");
    assertEveryListingAgrees(store, "after a deleted id was saved again");
  }

  @Test
  @DisplayName("appends move a session in time-bounded listings and update its count and revision in filtered ones")
  void appendsMoveSessions() {
    SessionStorage store = filled();
    SessionState st = SessionState.initial("/moved");
    await(store.append("a/3", Append.of(List.of(Message.user("later")), st, Samples.T0.plusSeconds(30))));
    wrote(store, "a/3");
    await(store.append("b/x4", Append.of(List.of(), st, Samples.T0.minusSeconds(30))));
    wrote(store, "b/x4");
    await(store.append("c/5", Append.of(List.of(Message.user("same time")), st, model.get("c/5").updatedAt())));
    wrote(store, "c/5");
    assertEveryListingAgrees(store, "after appends that moved sessions in time");
  }

  @Test
  @DisplayName("overwrites and updates move a session in time-bounded listings and update it in filtered ones")
  void overwritesAndUpdatesMoveSessions() {
    SessionStorage store = filled();
    await(store.save(Samples.small("a/6", Samples.T0.plusSeconds(40), 5, "moved")));
    wrote(store, "a/6");
    await(store.saveIf(Samples.small("b/x7", Samples.T0.minusSeconds(40), 0, "moved"), model.get("b/x7").revision()));
    wrote(store, "b/x7");
    await(store.update("c/8", s -> s.withMessage(Message.user("u")).withUpdatedAt(Samples.T0.plusSeconds(3).plusNanos(7))));
    wrote(store, "c/8");
    await(store.update("a/9", s -> s));
    wrote(store, "a/9");
    assertEveryListingAgrees(store, "after overwrites and updates");
  }

  @Test
  @DisplayName("after reopening, every filtered and time-bounded listing still agrees with the writes (PERSISTENT)")
  void listingsAgreeAfterReopening() {
    assume(Capability.PERSISTENT);
    SessionStorage store = filled();
    await(store.delete("a/12"));
    model.remove("a/12");
    await(store.append("b/x13", Append.of(List.of(Message.user("m")), SessionState.initial("/"), Samples.T0.plusSeconds(50))));
    wrote(store, "b/x13");
    await(store.save(Samples.small("c/14", Samples.T0.minusSeconds(50), 4, "over")));
    wrote(store, "c/14");
    store.close();
    SessionStorage again = reopened(store);
    assertEveryListingAgrees(again, "after reopening");
    await(again.delete("b/x13"));
    model.remove("b/x13");
    assertEveryListingAgrees(again, "after a delete on the reopened store");
  }

  /** Compares every kind of listing with what {@link #model} implies. */
  private void assertEveryListingAgrees(SessionStorage store, String when) {
    List<SessionSummary> all = model.values().stream().sorted(LISTING_ORDER).toList();
    int n = all.size() + 2;
    assertListing("list() " + when, all, await(store.list()));
    assertListing("pages of 1 " + when, all, flatten(walk(store, ListQuery.firstPage().limit(1), n)));
    assertListing("stream " + when, all, collect(store.stream(ListQuery.firstPage().limit(5)), n));
    for (String prefix : PREFIXES) {
      check(store, ListQuery.withPrefix(prefix), s -> s.id().startsWith(prefix), when, all);
    }
    List<Instant> bounds = List.of(Samples.T0.minusSeconds(31), Samples.T0, Samples.T0.plusSeconds(2), Samples.T0.plusSeconds(3),
        Samples.T0.plusSeconds(5).plusNanos(1), Samples.T0.plusSeconds(31));
    for (Instant b : bounds) {
      check(store, ListQuery.firstPage().updatedBefore(b), s -> s.updatedAt().isBefore(b), when, all);
      check(store, ListQuery.firstPage().updatedAfter(b), s -> s.updatedAt().isAfter(b), when, all);
      check(store, ListQuery.withPrefix("a/").updatedAfter(b), s -> s.id().startsWith("a/") && s.updatedAt().isAfter(b), when, all);
    }
    Instant from = Samples.T0.plusSeconds(1);
    Instant to = Samples.T0.plusSeconds(4);
    check(store, ListQuery.firstPage().updatedAfter(from).updatedBefore(to), s -> s.updatedAt().isAfter(from) && s.updatedAt().isBefore(to),
        when, all);
  }

  private void check(SessionStorage store, ListQuery q, Predicate<SessionSummary> filter, String when, List<SessionSummary> all) {
    List<SessionSummary> expected = all.stream().filter(filter).toList();
    for (int size : new int[] {2, 1000}) {
      ListQuery sized = q.limit(size);
      assertListing(describe(sized) + " " + when, expected, flatten(walk(store, sized, all.size() + 2)));
    }
  }
}
