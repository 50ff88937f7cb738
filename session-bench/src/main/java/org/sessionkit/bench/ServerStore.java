package org.sessionkit.bench;

import java.util.Optional;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.BenchmarkSupport;

/**
 * A store on a shared medium (a server) whose provider offers {@link BenchmarkSupport}: where the
 * server is by default, whether it answers, how to open the store and its raw baseline in a
 * <em>namespace</em> of their own (a PostgreSQL schema, a Redis key prefix, whatever a
 * third-party store chooses), and how to remove a namespace again. Every such store on the class
 * path is benchmarked the same way, ours and third parties' alike.
 *
 * <p>Namespaces are named {@code skbench_<run>_<label>} (lower-case letters, digits and {@code
 * _}; see {@link StoreHandle}), so that everything one run created can be swept at its end even
 * if a fork died before its teardown. Thread safe, as the support it wraps.
 *
 * <p>A store can be measured on several servers in one run under names of their own: {@code
 * redis} at the development server and a <em>variant</em> {@code redis-cluster} at the URI given
 * for that name (see {@link StoreFactories}), each with its own baseline ({@code raw-redis},
 * {@code raw-redis-cluster}).
 *
 * @param name the store's name in the {@code store} parameter: the scheme, or {@code
 *     <scheme>-<variant>}
 * @param scheme the scheme its provider serves (the provider's name)
 * @param support what its provider offers
 */
record ServerStore(String name, String scheme, BenchmarkSupport support) {

  /** The store of a provider under its scheme's own name. */
  ServerStore(String scheme, BenchmarkSupport support) {
    this(scheme, scheme, support);
  }

  /** The same store under the name of a variant ({@code <scheme>-<variant>}). */
  ServerStore named(String variant) {
    return new ServerStore(variant, scheme, support);
  }

  /** Whether this is a variant, whose URI must be configured (no development server default). */
  boolean variant() {
    return !name.equals(scheme);
  }

  /** The name of the raw baseline in the {@code store} parameter. */
  String baselineName() {
    return "raw-" + name;
  }

  /**
   * The URI of the local development server, used when the user configures none (a variant has
   * none: it exists to be measured somewhere else).
   */
  Optional<String> defaultUri() {
    return variant() ? Optional.empty() : support.developmentUri();
  }

  /** What the baseline does, for the report. */
  String baselineDescription() {
    return "baseline: " + support.baselineDescription();
  }

  /**
   * Checks that the server at {@code uri} answers, within a few seconds.
   *
   * @return why it does not, or empty if it does
   */
  Optional<String> probe(String uri) {
    return support.probe(uri);
  }

  /** Opens the store under test in {@code namespace} at the server {@code uri}. */
  SessionStorage openStore(String uri, String namespace) {
    return support.openStore(uri, namespace);
  }

  /** Opens the raw baseline in {@code namespace} at the server {@code uri}, as a store. */
  SessionStorage openBaseline(String uri, String namespace) {
    return new ProvidedBaseline(support.openBaseline(uri, namespace));
  }

  /** Removes everything in {@code namespace} (store or baseline); nothing if it does not exist. */
  void drop(String uri, String namespace) {
    support.dropNamespace(uri, namespace);
  }

  /**
   * Removes every namespace whose name starts with {@code namespacePrefix} (the namespaces of one
   * run) and returns how many it removed (or, for some stores, how many entries).
   */
  int sweep(String uri, String namespacePrefix) {
    return support.dropNamespaces(uri, namespacePrefix);
  }
}
