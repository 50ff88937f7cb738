package org.sessionkit;

import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.spi.StoredDocument;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SessionCodecRoundTripTest {

  static final SessionCodec CODEC = SessionCodec.defaults();
  static final Instant CREATED = Instant.parse("2026-02-24T15:04:05.123456789Z");
  static final Instant UPDATED = Instant.parse("2026-02-24T15:06:41.000000100Z");

  // ------------------------------------------------------------------ shared test data

  /** Reads a test resource. */
  static byte[] resource(String name) {
    try (InputStream in = SessionCodecRoundTripTest.class.getResourceAsStream("/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The neuron fixture, byte for byte. */
  static byte[] fixture() {
    return resource("neuron/example-session.json");
  }

  static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  /** A session with the given messages and a small state. */
  static Session session(String id, Message... messages) {
    return new Session(id, List.of(messages), SessionState.initial("/tmp"), CREATED, UPDATED);
  }

  /** A minimal valid document with {@code custom} replaced by {@code customJson}. */
  static String documentWithCustom(String customJson) {
    return "{\"id\":\"s\",\"messages\":[],\"state\":{\"cwd\":\"/\",\"token_usage\":"
        + "{\"input_tokens\":0,\"output_tokens\":0},\"event_count\":0,\"custom\":"
        + customJson
        + "},\"created_at\":\"2026-02-24T15:04:05Z\",\"updated_at\":\"2026-02-24T15:04:05Z\"}";
  }

  static final ImageSource PNG = new ImageSource.Base64("image/png", "iVBORw0KGgo=");
  static final ImageSource IMAGE_URL = new ImageSource.Url("https://example.com/cat.png");

  static Stream<ContentBlock> everyBlock() {
    return Stream.of(
        ContentBlock.text("plain text"),
        new ContentBlock.Thinking("step 1\nstep 2", "sig=="),
        new ContentBlock.RedactedThinking("opaque"),
        new ContentBlock.ToolUse(
            "toolu_1",
            "read_file",
            JsonValue.object(Map.of("path", JsonValue.of("Cargo.toml")))),
        new ContentBlock.ToolUse("toolu_2", "noop", JsonValue.NULL),
        new ContentBlock.ToolUse("toolu_3", "list", JsonValue.array(JsonValue.of(1), JsonValue.of(2.5))),
        new ContentBlock.ToolResult(
            "toolu_1",
            List.of(ToolResultItem.text("ok"), new ToolResultItem.Image(PNG), new ToolResultItem.Image(IMAGE_URL)),
            false),
        new ContentBlock.ToolResult("toolu_2", List.of(), true),
        new ContentBlock.Image(PNG),
        new ContentBlock.Image(IMAGE_URL),
        new ContentBlock.Document(new DocumentSource.Base64Pdf("JVBERi0xLjQ=")),
        new ContentBlock.Document(new DocumentSource.PlainText("a plain document")),
        new ContentBlock.Document(new DocumentSource.Url("https://example.com/a.pdf")),
        new ContentBlock.Compaction("summary of earlier turns"));
  }

  static Map<String, JsonValue> everyValue() {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("null", JsonValue.NULL);
    m.put("true", JsonValue.TRUE);
    m.put("false", JsonValue.FALSE);
    m.put("int", JsonValue.of(3));
    m.put("decimal", JsonValue.of(3.0));
    m.put("tenth", JsonValue.of(0.1));
    m.put("negative", JsonValue.of(-42));
    m.put("big", JsonValue.of(new BigInteger("1" + "0".repeat(99))));
    m.put("huge exponent", new JsonValue.JsonDecimal(new BigDecimal("1e400")));
    m.put("string", JsonValue.of("h\u00e9llo \ud83d\ude00 \"quoted\" back\\slash\ttab"));
    m.put("empty array", JsonValue.array());
    m.put("empty object", JsonValue.emptyObject());
    m.put("nested", JsonValue.object(Map.of("a", JsonValue.array(JsonValue.of("x"), JsonValue.emptyObject()))));
    m.put("", JsonValue.of("empty key"));
    m.put("\ud83d\ude00 key", JsonValue.of(1));
    return m;
  }

  /** A session using every block, item, source, role, optional counter and kind of value. */
  static Session everything() {
    List<Message> messages =
        List.of(
            Message.system("You are helpful."),
            Message.user("Hi \u00e9\u4e2d\ud83d\ude00"),
            new Message(Role.ASSISTANT, everyBlock().toList()),
            new Message(Role.USER, List.of()));
    TokenUsage usage =
        new TokenUsage(
            3412,
            587,
            OptionalLong.of(1024),
            OptionalLong.empty(),
            OptionalLong.of(132),
            Optional.of(
                List.of(
                    IterationUsage.of(10, 20),
                    new IterationUsage(1, 2, OptionalLong.of(3), OptionalLong.of(4)))));
    SessionState state = new SessionState("/home/a//b/../c", usage, 14, everyValue());
    return new Session("sess-\u00e9/1", messages, state, CREATED, UPDATED);
  }

  // ------------------------------------------------------------------ round trips

  @Test
  void everyVariantRoundTripsThroughAPlainDocument() {
    Session s = everything();
    assertThat(CODEC.decode(CODEC.encode(s), "t")).isEqualTo(s);
  }

  @Test
  void everyVariantRoundTripsThroughASessionkitDocument() {
    Session s = everything();
    DocumentMetadata meta = DocumentMetadata.of(Revision.of("r-7"), s.messages().size());
    StoredDocument doc = CODEC.decodeDocument(CODEC.encode(s, meta), "t");
    assertThat(doc.session()).isEqualTo(s);
    assertThat(doc.metadata()).contains(meta);
  }

  @Test
  void everyVariantRoundTripsThroughThePrettyLayout() {
    Session s = everything();
    assertThat(CODEC.decode(CODEC.encodePretty(s), "t")).isEqualTo(s);
  }

  @ParameterizedTest
  @MethodSource("everyBlock")
  void eachBlockRoundTripsAsAMessagePart(ContentBlock block) {
    Message m = Message.of(Role.ASSISTANT, block);
    assertThat(CODEC.decodeMessage(CODEC.encodeMessage(m), "m")).isEqualTo(m);
    Session s = session("s", m);
    assertThat(CODEC.decode(CODEC.encode(s), "t")).isEqualTo(s);
  }

  static Stream<Arguments> blockJson() {
    return Stream.of(
        Arguments.of(ContentBlock.text("hi"), "{\"Text\":\"hi\"}"),
        Arguments.of(new ContentBlock.Thinking("t", "s"), "{\"Thinking\":{\"thinking\":\"t\",\"signature\":\"s\"}}"),
        Arguments.of(new ContentBlock.RedactedThinking("d"), "{\"RedactedThinking\":{\"data\":\"d\"}}"),
        Arguments.of(
            new ContentBlock.ToolUse("toolu_1", "read_file", JsonValue.object(Map.of("p", JsonValue.of(1)))),
            "{\"ToolUse\":{\"id\":\"toolu_1\",\"name\":\"read_file\",\"input\":{\"p\":1}}}"),
        Arguments.of(
            new ContentBlock.ToolResult("toolu_1", List.of(ToolResultItem.text("x"), new ToolResultItem.Image(IMAGE_URL)), true),
            "{\"ToolResult\":{\"tool_use_id\":\"toolu_1\",\"content\":[{\"Text\":\"x\"},"
                + "{\"Image\":{\"source\":{\"Url\":{\"url\":\"https://example.com/cat.png\"}}}}],\"is_error\":true}}"),
        Arguments.of(
            new ContentBlock.Image(PNG),
            "{\"Image\":{\"source\":{\"Base64\":{\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}}}"),
        Arguments.of(
            new ContentBlock.Document(new DocumentSource.Base64Pdf("JVB=")),
            "{\"Document\":{\"source\":{\"Base64Pdf\":{\"data\":\"JVB=\"}}}}"),
        Arguments.of(
            new ContentBlock.Document(new DocumentSource.PlainText("txt")),
            "{\"Document\":{\"source\":{\"PlainText\":{\"data\":\"txt\"}}}}"),
        Arguments.of(
            new ContentBlock.Document(new DocumentSource.Url("u")),
            "{\"Document\":{\"source\":{\"Url\":{\"url\":\"u\"}}}}"),
        Arguments.of(new ContentBlock.Compaction("c"), "{\"Compaction\":{\"content\":\"c\"}}"));
  }

  @ParameterizedTest
  @MethodSource("blockJson")
  void blocksAreWrittenExternallyTaggedWithFormatNames(ContentBlock block, String json) {
    Message m = Message.of(Role.USER, block);
    String expected = "{\"role\":\"User\",\"content\":[" + json + "]}";
    assertThat(new String(CODEC.encodeMessage(m), UTF_8)).isEqualTo(expected);
    assertThat(CODEC.decodeMessage(utf8(expected), "m")).isEqualTo(m);
  }

  @Test
  void rolesAreWrittenWithTheirExactNames() {
    assertThat(new String(CODEC.encodeMessage(Message.assistant("a")), UTF_8)).startsWith("{\"role\":\"Assistant\"");
    assertThat(new String(CODEC.encodeMessage(Message.system("a")), UTF_8)).startsWith("{\"role\":\"System\"");
    assertThat(new String(CODEC.encodeMessage(Message.user("a")), UTF_8)).startsWith("{\"role\":\"User\"");
  }

  @Test
  void plainDocumentIsCompactInNeuronFieldOrder() {
    Session s = session("s", Message.user("hi"));
    assertThat(new String(CODEC.encode(s), UTF_8))
        .isEqualTo(
            "{\"id\":\"s\",\"messages\":[{\"role\":\"User\",\"content\":[{\"Text\":\"hi\"}]}],"
                + "\"state\":{\"cwd\":\"/tmp\",\"token_usage\":{\"input_tokens\":0,\"output_tokens\":0,"
                + "\"cache_read_tokens\":null,\"cache_creation_tokens\":null,\"reasoning_tokens\":null,"
                + "\"iterations\":null},\"event_count\":0,\"custom\":{}},"
                + "\"created_at\":\"2026-02-24T15:04:05.123456789Z\","
                + "\"updated_at\":\"2026-02-24T15:06:41.000000100Z\"}");
  }

  @Test
  void sessionkitDocumentPutsMetadataFirstAndMessagesLast() {
    Session s = session("s", Message.user("hi"));
    byte[] doc = CODEC.encode(s, DocumentMetadata.of(Revision.of("abc"), 1));
    assertThat(new String(doc, UTF_8))
        .isEqualTo(
            "{\"sessionkit\":{\"format\":1,\"revision\":\"abc\",\"message_count\":1},"
                + "\"id\":\"s\",\"created_at\":\"2026-02-24T15:04:05.123456789Z\","
                + "\"updated_at\":\"2026-02-24T15:06:41.000000100Z\",\"state\":{\"cwd\":\"/tmp\","
                + "\"token_usage\":{\"input_tokens\":0,\"output_tokens\":0,\"cache_read_tokens\":null,"
                + "\"cache_creation_tokens\":null,\"reasoning_tokens\":null,\"iterations\":null},"
                + "\"event_count\":0,\"custom\":{}},"
                + "\"messages\":[{\"role\":\"User\",\"content\":[{\"Text\":\"hi\"}]}]}");
  }

  @Test
  void encodeWithMetadataRefusesAMessageCountThatIsNotTheSessions() {
    Session s = session("s", Message.user("hi"));
    assertThatThrownBy(() -> CODEC.encode(s, DocumentMetadata.of(Revision.of("r"), 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 messages");
    assertThatThrownBy(() -> CODEC.encode(s, new DocumentMetadata(2, Revision.of("r"), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format");
  }

  @Test
  void encodeToAStreamWritesTheSameBytes() throws IOException {
    Session s = everything();
    DocumentMetadata meta = DocumentMetadata.of(Revision.of("r"), s.messages().size());
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    CODEC.encode(s, Optional.empty(), plain);
    assertThat(plain.toByteArray()).isEqualTo(CODEC.encode(s));
    ByteArrayOutputStream withMeta = new ByteArrayOutputStream();
    CODEC.encode(s, Optional.of(meta), withMeta);
    assertThat(withMeta.toByteArray()).isEqualTo(CODEC.encode(s, meta));
  }

  @Test
  void decodeFromAStreamEqualsDecodeFromBytes() throws IOException {
    Session s = everything();
    byte[] doc = CODEC.encode(s, DocumentMetadata.of(Revision.of("r"), s.messages().size()));
    StoredDocument fromStream = CODEC.decodeDocument(new ByteArrayInputStream(doc), "t");
    assertThat(fromStream).isEqualTo(CODEC.decodeDocument(doc, "t"));
  }

  @Test
  void repeatedEncodesReuseBuffersWithoutMixingDocuments() {
    Session big = session("big", Message.user("x".repeat(100_000)));
    Session small = session("small", Message.user("y"));
    for (int i = 0; i < 10; i++) {
      assertThat(CODEC.decode(CODEC.encode(big), "b")).isEqualTo(big);
      assertThat(CODEC.decode(CODEC.encode(small), "s")).isEqualTo(small);
    }
  }

  @Test
  void codecIsSafeToShareBetweenThreads() throws Exception {
    Session s = everything();
    byte[] expected = CODEC.encode(s);
    List<Thread> threads = new java.util.ArrayList<>();
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 300; i++) {
                    byte[] bytes = CODEC.encode(s);
                    if (!java.util.Arrays.equals(bytes, expected) || !CODEC.decode(bytes, "t").equals(s)) {
                      throw new AssertionError("mismatch");
                    }
                  }
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(60_000);
    }
    assertThat(failure.get()).isNull();
  }

  @Test
  void partsRoundTrip() {
    Session s = everything();
    assertThat(CODEC.decodeState(CODEC.encodeState(s.state()), "st")).isEqualTo(s.state());
    for (Message m : s.messages()) {
      assertThat(CODEC.decodeMessage(CODEC.encodeMessage(m), "m")).isEqualTo(m);
    }
    JsonValue v = JsonValue.object(everyValue());
    assertThat(CODEC.decodeValue(CODEC.encodeValue(v), "v")).isEqualTo(v);
  }

  @ParameterizedTest
  @ValueSource(strings = {"null", "true", "false", "0", "-7", "2.50", "\"s\"", "[]", "{}", "[1,[2,{\"a\":null}]]"})
  void anyJsonValueRoundTripsAsAValuePart(String json) {
    JsonValue v = CODEC.decodeValue(utf8(json), "v");
    assertThat(new String(CODEC.encodeValue(v), UTF_8)).isEqualTo(json);
  }

  // ------------------------------------------------------------------ the neuron fixture

  @Test
  void neuronFixtureDecodesToTheExpectedValues() {
    Session s = CODEC.decode(fixture(), "example-session.json");
    assertThat(s.id()).isEqualTo("sess-7f3a9c");
    assertThat(s.createdAt()).isEqualTo(Instant.parse("2026-02-24T15:04:05.123456789Z"));
    assertThat(s.updatedAt()).isEqualTo(Instant.parse("2026-02-24T15:06:41.987654321Z"));
    assertThat(s.createdAt().getNano()).isEqualTo(123_456_789);
    assertThat(s.messages()).hasSize(6);
    assertThat(s.messages()).extracting(Message::role)
        .containsExactly(Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT);
    assertThat(s.messages().get(0).content())
        .containsExactly(ContentBlock.text("What's in Cargo.toml? Please check the \"edition\" field."));
    List<ContentBlock> second = s.messages().get(1).content();
    assertThat(second.get(0))
        .isEqualTo(new ContentBlock.Thinking("The user wants the edition.\nI should read Cargo.toml first.", "EqQBCkYIARgCKkD3x9"));
    assertThat(second.get(2))
        .isEqualTo(
            new ContentBlock.ToolUse(
                "toolu_01A2B3C4",
                "read_file",
                JsonValue.object(Map.of("max_bytes", JsonValue.of(4096), "path", JsonValue.of("Cargo.toml")))));
    assertThat(s.messages().get(4).content())
        .containsExactly(ContentBlock.ToolResult.ofError("toolu_05D6E7F8", "file not found: Cargo.lock"));
    assertThat(s.messages().get(2).content())
        .containsExactly(ContentBlock.ToolResult.ofText("toolu_01A2B3C4", "[package]\nname = \"demo\"\nedition = \"2021\""));

    SessionState st = s.state();
    assertThat(st.cwd()).isEqualTo("/home/alice/projects/demo");
    assertThat(st.eventCount()).isEqualTo(14);
    assertThat(st.tokenUsage())
        .isEqualTo(
            new TokenUsage(3412, 587, OptionalLong.of(1024), OptionalLong.empty(), OptionalLong.of(132), Optional.empty()));
    Map<String, JsonValue> custom = st.custom();
    assertThat(custom.keySet()).containsExactly("agent", "approved", "note", "retries");
    assertThat(custom.get("note")).isSameAs(JsonValue.NULL);
    assertThat(custom.get("approved")).isEqualTo(JsonValue.TRUE);
    assertThat(custom.get("retries")).isEqualTo(JsonValue.of(3));
    JsonValue.JsonObject agent = (JsonValue.JsonObject) custom.get("agent");
    assertThat(agent.get("temperature")).contains(new JsonValue.JsonDecimal(new BigDecimal("0.7")));
    assertThat(agent.get("temperature").orElseThrow()).isInstanceOf(JsonValue.JsonDecimal.class);
    assertThat(agent.get("version")).contains(JsonValue.of(2));
    assertThat(agent.get("version").orElseThrow()).isInstanceOf(JsonValue.JsonInteger.class);
    assertThat(agent.get("parent")).contains(JsonValue.NULL);
    assertThat(agent.get("tags")).contains(JsonValue.array(JsonValue.of("rust"), JsonValue.of("cli")));
    assertThat(agent.get("verbose")).contains(JsonValue.FALSE);
  }

  @Test
  void prettyEncodingOfTheDecodedFixtureIsTheFixtureByteForByte() {
    byte[] fixture = fixture();
    assertThat(new String(CODEC.encodePretty(CODEC.decode(fixture, "f")), UTF_8))
        .isEqualTo(new String(fixture, UTF_8));
    assertThat(CODEC.encodePretty(CODEC.decode(fixture, "f"))).isEqualTo(fixture);
  }

  @Test
  void compactEncodingOfTheFixtureIsTheFixtureWithoutWhitespace() {
    byte[] fixture = fixture();
    byte[] minified = CODEC.encodeValue(CODEC.decodeValue(fixture, "f"));
    assertThat(CODEC.encode(CODEC.decode(fixture, "f"))).isEqualTo(minified);
  }

  @Test
  void prettyLayoutMatchesSerdeJsonForEmptyAndNestedContainers() {
    Session s =
        new Session(
            "p",
            List.of(new Message(Role.USER, List.of())),
            SessionState.initial("/").withCustom("a", JsonValue.array(JsonValue.emptyObject(), JsonValue.array())),
            Instant.parse("2026-01-01T00:00:00Z"),
            Instant.parse("2026-01-01T00:00:00Z"));
    String expected =
        "{\n"
            + "  \"id\": \"p\",\n"
            + "  \"messages\": [\n"
            + "    {\n"
            + "      \"role\": \"User\",\n"
            + "      \"content\": []\n"
            + "    }\n"
            + "  ],\n"
            + "  \"state\": {\n"
            + "    \"cwd\": \"/\",\n"
            + "    \"token_usage\": {\n"
            + "      \"input_tokens\": 0,\n"
            + "      \"output_tokens\": 0,\n"
            + "      \"cache_read_tokens\": null,\n"
            + "      \"cache_creation_tokens\": null,\n"
            + "      \"reasoning_tokens\": null,\n"
            + "      \"iterations\": null\n"
            + "    },\n"
            + "    \"event_count\": 0,\n"
            + "    \"custom\": {\n"
            + "      \"a\": [\n"
            + "        {},\n"
            + "        []\n"
            + "      ]\n"
            + "    }\n"
            + "  },\n"
            + "  \"created_at\": \"2026-01-01T00:00:00Z\",\n"
            + "  \"updated_at\": \"2026-01-01T00:00:00Z\"\n"
            + "}";
    assertThat(new String(CODEC.encodePretty(s), UTF_8)).isEqualTo(expected);
  }

  @Test
  void prettyLayoutIndentsDeepNesting() {
    JsonValue deep = JsonValue.emptyObject();
    for (int i = 0; i < 100; i++) {
      deep = JsonValue.array(deep);
    }
    JsonValue value = deep;
    Session s = session("d").withState(st -> st.withCustom("deep", value));
    String pretty = new String(CODEC.encodePretty(s), UTF_8);
    // custom's members are at level 3; the 100th array's element at level 103.
    assertThat(pretty).contains("\n" + "  ".repeat(103) + "{}\n" + "  ".repeat(102) + "]");
    assertThat(CODEC.decode(utf8(pretty), "d")).isEqualTo(s);
  }

  // ------------------------------------------------------------------ numbers

  @Test
  void integersAndDecimalsStayApart() {
    byte[] doc = utf8(documentWithCustom("{\"i\":3,\"d\":3.0,\"e\":3.00,\"t\":0.1,\"x\":1e2,\"n\":-0.5}"));
    Session s = CODEC.decode(doc, "n");
    Map<String, JsonValue> c = s.state().custom();
    assertThat(c.get("i")).isEqualTo(JsonValue.of(3)).isInstanceOf(JsonValue.JsonInteger.class);
    assertThat(c.get("d")).isInstanceOf(JsonValue.JsonDecimal.class).isNotEqualTo(c.get("i"));
    assertThat(c.get("d").toString()).isEqualTo("3.0");
    assertThat(c.get("e").toString()).isEqualTo("3.00");
    assertThat(c.get("t").toString()).isEqualTo("0.1");
    assertThat(c.get("x")).isInstanceOf(JsonValue.JsonDecimal.class);
    String written = new String(CODEC.encode(s), UTF_8);
    assertThat(written).contains("\"i\":3,\"d\":3.0,\"e\":3.00,\"t\":0.1,\"x\":1E+2,\"n\":-0.5");
    assertThat(CODEC.decode(utf8(written), "n")).isEqualTo(s);
  }

  @Test
  void hugeExponentDoesNotOverflow() {
    JsonValue v = CODEC.decodeValue(utf8("[1e400,-2.5E-400]"), "v");
    JsonValue.JsonArray a = (JsonValue.JsonArray) v;
    assertThat(a.elements().get(0)).isEqualTo(new JsonValue.JsonDecimal(new BigDecimal("1e400")));
    assertThat(CODEC.decodeValue(CODEC.encodeValue(v), "v")).isEqualTo(v);
  }

  @Test
  void hundredDigitIntegerRoundTripsExactly() {
    String digits = "1234567890".repeat(10);
    byte[] doc = utf8(documentWithCustom("{\"big\":" + digits + ",\"neg\":-" + digits + "}"));
    Session s = CODEC.decode(doc, "n");
    assertThat(s.state().custom().get("big")).isEqualTo(JsonValue.of(new BigInteger(digits)));
    assertThat(s.state().custom().get("neg")).isEqualTo(JsonValue.of(new BigInteger("-" + digits)));
    assertThat(new String(CODEC.encode(s), UTF_8)).contains("\"big\":" + digits + ",\"neg\":-" + digits);
  }

  @Test
  void unsignedMaximumLoadsAndRoundTripsForEventCountAndTokenCounts() {
    String max = "18446744073709551615";
    String doc =
        "{\"id\":\"s\",\"messages\":[],\"state\":{\"cwd\":\"/\",\"token_usage\":{\"input_tokens\":"
            + max
            + ",\"output_tokens\":"
            + max
            + ",\"cache_read_tokens\":"
            + max
            + ",\"cache_creation_tokens\":9223372036854775808,\"reasoning_tokens\":"
            + max
            + ",\"iterations\":[{\"input_tokens\":"
            + max
            + ",\"output_tokens\":1,\"cache_read_tokens\":"
            + max
            + ",\"cache_creation_tokens\":null}]},\"event_count\":"
            + max
            + ",\"custom\":{}},\"created_at\":\"2026-02-24T15:04:05Z\",\"updated_at\":\"2026-02-24T15:04:05Z\"}";
    Session s = CODEC.decode(utf8(doc), "u");
    assertThat(s.state().eventCount()).isEqualTo(-1L);
    assertThat(Long.toUnsignedString(s.state().eventCount())).isEqualTo(max);
    TokenUsage u = s.state().tokenUsage();
    assertThat(u.inputTokens()).isEqualTo(-1L);
    assertThat(u.outputTokens()).isEqualTo(-1L);
    assertThat(u.cacheReadTokens()).hasValue(-1L);
    assertThat(u.cacheCreationTokens()).hasValue(Long.MIN_VALUE);
    assertThat(u.reasoningTokens()).hasValue(-1L);
    assertThat(u.iterations().orElseThrow().get(0).inputTokens()).isEqualTo(-1L);
    assertThat(u.iterations().orElseThrow().get(0).cacheReadTokens()).hasValue(-1L);
    assertThat(new String(CODEC.encode(s), UTF_8)).isEqualTo(doc);
  }

  @Test
  void unsignedWriteUsesTheUnsignedValue() {
    Session s = session("u").withState(st -> st.withEventCount(-2L).withTokenUsage(TokenUsage.of(Long.MIN_VALUE, 5)));
    String json = new String(CODEC.encode(s), UTF_8);
    assertThat(json).contains("\"event_count\":18446744073709551614");
    assertThat(json).contains("\"input_tokens\":9223372036854775808");
    assertThat(CODEC.decode(utf8(json), "u")).isEqualTo(s);
  }

  // ------------------------------------------------------------------ optional fields

  @Test
  void iterationsMissingOrNullIsAbsentAndEmptyListIsKept() {
    String missing = documentWithUsage("{\"input_tokens\":1,\"output_tokens\":2}");
    String nul = documentWithUsage("{\"input_tokens\":1,\"output_tokens\":2,\"iterations\":null}");
    String empty = documentWithUsage("{\"input_tokens\":1,\"output_tokens\":2,\"iterations\":[]}");
    assertThat(CODEC.decode(utf8(missing), "t").state().tokenUsage().iterations()).isEmpty();
    assertThat(CODEC.decode(utf8(nul), "t").state().tokenUsage().iterations()).isEmpty();
    Session withEmpty = CODEC.decode(utf8(empty), "t");
    assertThat(withEmpty.state().tokenUsage().iterations()).contains(List.of());
    assertThat(new String(CODEC.encode(withEmpty), UTF_8)).contains("\"iterations\":[]");
    assertThat(CODEC.decode(CODEC.encode(withEmpty), "t")).isEqualTo(withEmpty);
  }

  @Test
  void optionalCountersMissingOrNullAreAbsent() {
    String missing = documentWithUsage("{\"input_tokens\":1,\"output_tokens\":2}");
    String nul =
        documentWithUsage(
            "{\"input_tokens\":1,\"output_tokens\":2,\"cache_read_tokens\":null,"
                + "\"cache_creation_tokens\":null,\"reasoning_tokens\":null}");
    for (String doc : List.of(missing, nul)) {
      TokenUsage u = CODEC.decode(utf8(doc), "t").state().tokenUsage();
      assertThat(u).isEqualTo(TokenUsage.of(1, 2));
    }
    String iteration =
        documentWithUsage(
            "{\"input_tokens\":1,\"output_tokens\":2,\"iterations\":[{\"input_tokens\":3,\"output_tokens\":4}]}");
    assertThat(CODEC.decode(utf8(iteration), "t").state().tokenUsage().iterations())
        .contains(List.of(IterationUsage.of(3, 4)));
  }

  static String documentWithUsage(String usage) {
    return "{\"id\":\"s\",\"messages\":[],\"state\":{\"cwd\":\"/\",\"token_usage\":"
        + usage
        + ",\"event_count\":0,\"custom\":{}},\"created_at\":\"2026-02-24T15:04:05Z\","
        + "\"updated_at\":\"2026-02-24T15:04:05Z\"}";
  }

  @Test
  void unknownFieldsAreIgnoredAtTopLevelAndInsideObjects() {
    String doc =
        "{\"future\":{\"x\":[1,{\"y\":\"z\"}]},\"id\":\"s\",\"messages\":[{\"role\":\"User\",\"extra\":1,"
            + "\"content\":[{\"ToolResult\":{\"tool_use_id\":\"t\",\"content\":[],\"is_error\":false,\"more\":[]}},"
            + "{\"Image\":{\"source\":{\"Url\":{\"url\":\"u\",\"alt\":\"a\"}},\"cache\":true}},"
            + "{\"Thinking\":{\"thinking\":\"a\",\"signature\":\"b\",\"new\":null}}]}],"
            + "\"state\":{\"cwd\":\"/\",\"token_usage\":{\"input_tokens\":0,\"output_tokens\":0,\"new_counter\":5,"
            + "\"iterations\":[{\"input_tokens\":1,\"output_tokens\":2,\"later\":\"x\"}]},"
            + "\"event_count\":0,\"custom\":{},\"new_state\":\"x\"},"
            + "\"created_at\":\"2026-02-24T15:04:05Z\",\"updated_at\":\"2026-02-24T15:04:05Z\",\"trailing_field\":null}";
    Session s = CODEC.decode(utf8(doc), "u");
    assertThat(s.messages().get(0).content())
        .containsExactly(
            new ContentBlock.ToolResult("t", List.of(), false),
            new ContentBlock.Image(new ImageSource.Url("u")),
            new ContentBlock.Thinking("a", "b"));
    assertThat(s.state().tokenUsage().iterations()).contains(List.of(IterationUsage.of(1, 2)));
  }

  @Test
  void sessionkitMetadataIsAcceptedAnywhereAndReturnedSeparately() {
    String doc =
        "{\"id\":\"s\",\"messages\":[],\"sessionkit\":{\"format\":1,\"revision\":\"r9\",\"message_count\":0,\"extra\":[1]},"
            + "\"state\":{\"cwd\":\"/\",\"token_usage\":{\"input_tokens\":0,\"output_tokens\":0},\"event_count\":0,"
            + "\"custom\":{}},\"created_at\":\"2026-02-24T15:04:05Z\",\"updated_at\":\"2026-02-24T15:04:05Z\"}";
    StoredDocument d = CODEC.decodeDocument(utf8(doc), "m");
    assertThat(d.metadata()).contains(new DocumentMetadata(1, Revision.of("r9"), 0));
    assertThat(CODEC.decode(utf8(doc), "m").id()).isEqualTo("s");
    assertThat(CODEC.decodeDocument(CODEC.encode(d.session()), "m").metadata()).isEmpty();
  }

  // ------------------------------------------------------------------ text

  @Test
  void nonAsciiIsWrittenAsRawUtf8AndOnlyQuotesBackslashesAndControlsAreEscaped() {
    String text = "\u00e9\u4e2d\ud83d\ude00 / \u007f \u2028 \"q\" \\ \b\f\n\r\t \u0000\u001f";
    byte[] json = CODEC.encodeValue(JsonValue.of(text));
    String expected = "\"\u00e9\u4e2d\ud83d\ude00 / \u007f \u2028 \\\"q\\\" \\\\ \\b\\f\\n\\r\\t \\u0000\\u001f\"";
    assertThat(new String(json, UTF_8)).isEqualTo(expected);
    // The emoji as one 4-byte UTF-8 sequence, not a \\ud83d escape or CESU-8.
    assertThat(new String(json, UTF_8)).doesNotContain("\\ud83d");
    assertThat(indexOf(json, new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80})).isPositive();
    assertThat(CODEC.decodeValue(json, "v")).isEqualTo(JsonValue.of(text));
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void pathsAreKeptExactly() {
    Session s = session("p").withState(st -> st.withCwd("C:\\Users\\a//b/./../c "));
    assertThat(CODEC.decode(CODEC.encode(s), "p").state().cwd()).isEqualTo("C:\\Users\\a//b/./../c ");
  }

  @Test
  void customMemberOrderIsPreservedWhenReading() {
    byte[] doc = utf8(documentWithCustom("{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":2}}"));
    Session s = CODEC.decode(doc, "o");
    assertThat(s.state().custom().keySet()).containsExactly("z", "a", "m");
    assertThat(((JsonValue.JsonObject) s.state().custom().get("m")).members().keySet()).containsExactly("y", "b");
    assertThat(new String(CODEC.encode(s), UTF_8)).contains("\"custom\":{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":2}}");
  }

  @Test
  void nanosecondTimestampsAndOffsetsAreRead() {
    String doc =
        "{\"id\":\"s\",\"messages\":[],\"state\":{\"cwd\":\"/\",\"token_usage\":{\"input_tokens\":0,"
            + "\"output_tokens\":0},\"event_count\":0,\"custom\":{}},"
            + "\"created_at\":\"2026-02-24T10:04:05.5-05:00\",\"updated_at\":\"2026-02-24t15:04:05.000000001z\"}";
    Session s = CODEC.decode(utf8(doc), "t");
    assertThat(s.createdAt()).isEqualTo(Instant.parse("2026-02-24T15:04:05.500Z"));
    assertThat(s.updatedAt()).isEqualTo(Instant.ofEpochSecond(Instant.parse("2026-02-24T15:04:05Z").getEpochSecond(), 1));
    assertThat(new String(CODEC.encode(s), UTF_8))
        .contains("\"created_at\":\"2026-02-24T15:04:05.500Z\",\"updated_at\":\"2026-02-24T15:04:05.000000001Z\"");
  }

  @Test
  void extremeTimestampsRoundTrip() {
    Session s =
        new Session(
            "t",
            List.of(),
            SessionState.initial("/"),
            Instant.parse("0000-01-01T00:00:00Z"),
            Instant.parse("9999-12-31T23:59:59.999999999Z"));
    assertThat(CODEC.decode(CODEC.encode(s), "t")).isEqualTo(s);
  }
}
