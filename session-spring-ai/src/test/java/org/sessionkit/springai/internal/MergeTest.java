package org.sessionkit.springai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;

class MergeTest {

  private static List<Message> list(String... texts) {
    List<Message> messages = new ArrayList<>();
    for (String t : texts) {
      messages.add(Message.user(t));
    }
    return messages;
  }

  private static List<String> texts(List<Message> entries) {
    return entries.stream()
        .map(e -> ((org.sessionkit.ContentBlock.Text) e.content().get(0)).text())
        .toList();
  }

  private static List<String> merge(List<Message> base, List<Message> stored, List<Message> wanted) {
    return texts(Merge.merge(base, stored, wanted));
  }

  @Test
  void twoAppendsKeepTheStoredOneFirstThenTheCallers() {
    assertThat(merge(list("a", "b"), list("a", "b", "x"), list("a", "b", "y"))).containsExactly("a", "b", "x", "y");
  }

  @Test
  void aTrimmedCallerAndAnAppendingWriterKeepBothAdditionsAndDropTheTrimmedOnes() {
    assertThat(merge(list("a", "b", "c"), list("a", "b", "c", "x"), list("b", "c", "y")))
        .containsExactly("b", "c", "x", "y");
  }

  @Test
  void twoTrimsKeepOnlyWhatBothKept() {
    assertThat(merge(list("a", "b", "c", "d"), list("c", "d", "x"), list("b", "c", "d", "y")))
        .containsExactly("c", "d", "x", "y");
  }

  @Test
  void aClearedConversationKeepsOnlyTheCallersAdditions() {
    assertThat(merge(list("a", "b"), list(), list("a", "b", "y"))).containsExactly("y");
  }

  @Test
  void aReplacedSystemPromptIsDroppedOnceAndTheNewOneKept() {
    // The caller dropped "sys" and appended "sys2" after its turn, as the window memory does.
    assertThat(merge(list("sys", "q1", "a1"), list("sys", "q1", "a1", "q2"), list("q1", "a1", "q3", "sys2")))
        .containsExactly("q1", "a1", "q2", "q3", "sys2");
  }

  @Test
  void equalMessagesAreMatchedToTheLatestPositions() {
    // "ok" twice: the caller kept the second (a window drops the oldest), so the first goes.
    Merge.Split split = Merge.split(list("ok", "q", "ok"), list("ok", "new"));
    assertThat(split.kept()).containsExactly(false, false, true);
    assertThat(texts(split.tail())).containsExactly("new");
  }

  @Test
  void aListSharingNothingWithTheBaseIsAllAdditions() {
    Merge.Split split = Merge.split(list("a", "b"), list("x", "y"));
    assertThat(split.kept()).containsExactly(false, false);
    assertThat(texts(split.tail())).containsExactly("x", "y");
  }

  @Test
  void extendsMeansStartsWithAll() {
    assertThat(Merge.extendsList(list("a", "b"), list("a"))).isTrue();
    assertThat(Merge.extendsList(list("a"), list("a"))).isTrue();
    assertThat(Merge.extendsList(list("a"), list())).isTrue();
    assertThat(Merge.extendsList(list("b", "a"), list("a"))).isFalse();
    assertThat(Merge.extendsList(list("a"), list("a", "b"))).isFalse();
  }

  @Test
  void messagesDifferingOnlyInTheirMetadataAreDifferent() {
    Message plain = Message.user("a");
    Message named = Message.user("a").withMetadata("k", JsonValue.of(1));
    assertThat(Merge.extendsList(List.of(named), List.of(plain))).isFalse();
  }
}
