package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.ChatMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.SessionStorage;
import org.sessionkit.file.FileSessionStorage;

/** The LangChain4j conversations over the file store, including reopening the directory. */
class FileStoreConversationTest extends ChatMemoryConversationTests {

  @TempDir Path directory;

  @Override
  protected SessionStorage openStorage() {
    // Durability is not what these tests are about; the file store's own tests cover fsync.
    return FileSessionStorage.builder(directory).fsync(false).build();
  }

  @Override
  protected boolean persistent() {
    return true;
  }

  @Test
  void everyMappableMessageSurvivesAReopenedDirectory() throws Exception {
    List<ChatMessage> all = LangChain4jMessagesTest.everyMappableMessage();
    try (SessionStorage first = openStorage()) {
      SessionChatMemoryStore.of(first).updateMessages("user-42/chat 1", all);
    }
    try (SessionStorage second = openStorage()) {
      assertThat(SessionChatMemoryStore.of(second).getMessages("user-42/chat 1")).isEqualTo(all);
    }
    // one neuron-format JSON document in the directory
    try (var files = Files.list(directory)) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".json"))).hasSize(1);
    }
  }
}
