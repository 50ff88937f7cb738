package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sessionkit.Futures;
import org.sessionkit.Session;

/**
 * Where the store's futures complete: never on a Lettuce I/O thread — on the caller waiting in
 * {@code join}/{@code get} when there is one (it runs the completion itself, saving a thread
 * hand-off), else on the store's pool — and every future completes, whatever its waiters do.
 */
class RedisCompletionThreadsTest {

  @RegisterExtension static final SharedStore SHARED = new SharedStore();
  private static RedisSessionStorage store;

  @BeforeAll
  static void open() {
    store = SHARED.store();
    TestRedis.await(store.save(Sessions.plain("threads/a", 3, Sessions.T0)));
    TestRedis.await(store.save(Sessions.plain("threads/b", 3, Sessions.T0)));
  }

  private static boolean ioThread(String name) {
    return name.contains("EventLoop") || name.startsWith("lettuce-");
  }

  @Test
  void callbacksRunOnTheWaitingCallerOrThePoolNeverOnAnIoThread() throws Exception {
    Set<String> joined = ConcurrentHashMap.newKeySet();
    int byCaller = 0;
    for (int i = 0; i < 200; i++) {
      String[] ran = new String[1];
      CompletableFuture<Session> f = store.load("threads/a").thenApply(s -> {
        ran[0] = Thread.currentThread().getName();
        return s;
      });
      f.join();
      joined.add(ran[0]);
      if (ran[0].equals(Thread.currentThread().getName())) {
        byCaller++;
      }
    }
    assertThat(joined).noneMatch(RedisCompletionThreadsTest::ioThread);
    assertThat(byCaller).as("completions run by the caller waiting in join()").isPositive();

    Set<String> unwatched = ConcurrentHashMap.newKeySet();
    CountDownLatch done = new CountDownLatch(100);
    for (int i = 0; i < 100; i++) {
      store.load("threads/a").whenComplete((s, e) -> {
        unwatched.add(Thread.currentThread().getName());
        done.countDown();
      });
    }
    assertThat(done.await(30, SECONDS)).isTrue();
    // (a callback attached to a future already complete runs at once on the attaching thread)
    String attaching = Thread.currentThread().getName();
    assertThat(unwatched).as("completions nobody waits for")
        .allMatch(n -> n.startsWith("sessionkit-redis-") || n.equals(attaching))
        .anyMatch(n -> n.startsWith("sessionkit-redis-"));
  }

  @Test
  void aCallbackThatWaitsForAnotherCallOfTheStoreDoesNotStall() {
    List<CompletableFuture<Integer>> chains = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      chains.add(store.load("threads/a")
          .thenApply(a -> a.messages().size() + store.load("threads/b").join().messages().size()));
    }
    for (CompletableFuture<Integer> c : chains) {
      assertThat(Futures.await(c, 30, SECONDS)).isEqualTo(6);
    }
    // and when the caller waits on the chain, which then runs on its own thread
    assertThat(store.load("threads/a").thenCompose(a -> store.load("threads/b")).join().id()).isEqualTo("threads/b");
  }

  @Test
  void aWaitThatTimesOutOrIsInterruptedLeavesTheCompletionToThePool() throws Exception {
    try (PrivateRedis server = PrivateRedis.start();
        RedisSessionStorage s = RedisSessionStorage.open(server.uri("prefix=p:&timeout=10s"))) {
      Futures.await(s.save(Sessions.plain("slow", 2, Sessions.T0)), 30, SECONDS);
      Thread sleeping = server.sleepServer(1);
      PrivateRedis.sleep(200);
      CompletableFuture<Session> timedOut = s.load("slow");
      CompletableFuture<Session> interrupted = s.load("slow");
      List<CompletableFuture<Session>> joinedByMany = new ArrayList<>();
      joinedByMany.add(s.load("slow"));
      assertThatThrownBy(() -> timedOut.get(100, MILLISECONDS)).isInstanceOf(TimeoutException.class);
      Thread.currentThread().interrupt();
      assertThatThrownBy(interrupted::get).isInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).as("get() cleared the interrupt it reported").isFalse();
      List<Thread> waiters = new ArrayList<>();
      List<Session> got = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 4; i++) {
        Thread t = new Thread(() -> got.add(joinedByMany.get(0).join()));
        t.start();
        waiters.add(t);
      }
      sleeping.join();
      // nobody waits for these two any more: the pool completes them
      assertThat(Futures.await(timedOut, 30, SECONDS).id()).isEqualTo("slow");
      assertThat(Futures.await(interrupted, 30, SECONDS).id()).isEqualTo("slow");
      for (Thread t : waiters) {
        t.join(30_000);
      }
      assertThat(got).hasSize(4);
    }
  }
}
