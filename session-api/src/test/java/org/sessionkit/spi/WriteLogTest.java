package org.sessionkit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.Revision;

class WriteLogTest {

  @Test
  void recordedKeysAreFoundWithTheRevisionTheirWriteProduced() {
    WriteLog log = WriteLog.empty().record(IdempotencyKey.of("a"), Revision.of(1)).record(IdempotencyKey.of("b"), Revision.of(2));
    assertThat(log.find(IdempotencyKey.of("a"))).contains(Revision.of(1));
    assertThat(log.find(IdempotencyKey.of("b"))).contains(Revision.of(2));
    assertThat(log.find(IdempotencyKey.of("c"))).isEmpty();
  }

  @Test
  void onlyTheLastSixteenKeysAreRemembered() {
    WriteLog log = WriteLog.empty();
    for (int i = 0; i < 20; i++) {
      log = log.record(IdempotencyKey.of("k" + i), Revision.of(i));
    }
    assertThat(log.entries()).hasSize(IdempotencyKey.REMEMBERED);
    assertThat(log.find(IdempotencyKey.of("k3"))).isEmpty();
    assertThat(log.find(IdempotencyKey.of("k4"))).contains(Revision.of(4));
  }

  @Test
  void encodingRoundTripsRevisionsWithAnyCharacters() {
    WriteLog log = WriteLog.empty()
        .record(IdempotencyKey.of("turn:1/ab%"), Revision.of("7 nonce\n% +é"))
        .record(IdempotencyKey.of("x"), Revision.of("plain"));
    String encoded = log.encode();
    assertThat(encoded).doesNotContain("é");
    assertThat(WriteLog.decode(encoded, "t")).isEqualTo(log);
    assertThat(WriteLog.decode("", "t")).isEqualTo(WriteLog.empty());
    assertThat(WriteLog.empty().encode()).isEmpty();
  }

  @Test
  void aWriteWithoutKeyKeepsTheLog() {
    WriteLog log = WriteLog.empty().record(IdempotencyKey.of("a"), Revision.of(1));
    assertThat(log.after(Optional.empty(), Revision.of(2))).isSameAs(log);
  }

  @Test
  void garbageFailsAsCorruptNamingWhereItWasRead() {
    assertThatThrownBy(() -> WriteLog.decode("no-space-here", "session \"s\""))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("session \"s\"");
  }

  @Test
  void keysAreShortPrintableAscii() {
    assertThatThrownBy(() -> IdempotencyKey.of("")).isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> IdempotencyKey.of("a b")).isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> IdempotencyKey.of("é")).isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> IdempotencyKey.of("x".repeat(65))).isInstanceOf(InvalidArgumentException.class);
    assertThat(IdempotencyKey.of("x".repeat(64)).value()).hasSize(64);
  }
}
