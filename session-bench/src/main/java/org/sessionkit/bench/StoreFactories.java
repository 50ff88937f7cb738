package org.sessionkit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.sessionkit.SessionStorageProvider;
import org.sessionkit.SessionStorages;

/**
 * Finds the stores to benchmark: every scheme served by a provider on the class path (through
 * {@link SessionStorages#providers()}), so that a new store module joins the comparison without
 * a code change. The embedded stores know how to open a fresh instance ({@code memory:}, {@code
 * file:<temporary dir>} with and without fsync) and bring their baselines; any other scheme is
 * opened at the URI given by the system property {@code sessionkit.bench.uri.<scheme>} or the
 * environment variable {@code SESSIONKIT_BENCH_URI_<SCHEME>}, and skipped without one.
 */
final class StoreFactories {

  /** Prefix of the system properties giving the URI of a non-embedded store. */
  static final String URI_PROPERTY_PREFIX = "sessionkit.bench.uri.";

  /** Prefix of the environment variables giving the URI of a non-embedded store. */
  static final String URI_ENV_PREFIX = "SESSIONKIT_BENCH_URI_";

  /** The stores found, in report order (each store followed by its baseline), and those skipped. */
  record Discovery(List<StoreFactory> targets, List<String> skipped) {}

  private StoreFactories() {}

  /** Discovers the stores on the class path. */
  static Discovery discover() {
    TreeSet<String> schemes = new TreeSet<>();
    for (SessionStorageProvider p : SessionStorages.providers()) {
      schemes.add(schemeOf(p));
    }
    List<StoreFactory> targets = new ArrayList<>();
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
    for (String scheme : schemes) {
      Optional<String> uri = configuredUri(scheme);
      if (uri.isPresent()) {
        targets.add(StoreFactory.external(scheme, uri.get()));
      } else {
        skipped.add(scheme + " (no URI: set -D" + URI_PROPERTY_PREFIX + scheme + "=<uri> or "
            + envName(scheme) + ")");
      }
    }
    return new Discovery(List.copyOf(targets), List.copyOf(skipped));
  }

  /**
   * Returns the factory for a {@code store} parameter value.
   *
   * @throws IllegalArgumentException if it names no embedded store or baseline and no URI is
   *     configured for it
   */
  static StoreFactory forName(String name) {
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
        return StoreFactory.external(
            name,
            configuredUri(name)
                .orElseThrow(
                    () -> new IllegalArgumentException(
                        "no URI for the store '" + name + "': set -D" + URI_PROPERTY_PREFIX + name
                            + "=<uri> or the environment variable " + envName(name))));
    }
  }

  /** Returns the URI configured for a non-embedded scheme, if any. */
  static Optional<String> configuredUri(String scheme) {
    String uri = System.getProperty(URI_PROPERTY_PREFIX + scheme);
    if (uri == null || uri.isBlank()) {
      uri = System.getenv(envName(scheme));
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
