package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — Revisions and conditional writes. Wired into the kit as its
 * nested group {@code Revisions}.
 */
abstract class RevisionChecks extends CheckGroup {

  RevisionChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("the revision save returns is the one loadVersioned and list report")
  void saveReturnsTheRevisionThatReadsReport() {
    SessionStorage store = fresh();
    Session s = Samples.small("r", Samples.T0, 2, "r");
    Revision r = await(store.save(s));
    assertThat(await(store.loadVersioned("r")).revision()).as("revision of loadVersioned after save").isEqualTo(r);
    assertThat(summaryOf(store, "r").revision()).as("revision of the summary after save").isEqualTo(r);
    assertThat(await(store.list(ListQuery.firstPage())).summaries()).as("revision of the first page after save").singleElement().extracting(SessionSummary::revision).isEqualTo(r);
  }

  @Test
  @DisplayName("every write produces a new revision, also a save of identical content and a save after delete")
  void everyWriteProducesANewRevision() {
    SessionStorage store = fresh();
    Session s = Samples.small("w", Samples.T0, 1, "w");
    List<Revision> revisions = new ArrayList<>();
    revisions.add(await(store.save(s)));
    revisions.add(await(store.save(s)));
    revisions.add(await(store.saveIf(s, revisions.get(1))));
    revisions.add(await(store.update("w", x -> x.withMessage(Message.user("u")).withUpdatedAt(Samples.T0))).revision());
    revisions.add(await(store.append("w", Append.of(List.of(), s.state(), Samples.T0))));
    revisions.add(await(store.append("w", Append.of(List.of(Message.user("a")), s.state(), Samples.T0))));
    await(store.delete("w"));
    revisions.add(await(store.create(s)));
    await(store.delete("w"));
    revisions.add(await(store.save(s)));
    assertThat(revisions).as("revisions of successive writes").doesNotHaveDuplicates();
    assertThat(await(store.loadVersioned("w")).revision()).as("revision of loadVersioned after the last write").isEqualTo(revisions.get(revisions.size() - 1));
  }

  @Test
  @DisplayName("reads don't change the revision")
  void readsDoNotChangeTheRevision() {
    SessionStorage store = fresh();
    Revision r = await(store.save(Samples.small("r", Samples.T0, 1, "r")));
    for (int i = 0; i < 3; i++) {
      await(store.load("r"));
      await(store.loadVersioned("r"));
      await(store.list());
      await(store.list(ListQuery.withPrefix("r")));
      await(store.problems());
    }
    assertThat(await(store.loadVersioned("r")).revision()).as("revision after reads only").isEqualTo(r);
    await(store.saveIf(Samples.small("r", Samples.T0, 2, "r2"), r));
  }

  @Test
  @DisplayName("saveIf with the current revision replaces the session and returns a new revision")
  void saveIfWithTheCurrentRevisionReplaces() {
    SessionStorage store = fresh();
    Revision r1 = await(store.save(Samples.small("c", Samples.T0, 1, "one")));
    Session two = Samples.small("c", Samples.T0.plusSeconds(1), 2, "two");
    Revision r2 = await(store.saveIf(two, r1));
    assertThat(r2).as("revision of saveIf, compared with the one before (%s)", r1).isNotEqualTo(r1);
    VersionedSession v = await(store.loadVersioned("c"));
    assertSameSession(two, v.session(), "load after saveIf");
    assertThat(v.revision()).as("revision of loadVersioned after saveIf").isEqualTo(r2);
  }

  @Test
  @DisplayName("saveIf with a stale revision fails with RevisionConflictException and changes nothing")
  void saveIfWithAStaleRevisionFailsAndChangesNothing() {
    SessionStorage store = fresh();
    Revision r1 = await(store.save(Samples.small("c", Samples.T0, 1, "one")));
    Session two = Samples.small("c", Samples.T0.plusSeconds(1), 2, "two");
    Revision r2 = await(store.save(two));
    fails(RevisionConflictException.class, () -> store.saveIf(Samples.small("c", Samples.T0.plusSeconds(2), 3, "three"), r1));
    assertUnchanged(store, two, r2);
  }

  @Test
  @DisplayName("saveIf of an id that is not stored fails with RevisionConflictException and creates nothing")
  void saveIfOfAnAbsentSessionFails() {
    SessionStorage store = fresh();
    Revision other = await(store.save(Samples.empty("other")));
    fails(RevisionConflictException.class, () -> store.saveIf(Samples.empty("absent"), other));
    fails(SessionNotFoundException.class, () -> store.load("absent"));
    assertThat(ids(await(store.list()))).as("ids listed after a refused saveIf of an absent id").containsExactly("other");
  }

  @Test
  @DisplayName("a revision from before a delete never matches the recreated session")
  void revisionsAreNotReusedAfterDelete() {
    SessionStorage store = fresh();
    Revision old = await(store.save(Samples.small("d", Samples.T0, 1, "old")));
    await(store.delete("d"));
    Session again = Samples.small("d", Samples.T0, 1, "old");
    Revision fresh = await(store.save(again));
    assertThat(fresh).as("revision of a save after delete, compared with the one before the delete (%s)", old).isNotEqualTo(old);
    fails(RevisionConflictException.class, () -> store.saveIf(Samples.small("d", Samples.T0, 5, "stale"), old));
    fails(RevisionConflictException.class, () -> store.deleteIf("d", old));
    assertUnchanged(store, again, fresh);
  }

  @Test
  @DisplayName("create stores a new id and returns its revision")
  void createStoresANewId() {
    SessionStorage store = fresh();
    Session s = Samples.everyBlock("new");
    Revision r = await(store.create(s));
    assertUnchanged(store, s, r);
  }

  @Test
  @DisplayName("create of an existing id fails with RevisionConflictException and changes nothing")
  void createOfAnExistingIdFails() {
    SessionStorage store = fresh();
    Session s = Samples.small("exists", Samples.T0, 2, "first");
    Revision r = await(store.save(s));
    fails(RevisionConflictException.class, () -> store.create(Samples.small("exists", Samples.T0.plusSeconds(1), 1, "second")));
    assertUnchanged(store, s, r);
  }

  @Test
  @DisplayName("deleteIf with the current revision deletes")
  void deleteIfWithTheCurrentRevisionDeletes() {
    SessionStorage store = fresh();
    Revision r = await(store.save(Samples.empty("d")));
    await(store.deleteIf("d", r));
    fails(SessionNotFoundException.class, () -> store.load("d"));
    assertThat(await(store.list())).as("list() after deleteIf").isEmpty();
  }

  @Test
  @DisplayName("deleteIf with a stale revision fails with RevisionConflictException and keeps the session")
  void deleteIfWithAStaleRevisionFails() {
    SessionStorage store = fresh();
    Revision r1 = await(store.save(Samples.empty("d")));
    Session two = Samples.small("d", Samples.T0, 1, "two");
    Revision r2 = await(store.save(two));
    fails(RevisionConflictException.class, () -> store.deleteIf("d", r1));
    assertUnchanged(store, two, r2);
  }

  @Test
  @DisplayName("deleteIf of an unknown id fails with SessionNotFoundException")
  void deleteIfOfAnUnknownIdFails() {
    SessionStorage store = fresh();
    Revision r = await(store.save(Samples.empty("known")));
    fails(SessionNotFoundException.class, () -> store.deleteIf("unknown", r));
  }

  @Test
  @DisplayName("concurrent saveIf calls from one revision: exactly one wins, the others conflict")
  void concurrentConditionalSavesExactlyOneWins() {
    SessionStorage store = fresh();
    int threads = sc().threads();
    for (int round = 0; round < 10; round++) {
      Revision base = await(store.save(Samples.small("race", Samples.T0, 1, "base" + round)));
      List<Optional<Revision>> results = Collections.synchronizedList(new ArrayList<>());
      Map<Revision, Session> byRevision = new java.util.concurrent.ConcurrentHashMap<>();
      concurrently(threads, t -> {
        Session mine = Samples.small("race", Samples.T0, 2, "thread" + t);
        try {
          Revision r = await(store.saveIf(mine, base));
          byRevision.put(r, mine);
          results.add(Optional.of(r));
        } catch (RevisionConflictException e) {
          results.add(Optional.empty());
        }
      });
      assertThat(results.stream().filter(Optional::isPresent).count()).as("winners of round %d", round).isEqualTo(1);
      Revision winner = results.stream().flatMap(Optional::stream).findFirst().orElseThrow();
      assertUnchanged(store, byRevision.get(winner), winner);
    }
  }

  @Test
  @DisplayName("concurrent creates of one id: exactly one wins, the others conflict")
  void concurrentCreatesExactlyOneWins() {
    SessionStorage store = fresh();
    for (int round = 0; round < 10; round++) {
      String id = "created-" + round;
      AtomicInteger wins = new AtomicInteger();
      Map<Revision, Session> byRevision = new java.util.concurrent.ConcurrentHashMap<>();
      concurrently(sc().threads(), t -> {
        Session mine = Samples.small(id, Samples.T0, 1 + t, "thread" + t);
        try {
          byRevision.put(await(store.create(mine)), mine);
          wins.incrementAndGet();
        } catch (RevisionConflictException e) {
          // expected for all but one
        }
      });
      assertThat(wins.get()).as("successful creates of %s", id).isEqualTo(1);
      Map.Entry<Revision, Session> w = byRevision.entrySet().iterator().next();
      assertUnchanged(store, w.getValue(), w.getKey());
    }
  }
}
