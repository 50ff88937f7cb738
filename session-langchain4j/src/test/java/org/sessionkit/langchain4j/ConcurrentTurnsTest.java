package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.SessionStorage;
import org.sessionkit.file.FileSessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * Concurrent turns on one conversation, driven through LangChain4j's own {@code
 * MessageWindowChatMemory}: every message survives through our adapter, where LangChain4j's
 * {@code InMemoryChatMemoryStore} loses messages under exactly the same interleaving.
 *
 * <p>Scale from {@code sessionkit.test.scale}: {@code ci} (default) 8 threads × 25 turns; {@code
 * full} 16 threads × 150 turns. Each turn is four messages (question, tool call, tool result,
 * answer), each added by its own read-modify-write, as an AI service does.
 */
class ConcurrentTurnsTest {

  private static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale"));
  private static final int THREADS = FULL ? 16 : 8;
  private static final int TURNS = FULL ? 150 : 25;
  private static final int WINDOW = 1_000_000;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  private final SessionStorage storage = new MemorySessionStorage();

  @AfterEach
  void close() {
    pool.shutdownNow();
    storage.close();
  }

  @Test
  void simultaneousFirstTurnsAllSurviveWhereInMemoryChatMemoryStoreKeepsOne() throws Exception {
    // Every thread reads the (empty) conversation before any thread writes: the classic lost
    // update, made deterministic by a barrier between the read and the write.
    List<ChatMessage> ours = firstTurnsBehindABarrier(SessionChatMemoryStore.of(storage));
    List<ChatMessage> theirs = firstTurnsBehindABarrier(new InMemoryChatMemoryStore());
    System.out.printf(
        "simultaneous first turns, %d threads: sessionkit kept %d, InMemoryChatMemoryStore kept %d%n",
        THREADS, ours.size(), theirs.size());
    assertThat(ours).hasSize(THREADS);
    assertThat(new HashSet<>(ours)).hasSize(THREADS);
    assertThat(theirs).hasSize(1);
  }

  private List<ChatMessage> firstTurnsBehindABarrier(ChatMemoryStore store) throws Exception {
    CyclicBarrier allHaveRead = new CyclicBarrier(THREADS);
    ChatMemoryStore paused = new PausingStore(store, () -> allHaveRead.await(30, TimeUnit.SECONDS));
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> memory(paused).add(UserMessage.from("hello from thread " + thread))));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    return store.getMessages("shared");
  }

  @Test
  void freeRunningTurnsLoseNoMessageWhereInMemoryChatMemoryStoreLosesSome() throws Exception {
    // A short pause between each read and its write (the time a model call or a network store
    // takes) makes the race likely; both stores get the same treatment.
    Runnable pause = () -> LockSupport.parkNanos(20_000);
    int expected = THREADS * TURNS * 4;

    SessionChatMemoryStore ours = SessionChatMemoryStore.of(storage);
    long start = System.nanoTime();
    List<ChatMessage> oursKept = runTurns(t -> new PausingStore(ours, pause::run), ours);
    long oursMillis = (System.nanoTime() - start) / 1_000_000;

    InMemoryChatMemoryStore theirs = new InMemoryChatMemoryStore();
    List<ChatMessage> theirsKept = runTurns(t -> new PausingStore(theirs, pause::run), theirs);

    System.out.printf(
        "free-running turns, %d threads x %d turns x 4 messages = %d: sessionkit kept %d (%d ms),"
            + " InMemoryChatMemoryStore kept %d (lost %d)%n",
        THREADS, TURNS, expected, oursKept.size(), oursMillis, theirsKept.size(), expected - theirsKept.size());
    assertEveryTurnKeptInOrder(oursKept);
    assertThat(theirsKept.size()).isLessThan(expected);
  }

  @Test
  void twoApplicationInstancesOnOneStoreLoseNoMessage() throws Exception {
    // Two adapters over one store stand for two instances of an application: they don't share
    // the in-process serialisation, so conditional writes, re-reads and merges do the work.
    SessionChatMemoryStore first = SessionChatMemoryStore.of(storage);
    SessionChatMemoryStore second = SessionChatMemoryStore.of(storage);
    Runnable pause = () -> LockSupport.parkNanos(20_000);
    List<ChatMessage> kept =
        runTurns(t -> new PausingStore(t % 2 == 0 ? first : second, pause::run), first);
    System.out.printf(
        "two adapter instances, %d threads x %d turns x 4 messages: kept %d of %d%n",
        THREADS, TURNS, kept.size(), THREADS * TURNS * 4);
    assertEveryTurnKeptInOrder(kept);
  }

  @Test
  void twoFileStoresOnOneDirectoryLoseNoMessage(@TempDir Path directory) throws Exception {
    // As two processes sharing a directory: two file stores, two adapters, one conversation.
    try (SessionStorage a = FileSessionStorage.builder(directory).fsync(false).build();
        SessionStorage b = FileSessionStorage.builder(directory).fsync(false).build()) {
      SessionChatMemoryStore first = SessionChatMemoryStore.of(a);
      SessionChatMemoryStore second = SessionChatMemoryStore.of(b);
      List<ChatMessage> kept = runTurns(t -> t % 2 == 0 ? first : second, first);
      System.out.printf(
          "two file stores on one directory, %d threads x %d turns x 4 messages: kept %d of %d%n",
          THREADS, TURNS, kept.size(), THREADS * TURNS * 4);
      assertEveryTurnKeptInOrder(kept);
    }
  }

  @Test
  void twoPostgresStoresOnOneSchemaLoseNoMessage() throws Exception {
    // As two application instances on one database: two stores (two connection pools), two
    // adapters, one conversation; only the server's conditional writes keep them apart. Each
    // add is two round trips to the server, so the default scale is smaller than the others'.
    int threads = FULL ? THREADS : 4;
    int turns = FULL ? TURNS : 15;
    try (TestPostgres server = TestPostgres.require()) {
      String url = server.newStoreUrl();
      try (SessionStorage a = TestPostgres.open(url); SessionStorage b = TestPostgres.open(url)) {
        SessionChatMemoryStore first = SessionChatMemoryStore.of(a);
        SessionChatMemoryStore second = SessionChatMemoryStore.of(b);
        long start = System.nanoTime();
        List<ChatMessage> kept = runTurns(threads, turns, t -> t % 2 == 0 ? first : second, first);
        System.out.printf(
            "two PostgreSQL stores on one schema, %d threads x %d turns x 4 messages: kept %d of %d (%d ms)%n",
            threads, turns, kept.size(), threads * turns * 4, (System.nanoTime() - start) / 1_000_000);
        assertEveryTurnKeptInOrder(kept, threads, turns);
      }
    }
  }

  private List<ChatMessage> runTurns(IntFunction<ChatMemoryStore> storeForThread, ChatMemoryStore reader)
      throws Exception {
    return runTurns(THREADS, TURNS, storeForThread, reader);
  }

  private List<ChatMessage> runTurns(
      int threads, int turns, IntFunction<ChatMemoryStore> storeForThread, ChatMemoryStore reader) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      ChatMemory memory = memory(storeForThread.apply(thread));
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int turn = 0; turn < turns; turn++) {
                  String tag = thread + "-" + turn;
                  ToolExecutionRequest call =
                      ToolExecutionRequest.builder()
                          .id("call-" + tag)
                          .name("lookup")
                          .arguments("{\"key\":\"" + tag + "\"}")
                          .build();
                  memory.add(UserMessage.from("question " + tag));
                  memory.add(AiMessage.from(call));
                  memory.add(ToolExecutionResultMessage.builder().id(call.id()).toolName("lookup").text("value " + tag).isError(false).build());
                  memory.add(AiMessage.from("answer " + tag));
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
    return reader.getMessages("shared");
  }

  private static void assertEveryTurnKeptInOrder(List<ChatMessage> kept) {
    assertEveryTurnKeptInOrder(kept, THREADS, TURNS);
  }

  private static void assertEveryTurnKeptInOrder(List<ChatMessage> kept, int threads, int turns) {
    assertThat(kept).hasSize(threads * turns * 4);
    Set<ChatMessage> distinct = new HashSet<>(kept);
    assertThat(distinct).hasSize(kept.size());
    for (int t = 0; t < threads; t++) {
      String prefix = t + "-";
      List<String> mine = new ArrayList<>();
      for (ChatMessage m : kept) {
        String tag = tagOf(m);
        if (tag.startsWith(prefix)) {
          mine.add(m.type() + " " + tag);
        }
      }
      List<String> expected = new ArrayList<>();
      for (int turn = 0; turn < turns; turn++) {
        String tag = t + "-" + turn;
        expected.add("USER " + tag);
        expected.add("AI " + tag);
        expected.add("TOOL_EXECUTION_RESULT " + tag);
        expected.add("AI " + tag);
      }
      assertThat(mine).as("thread %d's messages, in its order", t).isEqualTo(expected);
    }
  }

  private static String tagOf(ChatMessage m) {
    String text;
    if (m instanceof UserMessage u) {
      text = u.singleText();
    } else if (m instanceof AiMessage a) {
      text = a.text() != null ? a.text() : a.toolExecutionRequests().get(0).id();
    } else {
      text = ((ToolExecutionResultMessage) m).text();
    }
    return text.substring(text.indexOf(text.startsWith("call-") ? '-' : ' ') + 1);
  }

  private static ChatMemory memory(ChatMemoryStore store) {
    return MessageWindowChatMemory.builder().id("shared").maxMessages(WINDOW).chatMemoryStore(store).build();
  }

  /** Runs {@code pause} after each read, between a chat memory's read and its write. */
  private static final class PausingStore implements ChatMemoryStore {
    private final ChatMemoryStore delegate;
    private final Pause pause;

    PausingStore(ChatMemoryStore delegate, Pause pause) {
      this.delegate = delegate;
      this.pause = pause;
    }

    @Override
    public List<ChatMessage> getMessages(Object memoryId) {
      List<ChatMessage> read = delegate.getMessages(memoryId);
      try {
        pause.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return read;
    }

    @Override
    public void updateMessages(Object memoryId, List<ChatMessage> messages) {
      delegate.updateMessages(memoryId, messages);
    }

    @Override
    public void deleteMessages(Object memoryId) {
      delegate.deleteMessages(memoryId);
    }
  }

  @FunctionalInterface
  private interface Pause {
    void run() throws Exception;
  }
}
