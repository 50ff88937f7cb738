package org.sessionkit;

import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.spi.StorageUri;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Opens stores by URI, finding their providers with {@link ServiceLoader}.
 *
 * <pre>{@code
 * try (SessionStorage store = SessionStorages.open("file:/var/lib/agent/sessions")) {
 *   store.save(Session.create("s-1", "/home/me").withMessage(Message.user("hi"))).join();
 * }
 * }</pre>
 *
 * <p>Each provider declares the schemes it serves; the longest registered scheme that the URI
 * starts with wins ({@code jdbc:postgresql:} before a hypothetical {@code jdbc:}). Everything that
 * can go wrong while choosing a store is a {@link StorageConfigurationException} whose message
 * names what is available: an unknown scheme, a known scheme whose module is not on the class
 * path (naming the artifact to add), two providers claiming one scheme, a provider that failed
 * to load, an unknown option. Passwords never appear in messages or logs.
 *
 * <p>Thread safe; every call discovers providers anew with the thread's context class loader
 * (or this class's loader if there is none).
 */
public final class SessionStorages {

  /** The system property {@link #open()} reads the store URI from. */
  public static final String PROPERTY = "sessionkit.store";

  /** The environment variable {@link #open()} reads the store URI from. */
  public static final String ENVIRONMENT_VARIABLE = "SESSIONKIT_STORE";

  /** The store {@link #open()} opens when neither is set. */
  public static final String DEFAULT_URI = "file:./sessions";

  private static final System.Logger LOG = System.getLogger("org.sessionkit");

  /** Well-known schemes and the artifact that serves each, for helpful errors. */
  private static final Map<String, String> KNOWN_ARTIFACTS =
      Map.ofEntries(
          Map.entry("memory", "org.sessionkit:session-memory"),
          Map.entry("file", "org.sessionkit:session-file"),
          Map.entry("postgresql", "org.sessionkit:session-postgres"),
          Map.entry("postgres", "org.sessionkit:session-postgres"),
          Map.entry("jdbc:postgresql", "org.sessionkit:session-postgres"),
          Map.entry("redis", "org.sessionkit:session-redis"),
          Map.entry("rediss", "org.sessionkit:session-redis"),
          Map.entry("redis-sentinel", "org.sessionkit:session-redis"),
          Map.entry("rediss-sentinel", "org.sessionkit:session-redis"),
          Map.entry("mysql", "org.sessionkit:session-mysql"),
          Map.entry("mariadb", "org.sessionkit:session-mysql"),
          Map.entry("jdbc:mysql", "org.sessionkit:session-mysql"),
          Map.entry("jdbc:mariadb", "org.sessionkit:session-mysql"));

  private SessionStorages() {}

  /**
   * Opens the configured store: the URI of the system property {@value #PROPERTY}, else of the
   * environment variable {@value #ENVIRONMENT_VARIABLE}, else {@value #DEFAULT_URI}. Logs which
   * store it opened and why.
   *
   * @throws StorageConfigurationException see {@link #open(String)}
   */
  public static SessionStorage open() {
    String uri = System.getProperty(PROPERTY);
    String why = "system property " + PROPERTY;
    if (uri == null || uri.isBlank()) {
      uri = System.getenv(ENVIRONMENT_VARIABLE);
      why = "environment variable " + ENVIRONMENT_VARIABLE;
    }
    if (uri == null || uri.isBlank()) {
      uri = DEFAULT_URI;
      why = "the default, as neither " + PROPERTY + " nor " + ENVIRONMENT_VARIABLE + " is set";
    }
    SessionStorage storage = open(uri.trim());
    String from = why;
    String shown = StorageUri.redact(uri.trim());
    LOG.log(Level.INFO, () -> "sessionkit opened " + shown + " (from " + from + ")");
    return storage;
  }

  /**
   * Opens the store named by {@code uri} with the providers found on the class path.
   *
   * @throws StorageConfigurationException for an unknown scheme, a missing module, two providers
   *     of the scheme, or an option the store rejects
   * @throws StorageUnavailableException if the store's medium can't be reached
   */
  public static SessionStorage open(String uri) {
    Objects.requireNonNull(uri, "uri");
    Discovery d = discover();
    return open(uri, d.providers, d.failures);
  }

  /**
   * Opens the store named by {@code uri} with the given providers only (no discovery).
   *
   * @throws StorageConfigurationException as {@link #open(String)}
   */
  public static SessionStorage open(String uri, Collection<? extends SessionStorageProvider> providers) {
    Objects.requireNonNull(uri, "uri");
    return open(uri, List.copyOf(providers), List.of());
  }

  /**
   * Returns the providers found on the class path. Providers that fail to load are logged and
   * left out.
   */
  public static List<SessionStorageProvider> providers() {
    return discover().providers;
  }

  /**
   * Returns the provider found on the class path that serves {@code uri} (the longest matching
   * scheme wins), for tools that ask a provider about a store before or instead of opening it
   * ({@link SessionStorageProvider#localLocation(String)}, {@link
   * SessionStorageProvider#benchmarkSupport()}).
   *
   * @throws StorageConfigurationException as {@link #open(String)} when no single provider serves it
   */
  public static SessionStorageProvider provider(String uri) {
    Objects.requireNonNull(uri, "uri");
    Discovery d = discover();
    return choose(uri, d.providers, d.failures).provider;
  }

  /** Returns every scheme served by a provider on the class path, sorted. */
  public static List<String> availableSchemes() {
    return schemes(providers());
  }

  private static SessionStorage open(
      String uri, List<SessionStorageProvider> providers, List<String> failures) {
    Choice c = choose(uri, providers, failures);
    return c.provider.create(StorageUri.parse(uri, c.scheme));
  }

  private record Choice(SessionStorageProvider provider, String scheme) {}

  private static Choice choose(
      String uri, List<SessionStorageProvider> providers, List<String> failures) {
    String shown = StorageUri.redact(uri);
    String best = null;
    List<SessionStorageProvider> claimants = new ArrayList<>();
    for (SessionStorageProvider p : providers) {
      for (String scheme : p.schemes()) {
        if (!StorageUri.startsWithScheme(uri, scheme)) {
          continue;
        }
        if (best == null || scheme.length() > best.length()) {
          best = scheme;
          claimants.clear();
          claimants.add(p);
        } else if (scheme.equalsIgnoreCase(best) && !claimants.contains(p)) {
          claimants.add(p);
        }
      }
    }
    if (best == null) {
      throw new StorageConfigurationException(noProviderMessage(uri, shown, providers, failures));
    }
    if (claimants.size() > 1) {
      throw new StorageConfigurationException(
          "two providers claim the scheme '" + best + ":' of " + shown + ": "
              + claimants.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(", "))
              + "; remove one of them from the class path");
    }
    return new Choice(claimants.get(0), best);
  }

  private static String noProviderMessage(
      String uri, String shown, List<SessionStorageProvider> providers, List<String> failures) {
    int colon = uri.indexOf(':');
    StringBuilder b = new StringBuilder();
    if (colon <= 0) {
      b.append("store URI ").append(shown).append(" has no scheme (such as memory: or file:)");
    } else {
      String candidate = uri.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
      // jdbc:postgresql: has a two-part scheme
      int second = uri.indexOf(':', colon + 1);
      String two = second > 0 ? uri.substring(0, second).toLowerCase(java.util.Locale.ROOT) : "";
      Optional<String> artifact =
          Optional.ofNullable(KNOWN_ARTIFACTS.get(two)).or(() -> Optional.ofNullable(KNOWN_ARTIFACTS.get(candidate)));
      b.append("no sessionkit store serves ").append(shown);
      artifact.ifPresent(
          a -> b.append("; add the dependency ").append(a).append(" to the class path"));
    }
    List<String> schemes = schemes(providers);
    b.append("; available schemes: ")
        .append(schemes.isEmpty() ? "none (no store module on the class path)" : String.join(", ", schemes));
    if (!failures.isEmpty()) {
      b.append("; providers that failed to load: ").append(String.join("; ", failures));
    }
    return b.toString();
  }

  private static List<String> schemes(List<SessionStorageProvider> providers) {
    TreeSet<String> all = new TreeSet<>();
    providers.forEach(p -> p.schemes().forEach(s -> all.add(s + ":")));
    return List.copyOf(all);
  }

  private record Discovery(List<SessionStorageProvider> providers, List<String> failures) {}

  private static Discovery discover() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = SessionStorages.class.getClassLoader();
    }
    List<SessionStorageProvider> found = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Iterator<SessionStorageProvider> it =
        ServiceLoader.load(SessionStorageProvider.class, loader).iterator();
    // One broken provider must not hide the others: ServiceLoader reports each failure once
    // and carries on with the next provider.
    for (int guard = 0; guard < 10_000; guard++) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        String msg = e.getMessage() + (e.getCause() != null ? " (" + e.getCause() + ")" : "");
        failures.add(msg);
        LOG.log(Level.WARNING, "a sessionkit store provider failed to load: " + msg, e);
      }
    }
    return new Discovery(List.copyOf(found), List.copyOf(failures));
  }
}
