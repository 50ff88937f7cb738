package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;

/**
 * The kit's checks of one clause — retention: a session whose last write, by the store's clock,
 * is older than the retention is absent for every operation at once (loads, slices, listings,
 * conditional writes, deletes, bulk deletes, {@code problems()}), whether or not a sweep removed
 * it yet; every write refreshes it, reads don't; {@code updatedAt} plays no part; and a session
 * written while a sweep runs survives. The store is made by {@link
 * SessionStorageCompatibilityKit#newStorageWithRetention} with a clock the kit moves by hand;
 * without that hook these checks are skipped. Wired into the kit as its nested group {@code
 * Retention}.
 */
abstract class RetentionChecks extends CheckGroup {

  /** The retention the kit asks for. */
  static final Duration RETENTION = Duration.ofHours(1);

  /** Well inside the retention. */
  static final Duration INSIDE = RETENTION.minusMinutes(1);

  /** Just beyond it, by more than any store's rounding of write times. */
  static final Duration BEYOND = RETENTION.plusMinutes(1);

  private ManualClock clock;

  RetentionChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  /** A new store with the retention of one hour on the kit's clock, or a skip. */
  private SessionStorage storeWithRetention() {
    clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    Optional<SessionStorage> store;
    try {
      store = kit.newStorageWithRetention(RETENTION, clock);
    } catch (Exception e) {
      throw new AssertionError("newStorageWithRetention() failed: " + e, e);
    }
    Assumptions.assumeTrue(store != null && store.isPresent(),
        "needs newStorageWithRetention(retention, clock), which this store's test does not implement");
    kit.track(store.get());
    return store.get();
  }

  @Test
  @DisplayName("before the retention has passed, a session is there; after it, it is absent for every operation")
  void anExpiredSessionIsAbsentForEveryOperation() {
    SessionStorage store = storeWithRetention();
    List<String> ids = List.of("load", "versioned", "tail", "before", "saveIf", "deleteIf", "delete", "append", "appendIf",
        "update", "keyed", "create", "bulk", "listed");
    Map<String, Revision> revisions = new ConcurrentHashMap<>();
    for (String id : ids) {
      revisions.put(id, await(store.save(Samples.small("x/" + id, Samples.T0, 2, id))));
    }
    clock.advance(INSIDE);
    assertThat(ids(await(store.list()))).as("list() before the retention has passed").hasSize(ids.size());
    assertThat(await(store.loadVersioned("x/load")).revision()).as("revision before the retention has passed").isEqualTo(revisions.get("load"));
    clock.advance(BEYOND.minus(INSIDE));
    Append append = Append.of(List.of(Message.user("late")), SessionState.initial("/"), Samples.T0);
    fails(SessionNotFoundException.class, () -> store.load("x/load"), "load of an expired session");
    fails(SessionNotFoundException.class, () -> store.loadVersioned("x/versioned"), "loadVersioned of an expired session");
    fails(SessionNotFoundException.class, () -> store.loadTail("x/tail", 5), "loadTail of an expired session");
    fails(SessionNotFoundException.class, () -> store.loadBefore("x/before", 2, 5), "loadBefore of an expired session");
    fails(RevisionConflictException.class, () -> store.saveIf(Samples.small("x/saveIf", Samples.T0, 3, "late"), revisions.get("saveIf")),
        "saveIf of an expired session with its last revision");
    fails(SessionNotFoundException.class, () -> store.deleteIf("x/deleteIf", revisions.get("deleteIf")),
        "deleteIf of an expired session with its last revision");
    fails(SessionNotFoundException.class, () -> store.delete("x/delete"), "delete of an expired session");
    fails(SessionNotFoundException.class, () -> store.append("x/append", append), "append to an expired session");
    fails(SessionNotFoundException.class, () -> store.append("x/appendIf", append.ifRevision(revisions.get("appendIf"))),
        "conditional append to an expired session with its last revision");
    fails(SessionNotFoundException.class, () -> store.update("x/update", s -> s.withMessage(Message.user("late"))),
        "update of an expired session");
    fails(SessionNotFoundException.class, () -> store.append("x/keyed", append.withIdempotencyKey(IdempotencyKey.of("late"))),
        "keyed append to an expired session");
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix("x/bulk")))).as("count of deleteMatching of an expired session").isZero();
    assertThat(await(store.list())).as("list() after the retention has passed").isEmpty();
    assertThat(await(store.list(ListQuery.withPrefix("x/").limit(5))).summaries()).as("a prefix page after the retention").isEmpty();
    assertThat(await(store.list(ListQuery.firstPage().updatedBefore(Samples.T0.plusSeconds(1)).limit(5))).summaries())
        .as("a time-bounded page after the retention").isEmpty();
    assertThat(collect(store.stream(ListQuery.firstPage().limit(2)), ids.size())).as("a stream after the retention").isEmpty();
    assertThat(await(store.problems())).as("problems() after the retention").isEmpty();
    Session again = Samples.small("x/create", Samples.T0, 1, "new life");
    Revision r = await(store.create(again));
    assertThat(r).as("revision of a create of an expired id, compared with its last one").isNotEqualTo(revisions.get("create"));
    assertUnchanged(store, again, r);
  }

  @Test
  @DisplayName("every kind of write starts the retention again: save, saveIf, append, update, keyed append")
  void everyWriteRefreshesTheRetention() {
    SessionStorage store = storeWithRetention();
    List<String> kinds = List.of("save", "saveIf", "append", "update", "keyed", "untouched");
    Map<String, Revision> revisions = new ConcurrentHashMap<>();
    for (String k : kinds) {
      revisions.put(k, await(store.save(Samples.small(k, Samples.T0, 1, k))));
    }
    clock.advance(INSIDE);
    await(store.save(Samples.small("save", Samples.T0, 2, "save")));
    await(store.saveIf(Samples.small("saveIf", Samples.T0, 2, "saveIf"), revisions.get("saveIf")));
    await(store.append("append", Append.of(List.of(Message.user("more")), SessionState.initial("/"), Samples.T0)));
    await(store.update("update", s -> s.withMessage(Message.user("more"))));
    await(store.append("keyed", Append.of(List.of(Message.user("more")), SessionState.initial("/"), Samples.T0)
        .withIdempotencyKey(IdempotencyKey.of("refresh"))));
    clock.advance(BEYOND.minus(INSIDE));
    for (String k : kinds.subList(0, kinds.size() - 1)) {
      assertThat(await(store.load(k)).messages()).as("messages of %s, written again within the retention", k).hasSize(2);
    }
    fails(SessionNotFoundException.class, () -> store.load("untouched"), "load of a session not written again");
    clock.advance(INSIDE);
    for (String k : kinds.subList(0, kinds.size() - 1)) {
      fails(SessionNotFoundException.class, () -> store.load(k), "load of " + k + " a retention after its last write");
    }
  }

  @Test
  @DisplayName("reads don't refresh the retention: load, loadTail, list and problems() leave the last write where it was")
  void readsDoNotRefresh() {
    SessionStorage store = storeWithRetention();
    await(store.save(Samples.small("read", Samples.T0, 2, "read")));
    clock.advance(INSIDE);
    await(store.load("read"));
    await(store.loadVersioned("read"));
    await(store.loadTail("read", 1));
    await(store.list());
    await(store.list(ListQuery.withPrefix("read")));
    await(store.problems());
    clock.advance(BEYOND.minus(INSIDE));
    fails(SessionNotFoundException.class, () -> store.load("read"), "load a retention after the last write, with reads in between");
  }

  @Test
  @DisplayName("updatedAt plays no part: a session updated in 2001 but written now stays, one updated in 9999 expires")
  void updatedAtPlaysNoPart() {
    SessionStorage store = storeWithRetention();
    Session old = new Session("old", List.of(Message.user("imported")), SessionState.initial("/"),
        Instant.parse("2001-01-01T00:00:00Z"), Instant.parse("2001-01-01T00:00:00Z"));
    Session future = new Session("future", List.of(Message.user("odd clock")), SessionState.initial("/"),
        Samples.T0, Instant.parse("9999-12-31T23:59:59Z"));
    Revision ro = await(store.save(old));
    await(store.save(future));
    assertUnchanged(store, old, ro);
    clock.advance(INSIDE);
    assertUnchanged(store, old, ro);
    clock.advance(BEYOND.minus(INSIDE));
    fails(SessionNotFoundException.class, () -> store.load("old"), "load of an old session a retention after it was written");
    fails(SessionNotFoundException.class, () -> store.load("future"), "load of a session updated in 9999, a retention after it was written");
  }

  @Test
  @DisplayName("listings leave out expired sessions and keep the rest, in order, across pages, filters and streams; bulk delete counts only live ones")
  void listingsLeaveOutExpiredSessions() {
    SessionStorage store = storeWithRetention();
    List<Session> early = new ArrayList<>();
    List<Session> late = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      (i % 3 == 0 ? late : early).add(Samples.small((i % 2 == 0 ? "even/" : "odd/") + i, Samples.T0.plusSeconds(i % 7), 1, "r" + i));
    }
    saveAll(store, early);
    clock.advance(Duration.ofMinutes(30));
    List<SessionSummary> alive = saveAll(store, late);
    clock.advance(Duration.ofMinutes(31));
    assertListing("list() with expired sessions in the store", alive, await(store.list()));
    assertListing("pages of 1", alive, flatten(walk(store, ListQuery.firstPage().limit(1), 40)));
    assertListing("prefix even/, pages of 2", alive.stream().filter(s -> s.id().startsWith("even/")).toList(),
        flatten(walk(store, ListQuery.withPrefix("even/").limit(2), 40)));
    Instant after = Samples.T0.plusSeconds(2);
    assertListing("updatedAfter, pages of 3", alive.stream().filter(s -> s.updatedAt().isAfter(after)).toList(),
        flatten(walk(store, ListQuery.firstPage().updatedAfter(after).limit(3), 40)));
    assertListing("stream", alive, collect(store.stream(ListQuery.firstPage().limit(4)), 40));
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix("odd/")))).as("count of deleteMatching(odd/) with expired sessions")
        .isEqualTo(alive.stream().filter(s -> s.id().startsWith("odd/")).count());
  }

  @Test
  @DisplayName("keys of an expired session are forgotten with it: a create with an old key makes a new session")
  void keysExpireWithTheSession() {
    SessionStorage store = storeWithRetention();
    Revision r = await(store.create(Samples.small("k", Samples.T0, 1, "one"), IdempotencyKey.of("create-k")));
    clock.advance(BEYOND);
    Session again = Samples.small("k", Samples.T0, 2, "two");
    Revision r2 = await(store.create(again, IdempotencyKey.of("create-k")));
    assertThat(r2).as("revision of a create with an old key after expiry, compared with the expired one").isNotEqualTo(r);
    assertUnchanged(store, again, r2);
  }

  @Test
  @DisplayName("sessions written again while sweeps run survive with their new content; the others are gone")
  void sessionsWrittenDuringSweepsSurvive() {
    SessionStorage store = storeWithRetention();
    int n = 200;
    for (int round = 0; round < 3; round++) {
      String prefix = "r" + round + "/";
      List<Session> sessions = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sessions.add(Samples.small(prefix + i, Samples.T0.plusNanos(i), 1, "old" + i));
      }
      saveAll(store, sessions);
      clock.advance(BEYOND);
      Map<String, Revision> rewritten = new ConcurrentHashMap<>();
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger writers = new AtomicInteger(2);
      AtomicInteger listingsInFlight = new AtomicInteger();
      concurrently(3, t -> {
        if (t < 2) {
          try {
            // Two writers, each every fourth session, so that rewrites are spread over the sweeps.
            for (int i = t; i < n; i += 4) {
              // Each rewrite waits (briefly) for a listing in flight, so that it lands while a
              // sweep may be between finding expired sessions and removing them: left to the
              // scheduler, fast writers can finish before the first sweep starts, and a sweep
              // that does not check again goes unnoticed.
              long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
              while (listingsInFlight.get() == 0 && System.nanoTime() < until) {
                LockSupport.parkNanos(20_000);
              }
              Session fresh = Samples.small(prefix + i, Samples.T0.plusNanos(i), 2, "new" + i);
              rewritten.put(fresh.id(), await(store.save(fresh)));
            }
          } finally {
            if (writers.decrementAndGet() == 0) {
              writing.set(false);
            }
          }
        } else {
          // Operations that may sweep: listings and writes of other sessions.
          int k = 0;
          do {
            listingsInFlight.incrementAndGet();
            try {
              await(store.list(ListQuery.firstPage().limit(10)));
            } finally {
              listingsInFlight.decrementAndGet();
            }
            await(store.save(Samples.empty("other-" + k++ % 20)));
          } while (writing.get());
        }
      });
      List<String> lost = new ArrayList<>();
      for (Map.Entry<String, Revision> e : rewritten.entrySet()) {
        try {
          Revision now = await(store.loadVersioned(e.getKey())).revision();
          assertThat(now).as("revision of %s, written again after it expired", Samples.show(e.getKey())).isEqualTo(e.getValue());
        } catch (SessionNotFoundException gone) {
          lost.add(Samples.show(e.getKey()));
        }
      }
      assertThat(lost).as("sessions written again after they expired, then removed by a sweep (round %d)", round).isEmpty();
      List<String> stillThere = ids(flatten(walk(store, ListQuery.withPrefix(prefix).limit(1000), n)));
      assertThat(stillThere).as("sessions %s… listed at the end of round %d", prefix, round).hasSize(rewritten.size());
    }
  }
}
