package org.sessionkit;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A conversation session: its id, messages, state and timestamps, as the neuron session format
 * stores it. Immutable and safe to share between threads; the {@code with…} methods return
 * modified copies and never change this instance.
 *
 * <p>Stores never change {@code updatedAt} themselves; the methods that add content here set it
 * to the current time so that agent code that saves after each turn keeps it meaningful.
 *
 * <p>The model accepts any id and any instant; whether a session can be <em>stored</em> (the id
 * rule of {@link SessionIds}, timestamps within years 0000–9999, well-formed strings, nesting
 * depth) is checked by the store, which fails with {@link InvalidIdException} or {@link
 * InvalidSessionException}.
 *
 * @param id the session id
 * @param messages the conversation, in order; an unmodifiable list
 * @param state the runtime state
 * @param createdAt when the session was created (nanosecond precision is kept)
 * @param updatedAt when the session was last updated (nanosecond precision is kept)
 */
public record Session(
    String id, List<Message> messages, SessionState state, Instant createdAt, Instant updatedAt) {

  /** Validates the fields and copies the messages. */
  public Session {
    Objects.requireNonNull(id, "id");
    messages = List.copyOf(messages);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** Returns a new, empty session created now, working in {@code cwd}. */
  public static Session create(String id, String cwd) {
    return create(id, cwd, Clock.systemUTC());
  }

  /** Returns a new, empty session created at {@code clock.instant()}, working in {@code cwd}. */
  public static Session create(String id, String cwd, Clock clock) {
    Instant now = clock.instant();
    return new Session(id, List.of(), SessionState.initial(cwd), now, now);
  }

  /** Returns a copy with {@code message} added at the end and {@code updatedAt} set to now. */
  public Session withMessage(Message message) {
    return withMessages(List.of(message));
  }

  /** Returns a copy with {@code added} appended in order and {@code updatedAt} set to now. */
  public Session withMessages(Collection<Message> added) {
    List<Message> all = new ArrayList<>(messages.size() + added.size());
    all.addAll(messages);
    all.addAll(added);
    return new Session(id, all, state, createdAt, now());
  }

  /** Returns a copy whose token usage is increased by {@code usage}, and {@code updatedAt} now. */
  public Session plusTokenUsage(TokenUsage usage) {
    return new Session(
        id, messages, state.withTokenUsage(state.tokenUsage().plus(usage)), createdAt, now());
  }

  /** Returns a copy with {@code state} replaced; {@code updatedAt} is unchanged. */
  public Session withState(SessionState state) {
    return new Session(id, messages, state, createdAt, updatedAt);
  }

  /** Returns a copy with the state changed by {@code change}; {@code updatedAt} is unchanged. */
  public Session withState(UnaryOperator<SessionState> change) {
    return withState(change.apply(state));
  }

  /** Returns a copy with {@code updatedAt} replaced. */
  public Session withUpdatedAt(Instant updatedAt) {
    return new Session(id, messages, state, createdAt, updatedAt);
  }

  /** Returns a copy with a different id (to copy or rename a session). */
  public Session withId(String id) {
    return new Session(id, messages, state, createdAt, updatedAt);
  }

  /** Returns the summary of this session, with {@code revision} as its stored revision. */
  public SessionSummary summary(Revision revision) {
    return new SessionSummary(id, createdAt, updatedAt, messages.size(), revision);
  }

  /**
   * Returns the summary of this session with {@code revision}, carrying the entries of its
   * custom state named by {@code customKeys}.
   */
  public SessionSummary summary(Revision revision, java.util.Set<String> customKeys) {
    return summary(revision).withCustom(state.custom(), customKeys);
  }

  // Never earlier than the current updatedAt, so that a session saved twice within one clock
  // tick still sorts as most recently updated.
  private Instant now() {
    Instant now = Instant.now();
    return now.isAfter(updatedAt) ? now : updatedAt;
  }
}
