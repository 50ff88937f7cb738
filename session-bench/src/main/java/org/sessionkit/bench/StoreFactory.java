package org.sessionkit.bench;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Paths;
import java.util.Objects;
import java.util.Optional;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.micrometer.ObservedSessionStorage;
import org.sessionkit.spi.StorageUri;

/**
 * How the benchmarks open one store under test, named by the value of the {@code store}
 * parameter: {@code memory}, {@code file}, {@code file-nofsync}, a server store ({@code
 * postgresql}, {@code redis}), a baseline ({@code raw-memory}, {@code raw-file}, {@code
 * raw-file-nofsync}, {@code raw-postgresql}, {@code raw-redis}) or the scheme of any other store
 * on the class path, opened at the URI the user gives (see {@link StoreFactories}).
 *
 * @param name the parameter value
 * @param description what is measured, for the report
 * @param baseline the name of the baseline this store's results are divided by, if any
 * @param kind where the store keeps its sessions, which decides how a location is made
 * @param populationKey stores with the same key write the same documents to a directory, so a
 *     directory populated once serves all of them
 * @param pagePopulation the number of sessions the first-page benchmarks list (issue 7: 100,000
 *     in memory, 10,000 in files and on servers)
 * @param lists whether it can list sessions (the server baselines can't: they have no index)
 * @param server the server of a {@link Kind#SERVER} store and its URI
 * @param opener opens an instance at a location (see {@link Opener})
 * @param filler opens an instance used only to fill a location quickly (e.g. without fsync)
 */
record StoreFactory(
    String name,
    String description,
    Optional<String> baseline,
    Kind kind,
    String populationKey,
    int pagePopulation,
    boolean lists,
    Optional<Server> server,
    Opener opener,
    Opener filler) {

  /** Where a store keeps its sessions. */
  enum Kind {
    /** In this JVM: a new instance is empty, and reopening loses everything. */
    MEMORY,
    /** In a directory the benchmark owns: reopening sees the same sessions. */
    DIRECTORY,
    /**
     * On a server the benchmark knows ({@link ServerStore}), in a namespace (schema, key prefix)
     * of the trial's own, removed when the trial ends.
     */
    SERVER,
    /** At a URI the user gave: reopening sees the same sessions; ids carry a run prefix. */
    EXTERNAL
  }

  /** A server store and the URI of its server. */
  record Server(ServerStore store, String uri) {
    Server {
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(uri, "uri");
    }
  }

  /** Opens a store instance at a location. */
  @FunctionalInterface
  interface Opener {
    /**
     * Opens an instance; {@code location} is a directory for {@link Kind#DIRECTORY}, a namespace
     * for {@link Kind#SERVER}, ignored by other kinds.
     */
    SessionStorage open(String location);
  }

  StoreFactory {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(populationKey, "populationKey");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(opener, "opener");
    Objects.requireNonNull(filler, "filler");
  }

  /** Whether a reopened instance sees what an earlier one stored (so a cold start can be measured). */
  boolean persistent() {
    return kind != Kind.MEMORY;
  }

  static StoreFactory memory() {
    return new StoreFactory(
        "memory", "memory store (memory:)", Optional.of("raw-memory"), Kind.MEMORY, "memory",
        100_000, true, Optional.empty(),
        at -> SessionStorages.open("memory:"), at -> SessionStorages.open("memory:"));
  }

  static StoreFactory rawMemory() {
    return new StoreFactory(
        "raw-memory", "baseline: ConcurrentHashMap of references + completed future",
        Optional.empty(), Kind.MEMORY, "raw-memory", 100_000, true, Optional.empty(),
        at -> new RawMemoryStorage(), at -> new RawMemoryStorage());
  }

  static StoreFactory file(boolean fsync) {
    return new StoreFactory(
        fsync ? "file" : "file-nofsync",
        fsync ? "file store (file:<dir>, fsync on)" : "file store (file:<dir>?fsync=false)",
        Optional.of(fsync ? "raw-file" : "raw-file-nofsync"),
        Kind.DIRECTORY, "file", 10_000, true, Optional.empty(),
        at -> SessionStorages.open("file:" + Paths.get(at).toAbsolutePath() + (fsync ? "" : "?fsync=false")),
        at -> SessionStorages.open("file:" + Paths.get(at).toAbsolutePath() + "?fsync=false"));
  }

  static StoreFactory rawFile(boolean fsync) {
    return new StoreFactory(
        fsync ? "raw-file" : "raw-file-nofsync",
        fsync
            ? "baseline: encode + write temp + force + rename + force dir; read + decode"
            : "baseline: encode + write temp + rename; read + decode",
        Optional.empty(), Kind.DIRECTORY, "raw-file", 10_000, true, Optional.empty(),
        at -> new RawFileStorage(Paths.get(at), fsync), at -> new RawFileStorage(Paths.get(at), false));
  }

  /** The store on a server, in the namespace it is opened at. */
  static StoreFactory server(ServerStore s, String uri) {
    return new StoreFactory(
        s.name(), s.name() + " store at " + StorageUri.redact(uri), Optional.of(s.baselineName()),
        Kind.SERVER, s.name(), 10_000, true, Optional.of(new Server(s, uri)),
        ns -> s.openStore(uri, ns), ns -> s.openStore(uri, ns));
  }

  /** The raw baseline of a server store, in the namespace it is opened at. */
  static StoreFactory serverBaseline(ServerStore s, String uri) {
    return new StoreFactory(
        s.baselineName(), s.baselineDescription(), Optional.empty(),
        Kind.SERVER, s.baselineName(), 10_000, false, Optional.of(new Server(s, uri)),
        ns -> s.openBaseline(uri, ns), ns -> s.openBaseline(uri, ns));
  }

  static StoreFactory external(String scheme, String uri) {
    return new StoreFactory(
        scheme, "store at " + StorageUri.redact(uri), Optional.empty(),
        Kind.EXTERNAL, scheme, 10_000, true, Optional.empty(),
        at -> SessionStorages.open(uri), at -> SessionStorages.open(uri));
  }

  /** The suffix of a store decorated by {@code session-micrometer}: {@code memory-observed}. */
  static final String OBSERVED_SUFFIX = "-observed";

  /**
   * {@code inner} decorated by {@link ObservedSessionStorage} with a registry that records a
   * Micrometer timer per operation and outcome (what Spring Boot sets up when Actuator is present),
   * compared with the bare store: its baseline is {@code inner} itself, so the ratio column is the
   * decorator's overhead. It fills and lists like {@code inner}, in the same population.
   */
  static StoreFactory observed(StoreFactory inner) {
    return new StoreFactory(
        inner.name() + OBSERVED_SUFFIX,
        inner.description() + ", observed (session-micrometer, timers in a SimpleMeterRegistry)",
        Optional.of(inner.name()), inner.kind(), inner.populationKey(), inner.pagePopulation(),
        inner.lists(), inner.server(),
        at -> ObservedSessionStorage.observe(inner.opener().open(at), timers()),
        inner.filler());
  }

  private static ObservationRegistry timers() {
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
    return registry;
  }
}
