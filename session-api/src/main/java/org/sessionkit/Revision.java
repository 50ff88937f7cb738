package org.sessionkit;

import java.util.Objects;

/**
 * An opaque version of a stored session, kept by the store beside the session (not inside
 * it). Every write produces a new revision; revisions are compared for equality only and their
 * form is the store's choice (a counter, a digest of the stored bytes…). A revision obtained
 * from one instance of a store is valid on any instance on the same location.
 *
 * @param value the store's encoding of the revision; never empty
 */
public record Revision(String value) {

  /** Validates the value. */
  public Revision {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a revision is never empty");
    }
  }

  /** Returns the revision with the given value. */
  public static Revision of(String value) {
    return new Revision(value);
  }

  /** Returns a revision for a store that counts writes. */
  public static Revision of(long counter) {
    return new Revision(Long.toString(counter));
  }

  @Override
  public String toString() {
    return value;
  }
}
