package org.sessionkit.mysql.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.sessionkit.Revision;

/**
 * Makes the revisions of one store instance: {@code <nonce>.<counter>}, a random 64-bit nonce
 * drawn when the store starts and a counter of its writes, both in base 36 (at most 27 ASCII
 * characters).
 *
 * <p>Why not a server counter (AUTO_INCREMENT, a MariaDB sequence): a replica promoted after a
 * failover may not have received the last writes and would hand out their values again, so a
 * conditional write with a revision read before the failover could match a different version.
 * A value made by the writer itself never repeats: two instances draw the same nonce with
 * probability 2^-64, and one instance never repeats its counter. The server still decides every
 * condition, comparing the stored value inside the writing transaction. Thread safe.
 */
public final class Revisions {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String nonce;
  private final AtomicLong counter = new AtomicLong();

  /** Creates the revisions of a new store instance. */
  public Revisions() {
    this.nonce = Long.toUnsignedString(RANDOM.nextLong(), 36);
  }

  /** Returns a revision this instance never returned before. */
  public Revision next() {
    return Revision.of(nonce + "." + Long.toString(counter.incrementAndGet(), 36));
  }

  /** Returns the stored form of a revision (its ASCII bytes; any other value is kept exactly). */
  public static byte[] bytes(Revision r) {
    return r.value().getBytes(StandardCharsets.UTF_8);
  }

  /** Returns the revision stored as {@code bytes}. */
  public static Revision of(byte[] bytes) {
    return Revision.of(new String(bytes, StandardCharsets.UTF_8));
  }
}
