package org.sessionkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sessionkit.spi.SessionCodec;

/** The per-message {@code metadata} member of the document format. */
class MessageMetadataCodecTest {

  private final SessionCodec codec = SessionCodec.defaults();

  @Test
  void aMessageWithoutMetadataIsWrittenExactlyAsBefore() {
    String json = new String(codec.encodeMessage(Message.user("hi")), StandardCharsets.UTF_8);
    assertThat(json).isEqualTo("{\"role\":\"User\",\"content\":[{\"Text\":\"hi\"}]}");
  }

  @Test
  void metadataIsWrittenAfterTheContentAndReadBackExactly() {
    Map<String, JsonValue> meta = new LinkedHashMap<>();
    meta.put("thought_signature", new JsonValue.JsonString("c2ln"));
    meta.put("int", new JsonValue.JsonInteger(BigInteger.valueOf(3)));
    meta.put("float", new JsonValue.JsonDecimal(new BigDecimal("3.0")));
    meta.put("big", new JsonValue.JsonInteger(new BigInteger("123456789012345678901234567890")));
    meta.put("null", new JsonValue.JsonNull());
    meta.put("nested", new JsonValue.JsonArray(List.of(new JsonValue.JsonObject(Map.of("a", new JsonValue.JsonBoolean(true))))));
    Message m = Message.assistant("ok").withMetadata(meta);
    byte[] bytes = codec.encodeMessage(m);
    String json = new String(bytes, StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"role\":\"Assistant\",\"content\":[{\"Text\":\"ok\"}],\"metadata\":{");
    Message back = codec.decodeMessage(bytes, "t");
    assertThat(back).isEqualTo(m);
    assertThat(back.metadata().get("float")).isEqualTo(new JsonValue.JsonDecimal(new BigDecimal("3.0")));
    assertThat(back.metadata().get("int")).isNotEqualTo(back.metadata().get("float"));
  }

  @Test
  void emptyMetadataObjectReadsAsNoMetadata() {
    Message back = codec.decodeMessage(
        "{\"role\":\"User\",\"content\":[],\"metadata\":{}}".getBytes(StandardCharsets.UTF_8), "t");
    assertThat(back).isEqualTo(new Message(Role.USER, List.of()));
  }

  @Test
  void metadataThatIsNotAnObjectOrHasDuplicateKeysIsCorrupt() {
    assertThatThrownBy(() -> codec.decodeMessage(
        "{\"role\":\"User\",\"content\":[],\"metadata\":[1]}".getBytes(StandardCharsets.UTF_8), "t"))
        .isInstanceOf(CorruptDocumentException.class);
    assertThatThrownBy(() -> codec.decodeMessage(
        "{\"role\":\"User\",\"content\":[],\"metadata\":{\"a\":1,\"a\":2}}".getBytes(StandardCharsets.UTF_8), "t"))
        .isInstanceOf(CorruptDocumentException.class);
  }

  @Test
  void theCodecLimitsApplyInsideMetadata() {
    JsonValue deep = new JsonValue.JsonString("x");
    for (int i = 0; i < 130; i++) {
      deep = new JsonValue.JsonArray(List.of(deep));
    }
    Session s = Session.create("s", "/").withMessage(Message.user("a").withMetadata("deep", deep));
    assertThatThrownBy(() -> codec.validate(s)).isInstanceOf(InvalidSessionException.class);
    Session lone = Session.create("s", "/").withMessage(Message.user("a").withMetadata("k", new JsonValue.JsonString("\uD800")));
    assertThatThrownBy(() -> codec.validate(lone)).isInstanceOf(InvalidSessionException.class);
  }

  @Test
  void wholeDocumentsRoundTripMetadata() {
    Session s = Session.create("s", "/").withMessage(Message.assistant("a").withMetadata("id", new JsonValue.JsonString("msg_1")));
    assertThat(codec.decode(codec.encode(s), "t")).isEqualTo(s);
  }
}
