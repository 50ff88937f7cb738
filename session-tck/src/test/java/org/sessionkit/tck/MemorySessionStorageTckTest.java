package org.sessionkit.tck;

import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * The whole kit against the reference store, {@code memory:}. It lives here rather than in
 * session-memory because the kit's own tests use session-memory (to build broken stores), and
 * Maven forbids a dependency cycle even across scopes. Persistence, several instances and
 * corrupt entries don't apply to an in-memory store: those checks are skipped (declared).
 */
class MemorySessionStorageTckTest extends SessionStorageCompatibilityKit {

  @Override
  protected SessionStorage newStorage() {
    return new MemorySessionStorage();
  }
}
