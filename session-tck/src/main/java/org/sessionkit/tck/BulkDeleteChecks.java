package org.sessionkit.tck;

/** Placeholder. */
abstract class BulkDeleteChecks extends CheckGroup {

  BulkDeleteChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }
}
