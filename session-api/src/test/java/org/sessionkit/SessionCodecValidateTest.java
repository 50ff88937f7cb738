package org.sessionkit;

import org.sessionkit.spi.SessionCodec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionCodec#validate} remembers messages it found storable; these checks prove that it
 * still agrees with {@link SessionCodec#encode(Session)} on every session, seen messages or not.
 */
class SessionCodecValidateTest {

  private static Message varied(int i) {
    return switch (i % 4) {
      case 0 -> Message.user("question " + i + " é 😀 \u0001");
      case 1 -> Message.of(Role.ASSISTANT,
          new ContentBlock.ToolUse("t" + i, "grep", JsonValue.object(Map.of("n", JsonValue.of(i), "x", JsonValue.of("3.0")))));
      case 2 -> Message.of(Role.USER, ContentBlock.ToolResult.ofText("t" + (i - 1), "r".repeat(50 + i)));
      default -> Message.assistant("answer " + i);
    };
  }

  private static Session session(List<Message> messages) {
    return SessionCodecRoundTripTest.session("s", messages.toArray(new Message[0]));
  }

  @Test
  void theSizeLimitHoldsExactlyWhetherMessagesWereSeenOrNot() {
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      messages.add(varied(i));
    }
    long full = SessionCodec.defaults().encode(session(messages)).length;
    // Limits around every session size from 0 to 40 messages, each checked twice (fresh codec,
    // then with every message remembered): validate passes exactly when the document fits.
    for (int n = 0; n <= 40; n++) {
      Session s = session(messages.subList(0, n));
      long size = SessionCodec.defaults().encode(s).length;
      for (long limit : new long[] {size - 1, size, size + 1}) {
        SessionCodec codec = SessionCodec.builder().maxDocumentBytes(Math.max(1, limit)).build();
        for (int round = 0; round < 2; round++) {
          if (size <= limit) {
            codec.validate(s);
          } else {
            assertThatThrownBy(() -> codec.validate(s))
                .as("%d messages, %d bytes, limit %d, round %d", s.messages().size(), size, limit, round)
                .isInstanceOf(InvalidSessionException.class)
                .hasMessageContaining("larger than the limit of " + limit + " bytes");
          }
        }
      }
    }
    assertThat(full).isGreaterThan(1000);
  }

  @Test
  void aRememberedMessageInABiggerSessionStillCountsTowardsTheLimit() {
    SessionCodec codec = SessionCodec.builder().maxDocumentBytes(2_000).build();
    Message big = Message.user("x".repeat(900));
    codec.validate(session(List.of(big)));
    assertThatThrownBy(() -> codec.validate(session(List.of(big, big, big))))
        .isInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("larger than the limit of 2000 bytes");
  }

  @Test
  void aKnownMessageListInASessionWithABiggerStateStillCountsTowardsTheLimit() {
    SessionCodec codec = SessionCodec.builder().maxDocumentBytes(2_000).build();
    Session small = session(List.of(Message.user("x".repeat(900))));
    codec.validate(small);
    codec.validate(small); // now known as a whole list
    Session bigState = small.withState(st -> st.withCwd("/" + "d".repeat(1_200)));
    assertThat(bigState.messages()).isSameAs(small.messages());
    assertThatThrownBy(() -> codec.validate(bigState))
        .isInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("larger than the limit of 2000 bytes");
  }

  @Test
  void anUnstorableMessageIsRefusedEveryTimeAndNamedByItsPlace() {
    SessionCodec codec = SessionCodec.builder().build();
    Message ok = Message.user("fine");
    Message bad = Message.user("lone \ud800 surrogate");
    for (int round = 0; round < 3; round++) {
      assertThatThrownBy(() -> codec.validate(session(List.of(ok, ok, bad))))
          .isInstanceOf(InvalidSessionException.class)
          .hasMessageContaining("messages[2].content[0].Text: lone surrogate");
    }
    codec.validate(session(List.of(ok, ok)));
  }

  @Test
  void aProblemOutsideTheMessagesIsFoundWhateverTheMessages() {
    SessionCodec codec = SessionCodec.builder().build();
    Session good = session(List.of(Message.user("a")));
    codec.validate(good);
    Session badState = good.withState(st -> st.withCwd("\udc00"));
    assertThatThrownBy(() -> codec.validate(badState))
        .isInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("state.cwd: lone surrogate");
  }
}
