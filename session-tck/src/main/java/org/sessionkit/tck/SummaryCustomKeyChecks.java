package org.sessionkit.tck;

/** Placeholder. */
abstract class SummaryCustomKeyChecks extends CheckGroup {

  SummaryCustomKeyChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }
}
