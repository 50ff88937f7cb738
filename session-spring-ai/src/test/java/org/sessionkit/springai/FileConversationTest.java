package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.SessionStorage;
import org.sessionkit.file.FileSessionStorage;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.Message;

/**
 * {@link ConversationContract} over the file store, plus what only a persistent store can show:
 * a conversation that survives the application closing and reopening its directory, kept as
 * one neuron-format document per conversation.
 */
class FileConversationTest extends ConversationContract {

  @TempDir Path directory;

  @Override
  SessionStorage open() {
    // Durability is not what these tests are about; the file store's own tests cover fsync.
    return FileSessionStorage.builder(directory).fsync(false).build();
  }

  @Test
  void aToolConversationSurvivesReopeningTheDirectory() throws IOException {
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
      assertThat(read).hasSize(12);
      assertThat(read).extracting(Message::getMessageType).containsExactlyElementsOf(
          written.stream().map(Message::getMessageType).toList());
      assertThat(read).extracting(Message::getText).containsExactlyElementsOf(
          written.stream().map(Message::getText).toList());
    }
    try (Stream<Path> files = Files.list(directory)) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".json"))).hasSize(1);
    }
  }
}
