package org.sessionkit.springai;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.springai.MetadataAssert.assertSameMetadata;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.Futures;
import org.sessionkit.JsonValue;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.AssistantMessage.ToolCall;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage.ToolResponse;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * Message metadata round-trips through the per-message metadata as the same Java types: the
 * built-in types, the shapes Spring AI's Anthropic and Google GenAI models produce (with Google's
 * real {@code FinishReason} class), codecs users register, and metadata other programs wrote. The
 * OpenAI shapes differ between the Spring AI lines and are tested in each line's own tests.
 */
class MessageMetadataTest {

  private final SessionStorage storage = SessionStorages.open("memory:");
  private final CountingStorage counting = new CountingStorage(storage);
  private final SessionChatMemoryRepository repository = SessionChatMemoryRepository.create(counting.storage());

  @AfterEach
  void close() {
    storage.close();
  }

  private List<Message> roundTrip(List<Message> messages) {
    repository.saveAll("c", messages);
    List<Message> back = SessionChatMemoryRepository.create(storage).findByConversationId("c");
    assertThat(back).hasSameSizeAs(messages);
    for (int i = 0; i < messages.size(); i++) {
      assertSameMetadata(messages.get(i), back.get(i));
    }
    return back;
  }

  private Session stored() {
    return Futures.await(storage.load("c"), 30, SECONDS);
  }

  @Test
  void everyBuiltInTypeComesBackAsTheSameJavaType() {
    Map<String, Object> values = new HashMap<>();
    values.put("string", "text");
    values.put("boolean", true);
    values.put("null", null);
    values.put("int", 3);
    values.put("long", 3L);
    values.put("short", (short) 3);
    values.put("byte", (byte) 3);
    values.put("double", 3.0);
    values.put("doubleFraction", 0.1);
    values.put("nan", Double.NaN);
    values.put("infinity", Double.NEGATIVE_INFINITY);
    values.put("negativeZero", -0.0);
    values.put("float", 0.1f);
    values.put("bigint", new BigInteger("123456789012345678901234567890"));
    values.put("decimal", new BigDecimal("1.50"));
    values.put("char", 'x');
    values.put("bytes", new byte[] {0, -1, 127});
    values.put("instant", Instant.parse("2026-12-06T10:15:30.123456789Z"));
    values.put("list", new ArrayList<>(List.of(1, 2L, "three")));
    values.put("set", new LinkedHashSet<>(List.of("a", "b")));
    Map<String, Object> nested = new HashMap<>();
    nested.put("inner", List.of(Map.of("deep", 1.5f)));
    nested.put("none", null);
    values.put("map", nested);
    values.put("json", JsonValue.object(Map.of("a", JsonValue.of(1))));
    List<Message> back =
        roundTrip(List.of(AssistantMessage.builder().content("hi").properties(values).build()));
    assertThat(back.get(0).getMetadata().get("negativeZero")).isEqualTo(-0.0);
    assertThat(1 / (Double) back.get(0).getMetadata().get("negativeZero")).isNegative();
    // Stored in the message's own metadata, typed; the messageType Spring AI adds is not stored.
    JsonValue.JsonObject own = (JsonValue.JsonObject) stored().messages().get(0).metadata().get("spring-ai");
    JsonValue.JsonObject typed = (JsonValue.JsonObject) own.get("metadata").orElseThrow();
    assertThat(typed.get("int")).contains(JsonValue.object(Map.of("int", JsonValue.of(3))));
    assertThat(typed.get("string")).contains(JsonValue.of("text"));
    assertThat(typed.members()).doesNotContainKey("messageType");
    assertThat(stored().state().custom()).isEmpty();
  }

  @Test
  void metadataOfEveryMessageTypeRoundTrips() {
    roundTrip(
        List.of(
            SystemMessage.builder().text("sys").metadata(Map.of("version", 7)).build(),
            UserMessage.builder().text("hi").metadata(Map.of("userId", 42L, "locale", "de-CH")).build(),
            AssistantMessage.builder()
                .content("")
                .toolCalls(List.of(new ToolCall("t1", "function", "f", "{}")))
                .properties(Map.of("index", 0))
                .build(),
            ToolResponseMessage.builder()
                .responses(List.of(new ToolResponse("t1", "f", "ok")))
                .metadata(Map.of("elapsedMillis", 12L))
                .build()));
  }

  @Test
  void anthropicThinkingAndRedactedThinkingKeepTheirSignatureAndData() {
    // What Spring AI's AnthropicChatModel produces (1.1 and 2.0): a thinking generation with the
    // signature, a redacted one with the data; 2.0's streaming marks thinking chunks with a flag.
    roundTrip(
        List.of(
            new UserMessage("Why is the sky blue?"),
            AssistantMessage.builder()
                .content("Rayleigh scattering, let me think…")
                .properties(Map.of("signature", "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxs"))
                .build(),
            AssistantMessage.builder().properties(Map.of("data", "EmwKAhgBEgy3va3pzix/LafPsn4a")).build(),
            AssistantMessage.builder().content("partial").properties(Map.of("thinking", Boolean.TRUE)).build(),
            new AssistantMessage("Because of Rayleigh scattering.")));
  }

  @Test
  void googleGenAiFinishReasonThoughtSignaturesAndServerSideToolsComeBackAsTheSameObjects() {
    // What Spring AI's GoogleGenAiChatModel puts on an AssistantMessage (responseCandidateToGeneration),
    // and reads back on the next request (thoughtSignatures, as List<byte[]>).
    Map<String, Object> metadata = new HashMap<>();
    metadata.put("candidateIndex", 0);
    metadata.put("finishReason", new com.google.genai.types.FinishReason(com.google.genai.types.FinishReason.Known.STOP));
    metadata.put("thoughtSignatures", List.of(new byte[] {10, 20, 30}, new byte[] {-1}));
    metadata.put("isThought", false);
    Map<String, Object> invocation = new HashMap<>();
    invocation.put("type", "toolCall");
    invocation.put("id", "");
    invocation.put("toolType", "GOOGLE_SEARCH");
    invocation.put("args", Map.of("query", "weather Bern", "max", 3));
    metadata.put("serverSideToolInvocations", List.of(invocation));
    AssistantMessage call =
        AssistantMessage.builder()
            .content("")
            .properties(metadata)
            .toolCalls(List.of(new ToolCall("", "function", "get_weather", "{\"city\":\"Bern\"}")))
            .build();
    List<Message> back = roundTrip(List.of(new UserMessage("Weather in Bern?"), call));
    assertThat(back.get(1).getMetadata().get("finishReason"))
        .isInstanceOf(com.google.genai.types.FinishReason.class)
        .hasToString("STOP");
    assertThat(((com.google.genai.types.FinishReason) back.get(1).getMetadata().get("finishReason")).knownEnum())
        .isEqualTo(com.google.genai.types.FinishReason.Known.STOP);
  }

  @Test
  void aValueOfATypeWithoutCodecFailsNamingTheKeyAndTheTypeAndWritesNothing() {
    record Unknown(String x) {}
    Message message = AssistantMessage.builder().content("hi").properties(Map.of("custom", new Unknown("y"))).build();
    assertThatThrownBy(() -> repository.saveAll("c", List.of(new UserMessage("q"), message)))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("message 1")
        .hasMessageContaining("\"custom\"")
        .hasMessageContaining(Unknown.class.getName())
        .hasMessageContaining("MetadataCodec");
    assertThatThrownBy(() -> Futures.await(storage.load("c"), 30, SECONDS)).isInstanceOf(SessionNotFoundException.class);
    // Nested too: the element of a list.
    Message nested =
        AssistantMessage.builder().content("hi").properties(Map.of("list", List.of(1, new Object()))).build();
    assertThatThrownBy(() -> repository.saveAll("c", List.of(nested)))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("\"list\"")
        .hasMessageContaining("java.lang.Object");
    Message badKey = AssistantMessage.builder().content("hi").properties(Map.of("map", Map.of(1, "x"))).build();
    assertThatThrownBy(() -> repository.saveAll("c", List.of(badKey)))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("\"map\"")
        .hasMessageContaining("java.lang.Integer");
  }

  /** A user's own metadata type. */
  public record Citation(String url, int start, Long end, List<byte[]> hashes, MessageType about) {}

  /** A user's own enum. */
  public enum Mood {
    CALM,
    TENSE
  }

  /** A user's own class, neither record nor enum. */
  public static final class Tag {
    final String value;

    Tag(String value) {
      this.value = value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tag t && t.value.equals(value);
    }

    @Override
    public int hashCode() {
      return value.hashCode();
    }
  }

  @Test
  void registeredCodecsStoreTheUsersOwnTypes() {
    MetadataCodecs codecs =
        MetadataCodecs.defaults()
            .with(
                MetadataCodec.forRecord("acme.Citation", Citation.class),
                MetadataCodec.forEnum("acme.Mood", Mood.class),
                MetadataCodec.of("acme.Tag", Tag.class, t -> JsonValue.of(t.value), j -> new Tag(((JsonValue.JsonString) j).value())));
    SessionChatMemoryRepository withCodecs = SessionChatMemoryRepository.builder(storage).metadataCodecs(codecs).build();
    Map<String, Object> metadata =
        Map.of(
            "citations",
            List.of(new Citation("https://example.com", 3, 9L, List.of(new byte[] {1}), MessageType.USER)),
            "mood",
            Mood.TENSE,
            "tag",
            new Tag("x"));
    Message message = AssistantMessage.builder().content("cited").properties(metadata).build();
    withCodecs.saveAll("c", List.of(message));
    Message back = SessionChatMemoryRepository.builder(storage).metadataCodecs(codecs).build().findByConversationId("c").get(0);
    Citation citation = (Citation) ((List<?>) back.getMetadata().get("citations")).get(0);
    assertThat(citation.url()).isEqualTo("https://example.com");
    assertThat(citation.end()).isEqualTo(9L);
    assertThat(citation.hashes().get(0)).containsExactly(1);
    assertThat(back.getMetadata()).containsEntry("mood", Mood.TENSE).containsEntry("tag", new Tag("x"));
    // Read without the codecs: a clear error naming the codec, not a silent drop.
    assertThatThrownBy(() -> SessionChatMemoryRepository.create(storage).findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("\"acme.")
        .hasMessageContaining("not registered");
  }

  @Test
  void codecNamesMustBeFreeAndUnique() {
    assertThatThrownBy(() -> MetadataCodecs.none().with(MetadataCodec.forEnum("int", Mood.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("built-in");
    assertThatThrownBy(
            () -> MetadataCodecs.none().with(MetadataCodec.forEnum("m", Mood.class), MetadataCodec.forRecord("m", Citation.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two codecs");
    assertThat(MetadataCodecs.defaults().named("google-genai.FinishReason")).isPresent();
  }

  @Test
  void metadataOtherProgramsWroteReadsAsJsonValuesAndIsKeptWhenTheConversationGrows() {
    org.sessionkit.Message foreign =
        org.sessionkit.Message.assistant("from LangChain4j")
            .withMetadata("thought_signature", JsonValue.of("sig"))
            .withMetadata("langchain4j", JsonValue.object(Map.of("attributes", JsonValue.object(Map.of()))));
    Futures.await(storage.save(Session.create("c", "/").withMessage(foreign)), 30, SECONDS);
    List<Message> read = repository.findByConversationId("c");
    assertThat(read.get(0).getMetadata()).containsEntry("thought_signature", JsonValue.of("sig"));
    List<Message> grown = new ArrayList<>(read);
    grown.add(new UserMessage("thanks"));
    counting.takeCounts();
    repository.saveAll("c", grown);
    // The read messages map back to exactly what is stored: the turn is one append.
    assertThat(counting.takeCounts()).containsEntry("append", 1).doesNotContainKey("saveIf");
    assertThat(stored().messages().get(0)).isEqualTo(foreign);
  }

  @Test
  void aStoredValueOutsideTheTypedEncodingIsReportedNotIgnored() {
    org.sessionkit.Message broken =
        org.sessionkit.Message.assistant("x")
            .withMetadata(
                "spring-ai",
                JsonValue.object(Map.of("metadata", JsonValue.object(Map.of("n", JsonValue.of(3))))));
    Futures.await(storage.save(Session.create("c", "/").withMessage(broken)), 30, SECONDS);
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("message 0")
        .hasMessageContaining("\"n\"")
        .hasMessageContaining("typed encoding");
  }
}
