package org.sessionkit.memory;

import org.sessionkit.SessionStorage;
import org.sessionkit.tck.SessionStorageCompatibilityKit;

/**
 * The whole kit against the reference store, {@code memory:}. Persistence, several instances on
 * one location and corrupt entries don't apply to an in-memory store: those checks are skipped,
 * as the store declares no capability.
 */
class MemorySessionStorageTckTest extends SessionStorageCompatibilityKit {

  @Override
  protected SessionStorage newStorage() {
    return new MemorySessionStorage();
  }
}
