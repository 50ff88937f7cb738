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
 * flight. One invocation waits for the oldest outstanding future and starts a new operation in
 * its place, so the store always has {@value #IN_FLIGHT} operations per thread to overlap (a store
 * running blocking I/O on an executor can use all its threads; the baselines run each operation
 * on the caller's thread, so for them this is a sequential loop).
 *
 * <p>Run with
 * {@code java -jar session-bench/target/benchmarks.jar --include AsyncBenchmark -p store=memory}
 * (the baseline joins by itself), or with JMH's own launcher:
 * {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main AsyncBenchmark -p store=memory,raw-memory}.
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

  /**
   * A thread's window of outstanding futures; slot {@code k} always works on session {@code k}.
   * Filled before each iteration and drained after it (both untimed), so every measured
   * invocation completes exactly one operation while {@value #IN_FLIGHT} are outstanding.
   */
  public abstract static class Window {
    final CompletableFuture<?>[] pending = new CompletableFuture<?>[IN_FLIGHT];
    int next;

    /** Creates the state (JMH instantiates subclasses). */
    protected Window() {}

    /** Starts the operation of slot {@code slot}. */
    abstract CompletableFuture<?> start(AsyncBenchmark b, int slot);

    /**
     * Starts an operation in every slot (not measured).
     *
     * @param b the benchmark
     */
    @Setup(Level.Iteration)
    public void fill(AsyncBenchmark b) {
      for (int i = 0; i < IN_FLIGHT; i++) {
        pending[i] = start(b, i);
      }
      next = 0;
    }

    /** Waits for every outstanding operation, so none spills into the next iteration. */
    @TearDown(Level.Iteration)
    public void drain() {
      for (int i = 0; i < IN_FLIGHT; i++) {
        await(pending[i]);
        pending[i] = null;
      }
    }

    /** Waits for the oldest operation, starts the next one in its slot and returns the result. */
    final Object cycle(AsyncBenchmark b) {
      Object done = await(pending[next]);
      pending[next] = start(b, next);
      next = (next + 1) & (IN_FLIGHT - 1);
      return done;
    }
  }

  /** A thread's window of saves of its own {@value #IN_FLIGHT} sessions. */
  @State(Scope.Thread)
  public static class SaveWindow extends Window {
    Session[] toSave;

    /** Creates the state (JMH instantiates it). */
    public SaveWindow() {}

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

    @Override
    CompletableFuture<?> start(AsyncBenchmark b, int slot) {
      return b.storage.save(toSave[slot]);
    }
  }

  /** A thread's window of loads of the stored sessions. */
  @State(Scope.Thread)
  public static class LoadWindow extends Window {
    /** Creates the state (JMH instantiates it). */
    public LoadWindow() {}

    @Override
    CompletableFuture<?> start(AsyncBenchmark b, int slot) {
      return b.storage.load(b.toLoad[slot]);
    }
  }

  /**
   * Waits for the oldest outstanding operation and starts a save in its slot.
   *
   * @param w the thread's window
   * @return what the completed operation returned
   */
  @Benchmark
  public Object saveAsync(SaveWindow w) {
    return w.cycle(this);
  }

  /**
   * Waits for the oldest outstanding operation and starts a load in its slot.
   *
   * @param w the thread's window
   * @return what the completed operation returned
   */
  @Benchmark
  public Object loadAsync(LoadWindow w) {
    return w.cycle(this);
  }
}
