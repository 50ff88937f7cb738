package org.sessionkit.spi;

import java.util.Objects;
import java.util.Optional;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Revision;
import org.sessionkit.Session;

/**
 * What {@link AbstractSessionStorage#doUpdate} returns: the revision of the write and, for an
 * update without an idempotency key, the session it wrote.
 *
 * @param revision the revision the write produced (for a replayed keyed write, the revision
 *     recorded in the {@link WriteLog})
 * @param written the session written; empty for a keyed update, whose result is only the
 *     revision (a replay did not write the session this call computed)
 */
public record UpdateResult(Revision revision, Optional<Session> written) {

  /** Validates the fields. */
  public UpdateResult {
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(written, "written");
  }

  /**
   * Returns the result of writing {@code session} with revision {@code revision}: with the
   * session when there was no key, with only the revision when there was one.
   */
  public static UpdateResult of(Session session, Revision revision, Optional<IdempotencyKey> key) {
    return new UpdateResult(revision, key.isPresent() ? Optional.empty() : Optional.of(session));
  }
}
