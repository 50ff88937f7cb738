package org.sessionkit;

import java.util.Objects;

/**
 * A caller-chosen key that makes a write apply at most once, however often it is retried.
 *
 * <p>{@link SessionStorage#append}, {@link SessionStorage#create(Session, IdempotencyKey)},
 * {@link SessionStorage#saveIf(Session, Revision, IdempotencyKey)} and {@link
 * SessionStorage#update(String, java.util.function.UnaryOperator, IdempotencyKey)} accept one.
 * A store remembers the keys of each session's last {@value #REMEMBERED} keyed writes,
 * atomically with the writes. The key is checked <em>before</em> the revision condition: a retry
 * of a write that was applied applies nothing and completes with the revision that write
 * produced; of two concurrent calls with one key, one applies and both complete with the same
 * revision. Deleting a session forgets its keys.
 *
 * <p>The recipe after an {@link AmbiguousOutcomeException}: retry the same call with the same
 * key. Choose a key that names the write, not the attempt (for example a hash of the revision
 * the turn was based on and its new messages), so that a retry reproduces it.
 *
 * @param value 1 to {@value #MAX_LENGTH} printable ASCII characters ({@code !} to {@code ~}; no
 *     spaces)
 */
public record IdempotencyKey(String value) {

  /** The longest key, in characters. */
  public static final int MAX_LENGTH = 64;

  /** How many keyed writes of a session a store remembers. */
  public static final int REMEMBERED = 16;

  /**
   * Validates the key.
   *
   * @throws InvalidArgumentException if it is empty, longer than {@value #MAX_LENGTH} or holds a
   *     character outside {@code !}..{@code ~}
   */
  public IdempotencyKey {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new InvalidArgumentException(
          "an idempotency key has 1 to " + MAX_LENGTH + " characters, this one has " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '!' || c > '~') {
        throw new InvalidArgumentException(
            "an idempotency key holds only printable ASCII without spaces; character " + i
                + " is U+" + String.format("%04X", (int) c));
      }
    }
  }

  /** Returns the key {@code value}; see the constructor for the rule. */
  public static IdempotencyKey of(String value) {
    return new IdempotencyKey(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
