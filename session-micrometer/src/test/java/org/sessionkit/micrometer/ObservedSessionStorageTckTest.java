package org.sessionkit.micrometer;

import io.micrometer.observation.tck.TestObservationRegistry;
import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;
import org.sessionkit.tck.SessionStorageCompatibilityKit;

/**
 * The whole kit through the decorator: observing a store changes none of its results, failures
 * or thread safety.
 */
class ObservedSessionStorageTckTest extends SessionStorageCompatibilityKit {

  @Override
  protected SessionStorage newStorage() {
    return ObservedSessionStorage.observe(new MemorySessionStorage(), TestObservationRegistry.create());
  }
}
