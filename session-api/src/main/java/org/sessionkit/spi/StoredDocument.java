package org.sessionkit.spi;

import org.sessionkit.Session;
import java.util.Objects;
import java.util.Optional;

/**
 * A decoded document: the session and the store metadata it carried, if any.
 *
 * @param session the session
 * @param metadata the {@code sessionkit} metadata of the document; empty for a document written
 *     by neuron (or rewritten by it, which drops the metadata)
 */
public record StoredDocument(Session session, Optional<DocumentMetadata> metadata) {

  /**
   * Validates the fields.
   *
   * @throws NullPointerException if a field is null
   */
  public StoredDocument {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(metadata, "metadata");
  }
}
