package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.InvalidIdException;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;

/**
 * The kit's checks of one clause — {@code loadTail} and {@code loadBefore}: the last messages of
 * a session, or those before an index, with the index of the first one, the total count, the
 * state, the times and the revision, all of one stored version. Wired into the kit as its nested
 * group {@code Slices}.
 */
abstract class SliceChecks extends CheckGroup {

  SliceChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("loadTail returns the last n messages (n = 0, 1, some, all, more than stored) with the index of the first, the total, state, times and revision")
  void loadTailReturnsTheLastMessages() {
    SessionStorage store = fresh();
    Session s = Samples.withMetadata("tail");
    Revision r = await(store.save(s));
    int total = s.messages().size();
    for (int n : new int[] {0, 1, 3, total - 1, total, total + 1, 1_000, SessionStorage.MAX_SLICE}) {
      int from = Math.max(0, total - n);
      assertSlice("loadTail(" + n + ")", await(store.loadTail("tail", n)), s, r, from, total, total);
    }
  }

  @Test
  @DisplayName("slices of a session without messages are empty, at index 0 of 0")
  void slicesOfAnEmptySession() {
    SessionStorage store = fresh();
    Session s = Samples.empty("none");
    Revision r = await(store.save(s));
    assertSlice("loadTail(0)", await(store.loadTail("none", 0)), s, r, 0, 0, 0);
    assertSlice("loadTail(5)", await(store.loadTail("none", 5)), s, r, 0, 0, 0);
    assertSlice("loadBefore(0, 5)", await(store.loadBefore("none", 0, 5)), s, r, 0, 0, 0);
    assertSlice("loadBefore(7, 5)", await(store.loadBefore("none", 7, 5)), s, r, 0, 0, 0);
  }

  @Test
  @DisplayName("loadBefore returns up to n messages ending just before the index; an index beyond the count is read as the count")
  void loadBeforeReturnsTheMessagesBeforeAnIndex() {
    SessionStorage store = fresh();
    Session s = Samples.withMetadata("before");
    Revision r = await(store.save(s));
    int total = s.messages().size();
    for (long before : new long[] {0, 1, 2, 5, total - 1, total, total + 1, 1_000_000, Long.MAX_VALUE}) {
      for (int n : new int[] {0, 1, 3, total + 2}) {
        int to = (int) Math.min(before, total);
        int from = Math.max(0, to - n);
        assertSlice("loadBefore(" + before + ", " + n + ")", await(store.loadBefore("before", before, n)), s, r, from, to, total);
      }
    }
  }

  @Test
  @DisplayName("'load older': loadTail, then loadBefore from each first index, reads the whole history once, in order")
  void walkingBackReadsTheWholeHistoryOnce() {
    SessionStorage store = fresh();
    Session s = Samples.large("long", 103, 10);
    await(store.save(s));
    List<List<Message>> pages = new ArrayList<>();
    SessionSlice slice = await(store.loadTail("long", 10));
    pages.add(slice.messages());
    int rounds = 0;
    while (slice.hasOlder()) {
      if (++rounds > 20) {
        fail("loadBefore did not reach the first message after 20 pages of 10 (of 103 messages); firstIndex is still "
            + slice.firstIndex());
      }
      long next = slice.firstIndex();
      slice = await(store.loadBefore("long", next, 10));
      assertThat(slice.firstIndex() + slice.messages().size()).as("end of the page before index %d", next).isEqualTo(next);
      pages.add(0, slice.messages());
    }
    List<Message> all = new ArrayList<>();
    pages.forEach(all::addAll);
    assertThat(all.size()).as("messages read by walking back").isEqualTo(s.messages().size());
    assertThat(all.equals(s.messages())).as("the history read backwards in pages equals the stored messages").isTrue();
  }

  @Test
  @DisplayName("slices follow appends: the new messages at the end, new total, the append's state, time and revision")
  void slicesFollowAppends() {
    SessionStorage store = fresh();
    Session s = Samples.small("grow", Samples.T0, 3, "grow");
    await(store.save(s));
    Session expected = s;
    Revision r = null;
    for (int i = 0; i < 4; i++) {
      Append a = Append.of(List.of(Message.user("a" + i), Message.assistant("b" + i)),
          s.state().withEventCount(i).withCustom("turn", JsonValue.of(i)), Samples.T0.plusSeconds(i + 1));
      r = await(store.append("grow", a));
      expected = a.applyTo(expected);
      int total = expected.messages().size();
      assertSlice("loadTail(2) after append " + i, await(store.loadTail("grow", 2)), expected, r, total - 2, total, total);
      assertSlice("loadBefore(total - 2, 3) after append " + i, await(store.loadBefore("grow", total - 2, 3)), expected, r,
          total - 5, total - 2, total);
    }
    Session replaced = Samples.small("grow", Samples.T0, 1, "replaced");
    Revision r2 = await(store.save(replaced));
    assertSlice("loadTail(5) after a save with fewer messages", await(store.loadTail("grow", 5)), replaced, r2, 0, 1, 1);
  }

  @Test
  @DisplayName("a count outside 0..MAX_SLICE or a negative index fails with InvalidArgumentException; unknown ids with not-found, invalid ids with InvalidIdException")
  void badArgumentsFail() {
    SessionStorage store = fresh();
    await(store.save(Samples.small("here", Samples.T0, 2, "here")));
    for (int bad : new int[] {-1, Integer.MIN_VALUE, SessionStorage.MAX_SLICE + 1, Integer.MAX_VALUE}) {
      fails(InvalidArgumentException.class, () -> store.loadTail("here", bad), "loadTail with count " + bad);
      fails(InvalidArgumentException.class, () -> store.loadBefore("here", 1, bad), "loadBefore with count " + bad);
    }
    for (long bad : new long[] {-1, Long.MIN_VALUE}) {
      fails(InvalidArgumentException.class, () -> store.loadBefore("here", bad, 1), "loadBefore index " + bad);
    }
    fails(SessionNotFoundException.class, () -> store.loadTail("nobody", 1), "loadTail of an unknown id");
    fails(SessionNotFoundException.class, () -> store.loadBefore("nobody", 1, 1), "loadBefore of an unknown id");
    fails(SessionNotFoundException.class, () -> store.loadTail("nobody", 0), "loadTail(0) of an unknown id");
    fails(InvalidIdException.class, () -> store.loadTail("..", 1), "loadTail of an invalid id");
    fails(InvalidIdException.class, () -> store.loadBefore("a\u0000", 1, 1), "loadBefore of an invalid id");
    assertThatThrownBy(() -> store.loadTail(null, 1), "loadTail(null, 1)").isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.loadBefore(null, 1, 1), "loadBefore(null, 1, 1)").isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName("under concurrent appends, the messages, total, state and revision of a slice all belong to one stored version")
  void aSliceBelongsToOneVersionUnderConcurrentAppends() {
    SessionStorage store = fresh();
    String id = "moving";
    Revision base = await(store.save(version(id, 0)));
    Map<Revision, Integer> versionOf = new ConcurrentHashMap<>();
    versionOf.put(base, 0);
    List<SessionSlice> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean done = new AtomicBoolean();
    int rounds = sc().raceRounds();
    long deadline = budgetDeadline();
    concurrently(3, t -> {
      if (t == 0) {
        try {
          for (int i = 1; i <= rounds && withinBudget(i - 1, deadline); i++) {
            versionOf.put(await(store.append(id, Append.of(List.of(Message.user("m" + i)), stateOf(i), Samples.T0.plusSeconds(i)))), i);
          }
        } finally {
          done.set(true);
        }
      } else {
        do {
          seen.add(await(t == 1 ? store.loadTail(id, 3) : store.loadBefore(id, Long.MAX_VALUE, 2)));
        } while (!done.get());
      }
    });
    assertThat(seen).as("slices read during the appends").isNotEmpty();
    for (SessionSlice slice : seen) {
      int v = (int) slice.state().eventCount();
      String what = "a slice read during appends (state of version " + v + ", " + slice.totalMessages() + " messages)";
      assertThat(slice.totalMessages()).as("%s: total of the version its state belongs to", what).isEqualTo(v + 1);
      assertThat(slice.updatedAt()).as("%s: updatedAt", what).isEqualTo(Samples.T0.plusSeconds(v));
      Integer revisionVersion = versionOf.get(slice.revision());
      assertThat(revisionVersion).as("%s: the version its revision %s was returned for", what, slice.revision()).isEqualTo(v);
      List<String> expected = new ArrayList<>();
      for (long k = slice.firstIndex(); k < slice.firstIndex() + slice.messages().size(); k++) {
        expected.add(k == 0 ? "m0" : "m" + k);
      }
      assertThat(slice.messages().stream().map(Samples::label).toList()).as("%s: its messages", what).isEqualTo(expected);
      assertThat(slice.firstIndex() + slice.messages().size()).as("%s: it ends at the last message", what).isEqualTo(v + 1);
    }
  }

  private static Session version(String id, int v) {
    return new Session(id, List.of(Message.user("m" + v)), stateOf(v), Samples.T0, Samples.T0.plusSeconds(v));
  }

  private static SessionState stateOf(int v) {
    return SessionState.initial("/v").withEventCount(v).withCustom("v", JsonValue.of(v));
  }

  /** Checks that a slice holds messages {@code from..to} (exclusive) of {@code s}, stored with revision {@code r}. */
  static void assertSlice(String what, SessionSlice slice, Session s, Revision r, int from, int to, int total) {
    assertThat(slice.id()).as("%s: id", what).isEqualTo(s.id());
    assertThat(slice.totalMessages()).as("%s: totalMessages", what).isEqualTo(total);
    assertThat(slice.firstIndex()).as("%s: firstIndex", what).isEqualTo(from);
    assertThat(slice.messages().size()).as("%s: number of messages", what).isEqualTo(to - from);
    assertThat(slice.messages().equals(s.messages().subList(from, to)))
        .as("%s: the messages %d..%d of the stored session", what, from, to).isTrue();
    assertThat(slice.state().equals(s.state())).as("%s: the stored state", what).isTrue();
    assertThat(slice.createdAt()).as("%s: createdAt", what).isEqualTo(s.createdAt());
    assertThat(slice.updatedAt()).as("%s: updatedAt", what).isEqualTo(s.updatedAt());
    assertThat(slice.revision()).as("%s: revision", what).isEqualTo(r);
    assertThat(slice.hasOlder()).as("%s: hasOlder", what).isEqualTo(from > 0);
  }
}
