package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.ImageSource;
import org.sessionkit.JsonValue;
import org.sessionkit.Role;
import org.sessionkit.Session;
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
import org.springframework.ai.content.Media;

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
    // Null when a subclass skipped the test before the store was opened (no server).
    if (storage != null) {
      storage.close();
    }
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
    // The window kept the last messages only (which ones exactly is the Spring AI line's own
    // window rule, checked above against its in-memory repository at every step).
    List<Message> last = ours.get("trip");
    assertThat(last).hasSizeLessThanOrEqualTo(10);
    assertThat(last.get(last.size() - 1).getText()).contains("Quito");
    // A fresh repository (a restarted application) reads the same conversation.
    assertThat(SessionChatMemoryRepository.create(storage).findByConversationId("trip")).isEqualTo(last);
  }

  @Test
  void theWindowMemoryKeepsTheWholeHistoryAndServesTheTailWithTheSystemMessage() {
    ChatMemory memory = SessionWindowChatMemory.builder(counting.storage()).maxMessages(6).build();
    memory.add("w", new SystemMessage("You answer weather questions."));
    String[] cities = {"Paris", "Oslo", "Lima", "Kyoto"};
    for (int i = 0; i < cities.length; i++) {
      for (List<Message> add : turn(i, cities[i])) {
        memory.get("w");
        memory.add("w", add);
      }
    }
    List<Message> window = memory.get("w");
    assertThat(window.get(0)).isEqualTo(new SystemMessage("You answer weather questions."));
    // The last 6 of 16 start with a tool result whose call fell out: it is left out.
    assertThat(window).hasSize(6);
    assertThat(window.get(1)).isInstanceOf(AssistantMessage.class);
    assertThat(window.get(window.size() - 1).getText()).contains("Kyoto");
    // Nothing was dropped from the store.
    assertThat(SessionChatMemoryRepository.create(storage).findByConversationId("w")).hasSize(16);
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
    ChatMemory reference =
        MessageWindowChatMemory.builder()
            .chatMemoryRepository(new InMemoryChatMemoryRepository())
            .maxMessages(4)
            .build();
    for (List<Message> add : turn(0, "Bern")) {
      memory.add("c", add);
      reference.add("c", add);
    }
    counting.takeCounts();
    memory.add("c", new UserMessage("And tomorrow?"));
    reference.add("c", new UserMessage("And tomorrow?"));
    assertThat(counting.takeCounts()).isEqualTo(Map.of("loadVersioned", 1, "saveIf", 1));
    // Which messages the window drops is the Spring AI line's own rule (2.0 drops whole turns,
    // 1.1 the oldest messages): the same as over Spring AI's in-memory repository.
    assertThat(memory.get("c")).isEqualTo(reference.get("c"));
    assertThat(memory.get("c")).extracting(Message::getText).last().isEqualTo("And tomorrow?");
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

  @Test
  void turnsWithMediaOddArgumentsAndUnnamedToolsStillAppend() {
    ChatMemory memory =
        MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(1000).build();
    List<List<Message>> adds =
        List.of(
            List.of(
                UserMessage.builder()
                    .text("Compare these")
                    .media(
                        Media.builder().mimeType(Media.Format.IMAGE_PNG).data(new byte[] {1, 2}).id("i1").build(),
                        new Media(Media.Format.IMAGE_JPEG, URI.create("https://example.com/b.jpg")),
                        Media.builder().mimeType(Media.Format.DOC_TXT).data("notes".getBytes(StandardCharsets.UTF_8)).build())
                    .build()),
            List.of(
                AssistantMessage.builder()
                    .toolCalls(
                        List.of(
                            new ToolCall("1", "function", "diff", "{ \"a\": 1.0e1 }"),
                            new ToolCall("2", "function", "broken", "{\"a\":")))
                    .build()),
            List.of(
                ToolResponseMessage.builder()
                    .responses(List.of(new ToolResponse("1", "", "same"), new ToolResponse("2", "broken", "error")))
                    .build()),
            List.of(new AssistantMessage("They are the same.")));
    for (List<Message> add : adds) {
      memory.add("m", add);
    }
    counting.takeCounts();
    memory.add("m", new UserMessage("Thanks"));
    assertThat(counting.takeCounts()).isEqualTo(Map.of("loadVersioned", 1, "append", 1));
  }

  @Test
  void aConversationWrittenByAnotherProgramReadsAndThenAppends() {
    // As neuron stores a tool turn: no names, no extras.
    Session foreign =
        Session.create("n", "/home/agent")
            .withMessages(
                List.of(
                    org.sessionkit.Message.user("List files"),
                    org.sessionkit.Message.of(
                        Role.ASSISTANT,
                        new ContentBlock.ToolUse("t1", "ls", JsonValue.object(Map.of("path", JsonValue.of("."))))),
                    org.sessionkit.Message.of(Role.USER, ContentBlock.ToolResult.ofText("t1", "a.txt")),
                    org.sessionkit.Message.of(
                        Role.USER, new ContentBlock.Image(new ImageSource.Url("https://example.com/x.png")))));
    Futures.await(storage.save(foreign), 30, TimeUnit.SECONDS);
    ChatMemory memory = MessageWindowChatMemory.builder().chatMemoryRepository(repository).build();
    List<Message> read = memory.get("n");
    assertThat(read).hasSize(4);
    assertThat(((AssistantMessage) read.get(1)).getToolCalls())
        .containsExactly(new ToolCall("t1", "function", "ls", "{\"path\":\".\"}"));
    counting.takeCounts();
    memory.add("n", new AssistantMessage("One file."));
    assertThat(counting.takeCounts()).isEqualTo(Map.of("loadVersioned", 1, "append", 1));
    Session after = Futures.await(storage.load("n"), 30, TimeUnit.SECONDS);
    assertThat(after.messages().subList(0, 4)).isEqualTo(foreign.messages());
    assertThat(after.state().cwd()).isEqualTo("/home/agent");
  }
}
