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

  /** Makes {@code h} the store of this trial, after warming up the codec (see {@link #warmUpCodec}). */
  final void use(StoreHandle h) {
    warmUpCodec();
    handle = h;
    storage = h.storage();
  }

  /**
   * The system property giving how long, in milliseconds, each trial warms up the codec before
   * it starts (2,000 by default; 0 in the smoke pass).
   */
  static final String CODEC_WARMUP_PROPERTY = "sessionkit.bench.codecWarmupMillis";

  /**
   * Encodes, decodes, validates and reads the head of a 100-message session for a while, untimed.
   *
   * <p>Every store and every baseline spends most of its CPU in the same codec, whose large
   * decoding code takes many seconds of a loaded 2-core machine to be fully compiled: without
   * this, the side measured first in its fork (or whose calls the JIT inlines differently)
   * was still speeding up during measurement and ratios of the same code drifted by 2× or more.
   * Warming the codec alike for both sides before JMH's own warm-up removes that bias.
   */
  static void warmUpCodec() {
    long millis = Long.getLong(CODEC_WARMUP_PROPERTY, 2_000);
    if (millis <= 0) {
      return;
    }
    org.sessionkit.spi.SessionCodec codec = org.sessionkit.spi.SessionCodec.defaults();
    org.sessionkit.Session session = SessionFixtures.session("warm-up", 100);
    org.sessionkit.spi.DocumentMetadata meta =
        org.sessionkit.spi.DocumentMetadata.of(org.sessionkit.Revision.of(1), session.messages().size());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    long sink = 0;
    while (System.nanoTime() < deadline) {
      byte[] doc = codec.encode(session, meta);
      sink += codec.decode(doc, "warm-up").messages().size();
      sink += codec.readHead(doc, "warm-up").messageCount();
      codec.validate(session);
    }
    warmUpSink = sink; // keeps the loop's results alive
  }

  /** Where {@link #warmUpCodec} leaves its results, so that the JIT can't drop the work. */
  static volatile long warmUpSink;

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
