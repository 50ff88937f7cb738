package org.sessionkit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sessionkit.InvalidArgumentException;

/** The public cursor form of a listing position, and the local location record. */
class ListPositionCursorTest {

  @Test
  void aPositionRoundTripsThroughItsCursor() {
    ListPosition p = new ListPosition(Instant.parse("2026-02-24T15:04:05.000000100Z"), "user-42/ä 😀");
    String cursor = p.cursor();
    assertThat(cursor).startsWith("c1");
    assertThat(ListPosition.fromCursor(cursor)).isEqualTo(p);
  }

  @Test
  void aCursorNoStoreProducedIsAnInvalidArgument() {
    assertThatThrownBy(() -> ListPosition.fromCursor("c1garbage"))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> ListPosition.fromCursor("nope"))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void aLocalLocationNeedsAnAbsoluteDirectory() {
    Path abs = Path.of("x").toAbsolutePath();
    assertThat(new LocalLocation(abs, Optional.of("*.tmp")).directory()).isEqualTo(abs);
    assertThatThrownBy(() -> new LocalLocation(Path.of("relative"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute");
  }
}
