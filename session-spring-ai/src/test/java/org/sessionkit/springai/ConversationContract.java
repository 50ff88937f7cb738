package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionStorage;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.AssistantMessage.ToolCall;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage.ToolResponse;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * Spring AI's {@link MessageWindowChatMemory} driving multi-turn conversations with tool calls
 * over a store, checked step by step against the same memory over Spring AI's own in-memory
 * repository. Subclasses name the store.
 */
abstract class ConversationContract {

  /** Opens the store under test (for persistent stores, on a location kept between calls). */
  abstract SessionStorage open();

  SessionStorage storage;
  CountingStorage counting;
  SessionChatMemoryRepository repository;

  @BeforeEach
  void openStore() {
    storage = open();
    counting = new CountingStorage(storage);
    repository = SessionChatMemoryRepository.create(counting.storage());
  }

  @AfterEach
  void closeStore() {
    storage.close();
  }

  /** One weather turn: question, tool call, tool result, answer — four adds, as an agent does. */
  static List<List<Message>> turn(int n, String city) {
    String id = "call_" + n;
    return List.of(
        List.of(new UserMessage("What's the weather in " + city + "?")),
        List.of(
            AssistantMessage.builder()
                .content("")
                .toolCalls(List.of(new ToolCall(id, "function", "get_weather", "{\"city\":\"" + city + "\"}")))
                .build()),
        List.of(
            ToolResponseMessage.builder()
                .responses(List.of(new ToolResponse(id, "get_weather", "{\"celsius\":" + (10 + n) + "}")))
                .build()),
        List.of(new AssistantMessage("It is " + (10 + n) + " °C in " + city + ".")));
  }

  @Test
  void aMultiTurnToolConversationMatchesSpringAisOwnMemoryStepByStep() {
    ChatMemory ours = MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(10).build();
    ChatMemory reference =
        MessageWindowChatMemory.builder()
            .chatMemoryRepository(new InMemoryChatMemoryRepository())
            .maxMessages(10)
            .build();
    List<List<Message>> adds = new ArrayList<>();
    adds.add(List.of(new SystemMessage("You answer weather questions.")));
    String[] cities = {"Paris", "Oslo", "Lima", "Kyoto", "Accra", "Quito"};
    for (int i = 0; i < cities.length; i++) {
      adds.addAll(turn(i, cities[i]));
      if (i == 3) {
        // A new system prompt replaces the old one (the memory drops the old one).
        adds.add(List.of(new SystemMessage("You answer weather questions in Fahrenheit.")));
      }
    }
    for (List<Message> add : adds) {
      ours.add("trip", add);
      reference.add("trip", add);
      assertThat(ours.get("trip")).isEqualTo(reference.get("trip"));
    }
    // The window kept the newest system prompt and the last complete turns only.
    List<Message> last = ours.get("trip");
    assertThat(last.get(0).getText()).contains("Fahrenheit");
    assertThat(last).hasSizeLessThanOrEqualTo(10);
    // A fresh repository (a restarted application) reads the same conversation.
    assertThat(SessionChatMemoryRepository.create(storage).findByConversationId("trip")).isEqualTo(last);
  }

  @Test
  void aTurnThatFitsTheWindowCostsOneReadAndOneAppend() {
    ChatMemory memory =
        MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(1000).build();
    memory.add("c", new SystemMessage("sys"));
    for (int i = 0; i < 5; i++) {
      for (List<Message> add : turn(i, "Rome")) {
        counting.takeCounts();
        memory.add("c", add);
        assertThat(counting.takeCounts()).isEqualTo(Map.of("loadVersioned", 1, "append", 1));
      }
    }
    assertThat(memory.get("c")).hasSize(21);
  }

  @Test
  void aTurnThatTrimsTheWindowRewritesConditionally() {
    ChatMemory memory =
        MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(4).build();
    for (List<Message> add : turn(0, "Bern")) {
      memory.add("c", add);
    }
    counting.takeCounts();
    memory.add("c", new UserMessage("And tomorrow?"));
    assertThat(counting.takeCounts()).isEqualTo(Map.of("loadVersioned", 1, "saveIf", 1));
    assertThat(memory.get("c")).extracting(Message::getText).containsExactly("And tomorrow?");
  }

  @Test
  void conversationsAreListedAndClearedIndependently() {
    ChatMemory memory = MessageWindowChatMemory.builder().chatMemoryRepository(repository).build();
    memory.add("a", new UserMessage("1"));
    memory.add("b", new UserMessage("2"));
    memory.add("a", new UserMessage("3"));
    assertThat(repository.findConversationIds()).containsExactly("a", "b");
    memory.clear("a");
    assertThat(repository.findConversationIds()).containsExactly("b");
    assertThat(memory.get("a")).isEmpty();
    memory.add("a", new UserMessage("4"));
    assertThat(memory.get("a")).extracting(Message::getText).containsExactly("4");
  }
}
