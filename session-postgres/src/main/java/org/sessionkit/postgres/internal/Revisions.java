package org.sessionkit.postgres.internal;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.sessionkit.Revision;

/**
 * The store's revisions: a sequence value drawn by the server and a random nonce drawn by the
 * writing store, shown as {@code <sequence>-<nonce as 16 hex digits>}.
 *
 * <p>The sequence alone is unique on one server, but a replica promoted after a failover may
 * not have received the sequence's last advance and hands out again values that the old
 * primary gave to writes the replica never saw. A caller holding such a lost revision must not
 * be able to match a new write with it; the nonce, drawn for every write (so also by a store
 * instance that goes on across the failover), makes that a 2<sup>-64</sup> chance.
 *
 * @param sequence the value of the revision sequence
 * @param nonce the random part
 */
public record Revisions(long sequence, long nonce) {

  /** Returns a fresh random nonce for a write. */
  public static long newNonce() {
    return ThreadLocalRandom.current().nextLong();
  }

  /** Returns the public form. */
  public Revision toRevision() {
    String hex = Long.toHexString(nonce);
    return Revision.of(sequence + "-" + "0".repeat(16 - hex.length()) + hex);
  }

  /**
   * Parses a revision of this store.
   *
   * @return empty if {@code r} is not in this store's form (it then matches no stored revision)
   */
  public static Optional<Revisions> parse(Revision r) {
    String v = r.value();
    int dash = v.indexOf('-');
    if (dash < 1 || v.length() - dash - 1 != 16) {
      return Optional.empty();
    }
    try {
      long sequence = Long.parseLong(v.substring(0, dash));
      long nonce = Long.parseUnsignedLong(v.substring(dash + 1), 16);
      Revisions parsed = new Revisions(sequence, nonce);
      // Only the canonical form: two spellings of one revision would not be equal revisions.
      return parsed.toRevision().value().equals(v) ? Optional.of(parsed) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
