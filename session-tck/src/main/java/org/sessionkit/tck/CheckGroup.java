package org.sessionkit.tck;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * What every group of checks shares: the store of the check, bounded waiting, running threads,
 * and assertions that say what differs in a few lines. Each group of the kit (one clause of the
 * contract, one file) extends it, and {@link SessionStorageCompatibilityKit} wires each group
 * in as a {@code @Nested} class, handing it the kit whose hooks make the stores.
 */
abstract class CheckGroup {

  /** The listing order, written here independently of the API's own implementation. */
  static final Comparator<SessionSummary> LISTING_ORDER =
      Comparator.comparing(SessionSummary::updatedAt, Comparator.reverseOrder())
          .thenComparing(SessionSummary::id, CheckGroup::compareCodePoints);

  /** The kit whose hooks make and reopen the stores; it closes them after each check. */
  final SessionStorageCompatibilityKit kit;

  CheckGroup(SessionStorageCompatibilityKit kit) {
    this.kit = Objects.requireNonNull(kit, "kit");
  }

  /** An exception of the caller's own, thrown by an {@code update} change. */
  static final class ChangeFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ChangeFailed() {
      super("thrown by the change on purpose");
    }
  }

  /** A body run by each of several threads. */
  @FunctionalInterface
  interface ThreadBody {
    void run(int thread) throws Exception;
  }

  /**
   * How long a heavy concurrent check keeps starting new operations. What ran by then is
   * checked in full; the rest is left out, so that no single check comes near the per-check
   * limit on a slow medium at full scale (4,000 updates of one id took 300 s on SQLite).
   */
  static final java.time.Duration HEAVY_CHECK_BUDGET = java.time.Duration.ofSeconds(90);

  /** The {@link System#nanoTime()} after which a heavy check starts no new operations. */
  static long budgetDeadline() {
    return System.nanoTime() + HEAVY_CHECK_BUDGET.toNanos();
  }

  /** Whether a loop of a heavy check may run its step {@code i}: always its first, then until the deadline. */
  static boolean withinBudget(int i, long deadline) {
    return i == 0 || System.nanoTime() - deadline < 0;
  }

  final TckScale sc() {
    return kit.scaleOnce();
  }

  final long timeoutMillis() {
    return sc().operationTimeout().toMillis();
  }

  final void assume(Capability c) {
    Assumptions.assumeTrue(Objects.requireNonNull(kit.capabilities(), "capabilities() returned null").contains(c),
        () -> "needs Capability." + c + ", which this store does not declare");
  }

  /** A new store that this check owns; closed after it. */
  final SessionStorage fresh() {
    SessionStorage s = untracked();
    kit.track(s);
    return s;
  }

  /** A new store the caller must close. */
  final SessionStorage untracked() {
    SessionStorage s;
    try {
      s = kit.newStorage();
    } catch (Exception e) {
      throw new AssertionError("newStorage() failed: " + e, e);
    }
    return Objects.requireNonNull(s, "newStorage() returned null");
  }

  /** Another instance on the location of {@code previous}; closed after the check. */
  final SessionStorage reopened(SessionStorage previous) {
    SessionStorage s;
    try {
      s = kit.reopen(previous);
    } catch (Exception e) {
      throw new AssertionError("reopen() failed: " + e, e);
    }
    Objects.requireNonNull(s, "reopen() returned null");
    kit.track(s);
    return s;
  }

  /** Damages the entry {@code id} with the kit's {@code corrupt} hook. */
  final void corruptOrFail(SessionStorage store, String id) {
    try {
      kit.corrupt(store, id);
    } catch (Exception e) {
      throw new AssertionError("corrupt(store, " + Samples.show(id) + ") failed: " + e, e);
    }
  }

  final ExecutorService pool(int threads) {
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "sessionkit-tck-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    kit.track(pool);
    return pool;
  }

  final <T> T await(CompletableFuture<T> future) {
    if (future == null) {
      throw new AssertionError("the store returned null instead of a future");
    }
    return Futures.await(future, timeoutMillis(), MILLISECONDS);
  }

  final <E extends Throwable> E fails(Class<E> type, Supplier<? extends CompletableFuture<?>> call) {
    return fails(type, call, "an operation expected to fail with " + type.getSimpleName());
  }

  /**
   * Asserts that {@code call} returns a future (it must not throw) that fails with {@code type}
   * within the timeout.
   */
  final <E extends Throwable> E fails(Class<E> type, Supplier<? extends CompletableFuture<?>> call, String what) {
    CompletableFuture<?> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": expected a future failing with " + type.getSimpleName()
          + ", but the call threw " + e + " (failures must arrive through the future)", e);
    }
    if (future == null) {
      throw new AssertionError(what + ": the store returned null instead of a future");
    }
    Throwable cause;
    try {
      Object value = future.get(timeoutMillis(), MILLISECONDS);
      throw new AssertionError(what + ": expected a failure with " + type.getSimpleName()
          + ", but the future completed with " + abbreviate(String.valueOf(value)));
    } catch (ExecutionException e) {
      cause = Futures.unwrap(e.getCause());
    } catch (CancellationException e) {
      cause = e;
    } catch (TimeoutException e) {
      throw new AssertionError(what + ": the future did not complete within " + sc().operationTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + ": interrupted", e);
    }
    if (!type.isInstance(cause)) {
      throw new AssertionError(what + ": expected a failure with " + type.getSimpleName() + ", but it failed with " + cause, cause);
    }
    return type.cast(cause);
  }

  /** Runs {@code body} on {@code threads} threads started together; rethrows the first failure. */
  final void concurrently(int threads, ThreadBody body) {
    ExecutorService pool = pool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        awaitLatch(start);
        body.run(thread);
        return null;
      }));
    }
    start.countDown();
    long deadline = System.nanoTime() + sc().operationTimeout().multipliedBy(5).toNanos();
    try {
      for (Future<?> f : futures) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      Throwable cause = Futures.unwrap(e.getCause());
      if (cause instanceof AssertionError ae) {
        throw ae;
      }
      throw new AssertionError("a thread of a concurrent check failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new AssertionError("the threads of a concurrent check did not finish within "
          + sc().operationTimeout().multipliedBy(5), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  final void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(timeoutMillis(), MILLISECONDS)) {
        throw new AssertionError("a thread of the check waited more than " + sc().operationTimeout() + " for another");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Saves a session and checks that load, loadVersioned and the summary return it exactly. */
  final Session roundTrip(SessionStorage store, Session s) {
    Revision r = await(store.save(s));
    if (r == null) {
      throw new AssertionError("save returned a null revision");
    }
    Session loaded = await(store.load(s.id()));
    assertSameSession(s, loaded, "load of " + Samples.show(s.id()) + " after save");
    assertUnchanged(store, s, r);
    if (kit.capabilities().contains(Capability.CROSS_PROCESS)) {
      // Every value must survive a fresh instance, not only the one that wrote it (which may
      // answer from what it holds in memory).
      VersionedSession twin = await(twinOf(store).loadVersioned(s.id()));
      assertSameSession(s, twin.session(), "load of " + Samples.show(s.id()) + " by another instance on the same location");
      assertThat(twin.revision()).as("revision of %s read by another instance", Samples.show(s.id())).isEqualTo(r);
    }
    return loaded;
  }

  private final Map<SessionStorage, SessionStorage> twins = new java.util.IdentityHashMap<>();

  /** A second instance on the location of {@code store} (CROSS_PROCESS), one per store and check. */
  final SessionStorage twinOf(SessionStorage store) {
    return twins.computeIfAbsent(store, this::reopened);
  }

  /** Checks that the store holds exactly {@code expected} with revision {@code revision}. */
  final void assertUnchanged(SessionStorage store, Session expected, Revision revision) {
    VersionedSession v = await(store.loadVersioned(expected.id()));
    assertSameSession(expected, v.session(), "loadVersioned of " + Samples.show(expected.id()));
    assertThat(v.revision()).as("revision of %s (loadVersioned)", Samples.show(expected.id())).isEqualTo(revision);
    assertThat(summaryOf(store, expected.id())).as("summary of %s", Samples.show(expected.id()))
        .isEqualTo(expected.summary(revision));
  }

  /** Returns the one summary of {@code id} that a prefix listing holds; fails if there is not exactly one. */
  final SessionSummary summaryOf(SessionStorage store, String id) {
    // A prefix page finds the summary without listing a large store; it is the same listing.
    List<SessionSummary> found = new ArrayList<>();
    for (SessionPage p : walk(store, ListQuery.withPrefix(id).limit(1000), 100_000)) {
      p.summaries().stream().filter(s -> s.id().equals(id)).forEach(found::add);
    }
    if (found.size() != 1) {
      throw new AssertionError("a listing by the prefix " + Samples.show(id) + " holds " + found.size()
          + " summaries of that id, not one");
    }
    return found.get(0);
  }

  static void assertSameSession(Session expected, Session actual, String what) {
    if (actual == null) {
      throw new AssertionError(what + ": the store returned null");
    }
    Optional<String> d = SessionDiff.between(expected, actual);
    if (d.isPresent()) {
      fail(what + ": the session differs: " + d.get());
    }
  }

  /** Saves all sessions (several writes in flight) and returns their summaries in listing order. */
  final List<SessionSummary> saveAll(SessionStorage store, List<Session> sessions) {
    List<SessionSummary> out = new ArrayList<>(sessions.size());
    for (int from = 0; from < sessions.size(); from += 64) {
      List<Session> batch = sessions.subList(from, Math.min(sessions.size(), from + 64));
      List<CompletableFuture<Revision>> futures = batch.stream().map(store::save).toList();
      for (int i = 0; i < batch.size(); i++) {
        out.add(batch.get(i).summary(await(futures.get(i))));
      }
    }
    out.sort(LISTING_ORDER);
    return out;
  }

  /**
   * Walks every page of {@code query} and fails, within a bounded number of pages, if the walk
   * does not end: a page must hold at most the page size, in listing order, and every page must
   * start strictly after the last summary of the page before (keyset paging), so a cursor that
   * repeats an entry fails at the second page instead of looping.
   */
  final List<SessionPage> walk(SessionStorage store, ListQuery query, int expectedAtMost) {
    List<SessionPage> pages = new ArrayList<>();
    ListQuery q = query;
    SessionSummary last = null;
    while (true) {
      SessionPage p = await(store.list(q));
      int number = pages.size() + 1;
      if (p.summaries().size() > query.limit()) {
        fail(describe(query) + ": page " + number + " holds " + p.summaries().size() + " summaries, more than the page size");
      }
      for (SessionSummary s : p.summaries()) {
        if (last != null && LISTING_ORDER.compare(last, s) >= 0) {
          fail(describe(query) + ": page " + number + " holds " + Samples.show(s.id()) + " (updated " + s.updatedAt()
              + ") after " + Samples.show(last.id()) + " (updated " + last.updatedAt() + ")"
              + (p.summaries().indexOf(s) == 0 && number > 1
                  ? ", the last entry of the page before: the cursor does not continue strictly after it"
                  : ": not in listing order"));
        }
        last = s;
      }
      pages.add(p);
      if (p.nextCursor().isEmpty()) {
        return pages;
      }
      if (p.summaries().isEmpty()) {
        fail(describe(query) + ": page " + number + " is empty but has a next cursor");
      }
      if (pages.size() > expectedAtMost + 2) {
        fail(describe(query) + ": the walk did not end after " + pages.size() + " pages");
      }
      q = query.after(p.nextCursor().get());
    }
  }

  static List<SessionSummary> flatten(List<SessionPage> pages) {
    return pages.stream().flatMap(p -> p.summaries().stream()).toList();
  }

  /**
   * Reads a stream of summaries, at most {@code expectedAtMost} of them plus a margin: a stream
   * that goes on (a cursor that repeats an entry makes it endless) fails within a bounded number
   * of pages instead of filling the heap. Closes the stream.
   */
  static List<SessionSummary> collect(Stream<SessionSummary> stream, int expectedAtMost) {
    int bound = expectedAtMost + 10;
    List<SessionSummary> out = new ArrayList<>();
    try (stream) {
      Iterator<SessionSummary> it = stream.iterator();
      while (it.hasNext()) {
        out.add(it.next());
        if (out.size() > bound) {
          Map<String, Integer> counts = new HashMap<>();
          out.forEach(s -> counts.merge(s.id(), 1, Integer::sum));
          List<String> repeated = counts.entrySet().stream().filter(e -> e.getValue() > 1)
              .map(e -> Samples.show(e.getKey())).sorted().toList();
          fail("the stream did not end after " + out.size() + " summaries (at most " + expectedAtMost
              + " expected)" + (repeated.isEmpty() ? "" : "; returned more than once: " + first(repeated)));
        }
      }
    }
    return out;
  }

  static List<String> ids(List<SessionSummary> summaries) {
    return summaries.stream().map(SessionSummary::id).toList();
  }

  static List<String> labels(Session s) {
    return s.messages().stream().map(Samples::label).toList();
  }

  static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * Checks that {@code labels} holds {@code t:i} for every thread {@code t} and every {@code i}
   * below {@code each}, each once and each thread's in its order; says what is wrong in a few
   * lines (never the whole list).
   */
  static void assertEveryThreadsLabelsInOrder(List<String> labels, int threads, int each, String what) {
    int[] done = new int[threads];
    java.util.Arrays.fill(done, each);
    assertEveryThreadsLabelsInOrder(labels, done, what);
  }

  /** As above, with {@code done[t]} messages of thread {@code t} (a heavy check that ran out of budget). */
  static void assertEveryThreadsLabelsInOrder(List<String> labels, int[] done, String what) {
    int threads = done.length;
    int total = java.util.Arrays.stream(done).sum();
    Map<String, Integer> counts = new HashMap<>();
    labels.forEach(l -> counts.merge(l, 1, Integer::sum));
    List<String> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    List<String> missing = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < done[t]; i++) {
        if (!counts.containsKey(t + ":" + i)) {
          missing.add(t + ":" + i);
        }
      }
    }
    if (labels.size() != total || !twice.isEmpty() || !missing.isEmpty()) {
      fail(what + ": expected " + total + " messages (" + java.util.Arrays.toString(done) + " of " + threads + " threads), found "
          + labels.size() + (missing.isEmpty() ? "" : "; missing " + missing.size() + ": " + first(missing))
          + (twice.isEmpty() ? "" : "; more than once: " + first(twice)));
    }
    Map<Integer, Integer> lastOfThread = new HashMap<>();
    for (int k = 0; k < labels.size(); k++) {
      String l = labels.get(k);
      int colon = l.indexOf(':');
      int thread = Integer.parseInt(l.substring(0, colon));
      int index = Integer.parseInt(l.substring(colon + 1));
      Integer before = lastOfThread.put(thread, index);
      if (before != null && before > index) {
        fail(what + ": message " + k + " is " + l + ", after " + thread + ":" + before + " (each thread's messages must stay in its order)");
      }
    }
  }

  /** Compares listings and says what differs in a few lines instead of printing thousands of summaries. */
  static void assertListing(String what, List<SessionSummary> expected, List<SessionSummary> actual) {
    if (expected.equals(actual)) {
      return;
    }
    Map<String, Integer> counts = new HashMap<>();
    actual.forEach(s -> counts.merge(s.id(), 1, Integer::sum));
    Set<String> expectedIds = new HashSet<>(ids(expected));
    List<String> missing = ids(expected).stream().filter(id -> !counts.containsKey(id)).map(Samples::show).toList();
    List<String> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(e -> Samples.show(e.getKey())).toList();
    List<String> unexpected = counts.keySet().stream().filter(id -> !expectedIds.contains(id)).map(Samples::show).toList();
    StringBuilder b = new StringBuilder(what).append(": expected ").append(expected.size())
        .append(" summaries, got ").append(actual.size());
    if (!missing.isEmpty()) {
      b.append("; missing ").append(missing.size()).append(": ").append(first(missing));
    }
    if (!twice.isEmpty()) {
      b.append("; returned more than once: ").append(first(twice));
    }
    if (!unexpected.isEmpty()) {
      b.append("; unexpected: ").append(first(unexpected));
    }
    if (missing.isEmpty() && twice.isEmpty() && unexpected.isEmpty()) {
      for (int i = 0; i < expected.size(); i++) {
        SessionSummary e = expected.get(i);
        SessionSummary a = actual.get(i);
        if (!e.id().equals(a.id())) {
          b.append("; wrong order at position ").append(i).append(": expected ").append(Samples.show(e.id()))
              .append(" (updated ").append(e.updatedAt()).append(") but was ").append(Samples.show(a.id()))
              .append(" (updated ").append(a.updatedAt()).append(")");
          break;
        }
        if (!e.equals(a)) {
          b.append("; wrong summary at position ").append(i).append(": expected ").append(show(e))
              .append(" but was ").append(show(a));
          break;
        }
      }
    }
    fail(b.toString());
  }

  /** A summary for a message: the id escaped, the rest as is. */
  static String show(SessionSummary s) {
    return "{id " + Samples.show(s.id()) + ", created " + s.createdAt() + ", updated " + s.updatedAt() + ", "
        + s.messageCount() + " messages, revision " + s.revision()
        + (s.custom().isEmpty() ? "" : ", custom " + abbreviate(Samples.show(s.custom().toString()))) + "}";
  }

  static String first(List<String> items) {
    return items.stream().limit(8).collect(Collectors.joining(", ")) + (items.size() > 8 ? ", …" : "");
  }

  static String describe(ListQuery q) {
    return "query(limit " + q.limit() + q.idPrefix().map(p -> ", prefix " + Samples.show(p)).orElse("")
        + q.updatedAfter().map(t -> ", after " + t).orElse("") + q.updatedBefore().map(t -> ", before " + t).orElse("")
        + (q.customKeys().isEmpty() ? "" : ", custom keys " + q.customKeys())
        + (q.cursor().isPresent() ? ", with cursor" : "") + ")";
  }

  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…(" + s.length() + " chars)";
  }

  /** Code-point order, written independently of {@code SessionIds}. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
