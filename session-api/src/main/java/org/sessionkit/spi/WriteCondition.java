package org.sessionkit.spi;

import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import java.util.Objects;

/**
 * The condition under which a store applies a write: always (last writer wins), only if no
 * session with the id exists (create), or only if the stored revision is still a given one.
 * A store that finds the condition false fails the write with {@link
 * RevisionConflictException} and changes nothing.
 */
public sealed interface WriteCondition
    permits WriteCondition.Always, WriteCondition.IfAbsent, WriteCondition.IfRevision {

  /** Apply the write whatever is stored. */
  WriteCondition ALWAYS = new Always();

  /** Apply the write only if no session with the id is stored. */
  WriteCondition IF_ABSENT = new IfAbsent();

  /** Returns the condition "the stored revision is still {@code expected}". */
  static WriteCondition ifRevision(Revision expected) {
    return new IfRevision(expected);
  }

  /**
   * Returns whether a write may proceed when the stored revision is {@code current} (empty when
   * no session is stored). For a delete, {@link #ALWAYS} still requires the session to exist;
   * that check is the caller's.
   */
  boolean test(java.util.Optional<Revision> current);

  /** Last writer wins. */
  record Always() implements WriteCondition {
    @Override
    public boolean test(java.util.Optional<Revision> current) {
      return true;
    }
  }

  /** Create only. */
  record IfAbsent() implements WriteCondition {
    @Override
    public boolean test(java.util.Optional<Revision> current) {
      return current.isEmpty();
    }
  }

  /**
   * Only if the stored revision equals {@code expected}; a missing session never matches.
   *
   * @param expected the revision the caller last read
   */
  record IfRevision(Revision expected) implements WriteCondition {
    /** Validates the field. */
    public IfRevision {
      Objects.requireNonNull(expected, "expected");
    }

    @Override
    public boolean test(java.util.Optional<Revision> current) {
      return current.isPresent() && current.get().equals(expected);
    }
  }
}
