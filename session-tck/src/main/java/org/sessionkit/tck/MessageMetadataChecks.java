package org.sessionkit.tck;

/** Placeholder. */
abstract class MessageMetadataChecks extends CheckGroup {

  MessageMetadataChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }
}
