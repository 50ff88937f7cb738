package org.sessionkit.spi;

import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The head of a stored document: what a {@link SessionSummary} needs, read by {@link
 * SessionCodec#readHead(byte[], String)} without parsing the messages when the document starts
 * with sessionkit's metadata.
 *
 * @param id the session id
 * @param createdAt when the session was created
 * @param updatedAt when it was last updated
 * @param messageCount the number of messages: the metadata's {@code message_count} when the
 *     document has metadata, otherwise the number counted in the document
 * @param metadata the store metadata the document carries, if any (neuron's documents have
 *     none)
 * @param state the session's state, when it was asked for ({@link
 *     SessionCodec#readHead(java.io.InputStream, String, boolean)}); empty otherwise
 */
public record DocumentHead(
    String id,
    Instant createdAt,
    Instant updatedAt,
    long messageCount,
    Optional<DocumentMetadata> metadata,
    Optional<SessionState> state) {

  /**
   * Validates the fields.
   *
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if {@code messageCount} is negative
   */
  public DocumentHead {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(state, "state");
    if (messageCount < 0) {
      throw new IllegalArgumentException("messageCount < 0: " + messageCount);
    }
  }

  /** A head read without the state. */
  public DocumentHead(
      String id, Instant createdAt, Instant updatedAt, long messageCount, Optional<DocumentMetadata> metadata) {
    this(id, createdAt, updatedAt, messageCount, metadata, Optional.empty());
  }
}
