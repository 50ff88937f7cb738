package org.sessionkit;

/** Placeholder until the codec lands; replaced by the real implementation on merge. */
public final class SessionCodec {
  private static final SessionCodec DEFAULTS = new SessionCodec();

  private SessionCodec() {}

  /** Returns the codec with default limits. */
  public static SessionCodec defaults() {
    return DEFAULTS;
  }

  /** Checks that a session can be stored; the real checks come with the codec. */
  public void validate(Session session) {
    java.util.Objects.requireNonNull(session, "session");
  }
}
