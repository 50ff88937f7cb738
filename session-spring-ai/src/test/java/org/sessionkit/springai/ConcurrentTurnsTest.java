package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * Concurrent turns on one conversation through Spring AI's {@link MessageWindowChatMemory}: with
 * Spring AI's own {@link InMemoryChatMemoryRepository} turns are lost (last writer wins), through
 * {@link SessionChatMemoryRepository} none is.
 */
class ConcurrentTurnsTest {

  private static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale"));

  private final SessionStorage storage = new MemorySessionStorage();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    storage.close();
  }

  /**
   * A repository whose reads wait until every thread has read: all writers of a round then work
   * from the same version, the race every concurrent turn risks, made certain.
   */
  private static final class Racing implements ChatMemoryRepository {
    private final ChatMemoryRepository delegate;
    private final CyclicBarrier barrier;

    Racing(ChatMemoryRepository delegate, CyclicBarrier barrier) {
      this.delegate = delegate;
      this.barrier = barrier;
    }

    @Override
    public List<String> findConversationIds() {
      return delegate.findConversationIds();
    }

    @Override
    public List<Message> findByConversationId(String conversationId) {
      List<Message> read = delegate.findByConversationId(conversationId);
      try {
        barrier.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (BrokenBarrierException | TimeoutException e) {
        throw new IllegalStateException(e);
      }
      return read;
    }

    @Override
    public void saveAll(String conversationId, List<Message> messages) {
      delegate.saveAll(conversationId, messages);
    }

    @Override
    public void deleteByConversationId(String conversationId) {
      delegate.deleteByConversationId(conversationId);
    }
  }

  /** Runs {@code threads} threads, thread {@code t} adding {@code turns} messages "t-i". */
  private void race(int threads, int turns, IntFunction<ChatMemory> memoryOfThread) throws Exception {
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      ChatMemory memory = memoryOfThread.apply(t);
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; i < turns; i++) {
                  memory.add("chat", new UserMessage(thread + "-" + i));
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(120, TimeUnit.SECONDS);
    }
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(Message::getText).toList();
  }

  private static void assertEveryTurnKeptInItsThreadsOrder(List<String> texts, int threads, int turns) {
    assertThat(texts).hasSize(threads * turns).doesNotHaveDuplicates();
    for (int t = 0; t < threads; t++) {
      String prefix = t + "-";
      List<String> own = texts.stream().filter(s -> s.startsWith(prefix)).toList();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < turns; i++) {
        expected.add(prefix + i);
      }
      assertThat(own).isEqualTo(expected);
    }
  }

  private static ChatMemory window(ChatMemoryRepository repository, int maxMessages) {
    return MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(maxMessages).build();
  }

  @Test
  void springAisInMemoryRepositoryLosesConcurrentTurnsOursKeepsThemAll() throws Exception {
    int threads = 4;
    int turns = 5;

    InMemoryChatMemoryRepository springs = new InMemoryChatMemoryRepository();
    CyclicBarrier b1 = new CyclicBarrier(threads);
    race(threads, turns, t -> window(new Racing(springs, b1), 1000));
    List<String> lost = texts(springs.findByConversationId("chat"));
    // In the first round every thread read the empty conversation, so at least threads - 1
    // of those turns were overwritten.
    assertThat(lost).hasSizeLessThanOrEqualTo(threads * turns - (threads - 1));

    SessionChatMemoryRepository ours = SessionChatMemoryRepository.create(storage);
    CyclicBarrier b2 = new CyclicBarrier(threads);
    race(threads, turns, t -> window(new Racing(ours, b2), 1000));
    assertEveryTurnKeptInItsThreadsOrder(texts(ours.findByConversationId("chat")), threads, turns);
  }

  @Test
  void concurrentTurnsThroughSeveralRepositoryInstancesOnOneStoreLoseNothing() throws Exception {
    // As several application instances sharing one store: each its own repository.
    int threads = 3;
    int turns = 4;
    CyclicBarrier barrier = new CyclicBarrier(threads);
    race(threads, turns, t -> window(new Racing(SessionChatMemoryRepository.create(storage), barrier), 1000));
    assertEveryTurnKeptInItsThreadsOrder(
        texts(SessionChatMemoryRepository.create(storage).findByConversationId("chat")), threads, turns);
  }

  @Test
  void concurrentTurnsThroughTwoPostgresStoresOnOneSchemaLoseNothing() throws Exception {
    // As application instances on one database: each thread its own store (its own connection
    // pool) and repository; the reads race, and only the server's conditional writes decide.
    int threads = 3;
    int turns = 4;
    try (TestPostgres server = TestPostgres.require()) {
      String url = server.newStoreUrl();
      List<SessionStorage> stores = new ArrayList<>();
      try {
        for (int t = 0; t < threads; t++) {
          stores.add(TestPostgres.open(url));
        }
        CyclicBarrier barrier = new CyclicBarrier(threads);
        race(threads, turns, t -> window(new Racing(SessionChatMemoryRepository.create(stores.get(t)), barrier), 1000));
        assertEveryTurnKeptInItsThreadsOrder(
            texts(SessionChatMemoryRepository.create(stores.get(0)).findByConversationId("chat")), threads, turns);
      } finally {
        stores.forEach(SessionStorage::close);
      }
    }
  }

  @Test
  void concurrentTurnsOnAFullWindowKeepEveryNewTurn() throws Exception {
    // The window is full, so each turn also drops the oldest turn: the writes are rewrites,
    // not appends, and the losers of each race merge three ways.
    int threads = 3;
    SessionChatMemoryRepository ours = SessionChatMemoryRepository.create(storage);
    InMemoryChatMemoryRepository springs = new InMemoryChatMemoryRepository();
    List<Message> full = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      full.add(new UserMessage("old-q" + i));
      full.add(new AssistantMessage("old-a" + i));
    }
    ours.saveAll("chat", full);
    springs.saveAll("chat", full);

    CyclicBarrier b1 = new CyclicBarrier(threads);
    race(threads, 1, t -> window(new Racing(springs, b1), 6));
    assertThat(texts(springs.findByConversationId("chat")).stream().filter(s -> !s.startsWith("old")))
        .hasSize(1);

    CyclicBarrier b2 = new CyclicBarrier(threads);
    race(threads, 1, t -> window(new Racing(ours, b2), 6));
    List<String> texts = texts(ours.findByConversationId("chat"));
    assertThat(texts.stream().filter(s -> !s.startsWith("old"))).containsExactlyInAnyOrder("0-0", "1-0", "2-0");
    // Every writer dropped what one turn alone drops (the oldest turn in Spring AI 2.0, the
    // oldest message in 1.1); the rest of the history is kept once, in order.
    InMemoryChatMemoryRepository alone = new InMemoryChatMemoryRepository();
    alone.saveAll("chat", full);
    ChatMemory single = window(alone, 6);
    single.add("chat", new UserMessage("new"));
    List<String> keptOld = texts(single.get("chat")).stream().filter(s -> s.startsWith("old")).toList();
    assertThat(keptOld).isNotEmpty().hasSizeLessThan(6);
    assertThat(texts.subList(0, keptOld.size())).isEqualTo(keptOld);
    assertThat(texts).hasSize(keptOld.size() + 3);
  }

  @Test
  void freeRunningTurnsWithRepliesLoseNothing() throws Exception {
    int threads = FULL ? 8 : 4;
    int turns = FULL ? 200 : 25;
    SessionChatMemoryRepository ours = SessionChatMemoryRepository.create(storage);
    ChatMemory memory = window(ours, Integer.MAX_VALUE);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; i < turns; i++) {
                  memory.add("chat", new UserMessage(thread + "-" + i));
                  memory.add("chat", new AssistantMessage(thread + "-" + i + "-reply"));
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(170, TimeUnit.SECONDS);
    }
    List<String> texts = texts(ours.findByConversationId("chat"));
    assertThat(texts).hasSize(2 * threads * turns).doesNotHaveDuplicates();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < turns; i++) {
        assertThat(texts.indexOf(t + "-" + i)).isLessThan(texts.indexOf(t + "-" + i + "-reply"));
      }
    }
  }
}
