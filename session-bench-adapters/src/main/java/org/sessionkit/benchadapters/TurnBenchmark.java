package org.sessionkit.benchadapters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * One chat turn through Spring AI's {@link MessageWindowChatMemory} on a conversation of {@code
 * length} messages, over sessionkit's repository on the PostgreSQL store or over Spring AI's own
 * JDBC repository on the same server (the {@code repository} parameter, see {@link
 * TrialRepository}).
 *
 * <p>A turn is what Spring AI's chat-memory advisor does around one model call: add the user's
 * message, add the assistant's reply (each {@code add} reads the conversation and saves the whole
 * new list), then read the conversation, as the next prompt does. The window holds {@value
 * #WINDOW} messages, more than any measured conversation, so no turn trims it: a window smaller
 * than the conversation would make every save a rewrite in both repositories and measure the
 * trimming instead of the turn.
 *
 * <p>Turns grow the conversation, so an untimed {@code Level.Invocation} setup saves it back at
 * {@code length} messages whenever it has grown by a tenth (before every turn at 10 messages,
 * every 50 turns at 1,000): a turn "at 1,000" meets 1,000 to 1,098 messages. The messages are
 * plain text (Spring AI's JDBC repository stores only text and type): questions of about 100
 * characters and answers of about 500. One operation is one turn; one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TurnBenchmark {

  /** The window of the chat memory: larger than every conversation measured. */
  public static final int WINDOW = 10_000;

  /** The conversation's id (Spring AI's table allows 36 characters). */
  static final String CONVERSATION = "bench-turn";

  /** Messages in the conversation before the turn. */
  @Param({"10", "100", "1000"})
  public int length;

  /** The repository under test: {@value TrialRepository#SESSIONKIT} or {@value TrialRepository#SPRING_AI_JDBC}. */
  @Param({TrialRepository.SESSIONKIT, TrialRepository.SPRING_AI_JDBC})
  public String repository;

  // Package-private for the smoke test, which checks what the benchmark did.
  TrialRepository trial;
  ChatMemoryRepository chatMemoryRepository;
  private ChatMemory memory;
  private List<Message> conversation;
  private int added;
  private int turns;

  /** Creates the benchmark (JMH instantiates it). */
  public TurnBenchmark() {}

  /**
   * Opens the repository on a new schema of the server ({@link BenchPostgres#fromEnvironment()})
   * and stores the conversation of {@code length} messages.
   */
  @Setup(Level.Trial)
  public void setup() {
    setup(BenchPostgres.fromEnvironment());
  }

  /** {@link #setup()} on {@code server}. */
  void setup(BenchPostgres server) {
    trial = TrialRepository.open(repository, server);
    chatMemoryRepository = trial.repository();
    memory = MessageWindowChatMemory.builder().chatMemoryRepository(chatMemoryRepository).maxMessages(WINDOW).build();
    conversation = conversation(length);
    chatMemoryRepository.saveAll(CONVERSATION, conversation);
    added = 0;
  }

  /** Saves the conversation back at {@code length} messages once turns have grown it by a tenth. */
  @Setup(Level.Invocation)
  public void reset() {
    if (added >= Math.max(2, length / 10)) {
      chatMemoryRepository.saveAll(CONVERSATION, conversation);
      added = 0;
    }
  }

  /** Closes the repository and drops its schema. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (trial != null) {
      trial.close();
      trial = null;
    }
  }

  /**
   * One turn: the user's message and the assistant's reply added through the window memory, then
   * the conversation read.
   *
   * @return the conversation after the turn
   */
  @Benchmark
  public List<Message> turn() {
    int n = turns++;
    memory.add(CONVERSATION, question(n));
    memory.add(CONVERSATION, answer(n));
    added += 2;
    return memory.get(CONVERSATION);
  }

  /** The stored conversation of {@code length} messages: questions and answers alternating. */
  static List<Message> conversation(int length) {
    List<Message> messages = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      messages.add(i % 2 == 0 ? question(-1 - i) : answer(-1 - i));
    }
    return List.copyOf(messages);
  }

  /** A user's question of about 100 characters. */
  static Message question(int n) {
    return new UserMessage(String.format(Locale.ROOT,
        "Question %d: what does the log say about the failed deployment of service %d, and why?", n, n % 17));
  }

  /** An assistant's answer of about 500 characters. */
  static Message answer(int n) {
    StringBuilder text = new StringBuilder(520);
    text.append("Answer ").append(n).append(": the deployment stopped at the health check. ");
    while (text.length() < 480) {
      text.append("The container started, bound its port and answered, but the probe timed out first. ");
    }
    return new AssistantMessage(text.toString());
  }
}
