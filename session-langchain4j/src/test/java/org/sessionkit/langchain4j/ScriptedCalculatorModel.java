package org.sessionkit.langchain4j;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic stand-in for an LLM: asked "add A and B" it thinks, then calls the {@code add}
 * tool; given the tool's result it answers with it; anything else it echoes. It records every
 * request, so tests can check which history the framework sent.
 */
final class ScriptedCalculatorModel implements ChatModel {
  private static final Pattern ADD = Pattern.compile("add (-?\\d+) and (-?\\d+)");

  final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger callIds = new AtomicInteger();

  @Override
  public ChatResponse doChat(ChatRequest request) {
    requests.add(request);
    List<ChatMessage> messages = request.messages();
    ChatMessage last = messages.get(messages.size() - 1);
    AiMessage answer;
    if (last instanceof ToolExecutionResultMessage result) {
      answer = AiMessage.from("The sum is " + result.text() + ".");
    } else if (last instanceof UserMessage user && ADD.matcher(user.singleText()).find()) {
      Matcher m = ADD.matcher(user.singleText());
      m.find();
      answer =
          AiMessage.builder()
              .thinking("The user wants a sum; I use the tool.")
              .attributes(Map.of(LangChain4jMessages.THINKING_SIGNATURE_ATTRIBUTE, "sig-" + m.group(1)))
              .toolExecutionRequests(
                  List.of(
                      ToolExecutionRequest.builder()
                          .id("call_" + callIds.incrementAndGet())
                          .name("add")
                          .arguments("{\"a\": " + m.group(1) + ", \"b\": " + m.group(2) + "}")
                          .build()))
              .build();
    } else {
      answer = AiMessage.from("You said: " + ((UserMessage) last).singleText());
    }
    return ChatResponse.builder().aiMessage(answer).build();
  }

  /** The tool the model calls. */
  static final class Calculator {
    final AtomicInteger calls = new AtomicInteger();

    @Tool("adds two integers")
    long add(@P(name = "a", value = "the first") long a, @P(name = "b", value = "the second") long b) {
      calls.incrementAndGet();
      return a + b;
    }
  }

  /** The AI service under test. */
  interface Assistant {
    String chat(@dev.langchain4j.service.MemoryId String memoryId, @dev.langchain4j.service.UserMessage String text);
  }
}
