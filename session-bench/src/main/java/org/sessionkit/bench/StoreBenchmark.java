package org.sessionkit.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.sessionkit.Futures;
import org.sessionkit.SessionStorage;

/**
 * The part every benchmark shares: the {@code store} parameter naming the store under test (see
 * {@link StoreFactories}: {@code memory}, {@code file}, {@code file-nofsync}, the baselines
 * {@code raw-memory}, {@code raw-file}, {@code raw-file-nofsync}, or the scheme of another store
 * on the class path with a configured URI) and the handle of the open store.
 *
 * <p>{@link Main} sets {@code store} to what it discovers; the default below serves a plain
 * {@code java -jar benchmarks.jar -jvm…} run of JMH's own launcher. Subclasses open the store in
 * their {@code Level.Trial} setup and close it in their teardown. One instance per trial, shared
 * by the benchmark's threads.
 */
@State(Scope.Benchmark)
public abstract class StoreBenchmark {

  /** The longest a benchmark waits for one operation before failing the trial. */
  static final long TIMEOUT_SECONDS = 120;

  /** The store under test: a name {@link StoreFactories#forName} knows. */
  @Param({"memory", "raw-memory"})
  public String store;

  /** The store of this trial, set by the subclass's setup. */
  StoreHandle handle;

  /** {@code handle.storage()}, read once per operation. */
  SessionStorage storage;

  /** Creates the state (JMH instantiates subclasses). */
  protected StoreBenchmark() {}

  /** Opens a new, empty instance of the store under test. */
  final void openFresh() {
    use(StoreHandle.fresh(store));
  }

  /** Makes {@code h} the store of this trial. */
  final void use(StoreHandle h) {
    handle = h;
    storage = h.storage();
  }

  /** Closes the store of this trial and removes what the trial created. */
  final void closeStore() {
    if (handle != null) {
      handle.close();
      handle = null;
      storage = null;
    }
  }

  /** Waits for {@code f}, failing the trial after {@value #TIMEOUT_SECONDS} seconds. */
  static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
