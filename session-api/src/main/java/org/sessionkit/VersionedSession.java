package org.sessionkit;

import java.util.Objects;

/**
 * A stored session together with its current {@link Revision}, as returned by {@link
 * SessionStorage#loadVersioned(String)} and {@link SessionStorage#update}.
 *
 * @param session the session
 * @param revision its revision in the store
 */
public record VersionedSession(Session session, Revision revision) {

  /** Validates the fields. */
  public VersionedSession {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(revision, "revision");
  }
}
