package org.sessionkit.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;

/**
 * A document read by {@link SessionCodec#decodeSlice}: everything of the session but the
 * messages outside the slice, and the store metadata the document carried.
 *
 * @param id the session id
 * @param messages the messages of the slice, in order
 * @param firstIndex the index of the first of them in the session
 * @param totalMessages how many messages the document holds
 * @param state the session's state
 * @param createdAt when the session was created
 * @param updatedAt when it was last updated
 * @param metadata the document's {@code sessionkit} metadata, if any
 */
public record StoredSlice(
    String id,
    List<Message> messages,
    long firstIndex,
    long totalMessages,
    SessionState state,
    Instant createdAt,
    Instant updatedAt,
    Optional<DocumentMetadata> metadata) {

  /** Validates the fields and copies the messages. */
  public StoredSlice {
    Objects.requireNonNull(id, "id");
    messages = List.copyOf(messages);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(metadata, "metadata");
    if (firstIndex < 0 || firstIndex + messages.size() > totalMessages) {
      throw new IllegalArgumentException(
          "messages " + firstIndex + ".." + (firstIndex + messages.size()) + " of " + totalMessages);
    }
  }

  /** Returns the slice as the contract hands it out, with the document's {@code revision}. */
  public SessionSlice toSlice(Revision revision) {
    return new SessionSlice(id, messages, firstIndex, totalMessages, state, createdAt, updatedAt, revision);
  }
}
