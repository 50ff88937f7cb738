package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sessionkit.springai.MetadataAssert.assertSameMetadata;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionMessage;
import java.util.LinkedHashMap;
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

/**
 * The metadata Spring AI 2.0's OpenAI model (on OpenAI's Java SDK) puts on an AssistantMessage
 * ({@code OpenAiChatModel.buildGeneration}) comes back as the same objects: the SDK's annotation
 * objects and, when streaming, its finish-reason enum, a {@code Long} index and the tool calls'
 * extra properties.
 */
class OpenAiMetadataTest {

  private final SessionStorage storage = SessionStorages.open("memory:");

  @AfterEach
  void close() {
    storage.close();
  }

  private static ChatCompletionMessage.Annotation annotation(String url, long start, long end) {
    return ChatCompletionMessage.Annotation.builder()
        .urlCitation(
            ChatCompletionMessage.Annotation.UrlCitation.builder()
                .url(url)
                .title("Weather in Bern")
                .startIndex(start)
                .endIndex(end)
                .build())
        .build();
  }

  @Test
  void aCallAndAStreamedReplyKeepTheirSdkObjects() {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("id", "chatcmpl-123");
    call.put("role", "assistant");
    call.put("index", 0L);
    call.put("finishReason", "TOOL_CALLS");
    call.put("refusal", "");
    call.put("annotations", List.of(Map.of()));
    call.put("reasoningContent", "");
    call.put("openai.tool_calls.additional_properties", Map.of("call_1", "{\"extra_content\":{\"google\":{\"thought_signature\":\"c2ln\"}}}"));
    Map<String, Object> streamed = new LinkedHashMap<>();
    streamed.put("id", "chatcmpl-124");
    streamed.put("role", "assistant");
    streamed.put("index", 0L);
    streamed.put("finishReason", ChatCompletion.Choice.FinishReason.Value.STOP);
    streamed.put("refusal", "");
    streamed.put("annotations", List.of(annotation("https://example.com/bern", 10, 42)));
    streamed.put("reasoningContent", "The user wants the weather.");
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
    ChatCompletionMessage.Annotation read =
        (ChatCompletionMessage.Annotation) ((List<?>) back.get(2).getMetadata().get("annotations")).get(0);
    assertThat(read.urlCitation().url()).isEqualTo("https://example.com/bern");
    assertThat(read.urlCitation().endIndex()).isEqualTo(42L);
  }
}
