package org.sessionkit.spi;

import java.util.Optional;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;

/**
 * What the benchmark ({@code session-bench}, {@code ./bench}) needs from a store whose sessions live
 * on a shared medium (a database or cache server, an object store…) to measure it fairly: the raw
 * cost of the same medium without sessionkit (a {@link BenchmarkBaseline}), and a way to give each
 * trial a <em>namespace</em> of its own (a schema, a key prefix, a bucket prefix) and remove it
 * afterwards. A provider offers it through {@link SessionStorageProvider#benchmarkSupport()}; a
 * store without it is still benchmarked at the URI its user configures, but without a baseline.
 *
 * <p>Namespaces are made by the benchmark: 1 to 48 characters of lower-case ASCII letters, digits
 * and {@code _}, starting with a letter (safe as a PostgreSQL schema or inside a Redis key), all
 * namespaces of one run sharing a prefix. The store and its baseline never share a namespace.
 *
 * <p>URIs are the store's own (one of its provider's schemes), as the user configures them; they
 * may hold a password, so implementations never put them in messages unredacted ({@link
 * StorageUri#redact(String)}). Implementations are stateless and thread safe; every method that
 * talks to the medium opens and closes what it needs.
 */
public interface BenchmarkSupport {

  /**
   * Returns the URI of a local development server that the benchmark tries when its user
   * configures none (e.g. {@code postgresql://postgres@127.0.0.1:5432/test}), or empty when the
   * store has no such default and must be configured.
   */
  Optional<String> developmentUri();

  /** Returns one line saying what the baseline does, for the report's legend. */
  String baselineDescription();

  /**
   * Checks within a few seconds that the medium at {@code uri} answers.
   *
   * @param uri a URI this provider serves
   * @return why it does not answer (a short message without secrets), or empty if it does
   */
  Optional<String> probe(String uri);

  /**
   * Opens the store at {@code uri}, confined to {@code namespace}: it sees and writes only the
   * sessions of that namespace.
   *
   * @param uri a URI this provider serves
   * @param namespace the trial's namespace (see the class comment)
   * @return the open store, owned by the caller
   * @throws StorageConfigurationException if the URI is not valid for this store
   * @throws StorageUnavailableException if the medium can't be reached
   */
  SessionStorage openStore(String uri, String namespace);

  /**
   * Opens the raw baseline of the medium at {@code uri}, confined to {@code namespace}.
   *
   * @param uri a URI this provider serves
   * @param namespace the baseline's namespace (never one a store uses)
   * @return the open baseline, owned by the caller
   * @throws StorageConfigurationException if the URI is not valid for this store
   * @throws StorageUnavailableException if the medium can't be reached
   */
  BenchmarkBaseline openBaseline(String uri, String namespace);

  /**
   * Removes everything in {@code namespace} (written by a store or a baseline); does nothing if
   * it holds nothing.
   *
   * @param uri a URI this provider serves
   * @param namespace the namespace to remove
   * @throws StorageUnavailableException if the medium can't be reached
   */
  void dropNamespace(String uri, String namespace);

  /**
   * Removes every namespace whose name starts with {@code prefix} (what one run created, in case
   * a trial died before removing its own).
   *
   * @param uri a URI this provider serves
   * @param prefix the common prefix of the namespaces to remove
   * @return how many namespaces it removed
   * @throws StorageUnavailableException if the medium can't be reached
   */
  int dropNamespaces(String uri, String prefix);
}
