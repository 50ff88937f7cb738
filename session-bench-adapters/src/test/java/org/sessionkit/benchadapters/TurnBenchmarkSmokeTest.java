package org.sessionkit.benchadapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;

/**
 * The CI smoke pass of {@link TurnBenchmark}: its setup, reset, turn and teardown run once each,
 * untimed, for the three memories at the shorter lengths JMH runs, on the test server. Keeps the
 * benchmark from rotting, and shows what each memory keeps and serves.
 *
 * <p>Skipped with a message without a PostgreSQL server; under {@code CI} a missing server fails.
 */
class TurnBenchmarkSmokeTest {

  private static final BenchPostgres SERVER = BenchPostgres.fromEnvironment();

  @BeforeAll
  static void requireServer() {
    if (!SERVER.answers()) {
      String why = "adapter benchmark smoke test skipped: no PostgreSQL server answers at " + SERVER
          + "; start one or point SESSIONKIT_TEST_POSTGRES_URL at one";
      if (System.getenv("CI") != null) {
        fail(why + " (CI is set, so a missing server is an error)");
      }
      Assumptions.abort(why);
    }
  }

  @ParameterizedTest(name = "a history of {0} messages")
  @ValueSource(ints = {10, 100})
  void aTurnAddsTwoMessagesAndServesWhatEachMemoryPromises(int length) throws Exception {
    for (String memory : TrialMemory.NAMES) {
      TurnBenchmark b = new TurnBenchmark();
      b.length = length;
      b.memory = memory;
      b.setup(SERVER);
      String schema = b.trial.schema();
      try {
        assertThat(SERVER.schemaExists(schema)).isTrue();
        assertThat(b.trial.stored(TurnBenchmark.CONVERSATION)).hasSize(length);
        b.reset();
        List<Message> served = b.turn();
        int expected = memory.equals(TrialMemory.REPOSITORY) ? length + 2 : Math.min(length + 2, TrialMemory.WINDOW);
        assertThat(served).as(memory).hasSize(expected);
        assertThat(served.subList(expected - 2, expected))
            .extracting(Message::getMessageType)
            .containsExactly(MessageType.USER, MessageType.ASSISTANT);
        assertThat(served.get(expected - 2).getText()).startsWith("Question 0:");
        assertThat(served.get(expected - 1).getText()).startsWith("Answer 0:").hasSizeGreaterThan(450);
        // (a) and (c) keep the whole history; (b) keeps only its window.
        int kept = memory.equals(TrialMemory.SPRING_AI_JDBC) ? Math.min(length + 2, TrialMemory.WINDOW) : length + 2;
        assertThat(b.trial.stored(TurnBenchmark.CONVERSATION)).as(memory).hasSize(kept);
        // From a tenth of growth on, reset stores the history back at its length ((a) and (c)).
        for (int turns = 1; turns * 2 < Math.max(2, length / 10); turns++) {
          b.reset();
          b.turn();
        }
        b.reset();
        if (!memory.equals(TrialMemory.SPRING_AI_JDBC)) {
          assertThat(b.trial.stored(TurnBenchmark.CONVERSATION)).as(memory).hasSize(length);
        }
      } finally {
        b.tearDown();
      }
      assertThat(SERVER.schemaExists(schema)).as("the trial's schema is dropped").isFalse();
    }
  }
}
