package org.sessionkit;

import org.sessionkit.spi.SessionCodec;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SessionCodecCorruptDocumentTest {

  static final SessionCodec CODEC = SessionCodec.defaults();
  static final String SOURCE = "sessions/s1.json";

  static final String BASE =
      "{\"id\":\"s1\",\"messages\":[{\"role\":\"User\",\"content\":[{\"Text\":\"hi\"}]}],"
          + "\"state\":{\"cwd\":\"/w\",\"token_usage\":{\"input_tokens\":1,\"output_tokens\":2,"
          + "\"cache_read_tokens\":null,\"cache_creation_tokens\":null,\"reasoning_tokens\":null,"
          + "\"iterations\":null},\"event_count\":14,\"custom\":{\"k\":1}},"
          + "\"created_at\":\"2026-02-24T15:04:05Z\",\"updated_at\":\"2026-02-24T15:04:05Z\"}";

  static final String META = "{\"sessionkit\":{\"format\":1,\"revision\":\"r\",\"message_count\":1},";

  /** BASE with {@code from} (which must occur exactly once) replaced by {@code to}. */
  static String with(String from, String to) {
    int at = BASE.indexOf(from);
    if (at < 0 || BASE.indexOf(from, at + 1) >= 0) {
      throw new IllegalArgumentException("not exactly once in BASE: " + from);
    }
    return BASE.substring(0, at) + to + BASE.substring(at + from.length());
  }

  static Arguments doc(String name, String json, String expected) {
    return Arguments.of(name, json.getBytes(UTF_8), expected);
  }

  static Arguments doc(String name, byte[] bytes, String expected) {
    return Arguments.of(name, bytes, expected);
  }

  @Test
  void baseDocumentIsValid() {
    assertThat(CODEC.decode(BASE.getBytes(UTF_8), SOURCE).id()).isEqualTo("s1");
    assertThat(CODEC.decode((META + BASE.substring(1)).getBytes(UTF_8), SOURCE).id()).isEqualTo("s1");
  }

  static Stream<Arguments> missingFields() {
    return Stream.of(
        doc("id", with("\"id\":\"s1\",", ""), "missing required field \"id\""),
        doc("messages", with("\"messages\":[{\"role\":\"User\",\"content\":[{\"Text\":\"hi\"}]}],", ""), "\"messages\""),
        doc("state", with(
            "\"state\":{\"cwd\":\"/w\",\"token_usage\":{\"input_tokens\":1,\"output_tokens\":2,"
                + "\"cache_read_tokens\":null,\"cache_creation_tokens\":null,\"reasoning_tokens\":null,"
                + "\"iterations\":null},\"event_count\":14,\"custom\":{\"k\":1}},", ""), "\"state\""),
        doc("created_at", with("\"created_at\":\"2026-02-24T15:04:05Z\",", ""), "\"created_at\""),
        doc("updated_at", with(",\"updated_at\":\"2026-02-24T15:04:05Z\"", ""), "\"updated_at\""),
        doc("role", with("\"role\":\"User\",", ""), "\"role\""),
        doc("content", with(",\"content\":[{\"Text\":\"hi\"}]", ""), "\"content\""),
        doc("cwd", with("\"cwd\":\"/w\",", ""), "\"cwd\""),
        doc("token_usage", with(
            "\"token_usage\":{\"input_tokens\":1,\"output_tokens\":2,\"cache_read_tokens\":null,"
                + "\"cache_creation_tokens\":null,\"reasoning_tokens\":null,\"iterations\":null},", ""), "\"token_usage\""),
        doc("event_count", with("\"event_count\":14,", ""), "\"event_count\""),
        doc("custom", with(",\"custom\":{\"k\":1}", ""), "\"custom\""),
        doc("input_tokens", with("\"input_tokens\":1,", ""), "\"input_tokens\""),
        doc("output_tokens", with("\"output_tokens\":2,", ""), "\"output_tokens\""),
        doc("tool_use_id", with("{\"Text\":\"hi\"}", "{\"ToolResult\":{\"content\":[],\"is_error\":false}}"), "\"tool_use_id\""),
        doc("is_error", with("{\"Text\":\"hi\"}", "{\"ToolResult\":{\"tool_use_id\":\"t\",\"content\":[]}}"), "\"is_error\""),
        doc("tool result content", with("{\"Text\":\"hi\"}", "{\"ToolResult\":{\"tool_use_id\":\"t\",\"is_error\":true}}"), "\"content\""),
        doc("signature", with("{\"Text\":\"hi\"}", "{\"Thinking\":{\"thinking\":\"t\"}}"), "\"signature\""),
        doc("input", with("{\"Text\":\"hi\"}", "{\"ToolUse\":{\"id\":\"i\",\"name\":\"n\"}}"), "\"input\""),
        doc("source", with("{\"Text\":\"hi\"}", "{\"Image\":{}}"), "\"source\""),
        doc("media_type", with("{\"Text\":\"hi\"}", "{\"Image\":{\"source\":{\"Base64\":{\"data\":\"x\"}}}}"), "\"media_type\""),
        doc("url", with("{\"Text\":\"hi\"}", "{\"Document\":{\"source\":{\"Url\":{\"href\":\"x\"}}}}"), "\"url\""),
        doc("iteration output_tokens", with("\"iterations\":null", "\"iterations\":[{\"input_tokens\":1}]"), "\"output_tokens\""));
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        doc("count as string", with("\"event_count\":14", "\"event_count\":\"120\""), "expected an unsigned integer, found a string"),
        doc("count as float", with("\"event_count\":14", "\"event_count\":6.0"), "expected an unsigned integer, found a decimal number"),
        doc("count as exponent", with("\"event_count\":14", "\"event_count\":1e2"), "expected an unsigned integer, found a decimal number"),
        doc("negative count", with("\"event_count\":14", "\"event_count\":-1"), "negative"),
        doc("huge negative count", with("\"event_count\":14", "\"event_count\":-18446744073709551616"), "negative"),
        doc("count above u64", with("\"event_count\":14", "\"event_count\":18446744073709551616"), "18446744073709551615"),
        doc("negative token count", with("\"input_tokens\":1", "\"input_tokens\":-5"), "negative"),
        doc("null required count", with("\"output_tokens\":2", "\"output_tokens\":null"), "found null"),
        doc("optional count as string", with("\"reasoning_tokens\":null", "\"reasoning_tokens\":\"5\""), "expected an unsigned integer"),
        doc("optional count negative", with("\"cache_read_tokens\":null", "\"cache_read_tokens\":-1"), "negative"),
        doc("id as number", with("\"id\":\"s1\"", "\"id\":1"), "expected a string, found an integer"),
        doc("id as null", with("\"id\":\"s1\"", "\"id\":null"), "expected a string, found null"),
        doc("messages as object", with("\"messages\":[", "\"messages\":{\"a\":").replace("}]}],\"state\"", "}]}},\"state\""), "expected an array"),
        doc("message as string", with("[{\"role\":\"User\",\"content\":[{\"Text\":\"hi\"}]}]", "[\"hi\"]"), "expected an object"),
        doc("custom as array", with("\"custom\":{\"k\":1}", "\"custom\":[1]"), "expected an object"),
        doc("custom as null", with("\"custom\":{\"k\":1}", "\"custom\":null"), "expected an object"),
        doc("is_error as string", with("{\"Text\":\"hi\"}", "{\"ToolResult\":{\"tool_use_id\":\"t\",\"content\":[],\"is_error\":\"false\"}}"), "expected a boolean"),
        doc("tool result content as string", with("{\"Text\":\"hi\"}", "{\"ToolResult\":{\"tool_use_id\":\"t\",\"content\":\"x\",\"is_error\":false}}"), "expected an array"),
        doc("text as object", with("{\"Text\":\"hi\"}", "{\"Text\":{\"text\":\"hi\"}}"), "expected a string"),
        doc("iterations as object", with("\"iterations\":null", "\"iterations\":{}"), "expected an array"),
        doc("timestamp as number", with("\"created_at\":\"2026-02-24T15:04:05Z\"", "\"created_at\":1771945445"), "expected a string"),
        doc("state as array", with("\"state\":{\"cwd\":\"/w\",", "\"state\":[{\"cwd\":\"/w\",").replace("\"k\":1}},", "\"k\":1}}],"), "expected an object"),
        doc("root is an array", "[" + BASE + "]", "must be a JSON object, found an array"),
        doc("root is a string", "\"s\"", "must be a JSON object, found a string"));
  }

  static Stream<Arguments> unknownNames() {
    return Stream.of(
        doc("role in lower case", with("\"role\":\"User\"", "\"role\":\"user\""), "unknown role \"user\""),
        doc("role Tool", with("\"role\":\"User\"", "\"role\":\"Tool\""), "unknown role \"Tool\""),
        doc("block variant", with("{\"Text\":\"hi\"}", "{\"Video\":{\"url\":\"x\"}}"), "unknown content block variant \"Video\""),
        doc("block variant in lower case", with("{\"Text\":\"hi\"}", "{\"text\":\"hi\"}"), "unknown content block variant \"text\""),
        doc("tool result item variant", with("{\"Text\":\"hi\"}", "{\"ToolResult\":{\"tool_use_id\":\"t\",\"content\":[{\"Document\":{}}],\"is_error\":false}}"), "unknown tool result item variant \"Document\""),
        doc("image source variant", with("{\"Text\":\"hi\"}", "{\"Image\":{\"source\":{\"Base65\":{\"data\":\"x\"}}}}"), "unknown image source variant \"Base65\""),
        doc("document source variant", with("{\"Text\":\"hi\"}", "{\"Document\":{\"source\":{\"Html\":{\"data\":\"x\"}}}}"), "unknown document source variant \"Html\""),
        doc("block with no key", with("{\"Text\":\"hi\"}", "{}"), "exactly one key, its variant; found none"),
        doc("block with two keys", with("{\"Text\":\"hi\"}", "{\"Text\":\"hi\",\"Compaction\":{\"content\":\"c\"}}"), "found a second key \"Compaction\""),
        doc("block with two known keys of the same name", with("{\"Text\":\"hi\"}", "{\"Text\":\"hi\",\"Text\":\"ho\"}"), "Duplicate field 'Text'"),
        doc("item with no key", with("{\"Text\":\"hi\"}", "{\"ToolResult\":{\"tool_use_id\":\"t\",\"content\":[{}],\"is_error\":false}}"), "found none"),
        doc("source with two keys", with("{\"Text\":\"hi\"}", "{\"Image\":{\"source\":{\"Url\":{\"url\":\"x\"},\"Base64\":{}}}}"), "second key \"Base64\""),
        doc("block that is a string", with("{\"Text\":\"hi\"}", "\"Text\""), "expected an object (a content block), found a string"));
  }

  static Stream<Arguments> syntax() {
    return Stream.of(
        doc("duplicate top-level field", with("\"id\":\"s1\"", "\"id\":\"s1\",\"id\":\"s2\""), "Duplicate field 'id'"),
        doc("duplicate custom key", with("\"custom\":{\"k\":1}", "\"custom\":{\"k\":1,\"k\":2}"), "Duplicate field 'k'"),
        doc("duplicate nested custom key", with("\"custom\":{\"k\":1}", "\"custom\":{\"k\":{\"a\":1,\"a\":1}}"), "Duplicate field 'a'"),
        doc("duplicate in an ignored field", with("\"id\":\"s1\"", "\"id\":\"s1\",\"x\":{\"a\":1,\"a\":2}"), "Duplicate field 'a'"),
        doc("duplicate in a variant", with("{\"Text\":\"hi\"}", "{\"Compaction\":{\"content\":\"a\",\"content\":\"b\"}}"), "Duplicate field 'content'"),
        doc("duplicate metadata", META + "\"sessionkit\":{}," + BASE.substring(1), "Duplicate field 'sessionkit'"),
        doc("second root value", BASE + " {}", "unexpected content after the end of the JSON value"),
        doc("trailing garbage", BASE + "x", "Unrecognized token"),
        doc("trailing bracket", BASE + "]", "Unexpected close marker"),
        doc("truncated", BASE.substring(0, BASE.length() - 20), "truncated document"),
        doc("empty", "", "empty"),
        doc("whitespace only", "  \n", "empty"),
        doc("single quotes", with("\"id\":\"s1\"", "\"id\":'s1'"), "Unexpected character"),
        doc("comment", with("\"id\":\"s1\",", "\"id\":\"s1\",/* c */"), "Unexpected character"),
        doc("trailing comma", with("\"custom\":{\"k\":1}", "\"custom\":{\"k\":1,}"), "Unexpected character"),
        doc("leading zero", with("\"event_count\":14", "\"event_count\":014"), "Leading zeroes"),
        doc("NaN", with("\"custom\":{\"k\":1}", "\"custom\":{\"k\":NaN}"), "Non-standard token 'NaN'"),
        doc("raw control character in a string", with("\"cwd\":\"/w\"", "\"cwd\":\"/\tw\""), "Illegal unquoted character"));
  }

  static byte[] bytes(String prefix, int[] middle, String suffix) {
    byte[] a = prefix.getBytes(UTF_8);
    byte[] c = suffix.getBytes(UTF_8);
    byte[] out = new byte[a.length + middle.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    for (int i = 0; i < middle.length; i++) {
      out[a.length + i] = (byte) middle[i];
    }
    System.arraycopy(c, 0, out, a.length + middle.length, c.length);
    return out;
  }

  static byte[] inCwd(int... raw) {
    int at = BASE.indexOf("/w\"") + 1;
    return bytes(BASE.substring(0, at), raw, BASE.substring(at));
  }

  static Stream<Arguments> encoding() {
    byte[] base = BASE.getBytes(UTF_8);
    byte[] bom = new byte[base.length + 3];
    bom[0] = (byte) 0xEF;
    bom[1] = (byte) 0xBB;
    bom[2] = (byte) 0xBF;
    System.arraycopy(base, 0, bom, 3, base.length);
    return Stream.of(
        doc("UTF-8 byte-order mark", bom, "byte-order mark"),
        doc("UTF-16LE", BASE.getBytes(StandardCharsets.UTF_16LE), "not UTF-8"),
        doc("UTF-16BE", BASE.getBytes(StandardCharsets.UTF_16BE), "not UTF-8"),
        doc("UTF-16 with BOM", BASE.getBytes(StandardCharsets.UTF_16), "byte-order mark"),
        doc("invalid start byte", inCwd(0xFF), "Invalid UTF-8"),
        doc("stray continuation byte", inCwd(0x80), "Invalid UTF-8"),
        doc("truncated sequence", inCwd(0xE2, 0x82), "Invalid UTF-8"),
        doc("overlong encoding", inCwd(0xC0, 0xAF), "Invalid UTF-8"),
        doc("overlong 3-byte encoding", inCwd(0xE0, 0x80, 0xAF), "Invalid UTF-8"),
        doc("encoded surrogate (CESU-8)", inCwd(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80), "Invalid UTF-8"),
        doc("code point above U+10FFFF", inCwd(0xF4, 0x90, 0x80, 0x80), "Invalid UTF-8"),
        doc("Latin-1 byte", inCwd(0xE9), "Invalid UTF-8"),
        doc("invalid first byte", new byte[] {(byte) 0x80, '{', '}'}, "invalid first byte"));
  }

  static Stream<Arguments> loneSurrogates() {
    return Stream.of(
        doc("in the id", with("\"id\":\"s1\"", "\"id\":\"s\\ud800\""), "lone surrogate"),
        doc("low surrogate alone", with("\"id\":\"s1\"", "\"id\":\"\\udc00s\""), "lone surrogate at index 0"),
        doc("two high surrogates", with("\"id\":\"s1\"", "\"id\":\"\\ud800\\ud800\""), "lone surrogate"),
        doc("swapped pair", with("\"id\":\"s1\"", "\"id\":\"\\ude00\\ud83d\""), "lone surrogate"),
        doc("in a text block", with("{\"Text\":\"hi\"}", "{\"Text\":\"h\\ud800i\"}"), "lone surrogate at index 1"),
        doc("in cwd", with("\"cwd\":\"/w\"", "\"cwd\":\"\\ud800\""), "lone surrogate"),
        doc("in a custom key", with("\"custom\":{\"k\":1}", "\"custom\":{\"\\ud800\":1}"), "surrogate"),
        doc("in a custom value", with("\"custom\":{\"k\":1}", "\"custom\":{\"k\":[\"\\udfff\"]}"), "lone surrogate"),
        doc("in an ignored field", with("\"id\":\"s1\"", "\"id\":\"s1\",\"extra\":{\"x\":[\"\\ud800\"]}"), "lone surrogate"),
        doc("in an ignored field name", with("\"id\":\"s1\"", "\"id\":\"s1\",\"\\ud800\":1"), "surrogate"),
        doc("low surrogate in a custom key", with("\"custom\":{\"k\":1}", "\"custom\":{\"a\\udc00\":1}"), "surrogate"),
        doc("in a tool input", with("{\"Text\":\"hi\"}", "{\"ToolUse\":{\"id\":\"i\",\"name\":\"n\",\"input\":{\"a\":\"\\ud800\"}}}"), "lone surrogate"),
        doc("in metadata", META.replace("\"r\"", "\"\\ud800\"") + BASE.substring(1), "lone surrogate"));
  }

  static Stream<Arguments> timestamps() {
    return Stream.of(
        doc("no offset", with("\"created_at\":\"2026-02-24T15:04:05Z\"", "\"created_at\":\"2026-02-24T15:04:05\""), "no UTC offset"),
        doc("five-digit year", with("\"updated_at\":\"2026-02-24T15:04:05Z\"", "\"updated_at\":\"12026-02-24T15:04:05Z\""), "4 digits"),
        doc("before year 0 in UTC", with("\"created_at\":\"2026-02-24T15:04:05Z\"", "\"created_at\":\"0000-01-01T00:00:00+00:01\""), "0000-9999"),
        doc("after year 9999 in UTC", with("\"created_at\":\"2026-02-24T15:04:05Z\"", "\"created_at\":\"9999-12-31T23:59:59-00:01\""), "0000-9999"),
        doc("leap second", with("\"created_at\":\"2026-02-24T15:04:05Z\"", "\"created_at\":\"2016-12-31T23:59:60Z\""), "leap second"),
        doc("February 30", with("\"created_at\":\"2026-02-24T15:04:05Z\"", "\"created_at\":\"2026-02-30T15:04:05Z\""), "day out of range"),
        doc("empty", with("\"created_at\":\"2026-02-24T15:04:05Z\"", "\"created_at\":\"\""), "invalid RFC 3339 timestamp"));
  }

  static Stream<Arguments> metadata() {
    String rest = BASE.substring(1);
    return Stream.of(
        doc("newer format", "{\"sessionkit\":{\"format\":2,\"revision\":\"r\",\"message_count\":1}," + rest, "format 2 is newer than this version of sessionkit knows"),
        doc("newer format with another layout", "{\"sessionkit\":{\"format\":99,\"rev\":{\"a\":1}}," + rest, "format 99 is newer"),
        doc("newer format later in the document", BASE.replace("\"custom\":{\"k\":1}},", "\"custom\":{\"k\":1}},\"sessionkit\":{\"format\":3},"), "format 3 is newer"),
        doc("format zero", "{\"sessionkit\":{\"format\":0,\"revision\":\"r\",\"message_count\":1}," + rest, "positive integer"),
        doc("format as string", "{\"sessionkit\":{\"format\":\"1\",\"revision\":\"r\",\"message_count\":1}," + rest, "positive integer"),
        doc("no format", "{\"sessionkit\":{\"revision\":\"r\",\"message_count\":1}," + rest, "no \"format\""),
        doc("empty revision", "{\"sessionkit\":{\"format\":1,\"revision\":\"\",\"message_count\":1}," + rest, "\"revision\" must be a non-empty string"),
        doc("negative message count", "{\"sessionkit\":{\"format\":1,\"revision\":\"r\",\"message_count\":-1}," + rest, "\"message_count\""),
        doc("metadata not an object", "{\"sessionkit\":[1]," + rest, "expected an object"),
        doc("message count contradicts the messages", "{\"sessionkit\":{\"format\":1,\"revision\":\"r\",\"message_count\":2}," + rest, "says 2 messages but it holds 1"));
  }

  static Stream<Arguments> allCorruptDocuments() {
    return Stream.of(missingFields(), wrongTypes(), unknownNames(), syntax(), encoding(), loneSurrogates(), timestamps(), metadata())
        .flatMap(s -> s);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingFields")
  void decodeRejectsAMissingRequiredFieldAsCorrupt(String name, byte[] doc, String expected) {
    assertCorrupt(doc, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongTypes")
  void decodeRejectsAWrongJsonTypeAsCorrupt(String name, byte[] doc, String expected) {
    assertCorrupt(doc, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownNames")
  void decodeRejectsUnknownRolesAndVariantsAndMalformedTagsAsCorrupt(String name, byte[] doc, String expected) {
    assertCorrupt(doc, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("syntax")
  void decodeRejectsDuplicateFieldsTrailingContentAndBadSyntaxAsCorrupt(String name, byte[] doc, String expected) {
    assertCorrupt(doc, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("encoding")
  void decodeRejectsByteOrderMarksOtherEncodingsAndInvalidUtf8AsCorrupt(String name, byte[] doc, String expected) {
    assertCorrupt(doc, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loneSurrogates")
  void decodeRejectsLoneSurrogatesInAnyStringAsCorrupt(String name, byte[] doc, String expected) {
    assertCorrupt(doc, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("timestamps")
  void decodeRejectsInvalidTimestampsAsCorrupt(String name, byte[] doc, String expected) {
    assertCorrupt(doc, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("metadata")
  void decodeRejectsNewerFormatsAndMalformedMetadataAsCorrupt(String name, byte[] doc, String expected) {
    assertCorrupt(doc, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCorruptDocuments")
  void decodeFromAStreamRejectsTheSameDocumentsTheSameWay(String name, byte[] doc, String expected) {
    assertThatThrownBy(() -> CODEC.decodeDocument(new ByteArrayInputStream(doc), SOURCE))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageStartingWith("corrupt session document \"" + SOURCE + "\": ")
        .hasMessageContaining(expected);
  }

  static void assertCorrupt(byte[] doc, String expected) {
    assertThatThrownBy(() -> CODEC.decode(doc, SOURCE))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageStartingWith("corrupt session document \"" + SOURCE + "\": ")
        .hasMessageContaining(expected);
    assertThatThrownBy(() -> CODEC.decodeDocument(doc, SOURCE))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void messageSaysWhereTheProblemIs() {
    byte[] doc = with("\"event_count\":14", "\"event_count\":\"120\"").getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.decode(doc, "x/y.json"))
        .hasMessage(
            "corrupt session document \"x/y.json\": expected an unsigned integer, found a string"
                + " (at /state/event_count, line 1, column "
                + (BASE.indexOf("\"event_count\":14") + 15)
                + ")");
    byte[] variant = with("{\"Text\":\"hi\"}", "{\"Video\":1}").getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.decode(variant, "v"))
        .hasMessageContaining("unknown content block variant \"Video\" (at /messages/0/content/0/Video");
  }

  @Test
  void sourceIsQuotedSafelyInMessages() {
    assertThatThrownBy(() -> CODEC.decode(new byte[0], "evil\n\"name\u0007"))
        .hasMessage("corrupt session document \"evil\\u000a\\u0022name\\u0007\": the document is empty");
  }

  @Test
  void jacksonErrorsAreWrappedWithTheirCause() {
    byte[] doc = (BASE + "x").getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.decode(doc, SOURCE))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class)
        .hasMessageNotContaining("com.fasterxml");
  }

  @Test
  void partsAreReadAsStrictlyAsDocuments() {
    assertThatThrownBy(() -> CODEC.decodeMessage("{\"role\":\"user\",\"content\":[]}".getBytes(UTF_8), "m1"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("\"m1\"")
        .hasMessageContaining("unknown role");
    assertThatThrownBy(() -> CODEC.decodeMessage("{\"role\":\"User\",\"content\":[]} []".getBytes(UTF_8), "m1"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("after the end");
    assertThatThrownBy(() -> CODEC.decodeState("{\"cwd\":\"/\"}".getBytes(UTF_8), "st"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("missing required field \"token_usage\"");
    assertThatThrownBy(() -> CODEC.decodeValue("{\"a\":1,\"a\":2}".getBytes(UTF_8), "v"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> CODEC.decodeValue("\"\\ud800\"".getBytes(UTF_8), "v"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("lone surrogate");
    assertThatThrownBy(() -> CODEC.decodeValue("1 2".getBytes(UTF_8), "v"))
        .isExactlyInstanceOf(CorruptDocumentException.class);
    assertThatThrownBy(() -> CODEC.decodeValue(new byte[0], "v"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("empty");
  }
}
