package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionStorage;

/**
 * The LangChain4j conversations over the PostgreSQL store, opened by URI on a schema of the
 * test's own; reopening means a new store (a new connection pool) on the same schema, as after a
 * restart.
 */
class PostgresStoreConversationTest extends ChatMemoryConversationTests {

  private TestPostgres server;
  private String storeUrl;

  @BeforeEach
  void chooseSchema() {
    server = TestPostgres.require();
    storeUrl = server.newStoreUrl();
  }

  @AfterEach
  void dropSchema() throws Exception {
    // JUnit runs this before the superclass's @AfterEach: close the store (its pool) before its
    // schema goes; the superclass's second close is a no-op.
    closeStorage();
    if (server != null) { // null when the test was skipped for want of a server
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
  void everyMappableMessageSurvivesAReopenedStore() {
    List<ChatMessage> all = LangChain4jMessagesTest.everyMappableMessage();
    try (SessionStorage first = openStorage()) {
      SessionChatMemoryStore.of(first).updateMessages("user-42/chat 1", all);
    }
    try (SessionStorage second = openStorage()) {
      assertThat(SessionChatMemoryStore.of(second).getMessages("user-42/chat 1")).isEqualTo(all);
    }
  }

  @Test
  void turnsAreAppendedAsRowsWithoutRewritingEarlierOnes() throws Exception {
    try (SessionStorage storage = openStorage()) {
      SessionChatMemoryStore store = SessionChatMemoryStore.of(storage);
      List<ChatMessage> messages = new ArrayList<>(List.of(UserMessage.from("hi"), AiMessage.from("hello")));
      store.updateMessages("c", messages);
      String schema = storeUrl.replaceAll(".*[?&]schema=([^&]+).*", "$1");
      long firstRowVersion = server.queryLong(
          "SELECT xmin::text::bigint FROM \"" + schema + "\".messages WHERE session_id = 'c' AND position = 0");
      for (int turn = 0; turn < 3; turn++) {
        List<ChatMessage> read = store.getMessages("c");
        read.add(UserMessage.from("question " + turn));
        read.add(AiMessage.from("answer " + turn));
        store.updateMessages("c", read);
      }
      assertThat(server.queryLong("SELECT count(*) FROM \"" + schema + "\".messages WHERE session_id = 'c'"))
          .isEqualTo(8);
      // The first message's row was never rewritten: the same row version as after the first write.
      assertThat(server.queryLong(
              "SELECT xmin::text::bigint FROM \"" + schema + "\".messages WHERE session_id = 'c' AND position = 0"))
          .isEqualTo(firstRowVersion);
    }
  }
}
