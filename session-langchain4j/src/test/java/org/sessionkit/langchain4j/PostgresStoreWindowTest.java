package org.sessionkit.langchain4j;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.Futures;
import org.sessionkit.Message;
import org.sessionkit.SessionStorage;

/**
 * {@link SessionWindowChatMemory} over the PostgreSQL store, on a schema of the test's own;
 * reopening means a new store (a new connection pool) on the same schema.
 */
class PostgresStoreWindowTest extends WindowChatMemoryTests {

  private TestPostgres server;
  private String storeUrl;

  @BeforeEach
  void chooseSchema() {
    server = TestPostgres.require();
    storeUrl = server.newStoreUrl();
  }

  @AfterEach
  void dropSchema() throws Exception {
    // Runs before the superclass's @AfterEach: close the store (its pool) before its schema goes.
    closeStorage();
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected SessionStorage openStorage() {
    return TestPostgres.open(storeUrl);
  }

  @Override
  protected boolean persistent() {
    return true;
  }

  @Test
  void concurrentTurnsThroughTwoStoresOnOneSchemaLoseNothing() throws Exception {
    // Two applications: two stores (two connection pools) on one schema, a memory each.
    try (SessionStorage other = openStorage()) {
      List<SessionWindowChatMemory> memories =
          List.of(memory(storage(), "shared").maxMessages(6).build(), memory(other, "shared").maxMessages(6).build());
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          SessionWindowChatMemory memory = memories.get(thread % 2);
          done.add(pool.submit(() -> {
            for (int turn = 0; turn < TURNS; turn++) {
              memory.messages();
              memory.add(List.of(UserMessage.from(thread + "/" + turn + "?"), AiMessage.from(thread + "/" + turn + "!")));
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(120, SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    List<Message> all = Futures.await(storage().load("shared"), 30, SECONDS).messages();
    assertThat(all).hasSize(THREADS * TURNS * 2).doesNotHaveDuplicates();
    // each turn's two messages were appended together
    for (int i = 0; i < all.size(); i += 2) {
      String q = ((org.sessionkit.ContentBlock.Text) all.get(i).content().get(0)).text();
      assertThat(all.get(i + 1)).isEqualTo(Message.assistant(q.replace('?', '!')));
    }
  }
}
