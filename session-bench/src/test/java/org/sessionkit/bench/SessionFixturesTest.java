package org.sessionkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.ToolResultItem;

class SessionFixturesTest {

  @Test
  void theSameIndexAlwaysYieldsTheSameMessage() {
    assertThat(SessionFixtures.message(37)).isEqualTo(SessionFixtures.message(37));
    assertThat(SessionFixtures.message(37)).isNotEqualTo(SessionFixtures.message(41));
    assertThat(SessionFixtures.session("a", 100)).isEqualTo(SessionFixtures.session("a", 100));
  }

  @Test
  void aShorterSessionIsAPrefixOfALongerOne() {
    List<Message> ten = SessionFixtures.messages(10);
    List<Message> hundred = SessionFixtures.messages(100);
    assertThat(hundred.subList(0, 10)).isEqualTo(ten);
    assertThat(SessionFixtures.messages(11).get(10)).isEqualTo(SessionFixtures.message(10));
  }

  @Test
  void sessionsMixTextToolUseWithJsonInputAndToolResultsOfAFewKilobytes() {
    Session s = SessionFixtures.session("mix", 100);
    assertThat(s.messages()).hasSize(100);
    Set<Class<?>> kinds = new HashSet<>();
    int largestResult = 0;
    for (Message m : s.messages()) {
      for (ContentBlock b : m.content()) {
        kinds.add(b.getClass());
        if (b instanceof ContentBlock.ToolUse u) {
          assertThat(u.input()).isInstanceOf(JsonValue.JsonObject.class);
          assertThat(((JsonValue.JsonObject) u.input()).members()).containsKey("options");
        }
        if (b instanceof ContentBlock.ToolResult r) {
          String text = ((ToolResultItem.Text) r.content().get(0)).text();
          largestResult = Math.max(largestResult, text.length());
          assertThat(text.length()).isBetween(1_500, 6_200);
        }
      }
    }
    assertThat(kinds).contains(
        ContentBlock.Text.class, ContentBlock.ToolUse.class, ContentBlock.ToolResult.class,
        ContentBlock.Thinking.class);
    assertThat(largestResult).isGreaterThan(3_000);
  }

  @Test
  void fixturesRoundTripThroughTheCodecAndHaveRealisticSizes() {
    SessionCodec codec = SessionCodec.defaults();
    Session s = SessionFixtures.session("round-trip", 100);
    assertThat(codec.decode(codec.encode(s), "round-trip")).isEqualTo(s);
    // about 1.5 KB per message on average: a few KB per tool result, short prose elsewhere
    assertThat(SessionFixtures.encodedSize(100)).isBetween(80_000, 300_000);
    assertThat(SessionFixtures.encodedSize(10)).isLessThan(SessionFixtures.encodedSize(100));
  }

  @Test
  void populationIdsSpreadOverAHundredUsersAndTimestampsTieInPairs() {
    assertThat(SessionFixtures.populationId(4_207)).isEqualTo("user-007/session-004207");
    Session a = SessionFixtures.populationSession(10, 10);
    Session b = SessionFixtures.populationSession(11, 10);
    Session c = SessionFixtures.populationSession(12, 10);
    assertThat(a.updatedAt().toEpochMilli()).isEqualTo(b.updatedAt().toEpochMilli());
    assertThat(c.updatedAt()).isAfter(b.updatedAt());
    assertThat(a.messages()).isSameAs(b.messages());
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 100, 1000})
  void aCycleOfAppendsYieldsExactlyTheSessionsTheFullSaveWrites(int turn) {
    Append[] cycle = AppendBenchmark.appendsFor(turn);
    assertThat(cycle).hasSize(Math.max(10, turn / 10));
    Session s = SessionFixtures.session("x", turn);
    for (int k = 0; k < cycle.length; k++) {
      s = cycle[k].applyTo(s);
      assertThat(s).isEqualTo(SessionFixtures.session("x", turn + k + 1));
    }
  }
}
