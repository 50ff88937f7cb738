package org.sessionkit;

import org.sessionkit.spi.AbstractSessionStorage;
import org.sessionkit.spi.ListPosition;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.sessionkit.testproviders.StubStorage;

class AbstractSessionStorageTest {

  private final StubStorage store = new StubStorage("stub:");

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertThatThrownBy(() -> await(f)).isInstanceOf(SessionStorageException.class);
    try {
      await(f);
      throw new AssertionError("unreachable");
    } catch (SessionStorageException e) {
      return e;
    }
  }

  @Test
  void invalidIdsFailThroughTheFutureNotSynchronously() {
    CompletableFuture<Session> f = store.load("..");
    assertThat(failure(f)).isInstanceOf(InvalidIdException.class);
    assertThat(failure(store.save(Session.create("a\u0000b", "/")))).isInstanceOf(InvalidIdException.class);
    assertThat(failure(store.delete(""))).isInstanceOf(InvalidIdException.class);
  }

  @Test
  void nullArgumentsThrowSynchronously() {
    assertThatThrownBy(() -> store.load(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.save(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.update("a", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void everyCallAfterCloseFailsWithClosedAndCloseIsIdempotent() {
    await(store.save(Session.create("a", "/")));
    store.close();
    store.close();
    assertThat(store.closes.get()).isEqualTo(1);
    assertThat(failure(store.load("a"))).isInstanceOf(StorageClosedException.class);
    assertThat(failure(store.save(Session.create("b", "/")))).isInstanceOf(StorageClosedException.class);
    assertThat(failure(store.list())).isInstanceOf(StorageClosedException.class);
    assertThat(failure(store.list(ListQuery.firstPage()))).isInstanceOf(StorageClosedException.class);
    assertThat(failure(store.update("a", s -> s))).isInstanceOf(StorageClosedException.class);
    assertThat(failure(store.problems())).isInstanceOf(StorageClosedException.class);
  }

  @Test
  void updateRetriesOnConflictAndLosesNothing() throws Exception {
    await(store.save(Session.create("u", "/")));
    int threads = 8;
    int perThread = 200;
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int tt = t;
      ts.add(new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          String text = tt + ":" + i;
          await(store.update("u", s -> s.withMessage(Message.user(text))));
        }
      }));
    }
    ts.forEach(Thread::start);
    for (Thread t : ts) {
      t.join(60_000);
    }
    assertThat(await(store.load("u")).messages()).hasSize(threads * perThread);
  }

  @Test
  void anExceptionThrownByTheChangePassesThroughAsIs() {
    await(store.save(Session.create("u", "/")));
    IllegalStateException mine = new IllegalStateException("mine");
    CompletableFuture<VersionedSession> f = store.update("u", s -> { throw mine; });
    assertThatThrownBy(() -> Futures.await(f)).isSameAs(mine);
  }

  @Test
  void updateThatChangesTheIdIsRejected() {
    await(store.save(Session.create("u", "/")));
    assertThat(failure(store.update("u", s -> s.withId("v")))).isInstanceOf(InvalidSessionException.class);
    assertThat(failure(store.load("v"))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void updateGivesUpWithConflictAfterTheGiveUpTime() {
    store.giveUpAfter(java.time.Duration.ofMillis(300));
    await(store.save(Session.create("u", "/")));
    AtomicInteger calls = new AtomicInteger();
    // A change that sneaks in a competing write every time: the conditional save always fails.
    CompletableFuture<VersionedSession> f =
        store.update(
            "u",
            s -> {
              calls.incrementAndGet();
              await(store.save(s.withMessage(Message.user("competing"))));
              return s;
            });
    assertThat(failure(f)).isInstanceOf(RevisionConflictException.class).hasMessageContaining("gave up");
    assertThat(calls.get()).isGreaterThan(3);
  }

  @Test
  void concurrentUpdatesOfOneSessionNeverGiveUpUnderOrdinaryContention() throws Exception {
    // Scale: -Dsessionkit.test.scale=full runs 8 threads x 3,000 updates of one id.
    boolean full = "full".equals(System.getProperty("sessionkit.test.scale"));
    int threads = 8;
    int perThread = full ? 3_000 : 150;
    store.giveUpAfter(AbstractSessionStorage.UPDATE_GIVE_UP_AFTER);
    await(store.save(Session.create("hot", "/")));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int me = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String text = me + ":" + i;
            await(store.update("hot", s -> s.withMessage(Message.user(text))));
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(full ? 600 : 120, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(await(store.load("hot")).messages()).hasSize(threads * perThread);
  }

  @Test
  void updateWritesANewRevisionEvenWhenTheChangeReturnsAnEqualSession() {
    Revision r1 = await(store.save(Session.create("same", "/")));
    VersionedSession after = await(store.update("same", s -> s));
    assertThat(after.revision()).isNotEqualTo(r1);
    assertThat(await(store.loadVersioned("same")).revision()).isEqualTo(after.revision());
  }

  @Test
  void defaultAppendAddsMessagesAndHonoursTheExpectedRevision() {
    Revision r1 = await(store.save(Session.create("a", "/")));
    SessionState state = SessionState.initial("/elsewhere");
    Instant t = Instant.parse("2030-01-01T00:00:00.123456789Z");
    Revision r2 = await(store.append("a", Append.of(List.of(Message.user("1"), Message.user("2")), state, t)));
    assertThat(r2).isNotEqualTo(r1);
    Session s = await(store.load("a"));
    assertThat(s.messages()).extracting(m -> ((ContentBlock.Text) m.content().get(0)).text()).containsExactly("1", "2");
    assertThat(s.state()).isEqualTo(state);
    assertThat(s.updatedAt()).isEqualTo(t);
    assertThat(failure(store.append("a", Append.of(List.of(Message.user("3")), state, t).ifRevision(r1))))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(await(store.load("a")).messages()).hasSize(2);
    assertThat(failure(store.append("missing", Append.of(List.of(), state, t))))
        .isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void pagesWalkEverythingOnceInOrder() {
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 57; i++) {
      // Many ties on updatedAt, ids with supplementary and high-BMP characters.
      String id = (i % 3 == 0 ? "\uD83D\uDE00" : i % 3 == 1 ? "\uE000" : "z") + i;
      await(store.save(Session.create(id, "/").withUpdatedAt(base.plusSeconds(i % 5))));
    }
    List<SessionSummary> all = await(store.list());
    assertThat(all).hasSize(57).isSortedAccordingTo(ListPosition.SUMMARY_ORDER);
    for (int size : new int[] {1, 2, 7, 56, 57, 1000}) {
      List<String> walked = store.stream(ListQuery.firstPage().limit(size)).map(SessionSummary::id).collect(Collectors.toList());
      assertThat(walked).as("page size %d", size).containsExactlyElementsOf(all.stream().map(SessionSummary::id).toList());
    }
  }

  @Test
  void badPageSizesAndCursorsAreInvalidArguments() {
    assertThat(failure(store.list(ListQuery.firstPage().limit(0)))).isInstanceOf(InvalidArgumentException.class);
    assertThat(failure(store.list(ListQuery.firstPage().limit(1001)))).isInstanceOf(InvalidArgumentException.class);
    assertThat(failure(store.list(ListQuery.firstPage().after("nonsense")))).isInstanceOf(InvalidArgumentException.class);
    assertThat(failure(store.list(ListQuery.withPrefix("a\uD800")))).isInstanceOf(InvalidArgumentException.class);
  }
}
