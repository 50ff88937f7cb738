package org.sessionkit.tck;

/** Placeholder. */
abstract class HealthChecks extends CheckGroup {

  HealthChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }
}
