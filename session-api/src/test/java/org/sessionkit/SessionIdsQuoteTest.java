package org.sessionkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How every store names an id in messages: {@link SessionIds#quote}. */
class SessionIdsQuoteTest {

  @Test
  void quoteEscapesWhatWouldGarbleALogLine() {
    assertThat(SessionIds.quote("a\"b\\c\nd\u0085e\u007f")).isEqualTo("\"a\\u0022b\\u005cc\\u000ad\\u0085e\\u007f\"");
  }

  @Test
  void quoteKeepsSurrogatePairsAndEscapesLoneSurrogates() {
    assertThat(SessionIds.quote("chat 😀 é")).isEqualTo("\"chat 😀 é\"");
    assertThat(SessionIds.quote("x\uD83Dy\uDE00")).isEqualTo("\"x\\ud83dy\\ude00\"");
    assertThat(SessionIds.quote("\uD83D")).isEqualTo("\"\\ud83d\"");
  }

  @Test
  void quoteShortensLongIdsWithoutSplittingACharacter() {
    assertThat(SessionIds.quote("x".repeat(100))).isEqualTo("\"" + "x".repeat(80) + "\"…(100 chars)");
    String emojiAtTheCut = "x".repeat(79) + "😀" + "y".repeat(10);
    assertThat(SessionIds.quote(emojiAtTheCut)).isEqualTo("\"" + "x".repeat(79) + "\"…(91 chars)");
    assertThat(SessionIds.quote("x".repeat(80))).isEqualTo("\"" + "x".repeat(80) + "\"");
  }
}
