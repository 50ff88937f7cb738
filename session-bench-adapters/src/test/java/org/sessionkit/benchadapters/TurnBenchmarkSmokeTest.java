package org.sessionkit.benchadapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;

/**
 * The CI smoke pass of {@link TurnBenchmark}: its setup, reset, turn and teardown run once each,
 * untimed, for both repositories at every length JMH runs, on the test server. Keeps the
 * benchmark from rotting, and shows that both repositories do the same work in a turn.
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

  @ParameterizedTest(name = "a conversation of {0} messages")
  @ValueSource(ints = {10, 100, 1000})
  void aTurnAddsTheSameTwoMessagesThroughBothRepositories(int length) throws Exception {
    Map<String, List<String>> read = new TreeMap<>();
    for (String repository : TrialRepository.NAMES) {
      TurnBenchmark b = new TurnBenchmark();
      b.length = length;
      b.repository = repository;
      b.setup(SERVER);
      String schema = b.trial.schema();
      try {
        assertThat(SERVER.schemaExists(schema)).isTrue();
        assertThat(b.chatMemoryRepository.findByConversationId(TurnBenchmark.CONVERSATION)).hasSize(length);
        b.reset();
        List<Message> after = b.turn();
        assertThat(after).as(repository).hasSize(length + 2);
        assertThat(after.subList(length, length + 2))
            .extracting(Message::getMessageType)
            .containsExactly(MessageType.USER, MessageType.ASSISTANT);
        assertThat(after.get(length).getText()).startsWith("Question 0:");
        assertThat(after.get(length + 1).getText()).startsWith("Answer 0:").hasSizeGreaterThan(450);
        read.put(repository, after.stream().map(m -> m.getMessageType() + ": " + m.getText()).toList());

        // Below a tenth of growth reset keeps the conversation (at 1,000 messages, 50 turns:
        // checked at the shorter lengths only, to keep the smoke pass quick).
        int turns = 1;
        while (length <= 100 && turns * 2 < Math.max(2, length / 10)) {
          b.reset();
          b.turn();
          turns++;
        }
        assertThat(b.chatMemoryRepository.findByConversationId(TurnBenchmark.CONVERSATION))
            .hasSize(length + 2 * turns);
        // From a tenth on, reset saves it back at its length.
        boolean grownByATenth = turns * 2 >= Math.max(2, length / 10);
        b.reset();
        assertThat(b.chatMemoryRepository.findByConversationId(TurnBenchmark.CONVERSATION))
            .hasSize(grownByATenth ? length : length + 2 * turns);
      } finally {
        b.tearDown();
      }
      assertThat(SERVER.schemaExists(schema)).as("the trial's schema is dropped").isFalse();
    }
    assertThat(read.get(TrialRepository.SESSIONKIT)).isEqualTo(read.get(TrialRepository.SPRING_AI_JDBC));
  }
}
