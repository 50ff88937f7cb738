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
 * One store under test in one benchmark trial: its location (a directory the benchmark owns, or
 * nothing), the open instance, and the prefix its ids carry (empty except on a shared server,
 * where a run prefix keeps trials apart and lets {@link #close()} remove what the trial wrote).
 *
 * <p>Locations live under the work directory: the system property {@value #DIR_PROPERTY} (set by
 * {@link Main} for every fork), else {@code <java.io.tmpdir>/sessionkit-bench}. A populated
 * directory is filled once per work directory and reused by every later trial and fork that
 * asks for the same population of the same kind of documents; it is only ever read, and {@link
 * Main} deletes the work directory at the end of a run. Not thread safe: used from {@code
 * Level.Trial} and {@code Level.Invocation} fixtures.
 */
final class StoreHandle implements AutoCloseable {

  /** The system property naming the work directory. */
  static final String DIR_PROPERTY = "sessionkit.bench.dir";

  private static final long TIMEOUT_SECONDS = 600;
  private static final int IN_FLIGHT = 64;

  private final StoreFactory factory;
  private final Path location;
  private final boolean owned;
  private final String idPrefix;
  private SessionStorage storage;

  private StoreHandle(StoreFactory factory, Path location, boolean owned, String idPrefix) {
    this.factory = factory;
    this.location = location;
    this.owned = owned;
    this.idPrefix = idPrefix;
    this.storage = factory.opener().open(location);
  }

  /** Opens a new, empty instance of {@code store} at a location of its own. */
  static StoreHandle fresh(String store) {
    StoreFactory f = StoreFactories.forName(store);
    Path dir = workDirectory().resolve("fresh").resolve(store + "-" + UUID.randomUUID());
    if (f.kind() == StoreFactory.Kind.DIRECTORY) {
      createDirectories(dir);
    }
    return new StoreHandle(f, dir, true, prefixFor(f));
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
            try (SessionStorage filler = f.filler().open(dir)) {
              fill(filler, count, session);
            }
            try {
              Files.writeString(done, count + " sessions\n");
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          return new StoreHandle(f, dir, false, "");
        }
      case MEMORY:
        {
          StoreHandle h = new StoreHandle(f, workDirectory(), false, "");
          fill(h.storage, count, session);
          return h;
        }
      default:
        {
          StoreHandle h = new StoreHandle(f, workDirectory(), true, prefixFor(f));
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

  /** Closes the instance and removes what this trial created (never a shared population). */
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
        deleteRecursively(location);
      }
    }
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
