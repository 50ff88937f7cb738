package org.sessionkit.springai;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.ImageSource;
import org.sessionkit.InvalidIdException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.ToolResultItem;
import org.sessionkit.memory.MemorySessionStorage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.AssistantMessage.ToolCall;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage.ToolResponse;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.util.MimeType;

class MappingErrorTest {

  private final SessionStorage storage = new MemorySessionStorage();
  private final SessionChatMemoryRepository repository = SessionChatMemoryRepository.create(storage);

  @AfterEach
  void close() {
    storage.close();
  }

  private void store(org.sessionkit.Message... messages) {
    Futures.await(storage.save(Session.create("c", "/").withMessages(List.of(messages))), 30, SECONDS);
  }

  private void assertNothingStored() {
    assertThat(Futures.await(storage.list(), 30, SECONDS)).isEmpty();
  }

  // ------------------------------------------------------------------ saving

  @Test
  void audioMediaFailsNamingTheMessageAndWritesNothing() {
    Media audio = Media.builder().mimeType(MimeType.valueOf("audio/mpeg")).data(new byte[] {1}).build();
    List<Message> messages = List.of(new UserMessage("hi"), UserMessage.builder().text("listen").media(audio).build());
    assertThatThrownBy(() -> repository.saveAll("c", messages))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("conversation \"c\", message 1, media 0")
        .hasMessageContaining("audio/mpeg");
    assertNothingStored();
  }

  @Test
  void mediaDataThatIsNeitherBytesNorAUrlFails() {
    Media odd = Media.builder().mimeType(Media.Format.IMAGE_PNG).data(42).build();
    assertThatThrownBy(() -> repository.saveAll("c", List.of(UserMessage.builder().text("x").media(odd).build())))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("java.lang.Integer");
    assertNothingStored();
  }

  @Test
  void plainTextThatIsNotTextInItsCharsetFails() {
    Media bad = Media.builder().mimeType(Media.Format.DOC_TXT).data(new byte[] {(byte) 0xff, (byte) 0xfe}).build();
    assertThatThrownBy(() -> repository.saveAll("c", List.of(UserMessage.builder().text("x").media(bad).build())))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void toolCallsAndResponsesWithoutIdsOrDataFail() {
    Message noId = AssistantMessage.builder().toolCalls(List.of(new ToolCall(null, "function", "f", "{}"))).build();
    assertThatThrownBy(() -> repository.saveAll("c", List.of(noId)))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("message 0, tool call 0: the tool call has no id");
    Message noData = ToolResponseMessage.builder().responses(List.of(new ToolResponse("1", "f", null))).build();
    assertThatThrownBy(() -> repository.saveAll("c", List.of(noData)))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("no response data");
    Message empty = ToolResponseMessage.builder().responses(List.of()).build();
    assertThatThrownBy(() -> repository.saveAll("c", List.of(empty)))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("without responses");
    assertNothingStored();
  }

  @Test
  void aStringTheFormatCantHoldFailsWithInvalidSession() {
    assertThatThrownBy(() -> repository.saveAll("c", List.of(new UserMessage("lone \ud800 surrogate"))))
        .isInstanceOf(InvalidSessionException.class);
    assertNothingStored();
  }

  @Test
  void invalidConversationIdsFailBeforeAnyIo() {
    assertThatThrownBy(() -> repository.saveAll("", List.of()))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> repository.findByConversationId("a\u0000b"))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("control character U+0000");
    assertThatThrownBy(() -> repository.deleteByConversationId(".."))
        .isInstanceOf(InvalidIdException.class);
    assertThatThrownBy(() -> repository.saveAll("x".repeat(257), List.of()))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("256");
  }

  @Test
  void aPrefixCountsTowardsTheIdRule() {
    SessionChatMemoryRepository prefixed =
        SessionChatMemoryRepository.builder(storage).conversationIdPrefix("p/").build();
    assertThat(prefixed.sessionId("x")).isEqualTo("p/x");
    assertThatThrownBy(() -> prefixed.sessionId("x".repeat(255))).isInstanceOf(InvalidIdException.class);
  }

  // ------------------------------------------------------------------ reading

  @Test
  void thinkingBlocksFailToReadNamingTheMessage() {
    store(
        org.sessionkit.Message.user("q"),
        org.sessionkit.Message.of(Role.ASSISTANT, new ContentBlock.Thinking("hmm", "sig"), ContentBlock.text("a")));
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("conversation \"c\", message 1")
        .hasMessageContaining("Thinking");
  }

  @Test
  void twoTextBlocksOrTextAfterAnImageFailToRead() {
    store(org.sessionkit.Message.of(Role.USER, ContentBlock.text("a"), ContentBlock.text("b")));
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("[Text, Text]");
    store(
        org.sessionkit.Message.of(
            Role.USER, new ContentBlock.Image(new ImageSource.Url("u")), ContentBlock.text("b")));
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("[Image, Text]");
  }

  @Test
  void errorToolResultsAndToolResultsWithImagesFailToRead() {
    store(org.sessionkit.Message.of(Role.USER, ContentBlock.ToolResult.ofError("t", "boom")));
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("is_error");
    store(
        org.sessionkit.Message.of(
            Role.USER,
            new ContentBlock.ToolResult(
                "t", List.of(new ToolResultItem.Image(new ImageSource.Url("u"))), false)));
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("holds one text");
  }

  @Test
  void compactionAndSystemMessagesWithMoreThanTextFailToRead() {
    store(org.sessionkit.Message.of(Role.SYSTEM, new ContentBlock.Compaction("summary")));
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("[Compaction]");
  }

  @Test
  void aMalformedOrNewerAdapterMetadataValueIsReportedNotIgnored() {
    store(org.sessionkit.Message.user("hi").withMetadata(SessionChatMemoryRepository.METADATA_KEY, JsonValue.of("x")));
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("message 0")
        .hasMessageContaining("\"spring-ai\" is not an object");
    store(
        org.sessionkit.Message.user("hi")
            .withMetadata(
                SessionChatMemoryRepository.METADATA_KEY,
                JsonValue.object(Map.of("reactions", JsonValue.array()))));
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(MessageMappingException.class)
        .hasMessageContaining("\"reactions\"")
        .hasMessageContaining("newer sessionkit");
  }

  @Test
  void foreignMessagesThatFitReadWithDefaults() {
    store(
        org.sessionkit.Message.of(Role.USER, new ContentBlock.Image(new ImageSource.Url("https://x/y.png"))),
        org.sessionkit.Message.of(Role.USER, ContentBlock.ToolResult.ofText("t1", "42")));
    List<Message> read = repository.findByConversationId("c");
    UserMessage user = (UserMessage) read.get(0);
    assertThat(user.getText()).isEmpty();
    assertThat(user.getMedia().get(0).getMimeType().toString()).isEqualTo("image/*");
    assertThat(user.getMedia().get(0).getData()).isEqualTo("https://x/y.png");
    assertThat(((ToolResponseMessage) read.get(1)).getResponses())
        .containsExactly(new ToolResponse("t1", "", "42"));
  }

  @Test
  void anUnknownConversationReadsAsEmptyAndDeletingItIsANoOp() {
    assertThat(repository.findByConversationId("nobody")).isEmpty();
    repository.deleteByConversationId("nobody");
    assertNothingStored();
  }

  @Test
  void anImageUrlKeepsItsMimeTypeThroughTheExtra() {
    Media m = new Media(Media.Format.IMAGE_PNG, URI.create("https://x/y.png"));
    repository.saveAll("c", List.of(UserMessage.builder().text("a").media(m).build()));
    UserMessage back = (UserMessage) SessionChatMemoryRepository.create(storage).findByConversationId("c").get(0);
    assertThat(back.getMedia().get(0).getMimeType()).isEqualTo(Media.Format.IMAGE_PNG);
    assertThat(back.getMedia().get(0).getName()).isEqualTo(m.getName());
  }
}
