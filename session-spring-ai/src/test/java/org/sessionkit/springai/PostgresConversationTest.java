package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionStorage;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.Message;

/**
 * {@link ConversationContract} over the PostgreSQL store, opened by URI on a schema of the test's
 * own, plus a conversation that survives the application closing its store (its connection pool)
 * and opening a new one, and the rows a turn writes.
 */
class PostgresConversationTest extends ConversationContract {

  private TestPostgres server;
  private String storeUrl;

  @BeforeEach
  @Override
  void openStore() {
    // Choose the schema before the superclass's @BeforeEach opens the store on it.
    server = TestPostgres.require();
    storeUrl = server.newStoreUrl();
    super.openStore();
  }

  @AfterEach
  void dropSchema() throws Exception {
    // JUnit runs this before the superclass's @AfterEach: close the store's pool before its
    // schema goes; the superclass's second close is a no-op.
    if (server != null) { // null when the test was skipped for want of a server
      storage.close();
      server.close();
    }
  }

  @Override
  SessionStorage open() {
    return TestPostgres.open(storeUrl);
  }

  @Test
  void aToolConversationSurvivesReopeningTheStore() {
    List<Message> written = new ArrayList<>();
    ChatMemory memory = MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(100).build();
    for (int n = 0; n < 3; n++) {
      for (List<Message> add : turn(n, "Lyon")) {
        memory.add("user-7/trip planning", add);
        written.addAll(add);
      }
    }
    storage.close();

    try (SessionStorage reopened = open()) {
      SessionChatMemoryRepository again = SessionChatMemoryRepository.create(reopened);
      assertThat(again.findConversationIds()).containsExactly("user-7/trip planning");
      List<Message> read = again.findByConversationId("user-7/trip planning");
      assertThat(read).isEqualTo(written);
      // The conversation goes on in the new store, a turn still costing one read and one append.
      CountingStorage counted = new CountingStorage(reopened);
      ChatMemory continued =
          MessageWindowChatMemory.builder()
              .chatMemoryRepository(SessionChatMemoryRepository.create(counted.storage()))
              .maxMessages(100)
              .build();
      for (List<Message> add : turn(3, "Nice")) {
        counted.takeCounts();
        continued.add("user-7/trip planning", add);
        assertThat(counted.takeCounts()).isEqualTo(Map.of("loadVersioned", 1, "append", 1));
        written.addAll(add);
      }
      assertThat(again.findByConversationId("user-7/trip planning")).isEqualTo(written);
    }
  }

  @Test
  void aTurnInsertsOnlyItsOwnRows() throws Exception {
    ChatMemory memory = MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(100).build();
    for (List<Message> add : turn(0, "Graz")) {
      memory.add("c", add);
    }
    String schema = storeUrl.replaceAll(".*[?&]schema=([^&]+).*", "$1");
    String firstRow =
        "SELECT xmin::text::bigint FROM \"" + schema + "\".messages WHERE session_id = 'c' AND position = 0";
    long before = server.queryLong(firstRow);
    for (List<Message> add : turn(1, "Linz")) {
      memory.add("c", add);
    }
    assertThat(server.queryLong("SELECT count(*) FROM \"" + schema + "\".messages WHERE session_id = 'c'"))
        .isEqualTo(8);
    // The first message's row is the very row version the first turn wrote: never rewritten.
    assertThat(server.queryLong(firstRow)).isEqualTo(before);
  }
}
