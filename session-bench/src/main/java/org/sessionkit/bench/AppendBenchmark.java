package org.sessionkit.bench;

import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;
import org.sessionkit.Append;
import org.sessionkit.Revision;
import org.sessionkit.Session;

/**
 * Appending a turn to a session of {@code turn} messages, against saving the same grown session
 * in full (issue 7: a store that appends without rewriting history should cost about the same at
 * turn 1,000 as at turn 10; one that rewrites pays for the whole document, like a full save).
 *
 * <p>Appending grows a session, so the measured appends must start from about {@code turn}
 * messages: each thread owns {@value #BATCH} sessions, one invocation appends one message to
 * each of them, and an untimed {@code Level.Invocation} setup saves them back at {@code turn}
 * messages whenever they have grown by a tenth (every invocation at turn 10; so an append "at
 * turn 1,000" meets 1,000 to 1,099 messages). {@code fullSave} saves {@value #BATCH} sessions of
 * {@code turn + 1} messages per invocation: the result of the append, written whole. Both report
 * operations per second (one operation = one session).
 *
 * <p>Run with
 * {@code java -jar session-bench/target/benchmarks.jar --include AppendBenchmark -p store=memory -p turn=10,1000}
 * (the baseline joins by itself), or with JMH's own launcher:
 * {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main AppendBenchmark -p store=memory,raw-memory -p turn=10,1000}.
 */
@State(Scope.Benchmark)
public class AppendBenchmark extends StoreBenchmark {

  /** Messages in the session before the append. */
  @Param({"10"})
  public int turn;

  /** Sessions appended to (or saved) per invocation, per thread. */
  static final int BATCH = 16;

  private Append next;

  /** Creates the benchmark (JMH instantiates it). */
  public AppendBenchmark() {}

  /** Opens an empty store and builds the appended turn. */
  @Setup(Level.Trial)
  public void setup() {
    openFresh();
    next = Append.of(
        List.of(SessionFixtures.message(turn)), SessionFixtures.state(turn + 1),
        SessionFixtures.updatedAt(turn + 1));
  }

  /** Closes the store and removes its files. */
  @TearDown(Level.Trial)
  public void tearDown() {
    closeStore();
  }

  /** A thread's sessions to append to, put back at {@code turn} messages regularly. */
  @State(Scope.Thread)
  public static class AppendTargets {
    String[] ids;
    Session[] base;
    long invocations;

    /** Creates the state (JMH instantiates it). */
    public AppendTargets() {}

    /**
     * Names the thread's sessions.
     *
     * @param b the benchmark
     * @param t the thread's JMH parameters
     */
    @Setup(Level.Trial)
    public void setup(AppendBenchmark b, ThreadParams t) {
      ids = new String[BATCH];
      base = new Session[BATCH];
      for (int i = 0; i < BATCH; i++) {
        ids[i] = b.handle.id("append-t" + t.getThreadIndex() + "-" + i);
        base[i] = SessionFixtures.session(ids[i], b.turn);
      }
    }

    /**
     * Saves the sessions at {@code turn} messages again (not measured) when they have grown by a
     * tenth: at turn 10 before every invocation, at turn 1,000 every 100 invocations. Resetting
     * before every invocation would re-encode whole sessions between timed appends so often that
     * a fast store's append path never warms up and runs on caches the reset just flushed.
     *
     * @param b the benchmark
     */
    @Setup(Level.Invocation)
    public void reset(AppendBenchmark b) {
      if (invocations++ % Math.max(1, b.turn / 10) == 0) {
        for (Session s : base) {
          await(b.storage.save(s));
        }
      }
    }
  }

  /** A thread's grown sessions, saved whole. */
  @State(Scope.Thread)
  public static class SaveTargets {
    Session[] grown;

    /** Creates the state (JMH instantiates it). */
    public SaveTargets() {}

    /**
     * Builds the thread's sessions of {@code turn + 1} messages.
     *
     * @param b the benchmark
     * @param t the thread's JMH parameters
     */
    @Setup(Level.Trial)
    public void setup(AppendBenchmark b, ThreadParams t) {
      grown = new Session[BATCH];
      for (int i = 0; i < BATCH; i++) {
        grown[i] = SessionFixtures.session(b.handle.id("full-t" + t.getThreadIndex() + "-" + i), b.turn + 1);
      }
    }
  }

  /**
   * Appends one message to each of the thread's sessions.
   *
   * @param t the thread's sessions
   * @return the last new revision
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Revision append(AppendTargets t) {
    Revision r = null;
    for (String id : t.ids) {
      r = await(storage.append(id, next));
    }
    return r;
  }

  /**
   * Saves each of the thread's grown sessions in full.
   *
   * @param t the thread's sessions
   * @return the last new revision
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Revision fullSave(SaveTargets t) {
    Revision r = null;
    for (Session s : t.grown) {
      r = await(storage.save(s));
    }
    return r;
  }
}
