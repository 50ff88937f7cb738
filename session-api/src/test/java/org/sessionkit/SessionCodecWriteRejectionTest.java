package org.sessionkit;

import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.spi.SessionCodec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SessionCodecWriteRejectionTest {

  static final SessionCodec CODEC = SessionCodec.defaults();
  static final String LONE = "ab\ud800cd";
  static final Instant T = Instant.parse("2026-02-24T15:04:05Z");

  static Session base() {
    return new Session("s", List.of(), SessionState.initial("/"), T, T);
  }

  static Session withBlock(ContentBlock block) {
    return base().withMessage(Message.of(Role.USER, block)).withUpdatedAt(T);
  }

  static Arguments bad(String field, Session s) {
    return Arguments.of(field, s);
  }

  static Stream<Arguments> loneSurrogates() {
    ImageSource png = new ImageSource.Base64("image/png", "AAAA");
    return Stream.of(
        bad("id", base().withId(LONE)),
        bad("messages[0].content[0].Text", withBlock(ContentBlock.text(LONE))),
        bad("messages[0].content[0].Thinking.thinking", withBlock(new ContentBlock.Thinking(LONE, "s"))),
        bad("messages[0].content[0].Thinking.signature", withBlock(new ContentBlock.Thinking("t", LONE))),
        bad("messages[0].content[0].RedactedThinking.data", withBlock(new ContentBlock.RedactedThinking(LONE))),
        bad("messages[0].content[0].ToolUse.id", withBlock(new ContentBlock.ToolUse(LONE, "n", JsonValue.NULL))),
        bad("messages[0].content[0].ToolUse.name", withBlock(new ContentBlock.ToolUse("i", LONE, JsonValue.NULL))),
        bad("messages[0].content[0].ToolUse.input.k[1]",
            withBlock(new ContentBlock.ToolUse("i", "n", JsonValue.object(Map.of("k", JsonValue.array(JsonValue.of(1), JsonValue.of(LONE))))))),
        bad("messages[0].content[0].ToolUse.input." + "ab\\ud800cd",
            withBlock(new ContentBlock.ToolUse("i", "n", JsonValue.object(Map.of(LONE, JsonValue.of(1)))))),
        bad("messages[0].content[0].ToolResult.tool_use_id", withBlock(ContentBlock.ToolResult.ofText(LONE, "x"))),
        bad("messages[0].content[0].ToolResult.content[0].Text", withBlock(ContentBlock.ToolResult.ofText("t", LONE))),
        bad("messages[0].content[0].ToolResult.content[1].Image.source.Url.url",
            withBlock(new ContentBlock.ToolResult("t", List.of(ToolResultItem.text("ok"), new ToolResultItem.Image(new ImageSource.Url(LONE))), false))),
        bad("messages[0].content[0].Image.source.Base64.media_type", withBlock(new ContentBlock.Image(new ImageSource.Base64(LONE, "x")))),
        bad("messages[0].content[0].Image.source.Base64.data", withBlock(new ContentBlock.Image(new ImageSource.Base64("image/png", LONE)))),
        bad("messages[0].content[0].Image.source.Url.url", withBlock(new ContentBlock.Image(new ImageSource.Url(LONE)))),
        bad("messages[0].content[0].Document.source.Base64Pdf.data", withBlock(new ContentBlock.Document(new DocumentSource.Base64Pdf(LONE)))),
        bad("messages[0].content[0].Document.source.PlainText.data", withBlock(new ContentBlock.Document(new DocumentSource.PlainText(LONE)))),
        bad("messages[0].content[0].Document.source.Url.url", withBlock(new ContentBlock.Document(new DocumentSource.Url(LONE)))),
        bad("messages[0].content[0].Compaction.content", withBlock(new ContentBlock.Compaction(LONE))),
        bad("messages[1].content[1].Text",
            base().withMessages(List.of(Message.user("ok"), Message.of(Role.ASSISTANT, new ContentBlock.Image(png), ContentBlock.text(LONE))))),
        bad("state.cwd", base().withState(st -> st.withCwd(LONE))),
        bad("state.custom.ab\\ud800cd", base().withState(st -> st.withCustom(LONE, JsonValue.TRUE))),
        bad("state.custom.k.x[0]",
            base().withState(st -> st.withCustom("k", JsonValue.object(Map.of("x", JsonValue.array(JsonValue.of("\udc00"))))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("loneSurrogates")
  void encodeRejectsALoneSurrogateInAnyStringNamingTheField(String field, Session s) {
    assertInvalid(s, field + ": lone surrogate at index");
  }

  @Test
  void encodeRejectsALoneSurrogateInTheRevision() {
    Session s = base();
    assertThatThrownBy(() -> CODEC.encode(s, DocumentMetadata.of(Revision.of("r\ud800"), 0)))
        .isExactlyInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("sessionkit.revision: lone surrogate");
  }

  @Test
  void wellFormedSurrogatePairsAreAccepted() {
    Session s = withBlock(ContentBlock.text("\ud83d\ude00\ud800\udc00\udbff\udfff"));
    assertThat(CODEC.decode(CODEC.encode(s), "s")).isEqualTo(s);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-0001-12-31T23:59:59.999999999Z", "+10000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z"})
  void encodeRejectsCreatedAtOutsideYears0000To9999(String instant) {
    Session s = new Session("s", List.of(), SessionState.initial("/"), Instant.parse(instant), T);
    assertInvalid(s, "created_at: the instant");
  }

  @Test
  void encodeRejectsUpdatedAtOutsideYears0000To9999() {
    assertInvalid(base().withUpdatedAt(Instant.MAX), "updated_at: the instant");
  }

  /** {@code levels} nested arrays; the outermost is level 1. */
  static JsonValue nested(int levels) {
    JsonValue v = JsonValue.array();
    for (int i = 1; i < levels; i++) {
      v = JsonValue.array(v);
    }
    return v;
  }

  @Test
  void nestingOf128LevelsInTheDocumentIsWrittenAnd129IsRefused() {
    // Root object 1, state 2, custom 3: a value of custom starts at level 4.
    Session ok = base().withState(st -> st.withCustom("deep", nested(125)));
    byte[] doc = CODEC.encode(ok);
    assertThat(CODEC.decode(doc, "d")).isEqualTo(ok);
    Session tooDeep = base().withState(st -> st.withCustom("deep", nested(126)));
    assertInvalid(tooDeep, "state.custom.deep" + "[0]".repeat(125) + ": JSON nesting deeper than 128 levels");
    // In a tool input (level 7), the same limit applies.
    Session okInput = withBlock(new ContentBlock.ToolUse("i", "n", nested(122)));
    assertThat(CODEC.decode(CODEC.encode(okInput), "d")).isEqualTo(okInput);
    assertInvalid(withBlock(new ContentBlock.ToolUse("i", "n", nested(123))), "JSON nesting deeper than 128 levels");
  }

  @Test
  void deeplyNestedValuesFailCleanlyWithoutStackOverflow() {
    assertInvalid(base().withState(st -> st.withCustom("deep", nested(100_000))), "deeper than 128");
  }

  @Test
  void partsCountNestingAsInADocument() {
    assertThat(CODEC.decodeValue(CODEC.encodeValue(nested(128)), "v")).isEqualTo(nested(128));
    assertThatThrownBy(() -> CODEC.encodeValue(nested(129)))
        .isExactlyInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("deeper than 128");
    Message ok = Message.of(Role.USER, new ContentBlock.ToolUse("i", "n", nested(122)));
    assertThat(CODEC.decodeMessage(CODEC.encodeMessage(ok), "m")).isEqualTo(ok);
    Message deep = Message.of(Role.USER, new ContentBlock.ToolUse("i", "n", nested(123)));
    assertThatThrownBy(() -> CODEC.encodeMessage(deep))
        .isExactlyInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("content[0].ToolUse.input")
        .hasMessageContaining("deeper than 128");
    SessionState okState = SessionState.initial("/").withCustom("d", nested(125));
    assertThat(CODEC.decodeState(CODEC.encodeState(okState), "st")).isEqualTo(okState);
    assertThatThrownBy(() -> CODEC.encodeState(SessionState.initial("/").withCustom("d", nested(126))))
        .isExactlyInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("state.custom.d");
  }

  @Test
  void encodeRejectsADocumentLargerThanTheLimitAndAcceptsOneExactlyAtIt() {
    Session s = withBlock(ContentBlock.text("x".repeat(10_000)));
    int size = CODEC.encode(s).length;
    SessionCodec exact = SessionCodec.builder().maxDocumentBytes(size).build();
    assertThat(exact.encode(s)).hasSize(size);
    assertThatCode(() -> exact.validate(s)).doesNotThrowAnyException();
    SessionCodec smaller = SessionCodec.builder().maxDocumentBytes(size - 1).build();
    assertThatThrownBy(() -> smaller.encode(s))
        .isExactlyInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("session \"s\" can't be stored")
        .hasMessageContaining("larger than the limit of " + (size - 1) + " bytes");
    assertThatThrownBy(() -> smaller.validate(s))
        .isExactlyInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("larger than the limit");
    assertThatThrownBy(() -> smaller.encodePretty(s)).isExactlyInstanceOf(InvalidSessionException.class);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> smaller.encode(s, Optional.empty(), out)).isExactlyInstanceOf(InvalidSessionException.class);
    assertThat(out.size()).isZero();
  }

  @Test
  void oversizedDocumentIsRefusedWithoutBufferingItAll() {
    SessionCodec small = SessionCodec.builder().maxDocumentBytes(64 * 1024).build();
    Session huge = withBlock(ContentBlock.text("x".repeat(50 * 1024 * 1024)));
    assertThatThrownBy(() -> small.encode(huge))
        .isExactlyInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("larger than the limit of 65536 bytes");
  }

  @Test
  void idsAreNotCheckedAgainstTheIdRuleByTheCodec() {
    for (String id : List.of("", ".", "..", "../x", "a\u0000b", "x".repeat(1000))) {
      Session s = base().withId(id);
      assertThat(CODEC.decode(CODEC.encode(s), "s").id()).isEqualTo(id);
    }
  }

  @Test
  void validateAcceptsWhatEncodeAccepts() {
    assertThatCode(() -> CODEC.validate(SessionCodecRoundTripTest.everything())).doesNotThrowAnyException();
  }

  static void assertInvalid(Session s, String expected) {
    String prefix = "session \"" + escape(s.id()) + "\" can't be stored: ";
    List<Function<Session, Object>> writers =
        List.of(
            CODEC::encode,
            CODEC::encodePretty,
            x -> CODEC.encode(x, DocumentMetadata.of(Revision.of("r"), x.messages().size())),
            x -> {
              CODEC.validate(x);
              return null;
            });
    for (Function<Session, Object> writer : writers) {
      assertThatThrownBy(() -> writer.apply(s))
          .isExactlyInstanceOf(InvalidSessionException.class)
          .hasMessageStartingWith(prefix)
          .hasMessageContaining(expected);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> CODEC.encode(s, Optional.empty(), out)).isExactlyInstanceOf(InvalidSessionException.class);
    assertThat(out.size()).as("nothing written").isZero();
  }

  static String escape(String id) {
    return id.replace("\ud800", "\\ud800");
  }
}
