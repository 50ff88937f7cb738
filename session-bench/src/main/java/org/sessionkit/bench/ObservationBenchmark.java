package org.sessionkit.bench;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.micrometer.ObservedSessionStorage;

/**
 * The cost of observing a store with {@code session-micrometer}: {@code save} and {@code load}
 * of a 10-message session on the same store bare and decorated, in one run. {@code observed}
 * uses a registry with Micrometer's default meter handler (a timer per operation and outcome,
 * as Spring Boot sets it up); {@code noop} a registry without handlers.
 *
 * <p>Run with {@code java -cp session-bench/target/benchmarks.jar org.openjdk.jmh.Main
 * ObservationBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ObservationBenchmark {

  /** The store: {@code memory} or {@code file} (a temporary directory, fsync off). */
  @Param({"memory", "file"})
  public String store;

  /** {@code bare}, {@code noop} (decorated, no handlers) or {@code observed} (decorated, timers). */
  @Param({"bare", "noop", "observed"})
  public String mode;

  private SessionStorage storage;
  private Path dir;
  private Session session;

  /** Creates the benchmark (JMH instantiates it). */
  public ObservationBenchmark() {}

  /** Opens the store, decorated as {@link #mode} says, and stores the session to load. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    SessionStorage inner;
    if (store.equals("file")) {
      dir = Files.createTempDirectory("sk-observation-bench");
      inner = SessionStorages.open("file:" + dir + "?fsync=false");
    } else {
      inner = SessionStorages.open("memory:");
    }
    switch (mode) {
      case "bare":
        storage = inner;
        break;
      case "noop":
        storage = ObservedSessionStorage.observe(inner, ObservationRegistry.create());
        break;
      case "observed":
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
        storage = ObservedSessionStorage.observe(inner, registry);
        break;
      default:
        throw new IllegalArgumentException("mode " + mode);
    }
    session = SessionFixtures.session("observed-session", 10);
    storage.save(session).join();
  }

  /** Closes the store and removes its directory. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    storage.close();
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Saves the session. @return its revision */
  @Benchmark
  public Revision save() {
    return storage.save(session).join();
  }

  /** Loads the session. @return it */
  @Benchmark
  public Session load() {
    return storage.load(session.id()).join();
  }
}
