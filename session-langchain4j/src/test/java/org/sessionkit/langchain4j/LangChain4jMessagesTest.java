package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.pdf.PdfFile;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sessionkit.ContentBlock;
import org.sessionkit.DocumentSource;
import org.sessionkit.ImageSource;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.ToolResultItem;

class LangChain4jMessagesTest {

  static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

  /** One of every message shape that maps, in a plausible conversation order. */
  static List<ChatMessage> everyMappableMessage() {
    ToolExecutionRequest weather =
        ToolExecutionRequest.builder()
            .id("call_1")
            .name("weather")
            .arguments("{\"city\":\"Zürich\",\"days\":3,\"ratio\":3.0,\"big\":123456789012345678901234567890,\"tags\":[\"a\",null,true]}")
            .build();
    ToolExecutionRequest broken =
        ToolExecutionRequest.builder().id("call_2").name("search").arguments("{\"q\": \"unterminated").build();
    ToolExecutionRequest noArgs = ToolExecutionRequest.builder().id("call_3").name("now").build();
    ToolExecutionRequest noId = ToolExecutionRequest.builder().name("ping").arguments("{}").build();
    ToolExecutionRequest empty = ToolExecutionRequest.builder().id("call_4").name("blank").arguments("").build();
    ToolExecutionRequest lookalike =
        ToolExecutionRequest.builder()
            .id("call_5")
            .name("echo")
            .arguments("{\"" + LangChain4jMessages.RAW_ARGUMENTS_KEY + "\":\"x\"}")
            .build();
    List<ChatMessage> all = new ArrayList<>();
    all.add(SystemMessage.from("You are terse."));
    all.add(UserMessage.from("What's the weather in Zürich? 🌦"));
    all.add(
        UserMessage.from(
            TextContent.from("Look at these"),
            ImageContent.from("https://example.com/cat.png"),
            ImageContent.from(PNG, "image/png"),
            new PdfFileContent("https://example.com/a.pdf"),
            new PdfFileContent("JVBERi0xLjQK", "application/pdf"),
            TextContent.from("")));
    all.add(AiMessage.from("Let me check."));
    all.add(AiMessage.from(""));
    all.add(AiMessage.from(weather, broken, noArgs, noId, empty, lookalike));
    all.add(ToolExecutionResultMessage.builder().id("call_1").toolName("weather").text("sunny").isError(false).build());
    all.add(ToolExecutionResultMessage.builder().id("call_2").toolName("search").text("bad arguments").isError(true).build());
    all.add(
        ToolExecutionResultMessage.builder()
            .id("call_3")
            .toolName("now")
            .contents(TextContent.from("a chart:"), ImageContent.from(PNG, "image/png"), ImageContent.from("https://example.com/c.png"))
            .isError(false)
            .build());
    all.add(ToolExecutionResultMessage.builder().toolName("ping").text("pong").isError(false).build());
    all.add(ToolExecutionResultMessage.builder().id("call_4").toolName("blank").text("").isError(false).build());
    all.add(ToolExecutionResultMessage.builder().id("call_5").toolName("echo").text("x").isError(false).build());
    all.add(ToolExecutionResultMessage.builder().id("unknown").text("no request before me").isError(false).build());
    all.add(
        AiMessage.builder()
            .thinking("The user wants weather; it is sunny.")
            .attributes(
                Map.of(
                    LangChain4jMessages.THINKING_SIGNATURE_ATTRIBUTE, "sig-abc",
                    LangChain4jMessages.REDACTED_THINKING_ATTRIBUTE, List.of("opaque1", "opaque2")))
            .text("Sunny for three days.")
            .build());
    all.add(AiMessage.builder().thinking("unsigned thoughts").text("ok").build());
    all.add(AiMessage.builder().attributes(Map.of(LangChain4jMessages.REDACTED_THINKING_ATTRIBUTE, List.of("r"))).build());
    all.add(AiMessage.builder().thinking("").toolExecutionRequests(List.of(ToolExecutionRequest.builder().id("call_6").name("weather").arguments("[1,2.50,1E+3,-1.5E-7,-0.5]").build())).build());
    all.add(UserMessage.from("thanks"));
    return all;
  }

  @Test
  void everyMappableMessageRoundTripsEqual() {
    List<ChatMessage> original = everyMappableMessage();
    List<Message> stored = LangChain4jMessages.toSessionMessages(original);
    assertThat(stored).hasSameSizeAs(original);
    assertThat(LangChain4jMessages.toChatMessages(stored)).isEqualTo(original);
    // and again from the read-back messages: a fixed point
    assertThat(LangChain4jMessages.toSessionMessages(LangChain4jMessages.toChatMessages(stored)))
        .isEqualTo(stored);
  }

  @Test
  void everyMappableMessageSurvivesTheSessionDocumentFormat() {
    // What a persistent store writes: the neuron JSON document, through the shared codec.
    List<ChatMessage> original = everyMappableMessage();
    Session session = Session.create("doc", "/").withMessages(LangChain4jMessages.toSessionMessages(original));
    SessionCodec codec = SessionCodec.defaults();
    Session decoded = codec.decode(codec.encode(session), "test document");
    assertThat(decoded).isEqualTo(session);
    assertThat(LangChain4jMessages.toChatMessages(decoded.messages())).isEqualTo(original);
  }

  @Test
  void messagesMapToTheExpectedBlocks() {
    List<Message> stored = LangChain4jMessages.toSessionMessages(everyMappableMessage());
    assertThat(stored.get(0)).isEqualTo(Message.system("You are terse."));
    assertThat(stored.get(2).role()).isEqualTo(Role.USER);
    assertThat(stored.get(2).content())
        .containsExactly(
            ContentBlock.text("Look at these"),
            new ContentBlock.Image(new ImageSource.Url("https://example.com/cat.png")),
            new ContentBlock.Image(new ImageSource.Base64("image/png", PNG)),
            new ContentBlock.Document(new DocumentSource.Url("https://example.com/a.pdf")),
            new ContentBlock.Document(new DocumentSource.Base64Pdf("JVBERi0xLjQK")),
            ContentBlock.text(""));
    List<ContentBlock> calls = stored.get(5).content();
    assertThat(calls.get(0))
        .isEqualTo(
            new ContentBlock.ToolUse(
                "call_1",
                "weather",
                JsonValue.object(
                    orderedMap(
                        "city", JsonValue.of("Zürich"),
                        "days", JsonValue.of(3),
                        "ratio", new JsonValue.JsonDecimal(new BigDecimal("3.0")),
                        "big", JsonValue.of(new BigInteger("123456789012345678901234567890")),
                        "tags", JsonValue.array(JsonValue.of("a"), JsonValue.NULL, JsonValue.TRUE)))));
    assertThat(calls.get(1))
        .isEqualTo(
            new ContentBlock.ToolUse(
                "call_2",
                "search",
                JsonValue.object(Map.of(LangChain4jMessages.RAW_ARGUMENTS_KEY, JsonValue.of("{\"q\": \"unterminated")))));
    assertThat(((ContentBlock.ToolUse) calls.get(2)).input())
        .isEqualTo(JsonValue.object(Map.of(LangChain4jMessages.RAW_ARGUMENTS_KEY, JsonValue.NULL)));
    assertThat(((ContentBlock.ToolUse) calls.get(3)).id()).isEmpty();
    assertThat(stored.get(6))
        .isEqualTo(Message.of(Role.USER, ContentBlock.ToolResult.ofText("call_1", "sunny")));
    assertThat(stored.get(7))
        .isEqualTo(Message.of(Role.USER, ContentBlock.ToolResult.ofError("call_2", "bad arguments")));
    assertThat(stored.get(8).content())
        .containsExactly(
            new ContentBlock.ToolResult(
                "call_3",
                List.of(
                    ToolResultItem.text("a chart:"),
                    new ToolResultItem.Image(new ImageSource.Base64("image/png", PNG)),
                    new ToolResultItem.Image(new ImageSource.Url("https://example.com/c.png"))),
                false));
    assertThat(stored.get(13).content())
        .containsExactly(
            new ContentBlock.Thinking("The user wants weather; it is sunny.", "sig-abc"),
            new ContentBlock.RedactedThinking("opaque1"),
            new ContentBlock.RedactedThinking("opaque2"),
            ContentBlock.text("Sunny for three days."));
    assertThat(stored.get(14).content())
        .containsExactly(new ContentBlock.Thinking("unsigned thoughts", ""), ContentBlock.text("ok"));
  }

  @Test
  void validJsonArgumentsKeepTheirValueButNotTheirSpacing() {
    AiMessage spaced =
        AiMessage.from(
            ToolExecutionRequest.builder().id("c").name("f").arguments(" { \"a\" : 1,\n \"b\": [ 2.0 ] } ").build());
    ChatMessage back = LangChain4jMessages.toChatMessages(LangChain4jMessages.toSessionMessages(List.of(spaced))).get(0);
    assertThat(((AiMessage) back).toolExecutionRequests().get(0).arguments()).isEqualTo("{\"a\":1,\"b\":[2.0]}");
  }

  @Test
  void argumentsWithANegativeZeroAreKeptVerbatim() {
    for (String args : List.of("[-0.0]", "{\"a\":-0}", "{\"a\": -0E+5 }", "[\"-0\", -0.00]")) {
      AiMessage m = AiMessage.from(ToolExecutionRequest.builder().id("c").name("f").arguments(args).build());
      List<Message> stored = LangChain4jMessages.toSessionMessages(List.of(m));
      assertThat(((ContentBlock.ToolUse) stored.get(0).content().get(0)).input())
          .isEqualTo(JsonValue.object(Map.of(LangChain4jMessages.RAW_ARGUMENTS_KEY, JsonValue.of(args))));
      assertThat(LangChain4jMessages.toChatMessages(stored)).containsExactly(m);
    }
    assertThat(LangChain4jMessages.hasNegativeZero("[\"-0\", -1, -0.5, \"a\\\"-0\"]")).isFalse();
  }

  @Test
  void toolResultsWithoutAnErrorFlagReadBackAsNotAnError() {
    ToolExecutionRequest r = ToolExecutionRequest.builder().id("c").name("f").arguments("{}").build();
    List<ChatMessage> back =
        LangChain4jMessages.toChatMessages(
            LangChain4jMessages.toSessionMessages(List.of(AiMessage.from(r), ToolExecutionResultMessage.from(r, "done"))));
    assertThat(((ToolExecutionResultMessage) back.get(1)).isError()).isFalse();
    assertThat(back.get(1))
        .isEqualTo(ToolExecutionResultMessage.builder().id("c").toolName("f").text("done").isError(false).build());
  }

  @Test
  void aUserMessageWithSeveralToolResultsIsReadAsOneResultMessageEach() {
    // The shape neuron and Anthropic-style agents write: all results of one turn in one message.
    List<Message> stored =
        List.of(
            Message.user("go"),
            Message.of(
                Role.ASSISTANT,
                new ContentBlock.ToolUse("t1", "a", JsonValue.emptyObject()),
                new ContentBlock.ToolUse("t2", "b", JsonValue.emptyObject())),
            Message.of(
                Role.USER,
                ContentBlock.ToolResult.ofText("t1", "one"),
                ContentBlock.ToolResult.ofError("t2", "two"),
                ContentBlock.text("and a remark")));
    List<ChatMessage> read = LangChain4jMessages.toChatMessages(stored);
    assertThat(read)
        .containsExactly(
            UserMessage.from("go"),
            AiMessage.from(
                ToolExecutionRequest.builder().id("t1").name("a").arguments("{}").build(),
                ToolExecutionRequest.builder().id("t2").name("b").arguments("{}").build()),
            ToolExecutionResultMessage.builder().id("t1").toolName("a").text("one").isError(false).build(),
            ToolExecutionResultMessage.builder().id("t2").toolName("b").text("two").isError(true).build(),
            UserMessage.from("and a remark"));
  }

  @Test
  void unmappableLangChain4jMessagesFailClearly() {
    assertRefused(UserMessage.from(AudioContent.from("AAAA", "audio/wav")), "message 0 (UserMessage)", "AudioContent");
    assertRefused(
        UserMessage.from(ImageContent.from("https://example.com/x.png", ImageContent.DetailLevel.HIGH)),
        "detail level HIGH");
    assertRefused(
        UserMessage.from(ImageContent.from(Image.builder().url("https://e.com/x.png").revisedPrompt("p").build())),
        "revised prompt");
    assertRefused(
        UserMessage.from(ImageContent.from(Image.builder().url("https://e.com/x.png").mimeType("image/png").build())),
        "URL and also");
    assertRefused(
        UserMessage.from(new PdfFileContent(PdfFile.builder().base64Data("AAAA").mimeType("application/x-pdf").build())),
        "MIME type \"application/x-pdf\"");
    assertRefused(
        AiMessage.from(ToolExecutionRequest.builder().id("").name("f").arguments("{}").build()), "empty tool call id");
    assertRefused(
        AiMessage.from(ToolExecutionRequest.builder().id("c").name("f").arguments("{\"a\":\"\uD800\"}").build()),
        "lone surrogate");
    assertRefused(
        ToolExecutionResultMessage.builder().id("x").contents(new PdfFileContent("https://e.com/a.pdf")).build(),
        "PdfFileContent");
    // An attribute value of a type without a codec: the error names the attribute, where inside
    // it, and the type.
    assertRefused(
        AiMessage.builder().text("x").attributes(Map.of("citations", List.of(Map.of("kind", Thread.State.NEW)))).build(),
        "message 0 (AiMessage)", "attribute \"citations\" at [0].kind", "java.lang.Thread$State has no attribute codec");
    assertRefused(
        UserMessage.builder().contents(List.of(TextContent.from("hi"))).attributes(Map.of("k", new int[] {1})).build(),
        "attribute \"k\"", "[I has no attribute codec");
    assertRefused(
        AiMessage.builder().text("x").attributes(Map.of("s", "\uD800")).build(), "attribute \"s\"", "lone surrogate");
  }

  @Test
  void whatEarlierVersionsRefusedNowRoundTripsThroughTheMetadata() {
    ToolExecutionRequest r = ToolExecutionRequest.builder().id("c").name("f").arguments("{}").build();
    List<ChatMessage> original =
        List.of(
            UserMessage.from("bob", "hi"),
            UserMessage.builder().contents(List.of(TextContent.from("hi"))).attributes(Map.of("k", 1)).build(),
            CustomMessage.from(Map.of("k", "v", "n", 2L)),
            // a signature without thinking (Gemini signs function calls), an empty one, odd lists
            AiMessage.builder().text("x").attributes(Map.of(LangChain4jMessages.THINKING_SIGNATURE_ATTRIBUTE, "s")).build(),
            AiMessage.builder().thinking("t").attributes(Map.of(LangChain4jMessages.THINKING_SIGNATURE_ATTRIBUTE, "")).build(),
            AiMessage.builder().text("y").attributes(Map.of(LangChain4jMessages.REDACTED_THINKING_ATTRIBUTE, List.of())).build(),
            AiMessage.builder().text("z").attributes(Map.of("generated_images", List.of())).build(),
            AiMessage.from(r),
            ToolExecutionResultMessage.builder().id("c").toolName("f").text("r").isError(false).attributes(Map.of("k", "v")).build(),
            // a result whose name is not its request's: the name is stored
            ToolExecutionResultMessage.builder().id("c").toolName("g").text("done").isError(true).build(),
            ToolExecutionResultMessage.builder().id("c").text("no name").isError(false).build(),
            // an attribute named like the adapter's own keys is stored escaped
            UserMessage.builder()
                .contents(List.of(TextContent.from("hi")))
                .attributes(Map.of(LangChain4jMessages.NAME_KEY, "not a name"))
                .build());
    List<Message> stored = LangChain4jMessages.toSessionMessages(original);
    assertThat(LangChain4jMessages.toChatMessages(stored)).isEqualTo(original);
    assertThat(stored.get(0).metadata()).containsEntry(LangChain4jMessages.NAME_KEY, JsonValue.of("bob"));
    assertThat(stored.get(2).content()).isEmpty();
    assertThat(stored.get(8).metadata()).doesNotContainKey(LangChain4jMessages.TOOL_NAME_KEY);
    assertThat(stored.get(9).metadata()).containsEntry(LangChain4jMessages.TOOL_NAME_KEY, JsonValue.of("g"));
    assertThat(stored.get(10).metadata()).containsEntry(LangChain4jMessages.TOOL_NAME_KEY, JsonValue.NULL);
    assertThat(stored.get(11).metadata())
        .containsOnlyKeys(LangChain4jMessages.ESCAPED_ATTRIBUTE_PREFIX + LangChain4jMessages.NAME_KEY);
  }

  @Test
  void unmappableStoredMessagesFailClearly() {
    assertUnreadable(Message.of(Role.SYSTEM, ContentBlock.text("a"), ContentBlock.text("b")), "stored message 0 (System)", "[Text, Text]");
    assertUnreadable(Message.system(" "), "non-blank");
    assertUnreadable(new Message(Role.USER, List.of()), "can't be empty");
    assertUnreadable(Message.of(Role.USER, new ContentBlock.Compaction("summary")), "Compaction");
    assertUnreadable(Message.of(Role.USER, new ContentBlock.Document(new DocumentSource.PlainText("t"))), "plain-text Document");
    assertUnreadable(Message.of(Role.USER, new ContentBlock.Thinking("t", "s")), "Thinking block");
    assertUnreadable(Message.of(Role.USER, new ContentBlock.ToolResult("t", List.of(), false)), "can't be empty");
    assertUnreadable(Message.of(Role.USER, new ContentBlock.Image(new ImageSource.Url("not a uri"))), "not a URI");
    assertUnreadable(Message.of(Role.ASSISTANT, ContentBlock.text("a"), ContentBlock.text("b")), "[Text, Text]");
    assertUnreadable(
        Message.of(Role.ASSISTANT, ContentBlock.text("a"), new ContentBlock.Thinking("t", "s")), "in that order");
    assertUnreadable(Message.of(Role.ASSISTANT, new ContentBlock.Compaction("c")), "[Compaction]");
    assertUnreadable(Message.system("s").withMetadata("k", JsonValue.of(1)), "no attributes");
    assertUnreadable(
        Message.assistant("a").withMetadata("k", JsonValue.object(Map.of("$type", JsonValue.of("com.example.x"), "value", JsonValue.NULL))),
        "attribute \"k\"", "no attribute codec is registered for the type tag \"com.example.x\"");
    assertUnreadable(
        Message.assistant("a").withMetadata("k", JsonValue.object(Map.of("$type", JsonValue.of("long")))),
        "attribute \"k\"", "exactly a string");
    assertUnreadable(Message.assistant("a").withMetadata("langchain4j:other", JsonValue.of(1)), "not written by this adapter");
    assertUnreadable(
        Message.of(Role.ASSISTANT, new ContentBlock.RedactedThinking("r"))
            .withMetadata(LangChain4jMessages.REDACTED_THINKING_ATTRIBUTE, JsonValue.array(JsonValue.of("x"))),
        "both in its blocks and in its metadata");
    assertUnreadable(
        Message.of(Role.ASSISTANT, new ContentBlock.Thinking("t", "sig"))
            .withMetadata(LangChain4jMessages.THINKING_SIGNATURE_ATTRIBUTE, JsonValue.of("other")),
        "both in its blocks and in its metadata");
    assertUnreadable(
        Message.of(Role.USER, ContentBlock.ToolResult.ofText("a", "1"), ContentBlock.ToolResult.ofText("b", "2"))
            .withMetadata("k", JsonValue.of(1)),
        "several LangChain4j messages");
    assertUnreadable(
        Message.of(
            Role.ASSISTANT,
            new ContentBlock.ToolUse("c", "f", JsonValue.object(Map.of(LangChain4jMessages.RAW_ARGUMENTS_KEY, JsonValue.of(1))))),
        LangChain4jMessages.RAW_ARGUMENTS_KEY);
  }

  private static void assertRefused(ChatMessage message, String... fragments) {
    var thrown = assertThatThrownBy(() -> LangChain4jMessages.toSessionMessages(List.of(message)))
        .isInstanceOf(UnmappableMessageException.class);
    for (String f : fragments) {
      thrown.hasMessageContaining(f);
    }
  }

  private static void assertUnreadable(Message message, String... fragments) {
    var thrown = assertThatThrownBy(() -> LangChain4jMessages.toChatMessages(List.of(message)))
        .isInstanceOf(UnmappableMessageException.class);
    for (String f : fragments) {
      thrown.hasMessageContaining(f);
    }
  }

  private static Map<String, JsonValue> orderedMap(Object... kv) {
    Map<String, JsonValue> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (JsonValue) kv[i + 1]);
    }
    return m;
  }
}
