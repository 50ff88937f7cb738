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
 * @param scheme the store's name in the {@code store} parameter, and the scheme its provider serves
 * @param support what its provider offers
 */
record ServerStore(String scheme, BenchmarkSupport support) {

  /** The name of the raw baseline in the {@code store} parameter. */
  String baselineName() {
    return "raw-" + scheme;
  }

  /** The URI of the local development server, used when the user configures none. */
  Optional<String> defaultUri() {
    return support.developmentUri();
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
