package org.sessionkit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.SessionStorages;

/**
 * Finds the stores to benchmark: every scheme served by a provider on the class path (through
 * {@link SessionStorages#providers()}), so that a new store module joins the comparison without
 * a code change. The embedded stores know how to open a fresh instance ({@code memory:}, {@code
 * file:<temporary dir>} with and without fsync) and bring their baselines. A store whose provider
 * offers {@link org.sessionkit.spi.BenchmarkSupport} ({@code postgresql}, {@code redis}, and any
 * third-party store that does: a {@link ServerStore}) brings its raw baseline through it and is
 * opened at the URI given by the system property {@code sessionkit.bench.uri.<scheme>} or the
 * environment variable {@code SESSIONKIT_BENCH_URI_<SCHEME>}, else at the development server its
 * provider names; such stores are found but only run when asked for ({@link Discovery#servers()}).
 * Any other scheme is opened at its configured URI, without a baseline, and skipped without one.
 *
 * <p>A server store can also run under a <em>variant</em> name {@code <scheme>-<variant>} (e.g.
 * {@code redis-cluster}), to measure it on another server in the same run: the variant is opened
 * at the URI configured for its full name ({@code -Dsessionkit.bench.uri.redis-cluster=redis://h1:p1,h2:p2}
 * or {@code SESSIONKIT_BENCH_URI_REDIS_CLUSTER}), which one of the scheme's provider's schemes
 * must serve, and brings its own baseline ({@code raw-redis-cluster}, the same provider's baseline
 * at that URI). A variant has no default URI; every configured one joins {@link Discovery#servers()}.
 */
final class StoreFactories {

  /** Prefix of the system properties giving the URI of a non-embedded store. */
  static final String URI_PROPERTY_PREFIX = "sessionkit.bench.uri.";

  /**
   * The system property naming a properties file of {@code sessionkit.bench.uri.<scheme>}
   * entries: how {@link Main} hands the URIs to its forks without putting them (and their
   * passwords) on a command line that JMH prints.
   */
  static final String URI_FILE_PROPERTY = "sessionkit.bench.uriFile";

  /** Prefix of the environment variables giving the URI of a non-embedded store. */
  static final String URI_ENV_PREFIX = "SESSIONKIT_BENCH_URI_";

  /**
   * The stores on the class path whose providers offer benchmark support, by scheme (see {@link
   * #schemeOf}); found once per JVM.
   */
  private static final java.util.Map<String, ServerStore> SERVERS = findServers();

  private static java.util.Map<String, ServerStore> findServers() {
    java.util.Map<String, ServerStore> found = new java.util.TreeMap<>();
    for (SessionStorageProvider p : SessionStorages.providers()) {
      p.benchmarkSupport().ifPresent(support -> found.putIfAbsent(schemeOf(p), new ServerStore(schemeOf(p), support)));
    }
    return java.util.Collections.unmodifiableMap(found);
  }

  /** The stores with benchmark support found on the class path, by scheme. */
  static java.util.Map<String, ServerStore> servers() {
    return SERVERS;
  }

  /**
   * The stores found, in report order (each store followed by its baseline).
   *
   * @param targets the stores that run by default (embedded ones, and others with a URI)
   * @param servers the known server stores on the class path and their baselines, which run
   *     only when asked for ({@code --servers} or {@code -p store=…})
   * @param skipped the schemes left out, each with the reason
   */
  record Discovery(List<StoreFactory> targets, List<StoreFactory> servers, List<String> skipped) {}

  private StoreFactories() {}

  /** Discovers the stores on the class path. */
  static Discovery discover() {
    TreeSet<String> schemes = new TreeSet<>();
    for (SessionStorageProvider p : SessionStorages.providers()) {
      schemes.add(schemeOf(p));
    }
    List<StoreFactory> targets = new ArrayList<>();
    List<StoreFactory> servers = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    if (schemes.remove("memory")) {
      targets.add(StoreFactory.memory());
      targets.add(StoreFactory.rawMemory());
    }
    if (schemes.remove("file")) {
      targets.add(StoreFactory.file(true));
      targets.add(StoreFactory.rawFile(true));
      targets.add(StoreFactory.file(false));
      targets.add(StoreFactory.rawFile(false));
    }
    // The observation decorator's overhead, each compared with the bare store (full profile or
    // -p store=memory-observed,file-observed).
    if (targets.stream().anyMatch(f -> f.name().equals("memory"))) {
      targets.add(StoreFactory.observed(StoreFactory.memory()));
    }
    if (targets.stream().anyMatch(f -> f.name().equals("file"))) {
      targets.add(StoreFactory.observed(StoreFactory.file(true)));
    }
    for (ServerStore server : SERVERS.values()) {
      if (schemes.remove(server.scheme())) {
        Optional<String> uri = configuredUri(server.scheme()).or(server::defaultUri);
        if (uri.isPresent()) {
          servers.add(StoreFactory.server(server, uri.get()));
          servers.add(StoreFactory.serverBaseline(server, uri.get()));
        } else {
          skipped.add(server.scheme() + " (no URI: set -D" + URI_PROPERTY_PREFIX + server.scheme() + "=<uri> or "
              + envName(server.scheme()) + ")");
        }
      }
    }
    for (String variant : configuredVariants()) {
      ServerStore server = variant(variant).orElseThrow();
      String uri = configuredUri(variant).orElseThrow();
      servers.add(StoreFactory.server(server, uri));
      servers.add(StoreFactory.serverBaseline(server, uri));
    }
    for (String scheme : schemes) {
      Optional<String> uri = configuredUri(scheme);
      if (uri.isPresent()) {
        targets.add(StoreFactory.external(scheme, uri.get()));
      } else {
        skipped.add(scheme + " (no URI: set -D" + URI_PROPERTY_PREFIX + scheme + "=<uri> or "
            + envName(scheme) + ")");
      }
    }
    return new Discovery(List.copyOf(targets), List.copyOf(servers), List.copyOf(skipped));
  }

  /**
   * Returns the factory for a {@code store} parameter value.
   *
   * @throws IllegalArgumentException if it names no embedded or server store or baseline and no
   *     URI is configured for it
   */
  static StoreFactory forName(String name) {
    if (name.endsWith(StoreFactory.OBSERVED_SUFFIX)) {
      String inner = name.substring(0, name.length() - StoreFactory.OBSERVED_SUFFIX.length());
      if (inner.startsWith("raw-") || inner.endsWith(StoreFactory.OBSERVED_SUFFIX)) {
        throw new IllegalArgumentException("'" + name + "': only a store (not a baseline) can be observed");
      }
      return StoreFactory.observed(forName(inner));
    }
    switch (name) {
      case "memory":
        return StoreFactory.memory();
      case "raw-memory":
        return StoreFactory.rawMemory();
      case "file":
        return StoreFactory.file(true);
      case "file-nofsync":
        return StoreFactory.file(false);
      case "raw-file":
        return StoreFactory.rawFile(true);
      case "raw-file-nofsync":
        return StoreFactory.rawFile(false);
      default:
        for (ServerStore server : SERVERS.values()) {
          if (name.equals(server.scheme()) || name.equals(server.baselineName())) {
            String uri = configuredUri(server.scheme())
                .or(server::defaultUri)
                .orElseThrow(() -> new IllegalArgumentException(
                    "no URI for the store '" + server.scheme() + "': set -D" + URI_PROPERTY_PREFIX
                        + server.scheme() + "=<uri> or the environment variable " + envName(server.scheme())));
            return name.equals(server.scheme())
                ? StoreFactory.server(server, uri)
                : StoreFactory.serverBaseline(server, uri);
          }
        }
        {
          boolean raw = name.startsWith("raw-");
          String storeName = raw ? name.substring("raw-".length()) : name;
          Optional<ServerStore> variant = variant(storeName);
          if (variant.isPresent()) {
            String uri = configuredUri(storeName).orElseThrow(() -> new IllegalArgumentException(
                "no URI for the store '" + storeName + "' (" + variant.get().scheme() + " on another server): set -D"
                    + URI_PROPERTY_PREFIX + storeName + "=<uri> or the environment variable " + envName(storeName)));
            return raw ? StoreFactory.serverBaseline(variant.get(), uri) : StoreFactory.server(variant.get(), uri);
          }
        }
        return StoreFactory.external(
            name,
            configuredUri(name)
                .orElseThrow(
                    () -> new IllegalArgumentException(
                        "no URI for the store '" + name + "': set -D" + URI_PROPERTY_PREFIX + name
                            + "=<uri> or the environment variable " + envName(name))));
    }
  }

  /** What a variant name may look like: {@code <scheme>-<variant>}, lower case. */
  private static final java.util.regex.Pattern VARIANT = java.util.regex.Pattern.compile("([a-z][a-z0-9]*)-([a-z0-9][a-z0-9-]*)");

  /**
   * The server store that {@code name} is a variant of ({@code <scheme>-<variant>} for a scheme
   * with benchmark support), under that name; empty if it is none.
   */
  static Optional<ServerStore> variant(String name) {
    java.util.regex.Matcher m = VARIANT.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    // the longest scheme that prefixes the name (a scheme may itself hold a '-')
    ServerStore found = null;
    for (ServerStore server : SERVERS.values()) {
      if (name.startsWith(server.scheme() + "-") && name.length() > server.scheme().length() + 1
          && (found == null || server.scheme().length() > found.scheme().length())) {
        found = server;
      }
    }
    return Optional.ofNullable(found).map(s -> s.named(name));
  }

  /**
   * The variants with a URI in a system property or environment variable (see the class
   * documentation), sorted; environment variables name them in upper case with {@code _} for
   * {@code -} ({@code SESSIONKIT_BENCH_URI_REDIS_CLUSTER} is {@code redis-cluster}).
   */
  static List<String> configuredVariants() {
    TreeSet<String> names = new TreeSet<>();
    for (String p : System.getProperties().stringPropertyNames()) {
      if (p.startsWith(URI_PROPERTY_PREFIX) && !System.getProperty(p).isBlank()) {
        names.add(p.substring(URI_PROPERTY_PREFIX.length()));
      }
    }
    for (java.util.Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (e.getKey().startsWith(URI_ENV_PREFIX) && !e.getValue().isBlank()) {
        names.add(e.getKey().substring(URI_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-'));
      }
    }
    List<String> variants = new ArrayList<>();
    for (String n : names) {
      if (!SERVERS.containsKey(n) && variant(n).isPresent()) {
        variants.add(n);
      }
    }
    return variants;
  }

  /**
   * Returns the URI configured for a non-embedded scheme, if any: the system property {@code
   * sessionkit.bench.uri.<scheme>}, else the environment variable, else the entry in the file
   * named by {@value #URI_FILE_PROPERTY} (in a fork of {@link Main}).
   */
  static Optional<String> configuredUri(String scheme) {
    String uri = System.getProperty(URI_PROPERTY_PREFIX + scheme);
    if (uri == null || uri.isBlank()) {
      uri = System.getenv(envName(scheme));
    }
    String file = System.getProperty(URI_FILE_PROPERTY);
    if ((uri == null || uri.isBlank()) && file != null && !file.isBlank()) {
      java.util.Properties uris = new java.util.Properties();
      try (java.io.Reader r = java.nio.file.Files.newBufferedReader(java.nio.file.Paths.get(file))) {
        uris.load(r);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("can't read the store URIs in " + file, e);
      }
      uri = uris.getProperty(URI_PROPERTY_PREFIX + scheme);
    }
    return uri == null || uri.isBlank() ? Optional.empty() : Optional.of(uri.trim());
  }

  /**
   * The scheme naming a provider's store: its {@code name()} if it serves a scheme of that name
   * (postgres serves several), else the first of its schemes in alphabetical order.
   */
  static String schemeOf(SessionStorageProvider provider) {
    TreeSet<String> schemes = new TreeSet<>();
    provider.schemes().forEach(s -> schemes.add(s.toLowerCase(Locale.ROOT)));
    String name = provider.name().toLowerCase(Locale.ROOT);
    return schemes.contains(name) || schemes.isEmpty() ? name : schemes.first();
  }

  static String envName(String scheme) {
    return URI_ENV_PREFIX + scheme.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }
}
