package org.sessionkit.bench;

import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;
import org.sessionkit.Session;

/**
 * The asynchronous API used as intended: each thread keeps {@value #IN_FLIGHT} operations in
 * flight. One invocation waits for the oldest outstanding future and issues a new operation in
 * its place, so the store always has {@value #IN_FLIGHT} operations per thread to overlap (a store
 * running blocking I/O on an executor can use all its threads; the baselines run each operation
 * on the caller's thread, so for them this is a sequential loop).
 *
 * <p>Run alone with {@code java -jar session-bench/target/benchmarks.jar AsyncBenchmark -p
 * store=memory,raw-memory}, or through {@link Main}.
 */
@State(Scope.Benchmark)
public class AsyncBenchmark extends StoreBenchmark {

  /** Messages per session. */
  @Param({"100"})
  public int size;

  /** Operations outstanding per thread. */
  static final int IN_FLIGHT = 64;

  private String[] toLoad;

  /** Creates the benchmark (JMH instantiates it). */
  public AsyncBenchmark() {}

  /** Opens an empty store and stores the sessions to load. */
  @Setup(Level.Trial)
  public void setup() {
    openFresh();
    toLoad = new String[IN_FLIGHT];
    for (int i = 0; i < IN_FLIGHT; i++) {
      toLoad[i] = handle.id(String.format("async-load-%03d", i));
      await(storage.save(SessionFixtures.session(toLoad[i], size)));
    }
  }

  /** Closes the store and removes its files. */
  @TearDown(Level.Trial)
  public void tearDown() {
    closeStore();
  }

  /** A thread's window of outstanding futures; slot {@code k} always works on session {@code k}. */
  @State(Scope.Thread)
  public static class Window {
    final CompletableFuture<?>[] pending = new CompletableFuture<?>[IN_FLIGHT];
    Session[] toSave;
    int next;

    /** Creates the state (JMH instantiates it). */
    public Window() {}

    /**
     * Builds the thread's sessions.
     *
     * @param b the benchmark
     * @param t the thread's JMH parameters
     */
    @Setup(Level.Trial)
    public void setup(AsyncBenchmark b, ThreadParams t) {
      toSave = new Session[IN_FLIGHT];
      for (int i = 0; i < IN_FLIGHT; i++) {
        toSave[i] = SessionFixtures.session(b.handle.id("async-t" + t.getThreadIndex() + "-" + i), b.size);
      }
    }

    /** Waits for every outstanding operation, so none spills into the next iteration. */
    @TearDown(Level.Iteration)
    public void drain() {
      for (int i = 0; i < IN_FLIGHT; i++) {
        if (pending[i] != null) {
          await(pending[i]);
          pending[i] = null;
        }
      }
    }

    Object waitForSlot() {
      CompletableFuture<?> f = pending[next];
      return f == null ? null : await(f);
    }

    void issue(CompletableFuture<?> f) {
      pending[next] = f;
      next = (next + 1) & (IN_FLIGHT - 1);
    }
  }

  /**
   * Waits for the oldest outstanding operation and issues a save in its place.
   *
   * @param w the thread's window
   * @return what the completed operation returned
   */
  @Benchmark
  public Object saveAsync(Window w) {
    Object done = w.waitForSlot();
    w.issue(storage.save(w.toSave[w.next]));
    return done;
  }

  /**
   * Waits for the oldest outstanding operation and issues a load in its place.
   *
   * @param w the thread's window
   * @return what the completed operation returned
   */
  @Benchmark
  public Object loadAsync(Window w) {
    Object done = w.waitForSlot();
    w.issue(storage.load(toLoad[w.next]));
    return done;
  }
}
