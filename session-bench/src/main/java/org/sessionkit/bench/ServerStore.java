package org.sessionkit.bench;

import java.util.Optional;
import org.sessionkit.SessionStorage;

/**
 * What the benchmark needs to know about a store that lives on a server ({@code postgresql},
 * {@code redis}): where the server is by default, whether it answers, how to open the store and
 * its raw baseline in a <em>namespace</em> of their own (a PostgreSQL schema, a Redis key
 * prefix), and how to remove a namespace again.
 *
 * <p>Namespaces are named {@code skbench_<run>_<label>} (lower-case letters, digits and {@code
 * _}; see {@link StoreHandle}), so that everything one run created can be swept at its end even
 * if a fork died before its teardown. Implementations are stateless and thread safe; every
 * method that talks to the server opens and closes its own connection.
 */
interface ServerStore {

  /** The store's name in the {@code store} parameter, and the scheme its provider serves. */
  String scheme();

  /** The name of the raw baseline in the {@code store} parameter. */
  default String baselineName() {
    return "raw-" + scheme();
  }

  /** The URI of the local development server, used when the user configures none. */
  String defaultUri();

  /** What the baseline does, for the report. */
  String baselineDescription();

  /**
   * Checks that the server at {@code uri} answers, within a few seconds.
   *
   * @return why it does not, or empty if it does
   */
  Optional<String> probe(String uri);

  /** Opens the store under test in {@code namespace} at the server {@code uri}. */
  SessionStorage openStore(String uri, String namespace);

  /** Opens the raw baseline in {@code namespace} at the server {@code uri}. */
  SessionStorage openBaseline(String uri, String namespace);

  /** Removes everything in {@code namespace} (store or baseline); nothing if it does not exist. */
  void drop(String uri, String namespace);

  /**
   * Removes every namespace whose name starts with {@code namespacePrefix} (the namespaces of one
   * run) and returns how many it removed.
   */
  int sweep(String uri, String namespacePrefix);
}
