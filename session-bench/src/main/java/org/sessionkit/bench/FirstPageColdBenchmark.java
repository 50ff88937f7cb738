package org.sessionkit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.sessionkit.ListQuery;
import org.sessionkit.SessionPage;

/**
 * The first page of {@link FirstPageBenchmark}, cold: before every listing the store is closed
 * and opened again at the same location (untimed), so the listing starts without the store's
 * caches. The operating system's page cache stays warm: this is a restarted process, not a
 * rebooted machine. Only for stores that keep sessions across instances (not {@code memory});
 * run with one thread.
 *
 * <p>Run with
 * {@code java -jar session-bench/target/benchmarks.jar --include FirstPageColdBenchmark -p store=file}
 * (the baseline joins by itself), or with JMH's own launcher:
 * {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main FirstPageColdBenchmark -p store=file,raw-file}.
 */
@State(Scope.Benchmark)
public class FirstPageColdBenchmark extends StoreBenchmark {

  /** Number of stored sessions, or {@code auto} for the store's scale. */
  @Param({"auto"})
  public String sessions;

  private ListQuery all;
  private ListQuery prefixed;

  /** Creates the benchmark (JMH instantiates it). */
  public FirstPageColdBenchmark() {}

  /** Opens the store holding the population; fails for stores that keep nothing. */
  @Setup(Level.Trial)
  public void setup() {
    if (!StoreFactories.forName(store).persistent()) {
      throw new IllegalStateException(store + " keeps nothing across instances: no cold start to measure");
    }
    use(FirstPageBenchmark.openPopulation(store, sessions));
    all = ListQuery.firstPage().limit(FirstPageBenchmark.PAGE);
    prefixed = ListQuery.withPrefix(handle.id(FirstPageBenchmark.PREFIX)).limit(FirstPageBenchmark.PAGE);
  }

  /** Reopens the store (not measured). */
  @Setup(Level.Invocation)
  public void reopen() {
    handle.reopen();
    storage = handle.storage();
  }

  /** Closes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    closeStore();
  }

  /**
   * Lists the first page of all sessions from a freshly opened store.
   *
   * @return the page
   */
  @Benchmark
  public SessionPage firstPageCold() {
    return await(storage.list(all));
  }

  /**
   * Lists the first page of one user's sessions from a freshly opened store.
   *
   * @return the page
   */
  @Benchmark
  public SessionPage firstPagePrefixCold() {
    return await(storage.list(prefixed));
  }
}
