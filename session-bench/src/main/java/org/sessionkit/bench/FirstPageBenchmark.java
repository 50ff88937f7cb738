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
 * The first page (20 summaries) of {@code list(ListQuery)} over a large store, without and with
 * an id-prefix filter (one user's sessions: {@code user-042/}, one session in a hundred), warm:
 * the same instance answers again and again (issue 7). The population is {@code sessions}, or
 * with {@code auto} the store's own scale: 100,000 sessions in memory and 10,000 in files,
 * each of 2 messages.
 *
 * <p>Run with
 * {@code java -jar session-bench/target/benchmarks.jar --include FirstPageBenchmark -p store=memory}
 * (the baseline joins by itself), or with JMH's own launcher:
 * {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main FirstPageBenchmark -p store=memory,raw-memory}.
 * {@link FirstPageColdBenchmark} measures a freshly opened instance.
 */
@State(Scope.Benchmark)
public class FirstPageBenchmark extends StoreBenchmark {

  /** Number of stored sessions, or {@code auto} for the store's scale. */
  @Param({"auto"})
  public String sessions;

  /** Sessions per page. */
  static final int PAGE = 20;

  /**
   * Messages per session of the population: a listing must not depend on them ({@link
   * ListAllBenchmark} shows it), and two keep filling 100,000 sessions quick.
   */
  static final int MESSAGES = 2;

  /** The prefix of the filtered listing. */
  static final String PREFIX = "user-042/";

  ListQuery all;
  ListQuery prefixed;

  /** Creates the benchmark (JMH instantiates it). */
  public FirstPageBenchmark() {}

  /** Opens the store holding the population (filled once per work directory for files). */
  @Setup(Level.Trial)
  public void setup() {
    use(openPopulation(store, sessions));
    all = ListQuery.firstPage().limit(PAGE);
    prefixed = ListQuery.withPrefix(handle.id(PREFIX)).limit(PAGE);
  }

  /** Closes the store. */
  @TearDown(Level.Trial)
  public void tearDown() {
    closeStore();
  }

  /**
   * Lists the first page of all sessions.
   *
   * @return the page
   */
  @Benchmark
  public SessionPage firstPage() {
    return await(storage.list(all));
  }

  /**
   * Lists the first page of one user's sessions.
   *
   * @return the page
   */
  @Benchmark
  public SessionPage firstPagePrefix() {
    return await(storage.list(prefixed));
  }

  /** The population size for a store: {@code sessions}, or the store's scale for {@code auto}. */
  static int population(String store, String sessions) {
    return "auto".equals(sessions)
        ? StoreFactories.forName(store).pagePopulation()
        : Integer.parseInt(sessions);
  }

  static StoreHandle openPopulation(String store, String sessions) {
    int n = population(store, sessions);
    return StoreHandle.populated(
        store, "page-" + n + "x" + MESSAGES, n, i -> SessionFixtures.populationSession(i, MESSAGES));
  }
}
