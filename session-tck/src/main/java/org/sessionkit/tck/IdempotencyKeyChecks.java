package org.sessionkit.tck;

/** Placeholder. */
abstract class IdempotencyKeyChecks extends CheckGroup {

  IdempotencyKeyChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }
}
