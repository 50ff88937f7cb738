package org.sessionkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;
import org.sessionkit.Revision;
import org.sessionkit.Session;

/**
 * A mixed workload: one thread loads while another saves, over the same 64 sessions of {@code
 * size} messages, so reads meet concurrent replacements (the {@code mixed} group: {@code read}
 * and {@code write}, one thread each; JMH reports the group's total and each side).
 *
 * <p>Run with
 * {@code java -jar session-bench/target/benchmarks.jar --include MixedBenchmark -p store=memory -p size=100}
 * (the baseline joins by itself), or with JMH's own launcher:
 * {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main MixedBenchmark -p store=memory,raw-memory -p size=100}.
 */
@State(Scope.Benchmark)
public class MixedBenchmark extends StoreBenchmark {

  /** Messages per session. */
  @Param({"100"})
  public int size;

  private static final int IDS = 64;

  private Session[] sessions;
  private String[] ids;

  /** Creates the benchmark (JMH instantiates it). */
  public MixedBenchmark() {}

  /** Per-thread position in the id list. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    /** Creates the cursor (JMH instantiates it). */
    public Cursor() {}

    /**
     * Starts each thread at a different place.
     *
     * @param t the thread's JMH parameters
     */
    @Setup
    public void setup(ThreadParams t) {
      next = t.getThreadIndex() * 13;
    }
  }

  /** Opens an empty store and stores the 64 sessions. */
  @Setup(Level.Trial)
  public void setup() {
    openFresh();
    sessions = new Session[IDS];
    ids = new String[IDS];
    for (int i = 0; i < IDS; i++) {
      ids[i] = handle.id(String.format("mixed-%03d", i));
      sessions[i] = SessionFixtures.session(ids[i], size);
      await(storage.save(sessions[i]));
    }
  }

  /** Closes the store and removes its files. */
  @TearDown(Level.Trial)
  public void tearDown() {
    closeStore();
  }

  /**
   * Loads one of the sessions.
   *
   * @param c the thread's cursor
   * @return the session
   */
  @Benchmark
  @Group("mixed")
  @GroupThreads(1)
  public Session read(Cursor c) {
    return await(storage.load(ids[c.next++ & (IDS - 1)]));
  }

  /**
   * Replaces one of the sessions.
   *
   * @param c the thread's cursor
   * @return the new revision
   */
  @Benchmark
  @Group("mixed")
  @GroupThreads(1)
  public Revision write(Cursor c) {
    return await(storage.save(sessions[c.next++ & (IDS - 1)]));
  }
}
