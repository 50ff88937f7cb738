package org.sessionkit.bench;

import java.util.function.UnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;
import org.sessionkit.Session;
import org.sessionkit.VersionedSession;

/**
 * {@code update} under contention: every thread updates the same two sessions of {@code size}
 * messages, picking one at random for each update (bumping the event count and {@code
 * updatedAt}, so sizes stay constant), so with two threads both often work on one session and
 * the stores' conflict-and-retry path runs. The baselines update under a lock ({@code
 * ConcurrentHashMap.compute}, or a striped lock around read-modify-write for files).
 *
 * <p>Run with
 * {@code java -jar session-bench/target/benchmarks.jar --include UpdateBenchmark -p store=memory --threads 2}
 * (the baseline joins by itself), or with JMH's own launcher:
 * {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main UpdateBenchmark -p store=memory,raw-memory -t 2}.
 */
@State(Scope.Benchmark)
public class UpdateBenchmark extends StoreBenchmark {

  /** Messages per session. */
  @Param({"100"})
  public int size;

  /** The number of sessions all threads update. */
  static final int HOT_IDS = 2;

  private static final UnaryOperator<Session> CHANGE =
      s -> s.withState(st -> st.withEventCount(st.eventCount() + 1)).withUpdatedAt(s.updatedAt().plusNanos(1));

  private String[] ids;

  /** Creates the benchmark (JMH instantiates it). */
  public UpdateBenchmark() {}

  /**
   * Per-thread choice of the id: a cheap pseudo-random sequence (xorshift), different in each
   * thread, so that two threads pick the same id about half the time whatever their relative
   * speed. (Cycling over the ids from different starting points would keep two threads in step
   * on different ids, with no contention at all.)
   */
  @State(Scope.Thread)
  public static class Cursor {
    int seed;

    /** Creates the cursor (JMH instantiates it). */
    public Cursor() {}

    /**
     * Seeds each thread differently.
     *
     * @param t the thread's JMH parameters
     */
    @Setup
    public void setup(ThreadParams t) {
      seed = 0x9E3779B9 * (t.getThreadIndex() + 1);
    }

    int nextId() {
      int x = seed;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      seed = x;
      return (x >>> 16) % HOT_IDS;
    }
  }

  /** Opens an empty store and stores the hot sessions. */
  @Setup(Level.Trial)
  public void setup() {
    openFresh();
    ids = new String[HOT_IDS];
    for (int i = 0; i < HOT_IDS; i++) {
      ids[i] = handle.id("hot-" + i);
      await(storage.save(SessionFixtures.session(ids[i], size)));
    }
  }

  /** Closes the store and removes its files. */
  @TearDown(Level.Trial)
  public void tearDown() {
    closeStore();
  }

  /**
   * Updates one of the hot sessions.
   *
   * @param c the thread's cursor
   * @return the saved session and its revision
   */
  @Benchmark
  public VersionedSession update(Cursor c) {
    return await(storage.update(ids[c.nextId()], CHANGE));
  }
}
