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
    String id, Instant createdAt, Instant updatedAt, long messageCount, Revision revision) {

  /** Validates the fields. */
  public SessionSummary {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(revision, "revision");
    if (messageCount < 0) {
      throw new IllegalArgumentException("messageCount < 0: " + messageCount);
    }
  }
}
