package org.sessionkit.springai;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Futures;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.file.FileSessionStorage;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.AssistantMessage.ToolCall;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage.ToolResponse;
import org.springframework.ai.chat.messages.UserMessage;

class SessionWindowChatMemoryTest {

  private static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale"));

  private final SessionStorage storage = SessionStorages.open("memory:");
  private final CountingStorage counting = new CountingStorage(storage);
  private final ExecutorService pool = Executors.newFixedThreadPool(8);

  @AfterEach
  void close() {
    pool.shutdownNow();
    storage.close();
  }

  private SessionWindowChatMemory memory(int maxMessages) {
    return SessionWindowChatMemory.builder(counting.storage()).maxMessages(maxMessages).build();
  }

  private Session stored(String id) {
    return Futures.await(storage.load(id), 30, SECONDS);
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(Message::getText).toList();
  }

  @Test
  void theWholeHistoryIsKeptAndTheLastMessagesAreServed() {
    ChatMemory memory = memory(4);
    for (int i = 0; i < 5; i++) {
      memory.add("c", new UserMessage("q" + i));
      memory.add("c", new AssistantMessage("a" + i));
    }
    assertThat(texts(memory.get("c"))).containsExactly("q3", "a3", "q4", "a4");
    assertThat(stored("c").messages()).hasSize(10);
  }

  @Test
  void theSystemMessageIsKeptInTheStateAndAlwaysServedFirst() {
    ChatMemory memory = memory(2);
    memory.add("c", List.of(new SystemMessage("Be brief."), new UserMessage("q0")));
    for (int i = 1; i < 5; i++) {
      memory.add("c", new UserMessage("q" + i));
    }
    List<Message> window = memory.get("c");
    assertThat(window.get(0)).isEqualTo(new SystemMessage("Be brief."));
    assertThat(texts(window)).containsExactly("Be brief.", "q3", "q4");
    // Not in the history: the history holds the five user messages only.
    assertThat(stored("c").messages()).hasSize(5);
    memory.add("c", new SystemMessage("Be verbose."));
    assertThat(memory.get("c").get(0).getText()).isEqualTo("Be verbose.");
    assertThat(memory.get("c").stream().filter(m -> m.getMessageType() == MessageType.SYSTEM)).hasSize(1);
  }

  @Test
  void aToolResultIsNeverServedWithoutItsCall() {
    ChatMemory memory = memory(3);
    memory.add("c", new UserMessage("Weather in Bern?"));
    memory.add(
        "c",
        AssistantMessage.builder()
            .content("")
            .toolCalls(List.of(new ToolCall("t1", "function", "weather", "{\"city\":\"Bern\"}")))
            .build());
    memory.add("c", ToolResponseMessage.builder().responses(List.of(new ToolResponse("t1", "weather", "10"))).build());
    memory.add("c", new AssistantMessage("10 °C."));
    memory.add("c", new UserMessage("Thanks"));
    // The last 3 would start with the tool result, whose call fell out: it is left out.
    List<Message> window = memory.get("c");
    assertThat(window).hasSize(2);
    assertThat(texts(window)).containsExactly("10 °C.", "Thanks");
    // With room for the call, the pair is served whole.
    assertThat(memory(4).get("c").get(0)).isInstanceOf(AssistantMessage.class);
    assertThat(((AssistantMessage) memory(4).get("c").get(0)).getToolCalls()).hasSize(1);
  }

  @Test
  void aTurnAfterAReadIsOneAppendPerAddAndOneTailRead() {
    SessionWindowChatMemory memory = memory(20);
    memory.add("c", new UserMessage("first"));
    counting.takeCounts();
    for (int i = 0; i < 3; i++) {
      memory.get("c");
      memory.add("c", new UserMessage("q" + i));
      memory.add("c", new AssistantMessage("a" + i));
      assertThat(counting.takeCounts()).isEqualTo(Map.of("loadTail", 1, "append", 2));
    }
  }

  @Test
  void metadataRoundTripsThroughTheWindow() {
    ChatMemory memory = memory(20);
    AssistantMessage reply =
        AssistantMessage.builder()
            .content("hi")
            .properties(Map.of("thoughtSignatures", List.of(new byte[] {1, 2}), "candidateIndex", 0))
            .build();
    memory.add("c", List.of(new UserMessage("q"), reply));
    MetadataAssert.assertSameMetadata(reply, memory.get("c").get(1));
  }

  /** A storage whose first append is applied and then reported as an ambiguous failure. */
  private SessionStorage losingFirstReply(SessionStorage delegate, AtomicBoolean lost) {
    return (SessionStorage)
        Proxy.newProxyInstance(
            SessionStorage.class.getClassLoader(),
            new Class<?>[] {SessionStorage.class},
            (p, method, args) -> {
              Object result;
              try {
                result = method.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (method.getName().equals("append") && lost.compareAndSet(false, true)) {
                ((CompletableFuture<?>) result).join();
                return CompletableFuture.failedFuture(new AmbiguousOutcomeException("reply lost (test)"));
              }
              return result;
            });
  }

  @Test
  void aRetriedAddIsStoredOnceEvenIfTheFirstTryWasApplied() {
    AtomicBoolean lost = new AtomicBoolean();
    ChatMemory memory = SessionWindowChatMemory.builder(losingFirstReply(storage, lost)).build();
    memory.add("c", new UserMessage("q0"));
    memory.get("c");
    Message answer = new AssistantMessage("a0");
    assertThatThrownBy(() -> memory.add("c", answer)).isInstanceOf(AmbiguousOutcomeException.class);
    assertThat(stored("c").messages()).hasSize(2); // it was applied
    memory.add("c", answer); // the framework's retry
    assertThat(texts(memory.get("c"))).containsExactly("q0", "a0");
    // The same message as a new turn (after the retry succeeded) is stored again.
    memory.add("c", answer);
    assertThat(texts(memory.get("c"))).containsExactly("q0", "a0", "a0");
  }

  @Test
  void aRetriedFirstAddIsStoredOnceToo() {
    AtomicBoolean lost = new AtomicBoolean(true); // appends pass; creation is the first write
    SessionStorage failingCreate =
        (SessionStorage)
            Proxy.newProxyInstance(
                SessionStorage.class.getClassLoader(),
                new Class<?>[] {SessionStorage.class},
                (p, method, args) -> {
                  Object result;
                  try {
                    result = method.invoke(storage, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                  if (method.getName().equals("create") && lost.compareAndSet(true, false)) {
                    ((CompletableFuture<?>) result).join();
                    return CompletableFuture.failedFuture(new AmbiguousOutcomeException("reply lost (test)"));
                  }
                  return result;
                });
    ChatMemory memory = SessionWindowChatMemory.builder(failingCreate).build();
    assertThatThrownBy(() -> memory.add("c", new UserMessage("hello"))).isInstanceOf(AmbiguousOutcomeException.class);
    memory.add("c", new UserMessage("hello"));
    assertThat(stored("c").messages()).hasSize(1);
  }

  @Test
  void concurrentTurnsLoseNothing() throws Exception {
    int threads = FULL ? 8 : 4;
    int turns = FULL ? 100 : 20;
    // One memory shared by the threads, and one memory per thread (several instances).
    for (boolean shared : new boolean[] {true, false}) {
      String id = shared ? "shared" : "instances";
      SessionWindowChatMemory one = memory(10);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        SessionWindowChatMemory memory = shared ? one : memory(10);
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < turns; i++) {
                    memory.get(id);
                    memory.add(id, new UserMessage(thread + "-" + i));
                    memory.add(id, new AssistantMessage(thread + "-" + i + "-reply"));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(120, SECONDS);
      }
      List<String> all =
          stored(id).messages().stream().map(m -> ((org.sessionkit.ContentBlock.Text) m.content().get(0)).text()).toList();
      assertThat(all).hasSize(threads * turns * 2).doesNotHaveDuplicates();
      for (int t = 0; t < threads; t++) {
        String prefix = t + "-";
        List<String> mine = all.stream().filter(s -> s.startsWith(prefix)).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < turns; i++) {
          expected.add(prefix + i);
          expected.add(prefix + i + "-reply");
        }
        assertThat(mine).isEqualTo(expected);
      }
    }
  }

  @Test
  void clearDeletesTheSessionAndTheNextAddStartsAnew() {
    ChatMemory memory = memory(20);
    memory.add("c", List.of(new SystemMessage("sys"), new UserMessage("q")));
    memory.clear("c");
    assertThatThrownBy(() -> Futures.await(storage.load("c"), 30, SECONDS)).isInstanceOf(SessionNotFoundException.class);
    assertThat(memory.get("c")).isEmpty();
    memory.clear("c"); // clearing an unknown conversation is done
    memory.add("c", new UserMessage("again"));
    assertThat(texts(memory.get("c"))).containsExactly("again");
  }

  @Test
  void aSessionAtTheStoresSizeLimitRefusesTheTurnAndKeepsWhatItHad(@TempDir Path dir) {
    try (SessionStorage small = FileSessionStorage.builder(dir).fsync(false).maxDocumentBytes(2_000).build()) {
      ChatMemory memory = SessionWindowChatMemory.builder(small).build();
      memory.add("c", new UserMessage("short"));
      assertThatThrownBy(() -> memory.add("c", new AssistantMessage("x".repeat(3_000))))
          .isInstanceOf(InvalidSessionException.class);
      assertThat(texts(memory.get("c"))).containsExactly("short");
    }
  }
}
