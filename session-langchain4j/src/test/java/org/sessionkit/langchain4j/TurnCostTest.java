package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.SessionStorage;
import org.sessionkit.file.FileSessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * What a turn through {@link SessionWindowChatMemory} (read the 20-message window, add the
 * question, add the answer) costs over a history of 10 and of 10,000 messages. Full scale only
 * ({@code -Dsessionkit.test.scale=full}); prints a table. On PostgreSQL (an append inserts rows,
 * the tail is an index range) a turn at 10,000 must stay within 2× of a turn at 10. The file
 * store rewrites its document on every write, so its cost grows with the history, and the
 * memory store's numbers are too small to compare on a shared machine: both are reported only.
 */
class TurnCostTest {

  private static final int TURNS = 200;

  @TempDir Path directory;

  @Test
  void aTurnCostsAboutTheSameAtMessage10And10000() throws Exception {
    Assumptions.assumeTrue(WindowChatMemoryTests.FULL, "a measurement: run with -Dsessionkit.test.scale=full");
    List<String> rows = new ArrayList<>();
    measure("memory", MemorySessionStorage::new, false, rows);
    measure("file (fsync off)", () -> FileSessionStorage.builder(directory).fsync(false).build(), false, rows);
    try (TestPostgres server = TestPostgres.require()) {
      String url = server.newStoreUrl();
      measure("postgresql", () -> TestPostgres.open(url), true, rows);
    }
    System.out.println("median time of a turn (read the window of 20, add a question, add an answer):");
    rows.forEach(System.out::println);
  }

  private void measure(String name, Supplier<SessionStorage> open, boolean flat, List<String> rows) {
    try (SessionStorage storage = open.get()) {
      double at10 = medianTurnMicros(storage, name + "-10", 10);
      double at10000 = medianTurnMicros(storage, name + "-10000", 10_000);
      rows.add(String.format(Locale.ROOT, "  %-18s at 10: %8.1f µs   at 10,000: %8.1f µs   ratio %.2f", name, at10, at10000, at10000 / at10));
      System.out.println(rows.get(rows.size() - 1));
      if (flat) {
        assertThat(at10000 / at10).as(name).isLessThan(2.0);
      }
    }
  }

  private static double medianTurnMicros(SessionStorage storage, String id, int history) {
    SessionWindowChatMemory memory = SessionWindowChatMemory.builder(storage).id(id).maxMessages(20).idempotencyKeys(false).build();
    List<ChatMessage> earlier = new ArrayList<>();
    for (int i = 0; i < history / 2; i++) {
      earlier.add(UserMessage.from("question " + i + " about something of moderate length"));
      earlier.add(AiMessage.from("answer " + i + " with a few more words than the question had"));
    }
    memory.add(earlier);
    long[] nanos = new long[TURNS];
    for (int t = 0; t < TURNS; t++) {
      long start = System.nanoTime();
      memory.messages();
      memory.add(UserMessage.from("new question " + t));
      memory.add(AiMessage.from("new answer " + t));
      nanos[t] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos[TURNS / 2] / 1_000.0;
  }
}
