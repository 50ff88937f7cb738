package org.sessionkit.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;

/**
 * Closing a blocking store completes every future: queued operations fail as closed, running
 * writes that outlive the bounded wait fail as ambiguous, running reads as unavailable; and a
 * close called from the store's own thread does not wait for itself.
 */
class AbstractBlockingSessionStorageCloseTest {

  /** A one-thread store whose operations wait for a latch the test opens. */
  static final class GatedStore extends AbstractBlockingSessionStorage {
    final CountDownLatch gate = new CountDownLatch(1);
    final CountDownLatch started = new CountDownLatch(1);

    GatedStore() {
      super("gated:", Optional.empty(), 1);
      closeWait(300);
    }

    private void pass() throws InterruptedException {
      started.countDown();
      gate.await(20, TimeUnit.SECONDS);
    }

    @Override
    protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
      return blockingWrite(() -> {
        pass();
        return Revision.of(1);
      });
    }

    @Override
    protected CompletableFuture<VersionedSession> doLoad(String id) {
      return blocking(() -> {
        pass();
        throw new SQLException("connection reset", "08006");
      });
    }

    @Override
    protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
      return blocking(() -> null);
    }

    @Override
    protected CompletableFuture<PageResult> doList(PageRequest request) {
      return blocking(() -> PageResult.of(List.of()));
    }
  }

  private static Throwable cause(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void closeFailsQueuedOperationsAsClosedAndARunningWriteAsAmbiguous() throws Exception {
    GatedStore store = new GatedStore();
    CompletableFuture<Revision> running = store.save(Session.create("a", "/"));
    assertThat(store.started.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Revision> queued = store.save(Session.create("b", "/"));
    long t0 = System.nanoTime();
    store.close();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
    assertThat(cause(queued)).isInstanceOf(StorageClosedException.class);
    assertThat(cause(running)).isInstanceOf(AmbiguousOutcomeException.class)
        .hasMessageContaining("may or may not have been applied");
    store.gate.countDown();
  }

  @Test
  void aRunningReadOutlivingCloseFailsAsUnavailableNotAmbiguous() throws Exception {
    GatedStore store = new GatedStore();
    CompletableFuture<Session> read = store.load("a");
    assertThat(store.started.await(5, TimeUnit.SECONDS)).isTrue();
    store.close();
    Throwable c = cause(read);
    assertThat(c).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(AmbiguousOutcomeException.class);
    store.gate.countDown();
  }

  @Test
  void checkedExceptionsOfTheMediumAreTranslated() throws Exception {
    GatedStore store = new GatedStore();
    store.gate.countDown();
    Throwable c = cause(store.load("a"));
    assertThat(c).isInstanceOf(StorageUnavailableException.class).hasMessageContaining("SQLException")
        .hasCauseInstanceOf(SQLException.class);
    store.close();
  }

  @Test
  void closeCalledFromTheStoresOwnThreadDoesNotWaitForItself() throws Exception {
    GatedStore store = new GatedStore();
    store.closeWait(20_000); // a self-wait would show as a 20 s close
    store.gate.countDown();
    long t0 = System.nanoTime();
    CompletableFuture<Void> closedAfterSave = store.save(Session.create("a", "/")).thenRun(store::close);
    closedAfterSave.get(10, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
    assertThat(cause(store.load("a"))).isInstanceOf(StorageClosedException.class);
  }
}
