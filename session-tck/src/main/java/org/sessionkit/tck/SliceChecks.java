package org.sessionkit.tck;

/** Placeholder. */
abstract class SliceChecks extends CheckGroup {

  SliceChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }
}
