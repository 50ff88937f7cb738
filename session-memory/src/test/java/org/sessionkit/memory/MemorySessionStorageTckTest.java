package org.sessionkit.memory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.sessionkit.SessionStorage;
import org.sessionkit.tck.SessionStorageCompatibilityKit;

/**
 * The whole kit against the reference store, {@code memory:}, retention included (on the kit's
 * clock). Persistence, several instances on one location and corrupt entries don't apply to an
 * in-memory store: those checks are skipped, as the store declares no capability.
 */
class MemorySessionStorageTckTest extends SessionStorageCompatibilityKit {

  @Override
  protected SessionStorage newStorage() {
    return new MemorySessionStorage();
  }

  @Override
  protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
    return Optional.of(MemorySessionStorage.builder().retention(retention).clock(clock).build());
  }
}
