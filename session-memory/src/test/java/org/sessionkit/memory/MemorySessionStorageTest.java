package org.sessionkit.memory;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageConfigurationException;

class MemorySessionStorageTest {

  private final MemorySessionStorage store = new MemorySessionStorage();
  private final ExecutorService pool = Executors.newFixedThreadPool(8);

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
    store.close();
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 60, SECONDS);
  }

  private static String text(Message m) {
    return ((ContentBlock.Text) m.content().get(0)).text();
  }

  @Test
  void isDiscoveredAsMemoryScheme() {
    try (SessionStorage s = SessionStorages.open("memory:")) {
      assertThat(s).isInstanceOf(MemorySessionStorage.class);
    }
    assertThatThrownBy(() -> SessionStorages.open("memory:?persist=true"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("unknown option [persist]");
    assertThatThrownBy(() -> SessionStorages.open("memory:somewhere"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("takes no location");
  }

  @Test
  void eightThreadsTimesAThousandUpdatesEndWithEightThousandMessages() throws Exception {
    await(store.save(Session.create("hot", "/")));
    int threads = 8;
    int perThread = 1_000;
    List<Future<?>> done = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      int tt = t;
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < perThread; i++) {
          String label = tt + ":" + i;
          await(store.update("hot", s -> s.withMessage(Message.user(label))));
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(120, SECONDS);
    }
    List<Message> messages = await(store.load("hot")).messages();
    assertThat(messages).hasSize(threads * perThread);
    Set<String> distinct = new HashSet<>();
    messages.forEach(m -> distinct.add(text(m)));
    assertThat(distinct).hasSize(threads * perThread);
  }

  @Test
  void concurrentAppendsAreAllKeptEachThreadInItsOwnOrder() throws Exception {
    await(store.save(Session.create("a", "/")));
    int threads = 4;
    int perThread = 500;
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int tt = t;
      done.add(pool.submit(() -> {
        for (int i = 0; i < perThread; i++) {
          Session s = Session.create("ignored", "/");
          await(store.append("a", Append.of(List.of(Message.user(tt + ":" + i)), s.state(), Instant.now())));
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(120, SECONDS);
    }
    List<Message> messages = await(store.load("a")).messages();
    assertThat(messages).hasSize(threads * perThread);
    int[] next = new int[threads];
    for (Message m : messages) {
      String[] parts = text(m).split(":");
      int t = Integer.parseInt(parts[0]);
      assertThat(Integer.parseInt(parts[1])).isEqualTo(next[t]++);
    }
  }

  @Test
  void conditionalSavesUnderContentionLetExactlyOneWriterWinPerRevision() throws Exception {
    Revision start = await(store.save(Session.create("c", "/")));
    List<Future<Boolean>> attempts = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      int tt = t;
      attempts.add(pool.submit(() -> {
        go.await();
        try {
          await(store.saveIf(Session.create("c", "/" + tt), start));
          return true;
        } catch (RevisionConflictException e) {
          return false;
        }
      }));
    }
    go.countDown();
    int winners = 0;
    for (Future<Boolean> f : attempts) {
      winners += f.get(30, SECONDS) ? 1 : 0;
    }
    assertThat(winners).isEqualTo(1);
  }

  @Test
  void listingWhileWritingNeverShowsASessionTwiceOrInTheWrongOrder() throws Exception {
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 200; i++) {
      await(store.save(Session.create("s" + i, "/").withUpdatedAt(base.plusMillis(i))));
    }
    AtomicBoolean stop = new AtomicBoolean();
    Future<?> writer = pool.submit(() -> {
      int n = 0;
      while (!stop.get()) {
        // Keep moving the "hot" sessions to the top; the others are never modified.
        String id = "hot" + (n++ % 10);
        await(store.save(Session.create(id, "/").withUpdatedAt(base.plusSeconds(10 + n))));
      }
      return null;
    });
    try {
      for (int round = 0; round < 50; round++) {
        List<SessionSummary> all = await(store.list());
        assertThat(all).isSortedAccordingTo(org.sessionkit.spi.ListPosition.SUMMARY_ORDER);
        assertThat(all.stream().map(SessionSummary::id).distinct().count()).isEqualTo(all.size());
        assertThat(all.stream().filter(s -> s.id().startsWith("s")).count()).isEqualTo(200);
      }
    } finally {
      stop.set(true);
      writer.get(30, SECONDS);
    }
  }

  @Test
  void prefixPagesComeFromTheIdIndexInListingOrder() {
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    for (int u = 0; u < 20; u++) {
      for (int i = 0; i < 5; i++) {
        await(store.save(Session.create("user-" + u + "/" + i, "/").withUpdatedAt(base.plusSeconds(i * 7L + u))));
      }
    }
    SessionPage page = await(store.list(ListQuery.withPrefix("user-1/").limit(3)));
    assertThat(page.summaries()).extracting(SessionSummary::id).containsExactly("user-1/4", "user-1/3", "user-1/2");
    SessionPage rest = await(store.list(ListQuery.withPrefix("user-1/").limit(3).after(page.nextCursor().orElseThrow())));
    assertThat(rest.summaries()).extracting(SessionSummary::id).containsExactly("user-1/1", "user-1/0");
    assertThat(rest.hasNext()).isFalse();
  }

  @Test
  void operationsRacingWithCloseFailWithClosedNeverWithNotFound() throws Exception {
    // close() clears the maps; an operation already past the closed check must not mistake the
    // cleared map for a missing session: a caller would conclude that the session is gone.
    for (int round = 0; round < 300; round++) {
      MemorySessionStorage s = new MemorySessionStorage();
      await(s.save(Session.create("x", "/")));
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Throwable>> racers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int kind = t;
        racers.add(pool.submit(() -> {
          go.await();
          while (true) {
            CompletableFuture<?> f = switch (kind) {
              case 0 -> s.load("x");
              case 1 -> s.update("x", x -> x);
              default -> s.append("x", Append.of(List.of(), Session.create("x", "/").state(), Instant.EPOCH));
            };
            try {
              f.get(30, SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
              return e.getCause();
            }
          }
        }));
      }
      go.countDown();
      Thread.onSpinWait();
      s.close();
      for (Future<Throwable> f : racers) {
        assertThat(f.get(30, SECONDS)).as("round %d", round).isInstanceOf(org.sessionkit.StorageClosedException.class);
      }
    }
  }

  @Test
  void closeReleasesEverything() {
    await(store.save(Session.create("x", "/")));
    store.close();
    assertThatThrownBy(() -> await(store.load("x"))).isInstanceOf(org.sessionkit.StorageClosedException.class);
  }
}
