package org.sessionkit.tck;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.sessionkit.SessionStorage;

/**
 * The kit with every capability declared, against a correct store over a shared location: shows
 * that the PERSISTENT, CROSS_PROCESS, CORRUPTIBLE and retention checks pass for a correct store
 * (the memory store can't run all of them) and run without a single skip. Run by {@link BrokenStoresTest},
 * where it is also the baseline of the mutants that declare those capabilities.
 */
class SharedLocationKit extends SessionStorageCompatibilityKit {

  @Override
  protected SessionStorage newStorage() {
    return new SharedLocationStore(new SharedLocationStore.Location());
  }

  @Override
  protected SessionStorage reopen(SessionStorage previous) {
    return new SharedLocationStore(((SharedLocationStore) previous).location());
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  protected void corrupt(SessionStorage store, String id) {
    ((SharedLocationStore) store).location().corrupt(id);
  }

  @Override
  protected boolean corruptBody(SessionStorage store, String id) {
    ((SharedLocationStore) store).location().corruptBody(id);
    return true;
  }

  @Override
  protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
    return Optional.of(new SharedLocationStore(new SharedLocationStore.Location(clock, Optional.of(retention))));
  }

  @Override
  protected TckScale scale() {
    // The memory run covers the configured scale; this run is about the capability checks.
    return TckScale.SMOKE;
  }
}
