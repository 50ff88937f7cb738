package org.sessionkit.bench;

import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.sessionkit.SessionSummary;

/**
 * {@code list()} over a store holding {@code sessions} sessions of {@code size} messages each.
 * Running it with {@code size} 10 and 1,000 shows whether listing reads messages: it should not
 * (the storage contract, docs/contract.md: a store summarises a session it wrote without reading
 * its messages). The file
 * store is measured warm (the same instance lists again and again).
 *
 * <p>Run with
 * {@code java -jar session-bench/target/benchmarks.jar --include ListAllBenchmark -p store=memory -p size=10,1000}
 * (the baseline joins by itself), or with JMH's own launcher:
 * {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main ListAllBenchmark -p store=memory,raw-memory -p size=10,1000}.
 */
@State(Scope.Benchmark)
public class ListAllBenchmark extends StoreBenchmark {

  /** Number of stored sessions. */
  @Param({"1000"})
  public int sessions;

  /** Messages per session. */
  @Param({"10"})
  public int size;

  /** Creates the benchmark (JMH instantiates it). */
  public ListAllBenchmark() {}

  /** Opens the store holding the population (filled once per work directory for files). */
  @Setup(Level.Trial)
  public void setup() {
    use(StoreHandle.populated(
        store, "list-" + sessions + "x" + size, sessions,
        i -> SessionFixtures.populationSession(i, size)));
  }

  /** Closes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    closeStore();
  }

  /**
   * Lists every session.
   *
   * @return the summaries
   */
  @Benchmark
  public List<SessionSummary> list() {
    return await(storage.list());
  }
}
