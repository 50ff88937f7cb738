package org.sessionkit;

import java.time.Instant;
import java.util.Objects;

/**
 * What a listing returns for one stored session: everything but its messages and state.
 *
 * @param id the session id
 * @param createdAt when the session was created
 * @param updatedAt when it was last updated (as saved by the caller)
 * @param messageCount how many messages it holds
 * @param revision its stored revision, usable for a conditional write
 */
public record SessionSummary(
    String id,
    Instant createdAt,
    Instant updatedAt,
    long messageCount,
    Revision revision,
    java.util.Map<String, JsonValue> custom) {

  /** Validates the fields. */
  public SessionSummary {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(revision, "revision");
    if (messageCount < 0) {
      throw new IllegalArgumentException("messageCount < 0: " + messageCount);
    }
    custom = custom.isEmpty() ? java.util.Map.of() : new JsonValue.JsonObject(custom).members();
  }

  /** A summary without custom entries. */
  public SessionSummary(String id, Instant createdAt, Instant updatedAt, long messageCount, Revision revision) {
    this(id, createdAt, updatedAt, messageCount, revision, java.util.Map.of());
  }

  /**
   * Returns a copy carrying the entries of {@code custom} whose keys are in {@code keys} (for
   * stores that build summaries; keys a session lacks are left out).
   */
  public SessionSummary withCustom(java.util.Map<String, JsonValue> custom, java.util.Set<String> keys) {
    if (keys.isEmpty()) {
      return this;
    }
    java.util.Map<String, JsonValue> chosen = new java.util.LinkedHashMap<>();
    for (String k : keys) {
      JsonValue v = custom.get(k);
      if (v != null) {
        chosen.put(k, v);
      }
    }
    return new SessionSummary(id, createdAt, updatedAt, messageCount, revision, chosen);
  }
}
