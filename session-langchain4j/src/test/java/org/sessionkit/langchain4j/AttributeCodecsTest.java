package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;

class AttributeCodecsTest {

  private static final AttributeCodecs CODECS = AttributeCodecs.defaults();

  private static Object roundTrip(Object value) {
    return CODECS.decode(CODECS.encode(value));
  }

  @Test
  void plainJsonValuesAreStoredPlainAndOthersTyped() {
    assertThat(CODECS.encode(7)).isEqualTo(JsonValue.of(7));
    assertThat(CODECS.encode(7L)).isEqualTo(JsonValue.object(Map.of("$type", JsonValue.of("long"), "value", JsonValue.of(7))));
    assertThat(CODECS.encode(Long.MAX_VALUE)).isEqualTo(JsonValue.of(Long.MAX_VALUE));
    assertThat(CODECS.encode(List.of("a", true))).isEqualTo(JsonValue.array(JsonValue.of("a"), JsonValue.TRUE));
    assertThat(CODECS.encode(new byte[] {1, 2}))
        .isEqualTo(JsonValue.object(Map.of("$type", JsonValue.of("bytes"), "value", JsonValue.of("AQI="))));
    assertThat(roundTrip(7L)).isInstanceOf(Long.class).isEqualTo(7L);
    assertThat(roundTrip(Integer.MIN_VALUE)).isInstanceOf(Integer.class);
    assertThat(roundTrip(BigInteger.ONE)).isInstanceOf(BigInteger.class);
    assertThat(roundTrip(1e300)).isEqualTo(1e300);
    assertThat(roundTrip(Double.NEGATIVE_INFINITY)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(1.0 / (Double) roundTrip(-0.0)).isNegative();
    assertThat(roundTrip(Float.NaN)).isInstanceOf(Float.class);
    // foreign plain decimals a double can't hold exactly stay exact
    assertThat(CODECS.decode(new JsonValue.JsonDecimal(new java.math.BigDecimal("0.10000000000000000000001"))))
        .isEqualTo(new java.math.BigDecimal("0.10000000000000000000001"));
  }

  @Test
  void theShapesLangChain4jsToolMachineryAndMcpSetRoundTripThroughTheDocumentFormat() {
    // MCP's _meta (ToolExecutionHelper.toObject: HashMap, Integer/Long/BigInteger/Double, null,
    // byte[] for binary nodes) and the tool search's found_tools (List<String>) on tool results;
    // Google GenAI's thought_signature_<call id> (base64 strings) on an AiMessage.
    Map<String, Object> meta = new HashMap<>();
    meta.put("requestId", 42);
    meta.put("elapsedNanos", 9_000_000_000L);
    meta.put("huge", new BigInteger("99999999999999999999"));
    meta.put("score", 0.75);
    meta.put("cursor", null);
    meta.put("blob", new byte[] {7});
    meta.put("tags", new ArrayList<>(List.of("a", "b")));
    ToolExecutionRequest call = ToolExecutionRequest.builder().id("fc_1").name("lookup").arguments("{\"q\":1}").build();
    List<ChatMessage> original =
        List.of(
            AiMessage.builder().toolExecutionRequests(List.of(call)).attributes(Map.of("thought_signature_fc_1", "CiQBsig==")).build(),
            ToolExecutionResultMessage.builder().id("fc_1").toolName("lookup").text("found").isError(false)
                .attributes(Map.of("found_tools", List.of("weather", "calendar"), "request", meta)).build());
    Session session = Session.create("s", "/").withMessages(LangChain4jMessages.toSessionMessages(original));
    SessionCodec codec = SessionCodec.defaults();
    List<Message> stored = codec.decode(codec.encode(session), "test").messages();
    List<ChatMessage> back = LangChain4jMessages.toChatMessages(stored);
    assertThat(back.get(0)).isEqualTo(original.get(0));
    Map<String, Object> attributes = ((ToolExecutionResultMessage) back.get(1)).attributes();
    assertThat(attributes.get("found_tools")).isEqualTo(List.of("weather", "calendar"));
    @SuppressWarnings("unchecked")
    Map<String, Object> request = (Map<String, Object>) attributes.get("request");
    assertThat((byte[]) request.get("blob")).containsExactly(7);
    Map<String, Object> withoutBlob = new HashMap<>(meta);
    withoutBlob.remove("blob");
    Map<String, Object> readWithoutBlob = new HashMap<>(request);
    readWithoutBlob.remove("blob");
    WindowChatMemoryTests.assertSameTypes(readWithoutBlob, withoutBlob);
  }

  @Test
  void registeringACodecThatWouldShadowBuiltInValuesOrTagsIsRefused() {
    assertThatThrownBy(() -> CODECS.with(codec("x.object", Object.class))).hasMessageContaining("would also take");
    assertThatThrownBy(() -> CODECS.with(codec("x.number", Number.class))).hasMessageContaining("would also take");
    assertThatThrownBy(() -> CODECS.with(codec("x.list", List.class))).hasMessageContaining("would also take");
    assertThatThrownBy(() -> CODECS.with(codec("long", StringBuilder.class))).hasMessageContaining("already taken");
    assertThatThrownBy(() -> CODECS.with(codec("langchain4j.image", StringBuilder.class))).hasMessageContaining("already taken");
    assertThatThrownBy(() -> CODECS.with(codec("has space", StringBuilder.class))).hasMessageContaining("1 to 100 characters");
    AttributeCodecs mine = CODECS.with(codec("x.sb", StringBuilder.class));
    assertThatThrownBy(() -> mine.with(codec("x.other", StringBuilder.class))).hasMessageContaining("already registered");
    // a registered codec serves its class; values nest through the registry
    Object back = mine.decode(mine.encode(List.of(new StringBuilder("abc"))));
    assertThat(back.toString()).isEqualTo("[abc]");
    assertThat(((List<?>) back).get(0)).isInstanceOf(StringBuilder.class);
  }

  @Test
  void aValueThatContainsItselfFailsInsteadOfOverflowing() {
    List<Object> loop = new ArrayList<>();
    loop.add(loop);
    assertThatThrownBy(() -> CODECS.encode(loop))
        .isInstanceOf(UnmappableMessageException.class)
        .hasMessageContaining("nest deeper than " + AttributeCodecs.MAX_DEPTH);
  }

  @Test
  void valuesNestedAsDeepAsAllowedFitTheDocumentFormat() {
    // The deepest stored form per level: a map with a non-string key (a typed value holding an
    // array of [key, value] pairs), 40 levels deep.
    Object value = "leaf";
    for (int i = 0; i < AttributeCodecs.MAX_DEPTH; i++) {
      value = Map.of(i, value);
    }
    AiMessage deep = AiMessage.builder().text("x").attributes(Map.of("deep", value)).build();
    Session session = Session.create("s", "/").withMessages(LangChain4jMessages.toSessionMessages(List.of(deep)));
    SessionCodec codec = SessionCodec.defaults();
    assertThat(LangChain4jMessages.toChatMessages(codec.decode(codec.encode(session), "test").messages()))
        .containsExactly(deep);
    Object deeper = Map.of(-1, value);
    assertThatThrownBy(() -> LangChain4jMessages.toSessionMessages(
            List.of(AiMessage.builder().text("x").attributes(Map.of("deep", deeper)).build())))
        .isInstanceOf(UnmappableMessageException.class)
        .hasMessageContaining("attribute \"deep\"")
        .hasMessageContaining("nest deeper than 40");
  }

  private static <T> AttributeCodec<T> codec(String tag, Class<T> type) {
    return new AttributeCodec<>() {
      @Override public String tag() { return tag; }
      @Override public Class<T> type() { return type; }
      @Override public JsonValue encode(T value, AttributeCodecs codecs) { return JsonValue.of(value.toString()); }
      @SuppressWarnings("unchecked")
      @Override public T decode(JsonValue json, AttributeCodecs codecs) {
        return (T) new StringBuilder(((JsonValue.JsonString) json).value());
      }
    };
  }
}
