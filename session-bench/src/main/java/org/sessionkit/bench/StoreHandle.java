package org.sessionkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;

/**
 * One store under test in one benchmark trial: its location (a directory the benchmark owns, a
 * namespace on a server, or nothing), the open instance, and the prefix its ids carry (empty
 * except for a store at a URI the user gave, where a run prefix keeps trials apart and lets
 * {@link #close()} remove what the trial wrote).
 *
 * <p>Locations live under the work directory: the system property {@value #DIR_PROPERTY} (set by
 * {@link Main} for every fork), else {@code <java.io.tmpdir>/sessionkit-bench}. A populated
 * directory is filled once per work directory and reused by every later trial and fork that
 * asks for the same population of the same kind of documents; it is only ever read, and {@link
 * Main} deletes the work directory at the end of a run.
 *
 * <p>On a server ({@link StoreFactory.Kind#SERVER}) every handle works in a namespace of its own
 * — a PostgreSQL schema, a Redis key prefix — named {@code skbench_<run>_<random>}, created for
 * each trial and removed by {@link #close()}; {@link Main} sweeps every namespace of its run
 * ({@link #namespacePrefix()}) at the end, in case a fork died before its teardown. A populated
 * namespace (the listings' sessions, only ever read) is the exception: under {@link Main} it is
 * filled once per run, like a populated directory, shared by the run's later trials and removed
 * by the sweep; without {@link Main} it lives one trial. The run is
 * the system property {@value #RUN_PROPERTY}, set by {@link Main} for every fork. Not thread
 * safe: used from {@code Level.Trial} and {@code Level.Invocation} fixtures.
 */
final class StoreHandle implements AutoCloseable {

  /** The system property naming the work directory. */
  static final String DIR_PROPERTY = "sessionkit.bench.dir";

  /** The system property naming the run, part of every server namespace. */
  static final String RUN_PROPERTY = "sessionkit.bench.run";

  /** The run of a JVM started without {@value #RUN_PROPERTY} (JMH's own launcher). */
  private static final String OWN_RUN = newRunId();

  private static final long TIMEOUT_SECONDS = 600;
  private static final int IN_FLIGHT = 64;

  /**
   * The system property giving how long, in milliseconds, a freshly filled directory rests
   * before it is used (see {@link #populated}); 4,000 by default, 0 in the smoke pass.
   */
  static final String SETTLE_PROPERTY = "sessionkit.bench.settleMillis";

  private final StoreFactory factory;
  private final String location;
  private final boolean owned;
  private final String idPrefix;
  private SessionStorage storage;

  private StoreHandle(StoreFactory factory, String location, boolean owned, String idPrefix) {
    this.factory = factory;
    this.location = location;
    this.owned = owned;
    this.idPrefix = idPrefix;
    this.storage = factory.opener().open(location);
  }

  /** Opens a new, empty instance of {@code store} at a location of its own. */
  static StoreHandle fresh(String store) {
    StoreFactory f = StoreFactories.forName(store);
    switch (f.kind()) {
      case DIRECTORY:
        {
          Path dir = workDirectory().resolve("fresh").resolve(store + "-" + UUID.randomUUID());
          createDirectories(dir);
          return new StoreHandle(f, dir.toString(), true, "");
        }
      case SERVER:
        return new StoreHandle(f, newNamespace(), true, "");
      default:
        return new StoreHandle(f, "", true, prefixFor(f));
    }
  }

  /**
   * Opens an instance of {@code store} holding {@code count} sessions made by {@code session}
   * (ids are prefixed with {@link #id}). Directories are filled once, with the factory's filler,
   * and reused.
   */
  static StoreHandle populated(String store, String key, int count, IntFunction<Session> session) {
    StoreFactory f = StoreFactories.forName(store);
    switch (f.kind()) {
      case DIRECTORY:
        {
          Path dir = workDirectory().resolve("populated").resolve(f.populationKey() + "-" + key);
          Path done = dir.resolveSibling(dir.getFileName() + ".complete");
          if (!Files.exists(done)) {
            deleteRecursively(dir);
            createDirectories(dir);
            try (SessionStorage filler = f.filler().open(dir.toString())) {
              fill(filler, count, session);
            }
            try {
              Files.writeString(done, count + " sessions\n");
              // A file store trusts what it cached of a file only once the file is a few seconds
              // old (a write in the same clock tick could go unnoticed): let the population age,
              // as sessions written before a listing would, so that a warm listing is warm.
              Thread.sleep(Long.getLong(SETTLE_PROPERTY, 4_000));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted while the population settles", e);
            }
          }
          return new StoreHandle(f, dir.toString(), false, "");
        }
      case MEMORY:
        {
          StoreHandle h = new StoreHandle(f, "", false, "");
          fill(h.storage, count, session);
          return h;
        }
      case SERVER:
        {
          if (!runOwnsCleanUp()) {
            // JMH's own launcher: nobody sweeps at the end, so the population lives one trial
            StoreHandle h = new StoreHandle(f, newNamespace(), true, "");
            try {
              fill(h.storage, count, session);
            } catch (RuntimeException e) {
              h.close();
              throw e;
            }
            return h;
          }
          // Under Main the population is filled once per run, in a namespace named after it, and
          // shared by every later trial and fork of the run that lists it (listing benchmarks
          // only read): filling 10⁶ sessions takes a minute or more, once per benchmark method
          // and round otherwise. Main's sweep removes it at the end of the run.
          String namespace = populationNamespace(f.name(), key);
          Path done = workDirectory().resolve("server-populations").resolve(namespace + ".complete");
          StoreFactory.Server server = f.server().orElseThrow();
          if (!Files.exists(done)) {
            server.store().drop(server.uri(), namespace); // a fill that died part way
            StoreHandle h = new StoreHandle(f, namespace, false, "");
            try {
              fill(h.storage, count, session);
              createDirectories(done.getParent());
              Files.writeString(done, count + " sessions\n");
            } catch (IOException e) {
              h.close();
              throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
              h.close();
              server.store().drop(server.uri(), namespace);
              throw e;
            }
            return h;
          }
          return new StoreHandle(f, namespace, false, "");
        }
      default:
        {
          StoreHandle h = new StoreHandle(f, "", true, prefixFor(f));
          fill(h.storage, count, i -> {
            Session s = session.apply(i);
            return s.withId(h.id(s.id()));
          });
          return h;
        }
    }
  }

  /** The open instance. */
  SessionStorage storage() {
    return storage;
  }

  /** The factory this store was opened with. */
  StoreFactory factory() {
    return factory;
  }

  /** The id to use for {@code local} in this store (a run prefix on shared servers). */
  String id(String local) {
    return idPrefix.isEmpty() ? local : idPrefix + local;
  }

  /**
   * Closes the instance and opens a new one at the same location: its caches are cold (the
   * operating system's page cache is not).
   *
   * @throws IllegalStateException if the store keeps nothing across instances
   */
  void reopen() {
    if (!factory.persistent()) {
      throw new IllegalStateException(
          factory.name() + " keeps nothing across instances: a cold start can't be measured");
    }
    storage.close();
    storage = factory.opener().open(location);
  }

  /**
   * Closes the instance and removes what this trial created (never a shared population): its
   * directory, its namespace on a server, or the sessions it saved at a user's URI.
   */
  @Override
  public void close() {
    try {
      if (owned && factory.kind() == StoreFactory.Kind.EXTERNAL && !idPrefix.isEmpty()) {
        List<String> ids =
            storage.stream(ListQuery.withPrefix(idPrefix).limit(ListQuery.MAX_LIMIT))
                .map(s -> s.id())
                .collect(Collectors.toList());
        for (String id : ids) {
          storage.delete(id).exceptionally(e -> null).join();
        }
      }
    } finally {
      storage.close();
      if (owned && factory.kind() == StoreFactory.Kind.DIRECTORY) {
        deleteRecursively(Paths.get(location));
      }
      if (owned && factory.kind() == StoreFactory.Kind.SERVER) {
        StoreFactory.Server s = factory.server().orElseThrow();
        try {
          s.store().drop(s.uri(), location);
        } catch (RuntimeException e) {
          // the run's sweep tries again; the measurement itself is unaffected
          System.err.println("session-bench: " + e.getMessage());
        }
      }
    }
  }

  /** The location of this store: a directory, a server namespace, or empty. */
  String location() {
    return location;
  }

  /** The prefix of every server namespace of this run: {@code skbench_<run>_}. */
  static String namespacePrefix() {
    String run = System.getProperty(RUN_PROPERTY);
    return "skbench_" + (run == null || run.isBlank() ? OWN_RUN : run) + "_";
  }

  /** A new run id: 8 lower-case hex digits (fits a schema name and a key prefix). */
  static String newRunId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Whether a {@link Main} run owns this JVM's server namespaces ({@value #RUN_PROPERTY} set):
   * it sweeps them all at its end, so a namespace may outlive a trial.
   */
  private static boolean runOwnsCleanUp() {
    String run = System.getProperty(RUN_PROPERTY);
    return run != null && !run.isBlank();
  }

  /**
   * The namespace of a shared server population of this run: {@code skbench_<run>_p<hash>},
   * the hash naming the store and the population.
   */
  static String populationNamespace(String store, String key) {
    return namespacePrefix() + "p" + String.format("%08x", (store + "/" + key).hashCode());
  }

  private static String newNamespace() {
    return namespacePrefix() + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Saves {@code count} sessions, keeping up to 64 saves in flight. */
  static void fill(SessionStorage storage, int count, IntFunction<Session> session) {
    ArrayDeque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
    for (int i = 0; i < count; i++) {
      if (inFlight.size() >= IN_FLIGHT) {
        Futures.await(inFlight.removeFirst(), TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
      inFlight.addLast(storage.save(session.apply(i)));
    }
    while (!inFlight.isEmpty()) {
      Futures.await(inFlight.removeFirst(), TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** The work directory (see the class documentation). */
  static Path workDirectory() {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      return Paths.get(System.getProperty("java.io.tmpdir"), "sessionkit-bench");
    }
    return Paths.get(dir);
  }

  /** Deletes a directory tree if it exists. */
  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("can't delete " + root, e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String prefixFor(StoreFactory f) {
    return f.kind() == StoreFactory.Kind.EXTERNAL
        ? "bench-" + UUID.randomUUID().toString().substring(0, 8) + "-"
        : "";
  }
}
