package org.sessionkit.file.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.sessionkit.Revision;

/**
 * The two forms of revision of the file store.
 *
 * <ul>
 *   <li>Documents this store writes carry a fresh random revision in their {@code sessionkit}
 *       head: {@code r} and 120 random bits in base32. Every write draws a new one, so two
 *       writes never share a revision, not even two writes of equal sessions.
 *   <li>Documents without a head (written or rewritten by neuron) get {@code d} and 160 bits of
 *       the SHA-256 of the file's bytes: any change of the bytes changes it. A rewrite with
 *       exactly the same bytes keeps it, which is harmless: the session is then the same, so a
 *       conditional write based on it loses nothing.
 * </ul>
 *
 * Thread safe.
 */
final class Revisions {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Revisions() {}

  /** Returns a new random revision. */
  static Revision random() {
    byte[] bits = new byte[15];
    RANDOM.nextBytes(bits);
    return Revision.of("r" + Base32.encode(bits));
  }

  /** Returns a new SHA-256 digest, for {@link #ofDigest}. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Returns the revision of a document without a head, from the digest of all its bytes. */
  static Revision ofDigest(MessageDigest digest) {
    return Revision.of("d" + Base32.encode(Arrays.copyOf(digest.digest(), 20)));
  }

  /** Returns the revision of a document without a head, from all its bytes. */
  static Revision ofBytes(byte[] document, int length) {
    MessageDigest d = sha256();
    d.update(document, 0, length);
    return ofDigest(d);
  }
}
