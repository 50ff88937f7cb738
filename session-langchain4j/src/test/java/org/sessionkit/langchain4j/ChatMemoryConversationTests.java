package org.sessionkit.langchain4j;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.memory.chat.TokenWindowChatMemory;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.service.AiServices;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;

/**
 * LangChain4j's own machinery — an AI service with a tool, driven through {@code
 * MessageWindowChatMemory} or {@code TokenWindowChatMemory} — running multi-turn conversations
 * over a sessionkit store. Subclasses supply the store.
 */
abstract class ChatMemoryConversationTests {

  private SessionStorage storage;

  /** Opens the store; called again to reopen the same location (as after a restart). */
  protected abstract SessionStorage openStorage();

  /** Whether closing and reopening keeps the sessions (false for the memory store). */
  protected abstract boolean persistent();

  @AfterEach
  void closeStorage() {
    if (storage != null) {
      storage.close();
    }
  }

  private SessionStorage storage() {
    if (storage == null) {
      storage = openStorage();
    }
    return storage;
  }

  private SessionStorage reopen() {
    if (persistent()) {
      storage.close();
      storage = openStorage();
    }
    return storage;
  }

  private static ScriptedCalculatorModel.Assistant windowedAssistant(
      SessionChatMemoryStore store, ScriptedCalculatorModel model, int maxMessages) {
    return AiServices.builder(ScriptedCalculatorModel.Assistant.class)
        .chatModel(model)
        .tools(new ScriptedCalculatorModel.Calculator())
        .chatMemoryProvider(
            id -> MessageWindowChatMemory.builder().id(id).maxMessages(maxMessages).chatMemoryStore(store).build())
        .build();
  }

  private Session stored(String id) {
    return Futures.await(storage().load(id), 30, SECONDS);
  }

  private static List<Message> turn(int a, int b) {
    return List.of(
        Message.user("add " + a + " and " + b),
        Message.of(
            Role.ASSISTANT,
            new ContentBlock.Thinking("The user wants a sum; I use the tool.", "sig-" + a),
            new ContentBlock.ToolUse(
                "call_" + a, "add", JsonValue.object(orderedMap("a", JsonValue.of(a), "b", JsonValue.of(b))))),
        Message.of(Role.USER, ContentBlock.ToolResult.ofText("call_" + a, Long.toString(a + b))),
        Message.assistant("The sum is " + (a + b) + "."));
  }

  @Test
  void aWindowedConversationWithToolCallsIsStoredTurnByTurn() {
    SessionChatMemoryStore store = SessionChatMemoryStore.builder(storage()).cwd("/srv/agent").build();
    ScriptedCalculatorModel model = new ScriptedCalculatorModel();
    ScriptedCalculatorModel.Assistant assistant = windowedAssistant(store, model, 10);

    for (int t = 1; t <= 6; t++) {
      assertThat(assistant.chat("conv-1", "add " + t + " and 10")).isEqualTo("The sum is " + (t + 10) + ".");
      Session s = stored("conv-1");
      // every turn is four messages: the question, the tool call, its result, the answer
      assertThat(s.messages().subList(s.messages().size() - 4, s.messages().size())).isEqualTo(turn(t, 10));
      assertThat(s.messages().size()).isLessThanOrEqualTo(10);
      assertThat(s.state().cwd()).isEqualTo("/srv/agent");
    }
    // the window evicted the oldest messages, a tool call together with its result
    assertThat(stored("conv-1").messages())
        .isEqualTo(concat(List.of(Message.assistant("The sum is 14.")), turn(5, 10), turn(6, 10)));
    // the model was sent the earlier turns as read back from our store
    List<ChatMessage> lastRequest = model.requests.get(model.requests.size() - 1).messages();
    List<Message> sent = LangChain4jMessages.toSessionMessages(lastRequest);
    assertThat(java.util.Collections.indexOfSubList(sent, turn(5, 10))).isNotNegative();
    assertThat(sent.subList(sent.size() - 3, sent.size())).isEqualTo(turn(6, 10).subList(0, 3));
    ChatMessage lastSent = lastRequest.get(lastRequest.size() - 1);
    assertThat(lastSent).isInstanceOf(ToolExecutionResultMessage.class);
    assertThat(((ToolExecutionResultMessage) lastSent).toolName()).isEqualTo("add");
  }

  @Test
  void aTokenWindowKeepsTheConversationWithinItsBudget() {
    SessionChatMemoryStore store = SessionChatMemoryStore.of(storage());
    TokenCountEstimator estimator = new CharacterEstimator();
    ScriptedCalculatorModel model = new ScriptedCalculatorModel();
    ScriptedCalculatorModel.Assistant assistant =
        AiServices.builder(ScriptedCalculatorModel.Assistant.class)
            .chatModel(model)
            .tools(new ScriptedCalculatorModel.Calculator())
            .chatMemoryProvider(
                id -> TokenWindowChatMemory.builder().id(id).maxTokens(120, estimator).chatMemoryStore(store).build())
            .build();
    for (int t = 1; t <= 5; t++) {
      assertThat(assistant.chat("tokens", "add " + t + " and 1")).isEqualTo("The sum is " + (t + 1) + ".");
    }
    List<ChatMessage> kept = store.getMessages("tokens");
    assertThat(estimator.estimateTokenCountInMessages(kept)).isLessThanOrEqualTo(120);
    List<Message> storedMessages = stored("tokens").messages();
    assertThat(storedMessages.subList(storedMessages.size() - 4, storedMessages.size())).isEqualTo(turn(5, 1));
    assertThat(storedMessages.size()).isLessThan(20);
  }

  @Test
  void aConversationContinuesAfterTheStoreIsReopened() {
    ScriptedCalculatorModel model = new ScriptedCalculatorModel();
    ScriptedCalculatorModel.Assistant before = windowedAssistant(SessionChatMemoryStore.of(storage()), model, 50);
    before.chat("conv-2", "add 1 and 2");
    before.chat("conv-2", "hello");

    SessionStorage again = reopen();
    ScriptedCalculatorModel.Assistant after = windowedAssistant(SessionChatMemoryStore.of(again), model, 50);
    assertThat(after.chat("conv-2", "add 3 and 4")).isEqualTo("The sum is 7.");
    List<ChatMessage> sent = model.requests.get(model.requests.size() - 2).messages();
    assertThat(LangChain4jMessages.toSessionMessages(sent))
        .isEqualTo(
            concat(
                turn(1, 2),
                List.of(Message.user("hello"), Message.assistant("You said: hello"), Message.user("add 3 and 4"))));
    assertThat(stored("conv-2").messages()).hasSize(10);
  }

  @Test
  void conversationsAreKeptApart() {
    ScriptedCalculatorModel model = new ScriptedCalculatorModel();
    ScriptedCalculatorModel.Assistant assistant = windowedAssistant(SessionChatMemoryStore.of(storage()), model, 20);
    assistant.chat("alice", "hello from alice");
    assistant.chat("bob", "hello from bob");
    assistant.chat("alice", "again");
    assertThat(stored("alice").messages())
        .containsExactly(
            Message.user("hello from alice"),
            Message.assistant("You said: hello from alice"),
            Message.user("again"),
            Message.assistant("You said: again"));
    assertThat(stored("bob").messages())
        .containsExactly(Message.user("hello from bob"), Message.assistant("You said: hello from bob"));
    MessageWindowChatMemory alice =
        MessageWindowChatMemory.builder().id("alice").maxMessages(20).chatMemoryStore(SessionChatMemoryStore.of(storage())).build();
    assertThat(alice.messages().get(0)).isEqualTo(UserMessage.from("hello from alice"));
    alice.clear();
    assertThat(Futures.await(storage().list(), 30, SECONDS)).extracting(s -> s.id()).containsExactly("bob");
  }

  /** Roughly one token per four characters of text, plus one per message. */
  private static final class CharacterEstimator implements TokenCountEstimator {
    @Override
    public int estimateTokenCountInText(String text) {
      return text.length() / 4 + 1;
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
      return estimateTokenCountInText(message.toString()) / 4 + 1;
    }

    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
      int total = 0;
      for (ChatMessage m : messages) {
        total += estimateTokenCountInMessage(m);
      }
      return total;
    }
  }

  @SafeVarargs
  private static List<Message> concat(List<Message>... parts) {
    List<Message> out = new java.util.ArrayList<>();
    for (List<Message> p : parts) {
      out.addAll(p);
    }
    return out;
  }

  private static Map<String, JsonValue> orderedMap(String k1, JsonValue v1, String k2, JsonValue v2) {
    Map<String, JsonValue> m = new java.util.LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }
}
