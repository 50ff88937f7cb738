package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicServerToolResult;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.openai.OpenAiResponsesChatModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.SessionStorage;
import org.sessionkit.file.FileSessionStorage;

/**
 * Real provider modules (Anthropic, OpenAI Responses, Google AI Gemini of LangChain4j 1.19.0)
 * talking to a local stand-in for their APIs: the replies they turn into {@code AiMessage}s, with
 * the attributes they set, are stored through {@link SessionWindowChatMemory} in a file store,
 * read back by a new store on the same directory equal and with the same Java types, and the
 * modules send what they keep there back to the provider on the next request.
 */
class ProviderRepliesTest {

  @TempDir Path directory;

  private HttpServer server;
  private final Deque<String> replies = new ArrayDeque<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        requests.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      String reply;
      synchronized (replies) {
        reply = replies.poll();
      }
      byte[] body = (reply == null ? "{}" : reply).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply == null ? 500 : 200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private SessionStorage open() {
    return FileSessionStorage.builder(directory).fsync(false).build();
  }

  // Keys are not what this test is about (WindowChatMemoryTests covers them), and the file store
  // does not support them yet.
  private static SessionWindowChatMemory memory(SessionStorage storage, String id) {
    return SessionWindowChatMemory.builder(storage).id(id).maxMessages(20).idempotencyKeys(false).build();
  }

  /**
   * One turn through {@code model} with the memory's window as the prompt; returns the reply as
   * the model produced it and as a new store on the same directory reads it back.
   */
  private AiMessage[] turn(ChatModel model, String memoryId, String question, String reply) {
    replies.add(reply);
    AiMessage produced;
    try (SessionStorage storage = open()) {
      SessionWindowChatMemory memory = memory(storage, memoryId);
      memory.add(UserMessage.from(question));
      produced = model.chat(memory.messages()).aiMessage();
      memory.add(produced);
    }
    try (SessionStorage reopened = open()) {
      List<ChatMessage> back = memory(reopened, memoryId).messages();
      return new AiMessage[] {produced, (AiMessage) back.get(back.size() - 1)};
    }
  }

  @Test
  void anthropicThinkingRedactedThinkingAndServerToolResults() {
    ChatModel model =
        AnthropicChatModel.builder()
            .baseUrl(base() + "/v1/")
            .apiKey("test-key")
            .modelName("claude-test")
            .maxTokens(1000)
            .returnThinking(true)
            .sendThinking(true)
            .returnServerToolResults(true)
            .build();
    String reply = """
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-test",
         "content":[
          {"type":"thinking","thinking":"I should search and compute.","signature":"EqQBCkYIBxgCKkDsig"},
          {"type":"redacted_thinking","data":"EmwKAhgBEgyredacted"},
          {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"weather zurich"}},
          {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[
            {"type":"web_search_result","url":"https://example.com/w","title":"Weather","encrypted_content":"Eo8B","page_age":null}]},
          {"type":"server_tool_use","id":"srvtoolu_2","name":"code_execution","input":{"code":"print(2+2)"}},
          {"type":"code_execution_tool_result","tool_use_id":"srvtoolu_2","content":
            {"type":"code_execution_result","stdout":"4\\n","stderr":"","return_code":0,"elapsed":0.25,"big":12345678901234,"content":[]}},
          {"type":"text","text":"It is sunny; 2+2 is 4."}],
         "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":20}}
        """;
    AiMessage[] r = turn(model, "anthropic", "weather?", reply);
    AiMessage produced = r[0];
    AiMessage back = r[1];
    assertThat(produced.attributes()).containsKeys("thinking_signature", "redacted_thinking", "server_tool_results");
    assertThat(back).isEqualTo(produced);
    List<?> results = (List<?>) back.attributes().get("server_tool_results");
    assertThat(results).hasSize(2).allMatch(AnthropicServerToolResult.class::isInstance);
    @SuppressWarnings("unchecked")
    Map<String, Object> code = (Map<String, Object>) ((AnthropicServerToolResult) results.get(1)).content();
    WindowChatMemoryTests.assertSameTypes(code, ((AnthropicServerToolResult) ((List<?>) produced.attributes().get("server_tool_results")).get(1)).content());
    assertThat(code.get("return_code")).isInstanceOf(Integer.class);
    assertThat(code.get("big")).isInstanceOf(Long.class);
    assertThat(code.get("elapsed")).isInstanceOf(Double.class);

    // the next request sends the stored thinking back with its signature, and the redacted thinking
    turn(model, "anthropic", "thanks", reply);
    String next = requests.get(requests.size() - 1);
    assertThat(next).contains("EqQBCkYIBxgCKkDsig").contains("EmwKAhgBEgyredacted").contains("I should search and compute.");
  }

  @Test
  void openAiResponsesEncryptedReasoning() {
    ChatModel model =
        OpenAiResponsesChatModel.builder()
            .baseUrl(base() + "/v1")
            .apiKey("test-key")
            .modelName("gpt-test")
            .include(List.of("reasoning.encrypted_content"))
            .store(false)
            .build();
    String reply = """
        {"id":"resp_1","object":"response","model":"gpt-test","status":"completed",
         "output":[
          {"type":"reasoning","id":"rs_1","encrypted_content":"gAAAAABencrypted==","summary":[{"type":"summary_text","text":"Thought about it."}]},
          {"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Hello.","annotations":[]}]}],
         "usage":{"input_tokens":5,"output_tokens":7,"total_tokens":12}}
        """;
    AiMessage[] r = turn(model, "openai", "hi", reply);
    assertThat(r[0].attributes()).containsEntry("encrypted_reasoning", "gAAAAABencrypted==");
    assertThat(r[1]).isEqualTo(r[0]);
    turn(model, "openai", "again", reply);
    assertThat(requests.get(requests.size() - 1)).contains("gAAAAABencrypted==");
  }

  @Test
  void geminiSignatureWithoutThinkingAndGeneratedImages() {
    ChatModel model =
        GoogleAiGeminiChatModel.builder()
            .baseUrl(base() + "/v1beta")
            .apiKey("test-key")
            .modelName("gemini-test")
            .returnThinking(true)
            .sendThinking(true)
            .build();
    // A function call signed without thought text, as Gemini signs function calls.
    String call = """
        {"candidates":[{"content":{"role":"model","parts":[
           {"functionCall":{"name":"add","args":{"a":1,"b":2}},"thoughtSignature":"CiQBsig2"}]},
          "finishReason":"STOP"}],
         "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":7,"totalTokenCount":12}}
        """;
    AiMessage[] r = turn(model, "gemini", "add 1 and 2", call);
    assertThat(r[0].thinking()).isNull();
    assertThat(r[0].attributes()).containsEntry("thinking_signature", "CiQBsig2");
    assertThat(r[1]).isEqualTo(r[0]);

    String image = """
        {"candidates":[{"content":{"role":"model","parts":[
           {"text":"Here is a cat."},
           {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]},
          "finishReason":"STOP"}],
         "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":7,"totalTokenCount":12}}
        """;
    // the tool's result first, so the call is answered
    try (SessionStorage storage = open()) {
      memory(storage, "gemini").add(
          ToolExecutionResultMessage.builder().id(r[0].toolExecutionRequests().get(0).id()).toolName("add").text("3").isError(false).build());
    }
    AiMessage[] drawn = turn(model, "gemini", "draw a cat", image);
    assertThat(drawn[0].attributes().get(AiMessage.GENERATED_IMAGES_KEY))
        .isEqualTo(List.of(Image.builder().base64Data("iVBORw0KGgo=").mimeType("image/png").build()));
    assertThat(drawn[1]).isEqualTo(drawn[0]);
    // the signed call went back to the provider with its signature
    assertThat(requests.get(requests.size() - 1)).contains("CiQBsig2");
  }
}
