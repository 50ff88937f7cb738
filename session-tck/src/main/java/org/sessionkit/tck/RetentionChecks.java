package org.sessionkit.tck;

/** Placeholder. */
abstract class RetentionChecks extends CheckGroup {

  RetentionChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }
}
