package org.sessionkit.springai;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.memory.MemorySessionStorage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.UserMessage;

class RepositoryBehaviourTest {

  private final SessionStorage storage = new MemorySessionStorage();

  @AfterEach
  void close() {
    storage.close();
  }

  private void store(String id) {
    Futures.await(storage.save(Session.create(id, "/").withMessage(Message.user(id))), 30, SECONDS);
  }

  @Test
  void conversationIdsWalkEveryPageAndHonourThePrefix() {
    int n = ListQuery.MAX_LIMIT + 50; // more than one page
    for (int i = 0; i < n; i++) {
      store("chat/" + i);
    }
    store("other");
    SessionChatMemoryRepository prefixed =
        SessionChatMemoryRepository.builder(storage).conversationIdPrefix("chat/").build();
    List<String> ids = prefixed.findConversationIds();
    assertThat(ids).hasSize(n).doesNotContain("other");
    assertThat(new HashSet<>(ids)).hasSize(n).contains("0", String.valueOf(n - 1));
    assertThat(SessionChatMemoryRepository.create(storage).findConversationIds()).hasSize(n + 1).contains("chat/7", "other");
    // The prefix is part of the session id, and only of it.
    prefixed.saveAll("new", List.of(new UserMessage("x")));
    assertThat(Futures.await(storage.load("chat/new"), 30, SECONDS).messages()).containsExactly(Message.user("x"));
    assertThat(prefixed.findConversationIds().get(0)).isEqualTo("new");
  }

  @Test
  void aStoreThatDoesNotAnswerFailsAfterTheTimeout() {
    SessionStorage silent =
        (SessionStorage)
            Proxy.newProxyInstance(
                SessionStorage.class.getClassLoader(),
                new Class<?>[] {SessionStorage.class},
                (p, m, a) -> m.getReturnType() == CompletableFuture.class ? new CompletableFuture<>() : null);
    SessionChatMemoryRepository repository =
        SessionChatMemoryRepository.builder(silent).timeout(Duration.ofMillis(200)).build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> repository.findByConversationId("c"))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("did not answer");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThatThrownBy(() -> repository.saveAll("c", List.of(new UserMessage("x"))))
        .isInstanceOf(StorageUnavailableException.class);
    assertThatThrownBy(repository::findConversationIds).isInstanceOf(StorageUnavailableException.class);
  }

  @Test
  void savingTheListAsReadWritesNothing() {
    SessionChatMemoryRepository repository = SessionChatMemoryRepository.create(storage);
    repository.saveAll("c", List.of(new UserMessage("a"), new AssistantMessage("b")));
    CountingStorage counting = new CountingStorage(storage);
    SessionChatMemoryRepository counted = SessionChatMemoryRepository.create(counting.storage());
    counted.saveAll("c", counted.findByConversationId("c"));
    assertThat(counting.takeCounts()).containsOnlyKeys("loadVersioned");
  }

  @Test
  void aSaveWithoutAPriorReadAppendsWhenItExtendsAndReplacesOtherwise() {
    SessionChatMemoryRepository writer = SessionChatMemoryRepository.create(storage);
    writer.saveAll("c", List.of(new UserMessage("a")));
    CountingStorage counting = new CountingStorage(storage);
    SessionChatMemoryRepository blind = SessionChatMemoryRepository.create(counting.storage());
    blind.saveAll("c", List.of(new UserMessage("a"), new UserMessage("b")));
    assertThat(counting.takeCounts()).containsOnlyKeys("loadVersioned", "append");
    SessionChatMemoryRepository other = SessionChatMemoryRepository.create(counting.storage());
    // ChatMemoryRepository.saveAll replaces: a list that does not extend what is stored wins.
    other.saveAll("c", List.of(new UserMessage("z")));
    assertThat(counting.takeCounts()).containsOnlyKeys("loadVersioned", "saveIf");
    assertThat(writer.findByConversationId("c")).extracting(m -> m.getText()).containsExactly("z");
  }

  @Test
  void aConversationDeletedBetweenReadAndWriteIsCreatedAgainWithTheList() {
    SessionChatMemoryRepository repository = SessionChatMemoryRepository.create(storage);
    repository.saveAll("c", List.of(new UserMessage("a")));
    List<org.springframework.ai.chat.messages.Message> read = new ArrayList<>(repository.findByConversationId("c"));
    SessionChatMemoryRepository.create(storage).deleteByConversationId("c");
    read.add(new UserMessage("b"));
    repository.saveAll("c", read);
    assertThat(repository.findByConversationId("c")).extracting(m -> m.getText()).containsExactly("a", "b");
  }

  @Test
  void writersThatAlwaysWinExhaustTheAttemptsWithAConflict() {
    // A store whose appends and conditional saves always lose a race.
    SessionStorage losing =
        (SessionStorage)
            Proxy.newProxyInstance(
                SessionStorage.class.getClassLoader(),
                new Class<?>[] {SessionStorage.class},
                (p, m, a) -> {
                  if (m.getName().equals("append") || m.getName().equals("saveIf")) {
                    return CompletableFuture.failedFuture(new RevisionConflictException("lost"));
                  }
                  return m.invoke(storage, a);
                });
    SessionChatMemoryRepository.create(storage).saveAll("c", List.of(new UserMessage("a")));
    SessionChatMemoryRepository repository =
        SessionChatMemoryRepository.builder(losing).maxAttempts(3).build();
    repository.findByConversationId("c");
    assertThatThrownBy(() -> repository.saveAll("c", List.of(new UserMessage("a"), new UserMessage("b"))))
        .isInstanceOf(RevisionConflictException.class)
        .hasMessageContaining("3 attempts");
  }
}
