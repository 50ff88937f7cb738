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
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * One chat turn through a chat memory on a conversation whose history is {@code length}
 * messages: (a) sessionkit's window memory, (b) Spring AI's window memory over its JDBC
 * repository, (c) Spring AI's window memory as large as the history over sessionkit's
 * repository (the {@code memory} parameter, see {@link TrialMemory}), all on one PostgreSQL.
 *
 * <p>A turn is what Spring AI's chat-memory advisor does around one model call: add the user's
 * message, add the assistant's reply, then read the memory for the next prompt. (a) and (c)
 * keep the whole history, so turns grow it: an untimed {@code Level.Invocation} setup stores it
 * back at {@code length} messages whenever it has grown by a tenth (a turn "at 1,000" meets 1,000
 * to 1,098 messages). (b) deletes everything but its window of 20 on its first turn (that is
 * how it works), so its later turns meet 20 messages whatever {@code length} was: it is not put
 * back. Plain text messages (Spring AI's JDBC repository stores only text and type): questions of
 * about 100 characters and answers of about 500. One operation is one turn; one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TurnBenchmark {

  /** The conversation's id (Spring AI's table allows 36 characters). */
  static final String CONVERSATION = "bench-turn";

  /** Messages in the history before the turn. */
  @Param({"10", "100", "1000", "10000"})
  public int length;

  /** The memory under test: one of {@link TrialMemory#NAMES}. */
  @Param({TrialMemory.WINDOW_MEMORY, TrialMemory.SPRING_AI_JDBC, TrialMemory.REPOSITORY})
  public String memory;

  // Package-private for the smoke test, which checks what the benchmark did.
  TrialMemory trial;
  private ChatMemory chatMemory;
  private List<Message> conversation;
  private int added;
  private int turns;

  /** Creates the benchmark (JMH instantiates it). */
  public TurnBenchmark() {}

  /** Opens the memory on a new schema of the server and stores the history of {@code length} messages. */
  @Setup(Level.Trial)
  public void setup() {
    setup(BenchPostgres.fromEnvironment());
  }

  /** {@link #setup()} on {@code server}. */
  void setup(BenchPostgres server) {
    trial = TrialMemory.open(memory, server);
    chatMemory = trial.memory();
    conversation = conversation(length);
    trial.store(CONVERSATION, conversation);
    added = 0;
  }

  /** Stores the history back at {@code length} messages once turns have grown it by a tenth. */
  @Setup(Level.Invocation)
  public void reset() {
    if (!memory.equals(TrialMemory.SPRING_AI_JDBC) && added >= Math.max(2, length / 10)) {
      trial.store(CONVERSATION, conversation);
      added = 0;
      // The read a turn ends with, again: the memories remember the revision they last saw, and
      // the next turn should meet what it meets after a turn, not a stale revision.
      chatMemory.get(CONVERSATION);
    }
  }

  /** Closes the memory and drops its schema. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (trial != null) {
      trial.close();
      trial = null;
    }
  }

  /**
   * One turn: the user's message and the assistant's reply added, then the memory read for the
   * next prompt.
   *
   * @return what the next prompt gets
   */
  @Benchmark
  public List<Message> turn() {
    int n = turns++;
    chatMemory.add(CONVERSATION, question(n));
    chatMemory.add(CONVERSATION, answer(n));
    added += 2;
    return chatMemory.get(CONVERSATION);
  }

  /** A history of {@code length} messages: questions and answers alternating. */
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
