package org.sessionkit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One turn to append to a stored session with {@link SessionStorage#append(String, Append)}:
 * the new messages, the session's new state and its new {@code updatedAt}, and optionally the
 * revision the session must still have.
 *
 * <pre>{@code
 * storage.append(id, Append.of(List.of(Message.user("hi"), reply), newState, Instant.now())
 *     .ifRevision(revisionIRead));
 * }</pre>
 *
 * @param messages the messages to add after the stored ones, in order (may be empty); an
 *     unmodifiable list
 * @param state the state that replaces the stored one
 * @param updatedAt the instant that replaces the stored {@code updatedAt}
 * @param expectedRevision if present, the append applies only while the stored revision is
 *     this one
 * @param idempotencyKey if present, the caller's key for this write: a retry with the same key
 *     of an append that was applied applies nothing and completes with the revision that append
 *     produced (see {@link IdempotencyKey})
 */
public record Append(
    List<Message> messages,
    SessionState state,
    Instant updatedAt,
    Optional<Revision> expectedRevision,
    Optional<IdempotencyKey> idempotencyKey) {

  /** Validates the fields and copies the messages. */
  public Append {
    messages = List.copyOf(messages);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(expectedRevision, "expectedRevision");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }

  /** Returns an append without an idempotency key. */
  public Append(
      List<Message> messages, SessionState state, Instant updatedAt, Optional<Revision> expectedRevision) {
    this(messages, state, updatedAt, expectedRevision, Optional.empty());
  }

  /** Returns an unconditional append. */
  public static Append of(List<Message> messages, SessionState state, Instant updatedAt) {
    return new Append(messages, state, updatedAt, Optional.empty());
  }

  /**
   * Returns the append that turns {@code stored} into {@code updated}, for callers that hold the
   * whole new session: the messages after the first {@code stored.messages().size()}, the new
   * state and {@code updatedAt}.
   *
   * @throws IllegalArgumentException if {@code updated} does not extend {@code stored} (another
   *     id, fewer messages, or different earlier messages)
   */
  public static Append between(Session stored, Session updated) {
    int n = stored.messages().size();
    if (!stored.id().equals(updated.id())
        || updated.messages().size() < n
        || !updated.messages().subList(0, n).equals(stored.messages())) {
      throw new IllegalArgumentException("the updated session does not extend the stored one");
    }
    return of(
        updated.messages().subList(n, updated.messages().size()),
        updated.state(),
        updated.updatedAt());
  }

  /** Returns a copy that applies only while the stored revision is {@code expected}. */
  public Append ifRevision(Revision expected) {
    return new Append(messages, state, updatedAt, Optional.of(expected), idempotencyKey);
  }

  /**
   * Returns a copy carrying the idempotency key {@code key}: if this append was already applied
   * with that key (a retry after an ambiguous failure), the store applies nothing and completes
   * with the revision the first one produced.
   */
  public Append withIdempotencyKey(IdempotencyKey key) {
    return new Append(messages, state, updatedAt, expectedRevision, Optional.of(key));
  }

  /** Returns {@code stored} with this append applied (messages added, state and time replaced). */
  public Session applyTo(Session stored) {
    return stored.withMessages(messages).withState(state).withUpdatedAt(updatedAt);
  }
}
