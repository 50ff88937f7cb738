package org.sessionkit.langchain4j;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.anthropic.AnthropicServerToolResult;
import dev.langchain4j.service.AiServices;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;

/**
 * {@link SessionWindowChatMemory} over a store: the whole history kept, the window served from
 * the tail, the system message kept in the state, tool pairs never split, attributes kept as
 * Java types, concurrent turns all kept, retries stored once. Subclasses supply the store.
 *
 * <p>Scale from {@code sessionkit.test.scale}: {@code ci} (default) 4 threads × 12 turns, {@code
 * full} 16 threads × 100 turns.
 */
abstract class WindowChatMemoryTests {

  static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale"));
  static final int THREADS = FULL ? 16 : 4;
  static final int TURNS = FULL ? 100 : 12;

  private SessionStorage storage;
  private Boolean keyed;

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

  protected SessionStorage storage() {
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

  /**
   * Whether the store supports idempotency keys (probed once with a scratch session). The
   * memories run with keys where it does; the checks of retries are skipped, with a message,
   * where it does not yet.
   */
  protected boolean keyed() {
    if (keyed == null) {
      String probe = "probe-keys-" + UUID.randomUUID();
      try {
        Futures.await(storage().create(Session.create(probe, "/"), IdempotencyKey.of("probe")), 30, SECONDS);
        Futures.await(storage().delete(probe), 30, SECONDS);
        keyed = true;
      } catch (InvalidArgumentException unsupported) {
        keyed = false;
      }
    }
    return keyed;
  }

  SessionWindowChatMemory.Builder memory(SessionStorage on, String id) {
    return SessionWindowChatMemory.builder(on).id(id).idempotencyKeys(keyed()).cwd("/srv/agent");
  }

  private Session stored(String id) {
    return Futures.await(storage().load(id), 30, SECONDS);
  }

  /** The AI service under test, with a system message. */
  interface Calculator {
    @dev.langchain4j.service.SystemMessage("You are a calculator.")
    String chat(@dev.langchain4j.service.MemoryId String memoryId, @dev.langchain4j.service.UserMessage String text);
  }

  @Test
  void anAiServiceConversationIsKeptWholeWhileTheModelSeesTheWindow() {
    ScriptedCalculatorModel model = new ScriptedCalculatorModel();
    Calculator assistant =
        AiServices.builder(Calculator.class)
            .chatModel(model)
            .tools(new ScriptedCalculatorModel.Calculator())
            .chatMemoryProvider(id -> memory(storage(), (String) id).maxMessages(6).build())
            .build();
    for (int t = 1; t <= 8; t++) {
      assertThat(assistant.chat("conv", "add " + t + " and 10")).isEqualTo("The sum is " + (t + 10) + ".");
    }
    // the store holds every message of every turn; the system message is in the state
    Session s = stored("conv");
    assertThat(s.messages()).hasSize(8 * 4);
    assertThat(s.messages().get(0)).isEqualTo(Message.user("add 1 and 10"));
    assertThat(s.state().custom().get(SessionWindowChatMemory.SYSTEM_MESSAGE_KEY))
        .isEqualTo(JsonValue.of("You are a calculator."));
    assertThat(s.state().cwd()).isEqualTo("/srv/agent");
    // every request: the system message first, at most 6 messages, no result without its call
    for (var request : model.requests) {
      List<ChatMessage> sent = request.messages();
      assertThat(sent.get(0)).isEqualTo(SystemMessage.from("You are a calculator."));
      assertThat(sent.size()).isLessThanOrEqualTo(6 + 1); // the window, plus the new user message
      assertThat(SessionWindowChatMemory.withoutOrphanResults(sent.subList(1, sent.size())))
          .hasSize(sent.size() - 1);
    }
    // the last request carried the last turn's call and result, with the tool's name
    List<ChatMessage> last = model.requests.get(model.requests.size() - 1).messages();
    assertThat(((ToolExecutionResultMessage) last.get(last.size() - 1)).toolName()).isEqualTo("add");
    assertThat(last.get(last.size() - 2)).isInstanceOf(AiMessage.class);
  }

  @Test
  void eachAddIsOneAppendAndEachReadOneTailRead() {
    RecordingStorage counting = new RecordingStorage(storage());
    SessionWindowChatMemory memory = memory(counting, "long").maxMessages(20).build();
    List<ChatMessage> history = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      history.add(UserMessage.from("question " + i));
      history.add(AiMessage.from("answer " + i));
    }
    memory.add(history);
    for (int turn = 0; turn < 50; turn++) {
      counting.appends.set(0);
      counting.tailReads.set(0);
      counting.loads.set(0);
      List<ChatMessage> window = memory.messages();
      memory.add(UserMessage.from("q" + turn));
      memory.add(AiMessage.from("a" + turn));
      assertThat(window).hasSize(20);
      assertThat(counting.tailReads.get()).isEqualTo(1);
      assertThat(counting.appends.get()).isEqualTo(2);
      assertThat(counting.loads.get()).isZero(); // never the whole session
      assertThat(counting.conditionalSaves.get()).isZero();
    }
    assertThat(stored("long").messages()).hasSize(300 + 100);
  }

  @Test
  void theSystemMessageIsServedFirstHoweverLongTheHistory() {
    RecordingStorage counting = new RecordingStorage(storage());
    SessionWindowChatMemory memory = memory(counting, "sys").maxMessages(5).build();
    memory.add(SystemMessage.from("Be brief."));
    for (int i = 0; i < 40; i++) {
      memory.add(UserMessage.from("m" + i));
    }
    assertThat(memory.messages())
        .containsExactly(
            SystemMessage.from("Be brief."), UserMessage.from("m36"), UserMessage.from("m37"),
            UserMessage.from("m38"), UserMessage.from("m39"));
    int writes = counting.writes();
    memory.add(SystemMessage.from("Be brief."));
    assertThat(counting.writes()).isEqualTo(writes); // the same system message: nothing written
    memory.add(SystemMessage.from("Be verbose."));
    assertThat(memory.messages().get(0)).isEqualTo(SystemMessage.from("Be verbose."));
    assertThat(stored("sys").messages()).hasSize(40).allMatch(m -> m.role() != org.sessionkit.Role.SYSTEM);
  }

  @Test
  void aToolResultIsNeverServedWithoutItsRequest() {
    ToolExecutionRequest one = ToolExecutionRequest.builder().id("c1").name("f").arguments("{}").build();
    ToolExecutionRequest two = ToolExecutionRequest.builder().id("c2").name("g").arguments("{}").build();
    List<ChatMessage> turn =
        List.of(
            UserMessage.from("go"),
            AiMessage.from(one, two),
            ToolExecutionResultMessage.builder().id("c1").toolName("f").text("1").isError(false).build(),
            ToolExecutionResultMessage.builder().id("c2").toolName("g").text("2").isError(false).build(),
            AiMessage.from("done"));
    memory(storage(), "tools").maxMessages(10).build().add(turn);
    for (int max = 1; max <= 5; max++) {
      List<ChatMessage> served = memory(storage(), "tools").maxMessages(max).build().messages();
      // windows of 2 and 3 would start with results whose request fell out: they start after them
      List<ChatMessage> expected = max <= 3 ? List.of(AiMessage.from("done")) : turn.subList(5 - max, 5);
      assertThat(served).as("window of %d", max).isEqualTo(expected);
    }
  }

  @Test
  void aTokenWindowServesWhatFitsReadingOlderMessagesOnlyWhenNeeded() {
    TokenCountEstimator tenEach = new FixedEstimator();
    SessionWindowChatMemory writer = memory(storage(), "tokens").maxMessages(1).build();
    writer.add(SystemMessage.from("sys"));
    List<ChatMessage> history = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      history.add(UserMessage.from("m" + i));
    }
    writer.add(history);
    RecordingStorage counting = new RecordingStorage(storage());
    // 5 for the system message, 10 per message: 45 messages fit into 455 tokens
    List<ChatMessage> served = memory(counting, "tokens").maxTokens(455, tenEach).build().messages();
    assertThat(served).hasSize(46);
    assertThat(served.get(0)).isEqualTo(SystemMessage.from("sys"));
    assertThat(served.subList(1, 46)).isEqualTo(history.subList(55, 100));
    assertThat(counting.tailReads.get()).isEqualTo(2); // 32, then 64 older
    counting.tailReads.set(0);
    assertThat(memory(counting, "tokens").maxTokens(105, tenEach).build().messages()).hasSize(11);
    assertThat(counting.tailReads.get()).isEqualTo(1);
    assertThat(memory(counting, "tokens").maxTokens(4, tenEach).build().messages())
        .containsExactly(SystemMessage.from("sys"));
    assertThat(memory(counting, "tokens").maxTokens(100_000, tenEach).build().messages()).hasSize(101);
  }

  @Test
  void attributesComeBackAsTheSameJavaTypes() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("int", 7);
    nested.put("long", 7L);
    nested.put("big", new BigInteger("123456789012345678901234567890"));
    nested.put("small big", BigInteger.TEN);
    nested.put("double", 0.1);
    nested.put("whole double", 3.0);
    nested.put("nan", Double.NaN);
    nested.put("negative zero", -0.0);
    nested.put("float", 1.5f);
    nested.put("decimal", new BigDecimal("3.00"));
    nested.put("short", (short) 3);
    nested.put("byte", (byte) -1);
    nested.put("char", 'x');
    nested.put("null", null);
    nested.put("list with null", Arrays.asList(1, null, "two"));
    nested.put("set", new LinkedHashSet<>(List.of("a", "b")));
    Map<Object, Object> intKeys = new HashMap<>();
    intKeys.put(1, "one");
    intKeys.put(2L, List.of());
    nested.put("int keys", intKeys);
    nested.put("$type", "a key that looks like a tag");
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("nested", nested);
    attributes.put("bytes", new byte[] {0, 1, (byte) 0xff});
    attributes.put("when", Instant.parse("2026-12-06T10:15:30.123456789Z"));
    attributes.put("uuid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
    attributes.put("uri", URI.create("https://example.com/a?b=c"));
    attributes.put("max long", Long.MAX_VALUE);
    attributes.put(
        AiMessage.GENERATED_IMAGES_KEY,
        List.of(Image.builder().base64Data("iVBORw0KGgo=").mimeType("image/png").build(), Image.builder().url("https://example.com/i.png").build()));
    attributes.put(
        "server_tool_results",
        List.of(
            AnthropicServerToolResult.builder()
                .type("code_execution_tool_result")
                .toolUseId("srvtoolu_1")
                .content(Map.of("type", "code_execution_result", "stdout", "4\n", "return_code", 0, "content", List.of()))
                .build()));
    AiMessage original = AiMessage.builder().text("done").attributes(attributes).build();

    memory(storage(), "attrs").maxMessages(10).build().add(List.of(UserMessage.from("hi"), original));
    SessionStorage again = reopen();
    ChatMessage back = memory(again, "attrs").maxMessages(10).build().messages().get(1);
    assertThat(((AiMessage) back).text()).isEqualTo("done");
    Map<String, Object> read = ((AiMessage) back).attributes();
    assertThat(read.keySet()).isEqualTo(attributes.keySet());
    assertThat((byte[]) read.get("bytes")).containsExactly(0, 1, 0xff);
    // everything but the byte[] (arrays compare by identity) is equal, with the same classes
    assertThat(withoutBytes(read)).isEqualTo(withoutBytes(attributes));
    assertSameTypes(read.get("nested"), nested);
    assertThat(read.get("max long")).isInstanceOf(Long.class);
    assertThat(((List<?>) read.get("server_tool_results")).get(0)).isInstanceOf(AnthropicServerToolResult.class);
  }

  @Test
  void anAttributeOfATypeWithoutACodecFailsNamingItAndWritesNothing() {
    SessionWindowChatMemory memory = memory(storage(), "refused").maxMessages(10).build();
    memory.add(UserMessage.from("hi"));
    AiMessage odd = AiMessage.builder().text("x").attributes(Map.of("state", Thread.State.NEW)).build();
    assertThatThrownBy(() -> memory.add(odd))
        .isInstanceOf(UnmappableMessageException.class)
        .hasMessageContaining("attribute \"state\"")
        .hasMessageContaining("java.lang.Thread$State has no attribute codec");
    assertThat(stored("refused").messages()).containsExactly(Message.user("hi"));
    // with a codec registered, the same message is stored and read back
    AttributeCodec<Thread.State> codec = new AttributeCodec<>() {
      @Override public String tag() { return "test.thread_state"; }
      @Override public Class<Thread.State> type() { return Thread.State.class; }
      @Override public JsonValue encode(Thread.State v, AttributeCodecs c) { return JsonValue.of(v.name()); }
      @Override public Thread.State decode(JsonValue j, AttributeCodecs c) { return Thread.State.valueOf(((JsonValue.JsonString) j).value()); }
    };
    AttributeCodecs codecs = AttributeCodecs.defaults().with(codec);
    memory(storage(), "refused").maxMessages(10).attributeCodecs(codecs).build().add(odd);
    assertThat(memory(storage(), "refused").maxMessages(10).attributeCodecs(codecs).build().messages())
        .containsExactly(UserMessage.from("hi"), odd);
    assertThatThrownBy(() -> memory(storage(), "refused").maxMessages(10).build().messages())
        .isInstanceOf(UnmappableMessageException.class)
        .hasMessageContaining("attribute \"state\"")
        .hasMessageContaining("\"test.thread_state\"");
  }

  @Test
  void anAddWhoseReplyWasLostIsStoredOnceWhenRetried() {
    Assumptions.assumeTrue(keyed(), "the store does not support idempotency keys yet");
    RecordingStorage lossy = new RecordingStorage(storage());
    SessionWindowChatMemory memory = memory(lossy, "retry").maxMessages(10).build();
    memory.add(UserMessage.from("first"));
    // the memory retries by itself with the same key
    lossy.appliedButReplyLost.set(2);
    memory.add(AiMessage.from("applied, reply lost twice"));
    // it gives up after its retries; the caller's retry of the same add carries the same key
    lossy.appliedButReplyLost.set(SessionWindowChatMemory.AMBIGUOUS_RETRIES + 1);
    assertThatThrownBy(() -> memory.add(UserMessage.from("second"))).isInstanceOf(AmbiguousOutcomeException.class);
    memory.add(UserMessage.from("second"));
    assertThat(stored("retry").messages())
        .containsExactly(Message.user("first"), Message.assistant("applied, reply lost twice"), Message.user("second"));
    // the next add is a new write, not mistaken for a retry
    memory.add(UserMessage.from("second"));
    assertThat(stored("retry").messages()).hasSize(4);
  }

  @Test
  void clearDeletesTheSessionAndSetReplacesTheConversation() {
    SessionWindowChatMemory memory = memory(storage(), "life").maxMessages(10).build();
    memory.add(SystemMessage.from("s"));
    memory.add(List.of(UserMessage.from("a"), AiMessage.from("b")));
    memory.set(List.of(SystemMessage.from("t"), UserMessage.from("summary")));
    assertThat(memory.messages()).containsExactly(SystemMessage.from("t"), UserMessage.from("summary"));
    assertThat(stored("life").messages()).containsExactly(Message.user("summary"));
    memory.set(List.of(UserMessage.from("no system")));
    assertThat(memory.messages()).containsExactly(UserMessage.from("no system"));
    assertThatThrownBy(() -> memory.set(List.of())).isInstanceOf(IllegalArgumentException.class);
    memory.clear();
    assertThat(memory.messages()).isEmpty();
    assertThatThrownBy(() -> Futures.await(storage().load("life"), 30, SECONDS))
        .isInstanceOf(SessionNotFoundException.class);
    memory.clear(); // nothing to clear: no error
    memory.add(UserMessage.from("again"));
    assertThat(stored("life").messages()).containsExactly(Message.user("again"));
  }

  @Test
  void concurrentTurnsOnOneConversationLoseNothing() throws Exception {
    // Half the threads share one memory (as an AI service does), half have their own (as other
    // instances of the application do), all on one conversation.
    SessionWindowChatMemory shared = memory(storage(), "busy").maxMessages(8).build();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        SessionWindowChatMemory memory = thread % 2 == 0 ? shared : memory(storage(), "busy").maxMessages(8).build();
        done.add(pool.submit(() -> {
          for (int turn = 0; turn < TURNS; turn++) {
            memory.messages();
            memory.add(UserMessage.from("t" + thread + " q" + turn));
            LockSupport.parkNanos(20_000);
            memory.messages();
            memory.add(AiMessage.from("t" + thread + " a" + turn));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Message> all = stored("busy").messages();
    assertThat(all).hasSize(THREADS * TURNS * 2).doesNotHaveDuplicates();
    for (int t = 0; t < THREADS; t++) {
      String prefix = "t" + t + " ";
      List<String> mine = all.stream()
          .map(m -> ((org.sessionkit.ContentBlock.Text) m.content().get(0)).text())
          .filter(text -> text.startsWith(prefix))
          .toList();
      List<String> expected = new ArrayList<>();
      for (int turn = 0; turn < TURNS; turn++) {
        expected.add(prefix + "q" + turn);
        expected.add(prefix + "a" + turn);
      }
      assertThat(mine).as("thread %d, in order", t).isEqualTo(expected);
    }
  }

  private static Map<String, Object> withoutBytes(Map<String, Object> attributes) {
    Map<String, Object> copy = new LinkedHashMap<>(attributes);
    copy.remove("bytes");
    return copy;
  }

  /** Asserts that {@code actual} equals {@code expected} with the same Java classes, deeply. */
  static void assertSameTypes(Object actual, Object expected) {
    if (expected == null) {
      assertThat(actual).isNull();
    } else if (expected instanceof Map<?, ?> e) {
      assertThat(actual).isInstanceOf(Map.class).isEqualTo(expected);
      for (Object k : e.keySet()) {
        assertSameTypes(((Map<?, ?>) actual).get(k), e.get(k));
      }
    } else if (expected instanceof List<?> e) {
      assertThat(actual).isInstanceOf(List.class).isEqualTo(expected);
      for (int i = 0; i < e.size(); i++) {
        assertSameTypes(((List<?>) actual).get(i), e.get(i));
      }
    } else if (expected instanceof java.util.Set<?>) {
      assertThat(actual).isInstanceOf(java.util.Set.class).isEqualTo(expected);
    } else {
      assertThat(actual).isEqualTo(expected);
      assertThat(actual.getClass()).isEqualTo(expected.getClass());
    }
  }

  /** 5 tokens for a system message, 10 for any other. */
  private static final class FixedEstimator implements TokenCountEstimator {
    @Override
    public int estimateTokenCountInText(String text) {
      return 10;
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
      return message instanceof SystemMessage ? 5 : 10;
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
}
