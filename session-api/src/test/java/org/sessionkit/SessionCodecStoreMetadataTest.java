package org.sessionkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sessionkit.spi.DocumentHead;
import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.spi.PreparedDocument;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.spi.StoredSlice;
import org.sessionkit.spi.WriteLog;

/**
 * What the codec does for stores beyond reading and writing sessions: the write log and write
 * time in the {@code sessionkit} head, documents prepared before their metadata is chosen,
 * heads with the state (for custom keys in summaries), and slices read without building the
 * other messages.
 */
class SessionCodecStoreMetadataTest {

  static final SessionCodec CODEC = SessionCodec.defaults();
  static final Instant C = Instant.parse("2026-02-24T15:04:05.123456789Z");
  static final Instant U = Instant.parse("2026-02-24T15:06:41.5Z");
  static final Instant W = Instant.parse("2026-12-06T10:00:00.000000001Z");

  static Session session(int messages) {
    List<Message> list = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      list.add(i % 2 == 0 ? Message.user("q" + i) : Message.assistant("a" + i));
    }
    return new Session("s-1", list, SessionState.initial("/w").withCustom("title", JsonValue.of("Trip")), C, U);
  }

  static WriteLog log(int entries) {
    WriteLog log = WriteLog.empty();
    for (int i = 0; i < entries; i++) {
      log = log.record(IdempotencyKey.of("turn-" + i), Revision.of("r" + i));
    }
    return log;
  }

  @Test
  void theWriteLogAndTheWriteTimeRoundTripInTheHead() throws IOException {
    Session s = session(3);
    DocumentMetadata meta = DocumentMetadata.of(Revision.of("rev"), 3).withWriteLog(log(20)).withWrittenAt(W);
    byte[] doc = CODEC.encode(s, meta);
    String text = new String(doc, UTF_8);
    assertThat(text).startsWith("{\"sessionkit\":{\"format\":1,\"revision\":\"rev\",\"message_count\":3,"
        + "\"written_at\":\"2026-12-06T10:00:00.000000001Z\",\"write_log\":[{\"key\":\"turn-4\",\"revision\":\"r4\"},");
    assertThat(meta.writeLog().entries()).hasSize(IdempotencyKey.REMEMBERED);
    assertThat(CODEC.decodeDocument(doc, "d").metadata()).contains(meta);
    assertThat(CODEC.readHead(doc, "d").metadata()).contains(meta);
    assertThat(CODEC.readHead(new ByteArrayInputStream(doc), "d").metadata()).contains(meta);
    assertThat(CODEC.decodeDocument(doc, "d").session()).isEqualTo(s);
  }

  @Test
  void metadataWithoutLogOrTimeIsWrittenAsBefore() {
    Session s = session(1);
    assertThat(new String(CODEC.encode(s, DocumentMetadata.of(Revision.of("r"), 1)), UTF_8))
        .startsWith("{\"sessionkit\":{\"format\":1,\"revision\":\"r\",\"message_count\":1},\"id\":");
  }

  @Test
  void aPreparedDocumentIsByteForByteTheEncodedOne() {
    Session s = session(5);
    PreparedDocument prepared = CODEC.prepare(s);
    for (DocumentMetadata meta : List.of(
        DocumentMetadata.of(Revision.of("r1"), 5),
        DocumentMetadata.of(Revision.of("r2"), 5).withWriteLog(log(3)).withWrittenAt(W))) {
      assertThat(prepared.document(meta)).isEqualTo(CODEC.encode(s, meta));
    }
    assertThat(new String(prepared.body(), UTF_8)).startsWith("\"id\":\"s-1\"");
    assertThatThrownBy(() -> prepared.head(DocumentMetadata.of(Revision.of("r"), 4)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPreparedDocumentRespectsTheSizeLimitWithItsHead() {
    Session s = session(2);
    int size = CODEC.encode(s, DocumentMetadata.of(Revision.of("r"), 2)).length;
    SessionCodec tight = SessionCodec.builder().maxDocumentBytes(size).build();
    PreparedDocument prepared = tight.prepare(s);
    assertThat(prepared.head(DocumentMetadata.of(Revision.of("r"), 2))).isNotEmpty();
    assertThatThrownBy(() -> prepared.head(DocumentMetadata.of(Revision.of("r"), 2).withWrittenAt(W)))
        .isInstanceOf(InvalidSessionException.class).hasMessageContaining("limit");
  }

  @Test
  void malformedStoreMetadataIsCorrupt() {
    String body = ",\"id\":\"s\",\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\","
        + "\"state\":{\"cwd\":\"/\",\"token_usage\":{\"input_tokens\":0,\"output_tokens\":0},\"event_count\":0,"
        + "\"custom\":{}},\"messages\":[]}";
    for (String meta : List.of(
        "\"write_log\":{}", "\"write_log\":[{\"key\":\"a b\",\"revision\":\"r\"}]",
        "\"write_log\":[{\"key\":\"k\"}]", "\"written_at\":\"yesterday\"", "\"written_at\":5")) {
      byte[] doc = ("{\"sessionkit\":{\"format\":1,\"revision\":\"r\",\"message_count\":0," + meta + "}" + body)
          .getBytes(UTF_8);
      assertThatThrownBy(() -> CODEC.decodeDocument(doc, "d")).as(meta).isInstanceOf(CorruptDocumentException.class);
    }
  }

  @Test
  void aHeadCanCarryTheStateWithoutTheMessages() throws IOException {
    Session s = session(4);
    byte[] ours = CODEC.encode(s, DocumentMetadata.of(Revision.of("r"), 4));
    byte[] neuron = CODEC.encodePretty(s);
    for (byte[] doc : List.of(ours, neuron)) {
      DocumentHead head = CODEC.readHead(new ByteArrayInputStream(doc), "d", true);
      assertThat(head.state()).contains(s.state());
      assertThat(head.messageCount()).isEqualTo(4);
      assertThat(CODEC.readHead(doc, "d").state()).isEmpty();
    }
    // Reading our head with its state stops before the messages: a broken message is not seen.
    byte[] broken = new String(ours, UTF_8).replace("\"q2\"", "\"q2").getBytes(UTF_8);
    assertThat(CODEC.readHead(broken, "d", true).state()).contains(s.state());
  }

  @ParameterizedTest(name = "end={0} count={1} -> [{2}, {3})")
  @CsvSource({
      ", 3, 7, 10", ", 0, 10, 10", ", 20, 0, 10", "5, 2, 3, 5", "5, 10, 0, 5", "15, 2, 8, 10", "0, 3, 0, 0"})
  void aSliceHoldsTheRequestedMessagesOfEveryKindOfDocument(Long end, int count, int from, int to)
      throws IOException {
    Session s = session(10);
    OptionalLong e = end == null ? OptionalLong.empty() : OptionalLong.of(end);
    byte[] ours = CODEC.encode(s, DocumentMetadata.of(Revision.of("r"), 10));
    byte[] neuron = CODEC.encode(s);
    List<StoredSlice> slices = List.of(
        CODEC.decodeSlice(new ByteArrayInputStream(ours), "d", e, count, OptionalLong.empty()),
        CODEC.decodeSlice(ours, "d", e, count, OptionalLong.empty()),
        CODEC.decodeSlice(neuron, "d", e, count, OptionalLong.of(10)),
        CODEC.decodeSlice(neuron, "d", e, count, OptionalLong.empty())); // the ring, for neuron's order
    for (StoredSlice slice : slices) {
      assertThat(slice.messages()).isEqualTo(s.messages().subList(from, to));
      assertThat(slice.firstIndex()).isEqualTo(from);
      assertThat(slice.totalMessages()).isEqualTo(10);
      assertThat(slice.state()).isEqualTo(s.state());
      assertThat(slice.createdAt()).isEqualTo(C);
      assertThat(slice.updatedAt()).isEqualTo(U);
    }
    assertThat(slices.get(0).metadata()).contains(DocumentMetadata.of(Revision.of("r"), 10));
    assertThat(slices.get(2).metadata()).isEmpty();
  }

  @Test
  void aSliceDoesNotBuildTheMessagesItSkipsButStillChecksTheCount() {
    Session s = session(6);
    String doc = new String(CODEC.encode(s, DocumentMetadata.of(Revision.of("r"), 6)), UTF_8);
    // An unknown role in an early message: load rejects it; the tail read never builds it.
    byte[] earlyBroken = doc.replaceFirst("\"User\"", "\"Robot\"").getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.decodeDocument(earlyBroken, "d")).isInstanceOf(CorruptDocumentException.class);
    assertThat(CODEC.decodeSlice(earlyBroken, "d", OptionalLong.empty(), 2, OptionalLong.empty()).messages())
        .isEqualTo(s.messages().subList(4, 6));
    // A head that disagrees with the body is corrupt for a slice too.
    byte[] miscounted = doc.replace("\"message_count\":6", "\"message_count\":7").getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.decodeSlice(miscounted, "d", OptionalLong.empty(), 2, OptionalLong.empty()))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("7 messages but it holds 6");
    // So is a document that holds another count than the one the caller counted before.
    byte[] neuron = CODEC.encode(s);
    assertThatThrownBy(() -> CODEC.decodeSlice(neuron, "d", OptionalLong.empty(), 2, OptionalLong.of(5)))
        .isInstanceOf(CorruptDocumentException.class);
  }

  @Test
  void headsWithoutStateKeepTheirOldShape() {
    DocumentHead h = new DocumentHead("a", C, U, 1, Optional.empty());
    assertThat(h.state()).isEmpty();
  }
}
