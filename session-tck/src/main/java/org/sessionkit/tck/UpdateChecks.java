package org.sessionkit.tck;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — update: a pure change, retried on conflict, losing nothing.
 * Wired into the kit as its nested group {@code Update}.
 */
abstract class UpdateChecks extends CheckGroup {

  UpdateChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("update applies the change and returns the saved session and its revision")
  void updateAppliesTheChange() {
    SessionStorage store = fresh();
    Revision r0 = await(store.save(Samples.everyBlock("u")));
    VersionedSession v = await(store.update("u", s -> s.withMessage(Message.user("more")).withUpdatedAt(Samples.T0.plusSeconds(9))
        .withState(st -> st.withCustom("k", JsonValue.of(1)))));
    Session expected = Samples.everyBlock("u").withMessage(Message.user("more")).withUpdatedAt(Samples.T0.plusSeconds(9))
        .withState(st -> st.withCustom("k", JsonValue.of(1)));
    assertSameSession(expected, v.session(), "the session update returned");
    assertThat(v.revision()).as("revision of update, compared with the one before (%s)", r0).isNotEqualTo(r0);
    assertUnchanged(store, expected, v.revision());
  }

  @Test
  @DisplayName("update writes even when the change returns an equal session: a new revision, and the old one is stale")
  void updateThatChangesNothingStillWrites() {
    SessionStorage store = fresh();
    Session s = Samples.small("same", Samples.T0, 2, "same");
    Revision r0 = await(store.save(s));
    VersionedSession v = await(store.update("same", x -> x));
    assertThat(v.revision()).as("revision of an update returning the session unchanged, compared with the one before (%s)", r0)
        .isNotEqualTo(r0);
    assertUnchanged(store, s, v.revision());
    VersionedSession w = await(store.update("same", x -> new Session(x.id(), x.messages(), x.state(), x.createdAt(), x.updatedAt())));
    assertThat(w.revision()).as("revision of an update returning an equal copy, compared with the one before (%s)", v.revision())
        .isNotIn(r0, v.revision());
    Revision keyed = await(store.update("same", x -> x, IdempotencyKey.of("no-change")));
    assertThat(keyed).as("revision of a keyed update returning the session unchanged").isNotIn(r0, v.revision(), w.revision());
    fails(RevisionConflictException.class, () -> store.saveIf(Samples.small("same", Samples.T0, 9, "stale"), w.revision()),
        "saveIf with the revision from before an update that changed nothing");
    assertUnchanged(store, s, keyed);
  }

  @Test
  @DisplayName("the change receives the current stored session")
  void theChangeSeesTheCurrentSession() {
    SessionStorage store = fresh();
    await(store.save(Samples.small("u", Samples.T0, 1, "first")));
    Session current = Samples.small("u", Samples.T0.plusSeconds(1), 3, "second");
    await(store.save(current));
    List<Session> seen = new ArrayList<>();
    await(store.update("u", s -> {
      seen.add(s);
      return s;
    }));
    assertThat(seen).as("sessions the change received").isNotEmpty();
    assertSameSession(current, seen.get(seen.size() - 1), "what the change received");
  }

  @Test
  @DisplayName("update of an unknown id fails with SessionNotFoundException and creates nothing")
  void updateOfAnUnknownIdFailsWithNotFound() {
    SessionStorage store = fresh();
    AtomicInteger calls = new AtomicInteger();
    fails(SessionNotFoundException.class, () -> store.update("nobody", s -> {
      calls.incrementAndGet();
      return s;
    }));
    assertThat(calls.get()).as("calls of the change").isZero();
    assertThat(await(store.list())).as("list() after an update of an unknown id").isEmpty();
  }

  @Test
  @DisplayName("an exception thrown by the change arrives through the future as is, and nothing changes")
  void anExceptionOfTheChangePassesThroughAsIs() {
    SessionStorage store = fresh();
    Session s = Samples.small("u", Samples.T0, 1, "u");
    Revision r = await(store.save(s));
    ChangeFailed thrown = new ChangeFailed();
    ChangeFailed arrived = fails(ChangeFailed.class, () -> store.update("u", x -> {
      throw thrown;
    }));
    assertThat(arrived).as("the exception the change threw").isSameAs(thrown);
    IllegalStateException ise = new IllegalStateException("mine");
    assertThat(fails(IllegalStateException.class, () -> store.update("u", x -> {
      throw ise;
    }))).as("the IllegalStateException the change threw").isSameAs(ise);
    assertUnchanged(store, s, r);
  }

  @Test
  @DisplayName("a change that returns another id fails with InvalidSessionException and stores nothing")
  void changingTheIdFails() {
    SessionStorage store = fresh();
    Session s = Samples.small("u", Samples.T0, 1, "u");
    Revision r = await(store.save(s));
    fails(InvalidSessionException.class, () -> store.update("u", x -> x.withId("v")));
    fails(SessionNotFoundException.class, () -> store.load("v"));
    assertUnchanged(store, s, r);
  }

  @Test
  @DisplayName("update retries when another writer saves between its load and its save: both writes are kept")
  void updateRetriesWhenAnotherWriterGetsThereFirst() throws Exception {
    SessionStorage store = fresh();
    await(store.save(Samples.small("u", Samples.T0, 1, "base")));
    CountDownLatch inChange = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    ExecutorService pool = pool(1);
    Future<VersionedSession> updated = pool.submit(() -> await(store.update("u", s -> {
      if (calls.incrementAndGet() == 1) {
        inChange.countDown();
        awaitLatch(proceed);
      }
      return s.withMessage(Message.user("from update")).withUpdatedAt(Samples.T0.plusSeconds(2));
    })));
    awaitLatch(inChange);
    await(store.update("u", s -> s.withMessage(Message.user("interloper")).withUpdatedAt(Samples.T0.plusSeconds(1))));
    proceed.countDown();
    VersionedSession v = updated.get(timeoutMillis(), MILLISECONDS);
    assertThat(labels(await(store.load("u")))).as("messages after two overlapping writes")
        .containsExactly("base#0", "interloper", "from update");
    assertThat(calls.get()).as("calls of the change").isGreaterThanOrEqualTo(2);
    assertUnchanged(store, v.session(), v.revision());
  }

  @Test
  @DisplayName("N threads x M updates of one id lose nothing: every message kept, each thread's in its order")
  void concurrentUpdatesOfOneIdLoseNothing() {
    SessionStorage store = fresh();
    await(store.save(Samples.empty("hot")));
    int threads = sc().threads();
    int each = sc().updatesPerThread();
    int[] done = new int[threads];
    long deadline = budgetDeadline();
    concurrently(threads, t -> {
      for (int i = 0; i < each && withinBudget(i, deadline); i++) {
        String label = t + ":" + i;
        await(store.update("hot", s -> s.withMessage(Message.user(label))
            .withState(st -> st.withEventCount(st.eventCount() + 1)).withUpdatedAt(Samples.T0)));
        done[t] = i + 1;
      }
    });
    long total = java.util.Arrays.stream(done).sum();
    Session end = await(store.load("hot"));
    assertEveryThreadsLabelsInOrder(labels(end), done, "messages after concurrent updates");
    assertThat(end.state().eventCount()).as("event count after %d concurrent updates", total).isEqualTo(total);
    assertThat(summaryOf(store, "hot").messageCount()).as("message count of the summary after %d concurrent updates", total)
        .isEqualTo(total);
  }

  @Test
  @DisplayName("concurrent updates of different ids don't interfere")
  void concurrentUpdatesOfDifferentIds() {
    SessionStorage store = fresh();
    int threads = sc().threads();
    for (int t = 0; t < threads; t++) {
      await(store.save(Samples.empty("own-" + t)));
    }
    int each = sc().updatesPerThread();
    int[] done = new int[threads];
    long deadline = budgetDeadline();
    concurrently(threads, t -> {
      for (int i = 0; i < each && withinBudget(i, deadline); i++) {
        String label = t + ":" + i;
        await(store.update("own-" + t, s -> s.withMessage(Message.user(label)).withUpdatedAt(Samples.T0)));
        done[t] = i + 1;
      }
    });
    for (int t = 0; t < threads; t++) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < done[t]; i++) {
        expected.add(t + ":" + i);
      }
      assertThat(labels(await(store.load("own-" + t)))).as("messages of own-%d, updated %d times by one thread", t, done[t])
          .isEqualTo(expected);
    }
  }
}
