package org.sessionkit.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionIds;

/** The prefix successor that turns "starts with" into an index range. */
class IdsTest {

  @Test
  void theSuccessorIncrementsTheLastCodePoint() {
    assertThat(Ids.successor("user-1/")).contains("user-10");
    assertThat(Ids.successor("a")).contains("b");
    assertThat(Ids.successor("x\uD7FF")).contains("x\uE000");
    assertThat(Ids.successor("x\uFFFF")).contains("x\uD800\uDC00");
    assertThat(Ids.successor("x😀")).contains("x😁");
    assertThat(Ids.successor("x\uDBFF\uDFFF")).contains("y");
    assertThat(Ids.successor("\uDBFF\uDFFF\uDBFF\uDFFF")).isEmpty();
  }

  @Test
  void everyStringWithThePrefixLiesBelowTheSuccessorAndNoOtherStringInBetween() {
    List<String> samples = List.of("", "a", "ab", "ab\uFFFF", "ab😀", "ac", "b", "\uD7FF", "\uE000",
        "\uDBFF\uDFFF", "z\uDBFF\uDFFF", "\u0001");
    for (String prefix : List.of("a", "ab", "\uD7FF", "\uFFFF", "z", "\uDBFF\uDFFF")) {
      String high = Ids.successor(prefix).orElse(null);
      for (String tail : samples) {
        String s = prefix + tail;
        assertThat(SessionIds.compareCodePoints(s, prefix)).isGreaterThanOrEqualTo(0);
        if (high != null) {
          assertThat(SessionIds.compareCodePoints(s, high)).as("%s < %s", s, high).isNegative();
        }
      }
      for (String other : samples) {
        boolean inRange = SessionIds.compareCodePoints(other, prefix) >= 0
            && (high == null || SessionIds.compareCodePoints(other, high) < 0);
        assertThat(inRange).as(other).isEqualTo(other.startsWith(prefix));
      }
    }
  }

}
