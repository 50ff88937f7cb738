package org.sessionkit.tck;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Futures;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.InvalidIdException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;

/**
 * The kit's checks of one clause — Errors and lifecycle: typed failures through the future,
 * close. Wired into the kit as its nested group {@code ErrorsAndLifecycle}.
 */
abstract class LifecycleChecks extends CheckGroup {

  LifecycleChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("each failure type arrives through the future, never thrown by the call")
  void eachFailureArrivesThroughTheFuture() {
    SessionStorage store = fresh();
    Revision r = await(store.save(Samples.empty("here")));
    Append append = Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0);
    fails(SessionNotFoundException.class, () -> store.load("absent"));
    fails(SessionNotFoundException.class, () -> store.loadVersioned("absent"));
    fails(SessionNotFoundException.class, () -> store.delete("absent"));
    fails(SessionNotFoundException.class, () -> store.update("absent", s -> s));
    fails(SessionNotFoundException.class, () -> store.append("absent", append));
    fails(RevisionConflictException.class, () -> store.create(Samples.empty("here")));
    await(store.save(Samples.empty("here")));
    fails(RevisionConflictException.class, () -> store.saveIf(Samples.empty("here"), r));
    fails(RevisionConflictException.class, () -> store.deleteIf("here", r));
    fails(RevisionConflictException.class, () -> store.append("here", append.ifRevision(r)));
    fails(InvalidIdException.class, () -> store.load(""));
    fails(InvalidIdException.class, () -> store.save(Samples.empty("a\u0000")));
    fails(InvalidSessionException.class, () -> store.update("here", s -> s.withId("there")));
    fails(InvalidArgumentException.class, () -> store.list(ListQuery.firstPage().limit(0)));
    fails(InvalidArgumentException.class, () -> store.list(ListQuery.firstPage().after("not a cursor")));
    store.close();
    fails(StorageClosedException.class, () -> store.load("here"));
  }

  @Test
  @DisplayName("a null argument throws NullPointerException at once, the only exception a call throws")
  void nullArgumentsThrowAtOnce() {
    SessionStorage store = fresh();
    Session s = Samples.empty("n");
    Revision r = await(store.save(s));
    Append a = Append.of(List.of(), s.state(), Samples.T0);
    Map<String, Runnable> calls = new LinkedHashMap<>();
    calls.put("save(null)", () -> store.save(null));
    calls.put("saveIf(null, r)", () -> store.saveIf(null, r));
    calls.put("saveIf(s, null)", () -> store.saveIf(s, null));
    calls.put("create(null)", () -> store.create(null));
    calls.put("load(null)", () -> store.load(null));
    calls.put("loadVersioned(null)", () -> store.loadVersioned(null));
    calls.put("list(null)", () -> store.list(null));
    calls.put("stream(null)", () -> store.stream(null));
    calls.put("delete(null)", () -> store.delete(null));
    calls.put("deleteIf(null, r)", () -> store.deleteIf(null, r));
    calls.put("deleteIf(id, null)", () -> store.deleteIf("n", null));
    calls.put("update(null, f)", () -> store.update(null, x -> x));
    calls.put("update(id, null)", () -> store.update("n", null));
    calls.put("append(null, a)", () -> store.append(null, a));
    calls.put("append(id, null)", () -> store.append("n", null));
    IdempotencyKey k = IdempotencyKey.of("k");
    calls.put("create(s, null key)", () -> store.create(s, null));
    calls.put("create(null, key)", () -> store.create(null, k));
    calls.put("saveIf(s, r, null key)", () -> store.saveIf(s, r, null));
    calls.put("saveIf(s, null, key)", () -> store.saveIf(s, null, k));
    calls.put("update(id, f, null key)", () -> store.update("n", x -> x, null));
    calls.put("update(id, null, key)", () -> store.update("n", null, k));
    calls.put("loadTail(null, 1)", () -> store.loadTail(null, 1));
    calls.put("loadBefore(null, 1, 1)", () -> store.loadBefore(null, 1, 1));
    calls.put("deleteMatching(null)", () -> store.deleteMatching(null));
    calls.forEach((name, call) -> assertThatThrownBy(call::run, "%s", name).isInstanceOf(NullPointerException.class));
    assertUnchanged(store, s, r);
  }

  @Test
  @DisplayName("after close() every operation fails with StorageClosedException")
  void everyOperationFailsAfterClose() {
    SessionStorage store = fresh();
    Session s = Samples.small("c", Samples.T0, 1, "c");
    Revision r = await(store.save(s));
    store.close();
    Append a = Append.of(List.of(Message.user("x")), s.state(), Samples.T0);
    fails(StorageClosedException.class, () -> store.save(s), "save");
    fails(StorageClosedException.class, () -> store.saveIf(s, r), "saveIf");
    fails(StorageClosedException.class, () -> store.create(Samples.empty("new")), "create");
    fails(StorageClosedException.class, () -> store.load("c"), "load");
    fails(StorageClosedException.class, () -> store.loadVersioned("c"), "loadVersioned");
    fails(StorageClosedException.class, () -> store.list(), "list()");
    fails(StorageClosedException.class, () -> store.list(ListQuery.firstPage()), "list(query)");
    fails(StorageClosedException.class, () -> store.delete("c"), "delete");
    fails(StorageClosedException.class, () -> store.deleteIf("c", r), "deleteIf");
    fails(StorageClosedException.class, () -> store.update("c", x -> x), "update");
    fails(StorageClosedException.class, () -> store.append("c", a), "append");
    fails(StorageClosedException.class, () -> store.problems(), "problems");
    IdempotencyKey k = IdempotencyKey.of("closed");
    fails(StorageClosedException.class, () -> store.loadTail("c", 1), "loadTail");
    fails(StorageClosedException.class, () -> store.loadBefore("c", 1, 1), "loadBefore");
    fails(StorageClosedException.class, () -> store.create(Samples.empty("new"), k), "keyed create");
    fails(StorageClosedException.class, () -> store.saveIf(s, r, k), "keyed saveIf");
    fails(StorageClosedException.class, () -> store.update("c", x -> x, k), "keyed update");
    fails(StorageClosedException.class, () -> store.append("c", a.withIdempotencyKey(k)), "keyed append");
    fails(StorageClosedException.class, () -> store.deleteMatching(DeleteFilter.idPrefix("c")), "deleteMatching");
    fails(StorageClosedException.class, () -> store.deleteMatching(DeleteFilter.all()), "deleteMatching(all())");
    fails(StorageClosedException.class, store::ping, "ping");
    assertThatThrownBy(() -> collect(store.stream(ListQuery.firstPage()), 10), "stream")
        .isInstanceOf(StorageClosedException.class);
  }

  @Test
  @DisplayName("close() called from a callback of the store's own future completes, and the store is closed")
  void closeFromACallbackDoesNotWaitForItself() {
    SessionStorage store = fresh();
    await(store.save(Samples.small("c", Samples.T0, 1, "c")));
    completesPromptly(store.load("c").thenAccept(s -> store.close()), "close() in a callback of load");
    fails(StorageClosedException.class, () -> store.load("c"), "load after close() from a callback");
    SessionStorage other = fresh();
    completesPromptly(other.save(Samples.small("d", Samples.T0, 1, "d")).thenRun(other::close), "close() in a callback of save");
    fails(StorageClosedException.class, () -> other.save(Samples.empty("e")), "save after close() from a save's callback");
  }

  /** Waits at most {@value #PROMPTLY_SECONDS} s: a close that waits for itself takes its whole bounded wait. */
  private static void completesPromptly(CompletableFuture<?> f, String what) {
    try {
      f.get(PROMPTLY_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      fail(what + " did not complete within " + PROMPTLY_SECONDS + " s: does close() wait for the thread that calls it?");
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed: " + Futures.unwrap(e.getCause()), Futures.unwrap(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted");
    }
  }

  private static final long PROMPTLY_SECONDS = 5;

  @Test
  @DisplayName("close() is idempotent and never throws, also on a store never used")
  void closeIsIdempotent() {
    SessionStorage unused = fresh();
    unused.close();
    unused.close();
    SessionStorage used = fresh();
    await(used.save(Samples.empty("x")));
    used.close();
    used.close();
    used.close();
    fails(StorageClosedException.class, () -> used.load("x"));
    fails(StorageClosedException.class, () -> unused.list());
  }

  @Test
  @DisplayName("operations in flight when the store closes complete or fail with StorageClosedException; none hangs")
  void operationsInFlightWhenClosing() {
    SessionStorage store = fresh();
    await(store.save(Samples.small("base", Samples.T0, 3, "base")));
    List<CompletableFuture<?>> futures = new CopyOnWriteArrayList<>();
    concurrently(Math.max(3, sc().threads()), t -> {
      if (t == 0) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (futures.size() < 50 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        store.close();
        return;
      }
      for (int i = 0; i < 300; i++) {
        futures.add(store.save(Samples.small("f" + t + "-" + i, Samples.T0, 1, "f")));
        futures.add(store.load("base"));
        futures.add(store.list(ListQuery.firstPage().limit(5)));
        futures.add(store.loadTail("base", 2));
        futures.add(store.append("base", Append.of(List.of(Message.user("m")), SessionState.initial("/"), Samples.T0)
            .withIdempotencyKey(IdempotencyKey.of("k-" + t + "-" + i))));
        if (i % 50 == 0) {
          futures.add(store.deleteMatching(DeleteFilter.idPrefix("f" + t + "-")));
        }
      }
    });
    for (CompletableFuture<?> f : futures) {
      try {
        f.get(timeoutMillis(), MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = Futures.unwrap(e.getCause());
        if (cause instanceof BulkDeleteException bulk) {
          // a bulk delete stopped part way by close() says how far it got, with the reason
          assertThat(bulk.getCause()).as("the cause of a bulk delete that raced with close()")
              .isInstanceOfAny(StorageClosedException.class, StorageUnavailableException.class);
          continue;
        }
        assertThat(cause).as("an operation that raced with close()")
            .isInstanceOfAny(StorageClosedException.class, StorageUnavailableException.class);
      } catch (TimeoutException e) {
        fail("an operation in flight during close() did not complete within " + sc().operationTimeout());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
    fails(StorageClosedException.class, () -> store.load("base"));
  }
}
