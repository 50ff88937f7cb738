package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sessionkit.springai.MetadataAssert.assertSameMetadata;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.AssistantMessage.ToolCall;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.openai.api.OpenAiApi.ChatCompletionMessage.Annotation;

/**
 * The metadata Spring AI 1.1's OpenAI model puts on an AssistantMessage ({@code
 * OpenAiChatModel.internalCall} and {@code internalStream}) comes back as the same objects:
 * Spring AI's own annotation records, an {@code Integer} index.
 */
class OpenAiMetadataTest {

  private final SessionStorage storage = SessionStorages.open("memory:");

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void aCallAndAStreamedReplyKeepTheirAnnotationRecords() {
    // Map.of as in the model; a call without annotations stores List.of(Map.of()).
    Map<String, Object> call =
        Map.of(
            "id", "chatcmpl-123",
            "role", "ASSISTANT",
            "index", 0,
            "finishReason", "TOOL_CALLS",
            "refusal", "",
            "annotations", List.of(Map.of()));
    Map<String, Object> streamed =
        Map.of(
            "id", "chatcmpl-124",
            "role", "ASSISTANT",
            "index", 0,
            "finishReason", "STOP",
            "refusal", "",
            "annotations",
                List.of(new Annotation("url_citation", new Annotation.UrlCitation(42, 10, "Weather in Bern", "https://example.com/bern"))),
            "reasoningContent", "");
    List<Message> messages =
        List.of(
            new UserMessage("Weather in Bern?"),
            AssistantMessage.builder()
                .content("")
                .properties(call)
                .toolCalls(List.of(new ToolCall("call_1", "function", "get_weather", "{\"city\":\"Bern\"}")))
                .build(),
            AssistantMessage.builder().content("It is 10 °C [1].").properties(streamed).build());
    SessionChatMemoryRepository.create(storage).saveAll("c", messages);
    List<Message> back = SessionChatMemoryRepository.create(storage).findByConversationId("c");
    for (int i = 0; i < messages.size(); i++) {
      assertSameMetadata(messages.get(i), back.get(i));
    }
    // Records compare by value: Spring AI's own equals holds here.
    assertThat(back).isEqualTo(messages);
  }
}
