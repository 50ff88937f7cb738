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
 * messages: each thread owns {@value #BATCH} sessions, one invocation appends the next message of
 * the conversation to each of them, and an untimed {@code Level.Invocation} setup saves them back
 * at {@code turn} messages every {@link #growth} invocations: max(10, turn / 10), so an append
 * "at turn 10" meets 10 to 19 messages and one "at turn 1,000" 1,000 to 1,099. {@code fullSave}
 * writes exactly what the appends produce: at its k-th invocation of a cycle, {@value #BATCH}
 * whole sessions of {@code turn + k + 1} messages. Both report operations per second (one
 * operation = one session).
 *
 * <p>Why not reset before every invocation: the reset re-writes whole sessions between timed
 * appends, and so often at small turns that the appends then ran on flushed caches (and, for
 * files, right behind a burst of forced writes): appends at turn 10 measured 5 to 7 times
 * slower than at turn 100 in every store and baseline.
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

  /** The append of the k-th invocation of a cycle: message {@code turn + k} and what follows it. */
  private Append[] appends;

  /** Appends between two resets of a thread's sessions: max(10, turn / 10). */
  static int growth(int turn) {
    return Math.max(10, turn / 10);
  }

  /** Creates the benchmark (JMH instantiates it). */
  public AppendBenchmark() {}

  /** Opens an empty store and builds the appended turn. */
  @Setup(Level.Trial)
  public void setup() {
    openFresh();
    appends = appendsFor(turn);
  }

  /**
   * The appends of one cycle from {@code turn}: the k-th adds message {@code turn + k}, so that
   * applied in order to the fixture session of {@code turn} messages they yield the fixture
   * sessions of {@code turn + 1}, {@code turn + 2}, … messages (what {@code fullSave} writes).
   */
  static Append[] appendsFor(int turn) {
    Append[] appends = new Append[growth(turn)];
    for (int k = 0; k < appends.length; k++) {
      appends[k] = Append.of(
          List.of(SessionFixtures.message(turn + k)), SessionFixtures.state(turn + k + 1),
          SessionFixtures.updatedAt(turn + k + 1));
    }
    return appends;
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
    int step;

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
     * Saves the sessions at {@code turn} messages again (not measured) at the start of every
     * cycle of {@link #growth} invocations.
     *
     * @param b the benchmark
     */
    @Setup(Level.Invocation)
    public void reset(AppendBenchmark b) {
      if (step == b.appends.length) {
        step = 0;
      }
      if (step == 0) {
        for (Session s : base) {
          await(b.storage.save(s));
        }
      }
    }
  }

  /** A thread's grown sessions, saved whole: {@code grown[k]} at the k-th invocation of a cycle. */
  @State(Scope.Thread)
  public static class SaveTargets {
    Session[][] grown;
    int step;

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
      grown = new Session[growth(b.turn)][BATCH];
      for (int k = 0; k < grown.length; k++) {
        for (int i = 0; i < BATCH; i++) {
          grown[k][i] = SessionFixtures.session(b.handle.id("full-t" + t.getThreadIndex() + "-" + i), b.turn + k + 1);
        }
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
    Append next = appends[t.step++];
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
    Session[] batch = t.grown[t.step];
    t.step = (t.step + 1) % t.grown.length;
    Revision r = null;
    for (Session s : batch) {
      r = await(storage.save(s));
    }
    return r;
  }
}
