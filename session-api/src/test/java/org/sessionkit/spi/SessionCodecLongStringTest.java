package org.sessionkit.spi;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sessionkit.ContentBlock;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.DocumentSource;
import org.sessionkit.ImageSource;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.ToolResultItem;

/**
 * Long string values of a document in memory are decoded from its bytes, not by Jackson (see
 * {@code LongStrings}): with the threshold at 0 every string takes that path, and every result,
 * value or error, must be exactly what Jackson's own decoding gives (the codec whose threshold no
 * string reaches).
 */
class SessionCodecLongStringTest {

  static final String SOURCE = "sessions/long.json";

  /** Decodes every string value itself. */
  static final SessionCodec OWN = SessionCodec.builder().longStringBytes(0).build();

  /** Decodes strings of 8 bytes or more itself. */
  static final SessionCodec EIGHT = SessionCodec.builder().longStringBytes(8).build();

  /** Leaves every string to Jackson: the behaviour before. */
  static final SessionCodec JACKSON = SessionCodec.builder().longStringBytes(Integer.MAX_VALUE).build();

  static final Instant T = Instant.parse("2026-02-24T15:04:05Z");

  /** The outcome of a decode: its value, or its exception's class and message. */
  static Object outcome(Function<SessionCodec, Object> decode, SessionCodec codec) {
    try {
      return decode.apply(codec);
    } catch (CorruptDocumentException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** Asserts that the three codecs agree on {@code decode}; returns the outcome. */
  static Object same(Function<SessionCodec, Object> decode) {
    Object expected = outcome(decode, JACKSON);
    assertThat(outcome(decode, OWN)).isEqualTo(expected);
    assertThat(outcome(decode, EIGHT)).isEqualTo(expected);
    return expected;
  }

  static Object sameAsValue(byte[] json) {
    return same(c -> c.decodeValue(json, SOURCE));
  }

  static byte[] quoted(byte[] inner) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('"');
    out.writeBytes(inner);
    out.write('"');
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  // ------------------------------------------------------------------ values

  @Test
  void escapesDecodeAsJacksonDecodesThem() {
    String json = "\"a\\n\\t\\r\\b\\f\\\"\\\\\\/ \\u0041\\u00e9\\u00E9\\u4e00\\uFFFF\\u0000\\ud83d\\ude00 z\"";
    Object v = sameAsValue(json.getBytes(UTF_8));
    assertThat(v).isEqualTo(JsonValue.of("a\n\t\r\b\f\"\\/ A\u00e9\u00e9\u4e00\uffff\u0000\ud83d\ude00 z"));
  }

  @Test
  void onlyLatin1EscapesStayLatin1AndWideOnesWiden() {
    assertThat(sameAsValue("\"\\u00ff\\u0080 x\"".getBytes(UTF_8))).isEqualTo(JsonValue.of("\u00ff\u0080 x"));
    assertThat(sameAsValue("\"\\u0100 x\"".getBytes(UTF_8))).isEqualTo(JsonValue.of("\u0100 x"));
  }

  @Test
  void loneSurrogatesFailAsBefore() {
    for (String s : List.of("\\ud800", "x\\udc00y", "\\ud83d\\u0041", "\\ude00\\ud83d", "abc\\ud83d")) {
      Object v = sameAsValue(("\"" + s + "\"").getBytes(UTF_8));
      assertThat(v.toString()).contains("lone surrogate").contains(SOURCE);
    }
  }

  @Test
  void everyCodePointDecodesAsJacksonDecodesIt() {
    // Every code point (but the surrogates), about 1,100 a string, each also once escaped.
    StringBuilder text = new StringBuilder();
    List<String> strings = new ArrayList<>();
    for (int cp = 0x20; cp <= Character.MAX_CODE_POINT; cp++) {
      if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
        continue;
      }
      text.appendCodePoint(cp);
      if (cp % 997 == 0) {
        for (char c : Character.toChars(cp)) {
          text.append(String.format("\\u%04x", (int) c));
        }
      }
      if (text.length() > 2000) {
        strings.add(text.toString());
        text.setLength(0);
      }
    }
    strings.add(text.toString());
    for (String s : strings) {
      // Quotes and backslashes come as escapes so that the JSON stays valid.
      String json = "\"" + s.replace("\\u", "\u0001").replace("\\", "\\\\").replace("\"", "\\\"").replace("\u0001", "\\u") + "\"";
      Object v = sameAsValue(json.getBytes(UTF_8));
      assertThat(v).isInstanceOf(JsonValue.JsonString.class);
    }
  }

  @Test
  void randomStringsRoundTrip() {
    Random random = new Random(17);
    for (int round = 0; round < 200; round++) {
      StringBuilder s = new StringBuilder();
      int n = random.nextInt(300);
      for (int i = 0; i < n; i++) {
        int kind = random.nextInt(5);
        int cp = switch (kind) {
          case 0 -> random.nextInt(0x80);
          case 1 -> 0x80 + random.nextInt(0x80);
          case 2 -> 0x100 + random.nextInt(0xd800 - 0x100);
          case 3 -> 0xe000 + random.nextInt(0x2000);
          default -> 0x10000 + random.nextInt(0x100000);
        };
        s.appendCodePoint(cp);
      }
      JsonValue value = JsonValue.of(s.toString());
      byte[] json = JACKSON.encodeValue(value);
      assertThat(sameAsValue(json)).isEqualTo(value);
    }
  }

  /** Byte sequences Jackson reads leniently or rejects: each must end as Jackson ends it. */
  static Stream<byte[]> oddBytes() {
    return Stream.of(
        bytes(0xc0, 0x80), // overlong NUL
        bytes(0xc1, 0xbf), // overlong
        bytes(0xe0, 0x80, 0x80), // overlong
        bytes(0xe0, 0x9f, 0xbf), // overlong
        bytes(0xf0, 0x80, 0x80, 0x80), // overlong
        bytes(0xf0, 0x8f, 0xbf, 0xbf), // overlong
        bytes(0xed, 0xa0, 0x80), // an encoded lone surrogate
        bytes(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80), // CESU-8 surrogate pair
        bytes(0xf4, 0x90, 0x80, 0x80), // above U+10FFFF
        bytes(0xf5, 0x80, 0x80, 0x80),
        bytes(0xf7, 0xbf, 0xbf, 0xbf),
        bytes(0xf8, 0x88, 0x80, 0x80, 0x80),
        bytes(0xfe),
        bytes(0xff),
        bytes(0x80), // a lone continuation byte
        bytes(0xbf),
        bytes(0xc3), // truncated before the next ASCII byte
        bytes(0xc3, 0x41),
        bytes(0xe4, 0xb8),
        bytes(0xe4, 0xb8, 0x41),
        bytes(0xf0, 0x9f, 0x98),
        bytes(0xf0, 0x9f, 0x41, 0x41),
        bytes(0x01), // unescaped control characters
        bytes(0x0a),
        bytes(0x1f),
        bytes(0x09),
        bytes(0x7f), // DEL is allowed
        "\\x".getBytes(UTF_8), // bad escapes
        "\\u12G4".getBytes(UTF_8),
        "\\u12".getBytes(UTF_8),
        "\\U0041".getBytes(UTF_8),
        "\\'".getBytes(UTF_8),
        "\\\u00e9".getBytes(UTF_8),
        "\\u00".getBytes(UTF_8));
  }

  @ParameterizedTest
  @MethodSource("oddBytes")
  void oddBytesInALongStringEndAsBefore(byte[] odd) {
    byte[] text = concat("a long string, \u00e9\u4e00, then ".getBytes(UTF_8), odd, " and more text".getBytes(UTF_8));
    sameAsValue(quoted(text));
    // In a document: the error names the source, a pointer, the line and the column, as before.
    Object doc = same(c -> c.decodeDocument(document(text), SOURCE));
    if (doc instanceof String error) {
      assertThat(error).startsWith(CorruptDocumentException.class.getName()).contains(SOURCE).contains("line 1");
    }
    // At the very end of the document, unterminated.
    sameAsValue(concat("\"".getBytes(UTF_8), text));
    sameAsValue(concat("\"".getBytes(UTF_8), "0123456789".getBytes(UTF_8), odd));
  }

  @Test
  void invalidUtf8AndControlCharactersFailAsBefore() {
    assertThat(sameAsValue(quoted(concat("0123456789".getBytes(UTF_8), bytes(0xff), "x".getBytes(UTF_8)))).toString())
        .contains(SOURCE).contains("Invalid UTF-8");
    assertThat(sameAsValue(quoted(concat("0123456789".getBytes(UTF_8), bytes(0x0a), "x".getBytes(UTF_8)))).toString())
        .contains(SOURCE).contains("Illegal unquoted character");
  }

  @Test
  void unterminatedStringsFailAsBefore() {
    for (String json : List.of("\"0123456789abcdef", "\"0123456789abcdef\\", "\"0123456789abcdef\\\"", "\"0123456789\\u00",
        "\"0123456789\u00e9", "{\"id\":\"0123456789abcdef")) {
      byte[] b = json.getBytes(UTF_8);
      Object v = sameAsValue(b);
      assertThat(v.toString()).contains(SOURCE).contains("truncated document");
      same(c -> c.decodeDocument(b, SOURCE));
    }
    byte[] end = bytes('"', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 0xe4, 0xb8);
    sameAsValue(end);
  }

  @Test
  void aLongStringEndsTheDocument() {
    String s = "x".repeat(100) + "\u00e9\u4e00\ud83d\ude00";
    assertThat(sameAsValue(JACKSON.encodeValue(JsonValue.of(s)))).isEqualTo(JsonValue.of(s));
    // And with something after it at the root: still an error after the value.
    byte[] twice = concat(JACKSON.encodeValue(JsonValue.of(s)), " \"more\"".getBytes(UTF_8));
    assertThat(sameAsValue(twice).toString()).contains("after the end");
  }

  // ------------------------------------------------------------------ every place strings occur

  /** A session with {@code s} in every string of the format. */
  static Session everywhere(String s) {
    Map<String, JsonValue> inner = new LinkedHashMap<>();
    inner.put("k", JsonValue.of(s));
    inner.put(s, JsonValue.array(JsonValue.of(s), JsonValue.of(1), JsonValue.object(Map.of("deep", JsonValue.of(s)))));
    JsonValue value = JsonValue.object(inner);
    List<ContentBlock> blocks = List.of(
        ContentBlock.text(s),
        new ContentBlock.ToolUse(s, s, value),
        new ContentBlock.ToolResult(s, List.of(new ToolResultItem.Text(s),
            new ToolResultItem.Image(new ImageSource.Base64(s, s))), true),
        new ContentBlock.Thinking(s, s),
        new ContentBlock.RedactedThinking(s),
        new ContentBlock.Image(new ImageSource.Url(s)),
        new ContentBlock.Document(new DocumentSource.PlainText(s)),
        new ContentBlock.Document(new DocumentSource.Base64Pdf(s)),
        new ContentBlock.Compaction(s));
    Message m = new Message(Role.ASSISTANT, blocks, Map.of(s, value, "m", JsonValue.of(s)));
    SessionState state = SessionState.initial(s).withCustom(Map.of(s, value, "c", JsonValue.of(s)));
    return new Session(s, List.of(Message.user(s), m), state, T, T);
  }

  static Stream<String> longStrings() {
    return Stream.of(
        "plain ascii, long enough ".repeat(4),
        "latin-1 \u00e9\u00e8\u00ff ".repeat(5),
        "cjk \u4e00\u4e8c\u4e09 and an emoji \ud83d\ude00 ".repeat(3),
        "escapes \n\t\"\\/ \u0001\u001f\u007f ".repeat(4));
  }

  @ParameterizedTest
  @MethodSource("longStrings")
  void longStringsInEveryPlaceRoundTrip(String s) {
    Session session = everywhere(s);
    DocumentMetadata meta = DocumentMetadata.of(Revision.of(s), session.messages().size());
    for (byte[] doc : List.of(JACKSON.encode(session), JACKSON.encode(session, meta), JACKSON.encodePretty(session))) {
      assertThat(OWN.decode(doc, SOURCE)).isEqualTo(session);
      assertThat(EIGHT.decode(doc, SOURCE)).isEqualTo(session);
      assertThat(same(c -> c.decodeDocument(doc, SOURCE))).isEqualTo(JACKSON.decodeDocument(doc, SOURCE));
      same(c -> c.readHead(doc, SOURCE, true));
      same(c -> c.decodeSlice(doc, SOURCE, java.util.OptionalLong.empty(), 1, java.util.OptionalLong.empty()));
    }
    Message m = session.messages().get(1);
    assertThat(same(c -> c.decodeMessage(JACKSON.encodeMessage(m), SOURCE))).isEqualTo(m);
    assertThat(same(c -> c.decodeState(JACKSON.encodeState(session.state()), SOURCE))).isEqualTo(session.state());
  }

  @Test
  void unknownFieldsAreStillCheckedForLoneSurrogates() {
    byte[] doc = document("fine text").clone();
    String json = new String(doc, UTF_8).replace("\"id\":", "\"unknown\":{\"x\":[\"a long \\ud800 string\"]},\"id\":");
    Object v = same(c -> c.decodeDocument(json.getBytes(UTF_8), SOURCE));
    assertThat(v.toString()).contains("lone surrogate").contains(SOURCE).contains("/unknown/x/0");
  }

  @Test
  void streamsAreReadAsBefore() throws java.io.IOException {
    byte[] doc = JACKSON.encode(everywhere("cjk \u4e00 ".repeat(10)));
    assertThat(OWN.decodeDocument(new ByteArrayInputStream(doc), SOURCE)).isEqualTo(JACKSON.decodeDocument(doc, SOURCE));
  }

  /** A one-message document whose text is {@code text}'s bytes, as they are. */
  static byte[] document(String text) {
    return document(text.getBytes(UTF_8));
  }

  static byte[] document(byte[] text) {
    String[] frame = new String(JACKSON.encode(new Session("s1", List.of(Message.user("@@")), SessionState.initial("/w"), T, T)),
        UTF_8).split("@@");
    return concat(frame[0].getBytes(UTF_8), text, frame[1].getBytes(UTF_8));
  }

  @Test
  void theThresholdIsChecked() {
    assertThatThrownBy(() -> SessionCodec.builder().longStringBytes(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
