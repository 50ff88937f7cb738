package org.sessionkit.spi;

import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import java.util.Set;

/**
 * Creates stores for the URI schemes it serves; the service-provider interface behind {@link
 * SessionStorages#open(String)}.
 *
 * <p>A provider is a cheap, stateless factory with a public no-argument constructor, registered
 * for {@link java.util.ServiceLoader} (e.g. with {@code @AutoService(SessionStorageProvider.class)}).
 * All real work happens in {@link #create}. Implementations are thread safe. A provider can also
 * be used directly, without discovery: {@code SessionStorages.open(uri, List.of(new MyProvider()))}.
 */
public interface SessionStorageProvider {

  /** Returns a short name for messages, e.g. {@code "file"}. */
  String name();

  /**
   * Returns the URI schemes this provider serves, without the colon, in lower case, e.g. {@code
   * "postgresql"}, {@code "postgres"} and {@code "jdbc:postgresql"}. When several registered
   * schemes match a URI, the longest wins.
   */
  Set<String> schemes();

  /**
   * Opens a store.
   *
   * @param uri the parsed URI; its {@link StorageUri#scheme()} is one of {@link #schemes()}
   * @return the open store, owned by the caller, who closes it
   * @throws StorageConfigurationException for an unknown option or a bad value (the message
   *     names the option and never contains a password)
   * @throws StorageUnavailableException if the medium can't be reached
   */
  SessionStorage create(StorageUri uri);

  /**
   * Returns what the benchmark needs to measure this provider's store against the raw cost of its
   * medium, if the provider offers it (see {@link BenchmarkSupport}). Empty by default: the store
   * is then benchmarked at the URI its user configures, without a baseline.
   */
  default java.util.Optional<BenchmarkSupport> benchmarkSupport() {
    return java.util.Optional.empty();
  }

  /**
   * Returns where a store opened at {@code uri} keeps its files on this machine, read from the URI
   * alone (nothing is opened, created or read), if it keeps them in a local directory. Empty by
   * default, for stores on a server or in memory.
   *
   * @param uri a URI this provider serves
   * @throws StorageConfigurationException if the URI names no valid location
   */
  default java.util.Optional<LocalLocation> localLocation(String uri) {
    return java.util.Optional.empty();
  }
}
