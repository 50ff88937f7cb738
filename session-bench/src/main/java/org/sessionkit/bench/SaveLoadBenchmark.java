package org.sessionkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;
import org.sessionkit.Revision;
import org.sessionkit.Session;

/**
 * Concurrent {@code save} and {@code load} of whole sessions of {@code size} messages.
 *
 * <p>Each thread saves its own 16 ids in turn (no two threads write one id, so this measures
 * the store, not a lock on one session); loads cycle over 64 sessions stored before the trial.
 * <p>Run with
 * {@code java -jar session-bench/target/benchmarks.jar --include SaveLoadBenchmark -p store=memory -p size=100 --threads 2}
 * (the baseline joins by itself), or with JMH's own launcher:
 * {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main SaveLoadBenchmark -p store=memory,raw-memory -p size=100 -t 2}.
 */
@State(Scope.Benchmark)
public class SaveLoadBenchmark extends StoreBenchmark {

  /** Messages per session. */
  @Param({"100"})
  public int size;

  private static final int IDS_PER_THREAD = 16;
  private static final int LOADED = 64;

  private Session[][] toSave;
  private String[] toLoad;

  /** Creates the benchmark (JMH instantiates it). */
  public SaveLoadBenchmark() {}

  /** Per-thread position in the id lists. */
  @State(Scope.Thread)
  public static class Cursor {
    int thread;
    int next;

    /** Creates the cursor (JMH instantiates it). */
    public Cursor() {}

    /** Takes the thread's index. @param t the thread's JMH parameters */
    @Setup
    public void setup(ThreadParams t) {
      thread = t.getThreadIndex();
      next = thread * 7;
    }
  }

  /** Opens an empty store, builds each thread's sessions and stores the ones to load. */
  @Setup(Level.Trial)
  public void setup(BenchmarkParams params) {
    openFresh();
    toSave = new Session[params.getThreads()][IDS_PER_THREAD];
    for (int t = 0; t < toSave.length; t++) {
      for (int i = 0; i < IDS_PER_THREAD; i++) {
        toSave[t][i] = SessionFixtures.session(handle.id("save-t" + t + "-" + i), size);
      }
    }
    toLoad = new String[LOADED];
    for (int i = 0; i < LOADED; i++) {
      toLoad[i] = handle.id(String.format("load-%03d", i));
      await(storage.save(SessionFixtures.session(toLoad[i], size)));
    }
  }

  /** Closes the store and removes its files. */
  @TearDown(Level.Trial)
  public void tearDown() {
    closeStore();
  }

  /** Saves (replaces) one of the thread's sessions. @return the new revision */
  @Benchmark
  public Revision save(Cursor c) {
    return await(storage.save(toSave[c.thread][c.next++ & (IDS_PER_THREAD - 1)]));
  }

  /** Loads one of the stored sessions. @return the session */
  @Benchmark
  public Session load(Cursor c) {
    return await(storage.load(toLoad[c.next++ & (LOADED - 1)]));
  }
}
