package org.sessionkit.langchain4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageMergeTest {

  private static List<String> merge(List<String> base, List<String> ours, List<String> current) {
    return MessageMerge.merge(base, ours, current);
  }

  @Test
  void unchangedCurrentGivesExactlyOurs() {
    List<String> base = List.of("s", "u1", "a1", "u2", "a2");
    assertThat(merge(base, List.of("s", "u1", "a1", "u2", "a2", "u3"), base))
        .containsExactly("s", "u1", "a1", "u2", "a2", "u3");
    assertThat(merge(base, List.of("s", "u2", "a2", "u3"), base)).containsExactly("s", "u2", "a2", "u3");
    assertThat(merge(base, List.of("s2", "u1", "a1", "u2", "a2"), base))
        .containsExactly("s2", "u1", "a1", "u2", "a2");
    assertThat(merge(base, List.of(), base)).isEmpty();
    assertThat(merge(base, List.of("a2", "u1"), base)).containsExactly("a2", "u1");
  }

  @Test
  void twoAppendsToTheSameBaseKeepBothTheirsFirst() {
    List<String> base = List.of("u1", "a1");
    assertThat(merge(base, List.of("u1", "a1", "ours"), List.of("u1", "a1", "theirs")))
        .containsExactly("u1", "a1", "theirs", "ours");
  }

  @Test
  void appendToAnEmptyBaseKeepsWhatAnotherWriterCreated() {
    assertThat(merge(List.of(), List.of("ours"), List.of("theirs1", "theirs2")))
        .containsExactly("theirs1", "theirs2", "ours");
  }

  @Test
  void windowEvictionOnBothSidesKeepsBothNewMessages() {
    List<String> base = List.of("sys", "m1", "m2", "m3");
    List<String> ours = List.of("sys", "m2", "m3", "ours");
    List<String> current = List.of("sys", "m2", "m3", "theirs");
    assertThat(merge(base, ours, current)).containsExactly("sys", "m2", "m3", "theirs", "ours");
  }

  @Test
  void ourEvictionAppliesToAListAnotherWriterExtended() {
    List<String> base = List.of("m1", "m2", "m3");
    assertThat(merge(base, List.of("m2", "m3", "ours"), List.of("m1", "m2", "m3", "theirs")))
        .containsExactly("m2", "m3", "theirs", "ours");
  }

  @Test
  void aConcurrentClearKeepsOnlyOurNewMessages() {
    assertThat(merge(List.of("m1", "m2"), List.of("m1", "m2", "ours"), List.of()))
        .containsExactly("ours");
  }

  @Test
  void aMessageInsertedAtTheFrontStaysInFront() {
    List<String> base = List.of("u1", "a1");
    assertThat(merge(base, List.of("sys", "u1", "a1"), List.of("u1", "a1", "theirs")))
        .containsExactly("sys", "u1", "a1", "theirs");
  }

  @Test
  void aMessageInsertedInTheMiddleStaysAfterItsPredecessor() {
    List<String> base = List.of("a", "b", "c");
    assertThat(merge(base, List.of("a", "x", "b", "c"), List.of("a", "b", "c", "theirs")))
        .containsExactly("a", "x", "b", "c", "theirs");
  }

  @Test
  void theirRemovalAndOurRemovalBothApply() {
    List<String> base = List.of("a", "b", "c", "d");
    assertThat(merge(base, List.of("a", "c", "d", "ours"), List.of("a", "b", "d", "theirs")))
        .containsExactly("a", "d", "theirs", "ours");
  }

  @Test
  void equalMessagesAreCountedNotCollapsed() {
    List<String> base = List.of("ok", "ok");
    assertThat(merge(base, List.of("ok", "ok", "ok"), List.of("ok", "ok", "ok")))
        .containsExactly("ok", "ok", "ok", "ok");
  }

  @Test
  void neverLosesAMessageOnlyOneSideAdded() {
    // Random append/evict histories: every message added by either side survives, every base
    // message kept by both sides survives, and nothing else appears.
    Random random = new Random(42);
    for (int round = 0; round < 2_000; round++) {
      List<String> base = new ArrayList<>();
      int n = random.nextInt(8);
      for (int i = 0; i < n; i++) {
        base.add("b" + i);
      }
      List<String> ours = evictAndAppend(base, random, "o");
      List<String> current = evictAndAppend(base, random, "t");
      List<String> merged = merge(base, ours, current);
      List<String> expected = new ArrayList<>();
      for (String b : base) {
        if (ours.contains(b) && current.contains(b)) {
          expected.add(b);
        }
      }
      current.stream().filter(m -> m.startsWith("t")).forEach(expected::add);
      ours.stream().filter(m -> m.startsWith("o")).forEach(expected::add);
      assertThat(merged).as("base %s ours %s current %s", base, ours, current).isEqualTo(expected);
    }
  }

  private static List<String> evictAndAppend(List<String> base, Random random, String prefix) {
    List<String> out = new ArrayList<>(base.subList(random.nextInt(base.size() + 1), base.size()));
    int added = random.nextInt(3);
    for (int i = 0; i < added; i++) {
      out.add(prefix + i);
    }
    return out;
  }
}
