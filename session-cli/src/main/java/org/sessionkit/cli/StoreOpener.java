package org.sessionkit.cli;

import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;

/**
 * Opens the store a URI on the command line names. The command uses {@link #discovering()};
 * programs that embed the command (and tests) may supply stores of their own.
 *
 * <p>Implementations must be thread safe. The command closes every store it opened when it is
 * done with it.
 */
@FunctionalInterface
public interface StoreOpener {

  /**
   * Opens the store named by {@code uri}.
   *
   * @param uri the URI as given on the command line; it may hold a password, so it must never
   *     be printed as is
   * @return an open store, owned by the caller
   * @throws org.sessionkit.StorageConfigurationException if no store serves the URI or an option
   *     is wrong
   * @throws org.sessionkit.StorageUnavailableException if the store's medium can't be reached
   */
  SessionStorage open(String uri);

  /** Returns the opener that finds stores on the class path, as {@link SessionStorages#open(String)}. */
  static StoreOpener discovering() {
    return SessionStorages::open;
  }
}
