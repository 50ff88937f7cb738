package org.sessionkit.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sessionkit.ContentBlock;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Role;

class ValidatedMessagesTest {

  private static Message toolUse(int i) {
    return Message.of(Role.ASSISTANT,
        new ContentBlock.ToolUse("t" + i, "grep", JsonValue.object(Map.of("n", JsonValue.of(i)))));
  }

  @Test
  void aRememberedMessageIsKnownWithItsSize() {
    ValidatedMessages memo = new ValidatedMessages();
    Message m = toolUse(1);
    assertThat(memo.size(m)).isEmpty();
    memo.remember(m, 42);
    assertThat(memo.size(m)).hasValue(42);
    assertThat(memo.size(toolUse(2))).isEmpty();
  }

  @Test
  void anEqualMessageBuiltAgainIsKnownAndThenKnownByIdentity() {
    ValidatedMessages memo = new ValidatedMessages();
    Message first = toolUse(7);
    memo.remember(first, 99);
    Message again = toolUse(7);
    assertThat(again).isEqualTo(first).isNotSameAs(first);
    int before = memo.identityEntries();
    assertThat(memo.size(again)).hasValue(99);
    assertThat(memo.identityEntries()).isEqualTo(before + 1);
    assertThat(memo.size(again)).hasValue(99);
    assertThat(memo.identityEntries()).isEqualTo(before + 1);
  }

  @Test
  void aMessageListIsKnownByIdentityOnly() {
    ValidatedMessages memo = new ValidatedMessages();
    List<Message> list = List.of(toolUse(1), toolUse(2));
    assertThat(memo.listSize(list)).isEmpty();
    memo.rememberList(list, 123);
    assertThat(memo.listSize(list)).hasValue(123);
    List<Message> equal = new ArrayList<>(list);
    assertThat(equal).isEqualTo(list);
    assertThat(memo.listSize(equal)).as("an equal list may be a mutable one: not trusted").isEmpty();
  }

  @Test
  void everyOneOfManyMessagesKeepsItsOwnSize() {
    ValidatedMessages memo = new ValidatedMessages();
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      Message m = Message.user("m" + i);
      messages.add(m);
      memo.remember(m, i);
    }
    for (int i = 0; i < messages.size(); i++) {
      assertThat(memo.size(messages.get(i))).hasValue(i);
    }
    assertThat(memo.identityEntries()).isEqualTo(messages.size());
  }

  @Test
  void messagesNothingRefersToLeaveTheMemo() throws InterruptedException {
    ValidatedMessages memo = new ValidatedMessages();
    Message kept = Message.user("kept");
    memo.remember(kept, 1);
    for (int i = 0; i < 10_000; i++) {
      memo.remember(Message.user("gone " + i), i);
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (memo.identityEntries() > 1 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(10);
    }
    assertThat(memo.identityEntries()).isEqualTo(1);
    assertThat(memo.size(kept)).hasValue(1);
  }
}
