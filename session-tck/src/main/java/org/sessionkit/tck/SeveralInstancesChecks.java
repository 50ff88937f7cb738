package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;

/**
 * The kit's checks of one clause — Several instances on one location (CROSS_PROCESS): they behave
 * as one store. Wired into the kit as its nested group {@code SeveralInstances}.
 */
abstract class SeveralInstancesChecks extends CheckGroup {

  SeveralInstancesChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @BeforeEach
  void needsSeveralInstances() {
    assume(Capability.CROSS_PROCESS);
  }

  @Test
  @DisplayName("each instance sees the other's saves, overwrites, appends and deletes at once")
  void eachInstanceSeesTheOthersWrites() {
    SessionStorage a = fresh();
    SessionStorage b = reopened(a);
    Session s = Samples.everyBlock("shared");
    Revision r1 = await(a.save(s));
    assertSameSession(s, await(b.load("shared")), "instance b after a save on a");
    Session s2 = Samples.small("shared", Samples.T0, 2, "two");
    Revision r2 = await(b.save(s2));
    assertUnchanged(a, s2, r2);
    assertThat(r2).as("revision of a save through instance b, compared with a's (%s)", r1).isNotEqualTo(r1);
    Revision r3 = await(a.append("shared", Append.of(List.of(Message.user("x")), s2.state(), Samples.T0)));
    assertUnchanged(b, s2.withMessage(Message.user("x")).withUpdatedAt(Samples.T0), r3);
    assertListing("the two instances list the same", await(a.list()), await(b.list()));
    await(a.delete("shared"));
    fails(SessionNotFoundException.class, () -> b.load("shared"));
    fails(SessionNotFoundException.class, () -> b.delete("shared"));
  }

  @Test
  @DisplayName("conditional writes hold across instances: a revision from one is valid on the other, a stale one conflicts")
  void conditionalWritesHoldAcrossInstances() {
    SessionStorage a = fresh();
    SessionStorage b = reopened(a);
    Revision r1 = await(a.save(Samples.small("c", Samples.T0, 1, "one")));
    Session two = Samples.small("c", Samples.T0, 2, "two");
    Revision r2 = await(b.saveIf(two, r1));
    fails(RevisionConflictException.class, () -> a.saveIf(Samples.small("c", Samples.T0, 3, "stale"), r1));
    fails(RevisionConflictException.class, () -> a.create(Samples.small("c", Samples.T0, 3, "dup")));
    fails(RevisionConflictException.class, () -> a.deleteIf("c", r1));
    fails(RevisionConflictException.class, () -> a.append("c", Append.of(List.of(), two.state(), Samples.T0).ifRevision(r1)));
    assertUnchanged(a, two, r2);
    assertUnchanged(b, two, r2);
    await(a.deleteIf("c", r2));
    fails(SessionNotFoundException.class, () -> b.load("c"));
  }

  @Test
  @DisplayName("concurrent updates and appends through two instances lose nothing")
  void concurrentWritesThroughTwoInstancesLoseNothing() {
    SessionStorage a = fresh();
    SessionStorage b = reopened(a);
    await(a.save(Samples.empty("hot")));
    int threads = sc().threads();
    int each = sc().updatesPerThread();
    int[] done = new int[threads];
    long deadline = budgetDeadline();
    concurrently(threads, t -> {
      SessionStorage mine = t % 2 == 0 ? a : b;
      for (int i = 0; i < each && withinBudget(i, deadline); i++) {
        String label = t + ":" + i;
        if (i % 2 == 0) {
          await(mine.update("hot", s -> s.withMessage(Message.user(label)).withUpdatedAt(Samples.T0)));
        } else {
          await(mine.append("hot", Append.of(List.of(Message.user(label)), SessionState.initial("/"), Samples.T0)));
        }
        done[t] = i + 1;
      }
    });
    assertEveryThreadsLabelsInOrder(labels(await(b.load("hot"))), done, "messages written through two instances");
  }

  @Test
  @DisplayName("concurrent creates through two instances: exactly one wins")
  void concurrentCreatesThroughTwoInstances() {
    SessionStorage a = fresh();
    SessionStorage b = reopened(a);
    for (int round = 0; round < 10; round++) {
      String id = "c" + round;
      AtomicInteger wins = new AtomicInteger();
      concurrently(sc().threads(), t -> {
        try {
          await((t % 2 == 0 ? a : b).create(Samples.small(id, Samples.T0, 1, "t" + t)));
          wins.incrementAndGet();
        } catch (RevisionConflictException expected) {
          // all but one
        }
      });
      assertThat(wins.get()).as("successful creates of %s", id).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a cursor from one instance continues on the other")
  void cursorsWorkAcrossInstances() {
    SessionStorage a = fresh();
    SessionStorage b = reopened(a);
    List<SessionSummary> all = saveAll(a, Samples.pagingSessions(80));
    ListQuery q = ListQuery.firstPage().limit(7);
    List<SessionSummary> walked = new ArrayList<>();
    Optional<String> cursor = Optional.empty();
    int page = 0;
    do {
      SessionStorage s = page++ % 2 == 0 ? a : b;
      SessionPage p = await(s.list(cursor.map(q::after).orElse(q)));
      walked.addAll(p.summaries());
      cursor = p.nextCursor();
    } while (cursor.isPresent() && page < 1_000);
    assertListing("a walk alternating between two instances", all, walked);
  }

  @Test
  @DisplayName("closing one instance leaves the other working")
  void closingOneLeavesTheOther() {
    SessionStorage a = fresh();
    SessionStorage b = reopened(a);
    Session s = Samples.small("x", Samples.T0, 2, "x");
    Revision r = await(a.save(s));
    a.close();
    fails(StorageClosedException.class, () -> a.load("x"));
    assertUnchanged(b, s, r);
    await(b.save(Samples.empty("y")));
  }
}
