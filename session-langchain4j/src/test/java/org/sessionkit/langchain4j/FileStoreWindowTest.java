package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.SessionStorage;
import org.sessionkit.file.FileSessionStorage;

/** {@link SessionWindowChatMemory} over the file store, including its document size limit. */
class FileStoreWindowTest extends WindowChatMemoryTests {

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
  void aSessionAtTheSizeLimitRefusesTheNextAddAndKeepsServing() {
    try (SessionStorage small = FileSessionStorage.builder(directory.resolve("small")).fsync(false).maxDocumentBytes(4096).build()) {
      SessionWindowChatMemory memory = memory(small, "full").maxMessages(4).build();
      int added = 0;
      Throwable refused = null;
      while (refused == null) {
        try {
          memory.add(UserMessage.from("message number " + added + " " + "x".repeat(100)));
          added++;
        } catch (InvalidSessionException e) {
          refused = e;
        }
      }
      assertThat(refused).hasMessageContaining("4096");
      assertThat(added).isGreaterThan(10);
      // nothing of the refused add was written; reading goes on; the next add is refused too
      assertThat(memory.messages()).hasSize(4).last().isEqualTo(UserMessage.from("message number " + (added - 1) + " " + "x".repeat(100)));
      assertThatThrownBy(() -> memory.add(AiMessage.from("y".repeat(200)))).isInstanceOf(InvalidSessionException.class);
      // clear() starts over
      memory.clear();
      memory.add(UserMessage.from("fresh"));
      assertThat(memory.messages()).containsExactly(UserMessage.from("fresh"));
    }
  }
}
