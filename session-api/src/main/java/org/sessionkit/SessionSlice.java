package org.sessionkit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A consecutive run of a stored session's messages with the session's state, times and
 * revision, read by {@link SessionStorage#loadTail} or {@link SessionStorage#loadBefore} without
 * reading the rest of the history. Immutable.
 *
 * <p>A slice is deliberately not a {@link Session} and has no way to become one: saving a part
 * of a session would truncate its history. To add a turn, use {@link SessionStorage#append} with
 * {@link #revision()} as the expected revision.
 *
 * @param id the session id
 * @param messages the messages, in conversation order; an unmodifiable list
 * @param firstIndex the position in the whole conversation of the first message of {@code
 *     messages} (0 for the first message ever); when {@code messages} is empty, where they would
 *     have started
 * @param totalMessages how many messages the whole session holds
 * @param state the session's state
 * @param createdAt when the session was created
 * @param updatedAt when it was last updated
 * @param revision the revision of the session these messages were read from: messages, state and
 *     revision always belong to one stored version
 */
public record SessionSlice(
    String id,
    List<Message> messages,
    long firstIndex,
    long totalMessages,
    SessionState state,
    Instant createdAt,
    Instant updatedAt,
    Revision revision) {

  /** Validates the fields and copies the messages. */
  public SessionSlice {
    Objects.requireNonNull(id, "id");
    messages = List.copyOf(messages);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(revision, "revision");
    if (firstIndex < 0 || firstIndex + messages.size() > totalMessages) {
      throw new IllegalArgumentException(
          "messages " + firstIndex + ".." + (firstIndex + messages.size()) + " of " + totalMessages);
    }
  }

  /** Returns whether older messages exist before this slice (to offer "load older"). */
  public boolean hasOlder() {
    return firstIndex > 0;
  }

  /**
   * Cuts the slice of messages {@code from} (inclusive) to {@code to} (exclusive) out of a
   * whole stored session. Stores that read the whole session anyway use it.
   *
   * @throws IllegalArgumentException unless {@code 0 <= from <= to <= messages().size()}
   */
  public static SessionSlice of(VersionedSession stored, int from, int to) {
    Session s = stored.session();
    return new SessionSlice(
        s.id(), s.messages().subList(from, to), from, s.messages().size(), s.state(), s.createdAt(),
        s.updatedAt(), stored.revision());
  }
}
