package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.TokenUsage;

/**
 * The kit's checks of one clause — append: a turn added atomically at the end. Wired into the kit
 * as its nested group {@code Appending}.
 */
abstract class AppendChecks extends CheckGroup {

  AppendChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("append adds the messages after the stored ones, in order, and replaces state and updatedAt; id and createdAt stay")
  void appendAddsMessagesAndReplacesStateAndUpdatedAt() {
    SessionStorage store = fresh();
    Session s = Samples.everyBlock("a");
    Revision r0 = await(store.save(s));
    List<Message> turn = List.of(Message.user("next question"), Samples.everyBlock("x").messages().get(2), Message.assistant("answer"));
    SessionState state = s.state().withEventCount(99).withCustom("turn", JsonValue.of(2))
        .withTokenUsage(s.state().tokenUsage().plus(TokenUsage.of(10, 20)));
    Instant at = Samples.T0.plusSeconds(500).plusNanos(1);
    Revision r1 = await(store.append("a", Append.of(turn, state, at)));
    Session expected = new Session("a", concat(s.messages(), turn), state, s.createdAt(), at);
    assertThat(r1).as("revision of the append, compared with the one before (%s)", r0).isNotEqualTo(r0);
    assertUnchanged(store, expected, r1);
  }

  @Test
  @DisplayName("append replaces the whole state: a custom key the new state lacks is gone, in loads, slices and summaries")
  void appendReplacesTheCustomState() {
    SessionStorage store = fresh();
    Session s = Samples.small("state", Samples.T0, 1, "s").withState(st -> st.withCustom(java.util.Map.of(
        "keep", JsonValue.of(1), "drop", new JsonValue.JsonString("old"), "nested", new JsonValue.JsonObject(java.util.Map.of(
            "a", JsonValue.TRUE, "b", JsonValue.FALSE)))));
    await(store.save(s));
    SessionState replaced = SessionState.initial("/new").withCustom(java.util.Map.of("keep", JsonValue.of(2),
        "nested", new JsonValue.JsonObject(java.util.Map.of("a", JsonValue.NULL)), "added", JsonValue.of(3)));
    Append a = Append.of(List.of(Message.user("turn")), replaced, Samples.T0.plusSeconds(1));
    Revision r = await(store.append("state", a));
    Session expected = a.applyTo(s);
    assertUnchanged(store, expected, r);
    assertThat(await(store.loadTail("state", 1)).state().custom().keySet()).as("custom keys of a slice after the append")
        .containsExactlyInAnyOrder("keep", "nested", "added");
    SessionSummary summary = await(store.list(ListQuery.withPrefix("state").withCustomKeys("keep", "drop", "added"))).summaries().get(0);
    assertThat(summary.custom().keySet()).as("custom keys of the summary after an append that dropped one")
        .containsExactlyInAnyOrder("keep", "added");
    Revision r2 = await(store.append("state", Append.of(List.of(), SessionState.initial("/empty"), Samples.T0.plusSeconds(2))));
    assertUnchanged(store, new Session("state", expected.messages(), SessionState.initial("/empty"), s.createdAt(),
        Samples.T0.plusSeconds(2)), r2);
  }

  @Test
  @DisplayName("an append without messages replaces only the state and updatedAt")
  void appendOfNoMessagesReplacesStateAndUpdatedAt() {
    SessionStorage store = fresh();
    Session s = Samples.small("a", Samples.T0, 3, "a");
    await(store.save(s));
    SessionState state = s.state().withCwd("/elsewhere");
    Revision r = await(store.append("a", Append.of(List.of(), state, Samples.T0.minusSeconds(1))));
    assertUnchanged(store, new Session("a", s.messages(), state, s.createdAt(), Samples.T0.minusSeconds(1)), r);
  }

  @Test
  @DisplayName("append to a session without messages")
  void appendToAnEmptySession() {
    SessionStorage store = fresh();
    Session s = Samples.empty("e");
    await(store.save(s));
    Revision r = await(store.append("e", Append.of(List.of(Message.user("first")), s.state(), Samples.T0)));
    assertUnchanged(store, s.withMessage(Message.user("first")).withUpdatedAt(Samples.T0), r);
  }

  @Test
  @DisplayName("append to an unknown id fails with SessionNotFoundException and creates nothing")
  void appendToAnUnknownIdFailsWithNotFound() {
    SessionStorage store = fresh();
    fails(SessionNotFoundException.class,
        () -> store.append("nobody", Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0)));
    fails(SessionNotFoundException.class, () -> store.load("nobody"));
    assertThat(await(store.list())).as("list() after an append to an unknown id").isEmpty();
    Revision other = await(store.save(Samples.empty("other")));
    fails(SessionNotFoundException.class, () -> store.append("nobody",
        Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0).ifRevision(other)));
    assertThat(ids(await(store.list()))).as("ids listed after appends to an unknown id").containsExactly("other");
  }

  @Test
  @DisplayName("a conditional append with the current revision succeeds")
  void conditionalAppendWithTheCurrentRevisionSucceeds() {
    SessionStorage store = fresh();
    Session s = Samples.small("c", Samples.T0, 1, "c");
    Revision r0 = await(store.save(s));
    Revision r1 = await(store.append("c", Append.of(List.of(Message.user("x")), s.state(), Samples.T0).ifRevision(r0)));
    Revision r2 = await(store.append("c", Append.of(List.of(Message.user("y")), s.state(), Samples.T0).ifRevision(r1)));
    assertUnchanged(store, s.withMessages(List.of(Message.user("x"), Message.user("y"))).withUpdatedAt(Samples.T0), r2);
  }

  @Test
  @DisplayName("a conditional append with a stale revision fails with RevisionConflictException and changes nothing")
  void conditionalAppendWithAStaleRevisionFails() {
    SessionStorage store = fresh();
    Revision r0 = await(store.save(Samples.small("c", Samples.T0, 1, "c")));
    Session current = Samples.small("c", Samples.T0.plusSeconds(1), 2, "current");
    Revision r1 = await(store.save(current));
    fails(RevisionConflictException.class, () -> store.append("c",
        Append.of(List.of(Message.user("lost")), SessionState.initial("/x"), Samples.T0.plusSeconds(5)).ifRevision(r0)));
    assertUnchanged(store, current, r1);
  }

  @Test
  @DisplayName("each append returns a new revision, the one loadVersioned and list report")
  void eachAppendReturnsANewRevision() {
    SessionStorage store = fresh();
    Session s = Samples.empty("r");
    List<Revision> seen = new ArrayList<>();
    seen.add(await(store.save(s)));
    for (int i = 0; i < 5; i++) {
      Revision r = await(store.append("r", Append.of(i % 2 == 0 ? List.of() : List.of(Message.user("m" + i)), s.state(), Samples.T0)));
      assertThat(await(store.loadVersioned("r")).revision()).as("revision after append %d", i).isEqualTo(r);
      assertThat(summaryOf(store, "r").revision()).as("summary revision after append %d", i).isEqualTo(r);
      seen.add(r);
    }
    assertThat(seen).as("revisions of successive appends").doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("hundreds of appends of every kind of message round-trip exactly")
  void hundredsOfAppendsRoundTripExactly() {
    SessionStorage store = fresh();
    Session expected = Samples.small("long", Samples.T0, 2, "start");
    Revision r = await(store.save(expected));
    List<Message> kinds = Samples.everyBlock("k").messages();
    for (int i = 0; i < sc().sequentialAppends(); i++) {
      List<Message> turn = new ArrayList<>();
      for (int j = 0; j <= i % 3; j++) {
        turn.add(j == 0 ? Message.user("turn " + i) : kinds.get((i + j) % kinds.size()));
      }
      SessionState state = expected.state().withEventCount(i).withCustom("turn", JsonValue.of(i))
          .withTokenUsage(expected.state().tokenUsage().plus(TokenUsage.of(i, 1)));
      Instant at = Samples.T0.plusSeconds(i).plusNanos(i);
      Append append = Append.of(turn, state, at);
      r = await(store.append("long", i % 2 == 0 ? append.ifRevision(r) : append));
      expected = append.applyTo(expected);
    }
    assertUnchanged(store, expected, r);
  }

  @Test
  @DisplayName("summaries and listing order follow appends: message count, updatedAt, revision")
  void summariesAndOrderFollowAppends() {
    SessionStorage store = fresh();
    Session a = Samples.small("a", Samples.T0.plusSeconds(1), 1, "a");
    Session b = Samples.small("b", Samples.T0.plusSeconds(2), 1, "b");
    Session c = Samples.small("c", Samples.T0.plusSeconds(3), 1, "c");
    saveAll(store, List.of(a, b, c));
    assertThat(ids(await(store.list()))).as("ids listed before the appends, most recently updated first").containsExactly("c", "b", "a");
    Revision ra = await(store.append("a", Append.of(List.of(Message.user("1"), Message.user("2")), a.state(), Samples.T0.plusSeconds(4))));
    Revision rc = await(store.append("c", Append.of(List.of(Message.user("3")), c.state(), Samples.T0)));
    Revision rb = await(store.loadVersioned("b")).revision();
    List<SessionSummary> expected = List.of(
        new SessionSummary("a", a.createdAt(), Samples.T0.plusSeconds(4), 3, ra),
        b.summary(rb),
        new SessionSummary("c", c.createdAt(), Samples.T0, 2, rc));
    assertListing("list() after appends", expected, await(store.list()));
    assertListing("pages of 1 after appends", expected, flatten(walk(store, ListQuery.firstPage().limit(1), 3)));
  }

  @Test
  @DisplayName("concurrent appends from many threads are all kept, each thread's in its own order")
  void concurrentAppendsAreAllKept() {
    SessionStorage store = fresh();
    Session base = Samples.empty("hot");
    await(store.save(base));
    int threads = sc().threads();
    int each = sc().appendsPerThread();
    int[] done = new int[threads];
    long deadline = budgetDeadline();
    concurrently(threads, t -> {
      for (int i = 0; i < each && withinBudget(i, deadline); i++) {
        await(store.append("hot", Append.of(List.of(Message.user(t + ":" + i)),
            base.state().withCustom("last", new JsonValue.JsonString(t + ":" + i)), Samples.T0.plusSeconds(t))));
        done[t] = i + 1;
      }
    });
    long total = java.util.Arrays.stream(done).sum();
    Session end = await(store.load("hot"));
    assertEveryThreadsLabelsInOrder(labels(end), done, "messages after concurrent appends");
    assertThat(end.state().custom().get("last")).as("the state is the one of the last append")
        .isEqualTo(new JsonValue.JsonString(labels(end).get(labels(end).size() - 1)));
    assertThat(summaryOf(store, "hot").messageCount()).as("message count of the summary after %d concurrent appends", total)
        .isEqualTo(total);
  }

  @Test
  @DisplayName("appends racing with saves and deletes of the same id never leave a torn or resurrected session")
  void appendsRacingWithSavesAndDeletes() {
    SessionStorage store = fresh();
    String id = "race";
    await(store.save(raceBase(id, 0)));
    int threads = Math.max(3, sc().threads());
    int rounds = sc().raceRounds();
    int each = sc().appendsPerThread();
    AtomicBoolean done = new AtomicBoolean();
    long deadline = budgetDeadline();
    concurrently(threads, t -> {
      if (t == 0) {
        try {
          for (int r = 1; r <= rounds && withinBudget(r - 1, deadline); r++) {
            if (r % 5 == 0) {
              try {
                await(store.delete(id));
              } catch (SessionNotFoundException alreadyGone) {
                // deleted twice in a row: fine
              }
            } else {
              await(store.save(raceBase(id, r)));
            }
          }
        } finally {
          done.set(true);
        }
      } else if (t == 1) {
        do {
          try {
            checkRaceSession(await(store.load(id)), "a session loaded during the race");
          } catch (SessionNotFoundException deleted) {
            // between a delete and the next save
          }
        } while (!done.get());
      } else {
        for (int i = 0; i < each || !done.get(); i++) {
          String label = "a" + t + ":" + i;
          try {
            await(store.append(id, Append.of(List.of(Message.user(label)),
                SessionState.initial("/append").withCustom("writer", new JsonValue.JsonString(label)), Samples.T0.plusSeconds(1))));
          } catch (SessionNotFoundException deleted) {
            // an append to a deleted session fails; it must not recreate it
          }
        }
      }
    });
    try {
      checkRaceSession(await(store.load(id)), "the session the race left");
    } catch (SessionNotFoundException deleted) {
      // the race ended with a delete
    }
    await(store.save(raceBase(id, rounds + 1)));
    await(store.append(id, Append.of(List.of(Message.user("last")), SessionState.initial("/end"), Samples.T0)));
    assertThat(labels(await(store.load(id)))).as("messages of a session saved and appended to after the race").containsExactly("base-" + (rounds + 1), "last");
  }

  private Session raceBase(String id, int k) {
    return new Session(id, List.of(Message.user("base-" + k)),
        SessionState.initial("/save").withCustom("writer", new JsonValue.JsonString("save-" + k)), Samples.T0, Samples.T0.plusMillis(k));
  }

  /** A session of the race is one save followed by appends, each with its own state: never a mix. */
  private void checkRaceSession(Session s, String what) {
    List<String> l = labels(s);
    assertThat(l).as("%s: it starts with the message of a save", what).isNotEmpty();
    assertThat(l.get(0)).as("%s: it starts with the message of a save, not an append (no resurrection)", what).startsWith("base-");
    JsonValue writer = s.state().custom().get("writer");
    String expectedWriter = l.size() == 1 ? "save-" + l.get(0).substring(5) : l.get(l.size() - 1);
    assertThat(writer).as("%s: its state belongs to its last write (messages %s)", what, l)
        .isEqualTo(new JsonValue.JsonString(expectedWriter));
    Map<String, Integer> lastOfThread = new HashMap<>();
    for (String label : l.subList(1, l.size())) {
      assertThat(label).as("%s: after the saved message come appended ones only", what).startsWith("a");
      String thread = label.substring(0, label.indexOf(':'));
      int index = Integer.parseInt(label.substring(label.indexOf(':') + 1));
      Integer before = lastOfThread.put(thread, index);
      assertThat(before == null || before < index).as("%s: %s comes after %s:%s, in its thread's order", what, label, thread, before).isTrue();
    }
  }
}
