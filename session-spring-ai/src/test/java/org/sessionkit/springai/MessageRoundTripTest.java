package org.sessionkit.springai;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.ContentBlock;
import org.sessionkit.DocumentSource;
import org.sessionkit.Futures;
import org.sessionkit.ImageSource;
import org.sessionkit.JsonValue;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.AssistantMessage.ToolCall;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage.ToolResponse;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.util.MimeType;

class MessageRoundTripTest {

  private final SessionStorage storage = new MemorySessionStorage();
  private final SessionChatMemoryRepository repository = SessionChatMemoryRepository.create(storage);

  @AfterEach
  void close() {
    storage.close();
  }

  /** Saves, reads back through this and a fresh repository, and returns what is stored. */
  private Session roundTrip(List<Message> messages) {
    repository.saveAll("c", messages);
    assertThat(Described.all(repository.findByConversationId("c"))).isEqualTo(Described.all(messages));
    SessionChatMemoryRepository fresh = SessionChatMemoryRepository.create(storage);
    assertThat(Described.all(fresh.findByConversationId("c"))).isEqualTo(Described.all(messages));
    return Futures.await(storage.load("c"), 30, SECONDS);
  }

  @Test
  void systemMessageIsOneTextBlockAndComesBackEqual() {
    List<Message> messages = List.of(new SystemMessage("You are terse."), new SystemMessage(""));
    Session stored = roundTrip(messages);
    assertThat(stored.messages())
        .containsExactly(org.sessionkit.Message.system("You are terse."), org.sessionkit.Message.system(""));
    assertThat(repository.findByConversationId("c")).isEqualTo(messages);
  }

  @Test
  void userTextComesBackEqualAndAnEmptyTextStoresNoBlock() {
    List<Message> messages = List.of(new UserMessage("hello, wörld 👋"), new UserMessage(""));
    Session stored = roundTrip(messages);
    assertThat(stored.messages().get(0)).isEqualTo(org.sessionkit.Message.user("hello, wörld 👋"));
    assertThat(stored.messages().get(1).content()).isEmpty();
    assertThat(repository.findByConversationId("c")).isEqualTo(messages);
  }

  @Test
  void userImagesByBytesAndByUrlKeepMimeTypeNameAndId() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff};
    Media bytes = Media.builder().mimeType(Media.Format.IMAGE_PNG).data(png).name("chart").id("m-1").build();
    Media url = new Media(Media.Format.IMAGE_JPEG, URI.create("https://example.com/cat.jpg"));
    Message message = UserMessage.builder().text("What is in these?").media(bytes, url).build();
    Session stored = roundTrip(List.of(message));
    assertThat(stored.messages().get(0).content())
        .containsExactly(
            ContentBlock.text("What is in these?"),
            new ContentBlock.Image(new ImageSource.Base64("image/png", "iVBORwABAv8=")),
            new ContentBlock.Image(new ImageSource.Url("https://example.com/cat.jpg")));
  }

  @Test
  void userDocumentsPdfAndPlainTextByBytesAndByUrl() {
    Media pdf = Media.builder().mimeType(Media.Format.DOC_PDF).data(new byte[] {'%', 'P', 'D', 'F'}).name("a").build();
    Media text =
        Media.builder()
            .mimeType(MimeType.valueOf("text/plain;charset=ISO-8859-1"))
            .data("caf\u00e9".getBytes(StandardCharsets.ISO_8859_1))
            .name("b")
            .build();
    Media utf8 = Media.builder().mimeType(Media.Format.DOC_TXT).data("naïve".getBytes(StandardCharsets.UTF_8)).name("c").build();
    Media link = Media.builder().mimeType(Media.Format.DOC_PDF).data(URI.create("https://example.com/x.pdf")).name("d").build();
    Message message = UserMessage.builder().text("").media(pdf, text, utf8, link).build();
    Session stored = roundTrip(List.of(message));
    assertThat(stored.messages().get(0).content())
        .containsExactly(
            new ContentBlock.Document(new DocumentSource.Base64Pdf("JVBERg==")),
            new ContentBlock.Document(new DocumentSource.PlainText("café")),
            new ContentBlock.Document(new DocumentSource.PlainText("naïve")),
            new ContentBlock.Document(new DocumentSource.Url("https://example.com/x.pdf")));
  }

  @Test
  void assistantTextNullEmptyAndToolCallsWithJsonArguments() {
    List<Message> messages =
        List.of(
            new AssistantMessage("Sure."),
            new AssistantMessage(""),
            AssistantMessage.builder()
                .toolCalls(
                    List.of(
                        new ToolCall("call_1", "function", "get_weather", "{\"city\":\"Paris\",\"days\":3,\"temp\":3.0}"),
                        new ToolCall("call_2", "function", "now", "{}")))
                .build(),
            AssistantMessage.builder()
                .content("Let me check.")
                .toolCalls(List.of(new ToolCall("", "function", "ls", "[1,2]")))
                .build());
    Session stored = roundTrip(messages);
    assertThat(stored.messages().get(0)).isEqualTo(org.sessionkit.Message.assistant("Sure."));
    assertThat(stored.messages().get(1).content()).containsExactly(ContentBlock.text(""));
    assertThat(stored.messages().get(2).content())
        .containsExactly(
            new ContentBlock.ToolUse(
                "call_1",
                "get_weather",
                JsonValue.object(
                    Map.of("city", JsonValue.of("Paris"), "days", JsonValue.of(3), "temp", JsonValue.of(3.0)))),
            new ContentBlock.ToolUse("call_2", "now", JsonValue.emptyObject()));
    // Nothing needed beyond the session model for these: no metadata stored.
    assertThat(stored.messages()).allSatisfy(m -> assertThat(m.metadata()).isEmpty());
    assertThat(stored.state().custom()).isEmpty();
    assertThat(repository.findByConversationId("c")).isEqualTo(messages);
  }

  @Test
  void toolArgumentsInOddSpellingOrNotJsonAtAllComeBackVerbatim() {
    List<ToolCall> calls =
        List.of(
            new ToolCall("a", "function", "f", "{ \"x\" : 1.50e2, \"s\": \"\\u00e9\" }"),
            new ToolCall("b", "function", "g", "{\"truncated\": "),
            new ToolCall("c", "function", "h", ""),
            new ToolCall("d", "custom", "i", "{}"),
            new ToolCall("e", null, "j", "{}"));
    List<Message> messages = List.of(AssistantMessage.builder().toolCalls(calls).build());
    Session stored = roundTrip(messages);
    List<ContentBlock> blocks = stored.messages().get(0).content();
    // Parseable but not canonical: the input is the parsed value, the text is kept beside it.
    assertThat(((ContentBlock.ToolUse) blocks.get(0)).input()).isInstanceOf(JsonValue.JsonObject.class);
    // Not JSON: the input is the text as a JSON string.
    assertThat(((ContentBlock.ToolUse) blocks.get(1)).input()).isEqualTo(JsonValue.of("{\"truncated\": "));
    assertThat(((ContentBlock.ToolUse) blocks.get(2)).input()).isEqualTo(JsonValue.of(""));
    assertThat(repository.findByConversationId("c")).isEqualTo(messages);
  }

  @Test
  void toolResponsesKeepIdsNamesAndDataEvenWithoutAMatchingCall() {
    List<Message> messages =
        List.of(
            AssistantMessage.builder()
                .toolCalls(List.of(new ToolCall("call_1", "function", "get_weather", "{\"city\":\"Paris\"}")))
                .build(),
            ToolResponseMessage.builder()
                .responses(
                    List.of(
                        new ToolResponse("call_1", "get_weather", "{\"temp\":21}"),
                        new ToolResponse("orphan", "other_tool", "plain text result"),
                        new ToolResponse("x", null, "")))
                .build());
    Session stored = roundTrip(messages);
    org.sessionkit.Message results = stored.messages().get(1);
    assertThat(results.role()).isEqualTo(Role.USER);
    assertThat(results.content())
        .containsExactly(
            ContentBlock.ToolResult.ofText("call_1", "{\"temp\":21}"),
            ContentBlock.ToolResult.ofText("orphan", "plain text result"),
            ContentBlock.ToolResult.ofText("x", ""));
    assertThat(repository.findByConversationId("c")).isEqualTo(messages);
  }

  @Test
  void assistantMediaRoundTrips() {
    Media image = Media.builder().mimeType(Media.Format.IMAGE_GIF).data(new byte[] {1, 2, 3}).build();
    Message message = AssistantMessage.builder().content("Here:").media(List.of(image)).build();
    roundTrip(List.of(message));
  }

  @Test
  void aWholeConversationOfEveryTypeRoundTripsAndOtherCustomKeysSurvive() {
    List<Message> messages =
        List.of(
            new SystemMessage("sys"),
            UserMessage.builder()
                .text("look")
                .media(new Media(Media.Format.IMAGE_WEBP, URI.create("https://example.com/a.webp")))
                .build(),
            AssistantMessage.builder()
                .content("calling")
                .toolCalls(List.of(new ToolCall("t1", "function", "look", "{\"q\":[true,null]}")))
                .build(),
            ToolResponseMessage.builder().responses(List.of(new ToolResponse("t1", "look", "ok"))).build(),
            new AssistantMessage("done"));
    repository.saveAll("c", messages.subList(0, 2));
    Futures.await(
        storage.update("c", s -> s.withState(st -> st.withCustom("app", JsonValue.of(42)))), 30, SECONDS);
    repository.findByConversationId("c");
    Session stored = roundTrip(messages);
    assertThat(stored.state().custom()).containsEntry("app", JsonValue.of(42));
  }
}
