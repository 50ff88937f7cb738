package org.sessionkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.spi.ListPosition;

class CursorsTest {

  @Test
  void roundTripsPositionsExactly() {
    ListPosition p = new ListPosition(Instant.parse("2026-02-24T15:04:05.000000001Z"), "user-42/😀 a\\b");
    assertThat(Cursors.decode(Cursors.encode(p))).isEqualTo(p);
    ListPosition early = new ListPosition(Instant.parse("0000-01-01T00:00:00Z"), "x");
    assertThat(Cursors.decode(Cursors.encode(early))).isEqualTo(early);
  }

  @Test
  void cursorsAreUrlSafe() {
    String c = Cursors.encode(new ListPosition(Instant.now(), "a/b?c=d&e"));
    assertThat(c).matches("[A-Za-z0-9_-]+");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "c1", "x1AAAA", "c1!!!!", "c1AAAAAAAAAAAAAAAAAAAAAAAAAA", "hello world"})
  void garbageIsAnInvalidArgument(String garbage) {
    assertThatThrownBy(() -> Cursors.decode(garbage))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("malformed listing cursor");
  }

  @Test
  void aSingleFlippedCharacterIsDetected() {
    String c = Cursors.encode(new ListPosition(Instant.parse("2026-01-01T00:00:00Z"), "session-1"));
    char[] chars = c.toCharArray();
    int i = chars.length / 2;
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> Cursors.decode(new String(chars)))
        .isInstanceOf(InvalidArgumentException.class);
  }
}
