package org.sessionkit.internal.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.WeakHashMap;
import org.sessionkit.Message;

/**
 * Remembers the encoded size of messages that were found storable, so that validating a session
 * again (the next turn of a conversation, an {@code update}, a retried conditional save) costs a
 * lookup per message it has seen instead of encoding it again.
 *
 * <p>Messages are immutable values: one that encoded once encodes again to the same bytes, in any
 * session, because a message always sits at the same nesting level of a document. Keys are held
 * weakly, so a message no session refers to any more leaves the memo with the next collection.
 * Equal messages share an entry, which is right: they encode alike.
 *
 * <p>Thread safe: the table is split into stripes, each guarded by its own lock, so threads
 * validating different sessions rarely wait for each other.
 */
public final class ValidatedMessages {

  private static final int STRIPES = 16;

  private final List<Map<Message, Long>> stripes = new ArrayList<>(STRIPES);

  /** Creates an empty memo. */
  public ValidatedMessages() {
    for (int i = 0; i < STRIPES; i++) {
      stripes.add(new WeakHashMap<>());
    }
  }

  /** Returns the encoded size of {@code message} if it was found storable before. */
  public OptionalLong size(Message message) {
    Map<Message, Long> stripe = stripeOf(message);
    Long size;
    synchronized (stripe) {
      size = stripe.get(message);
    }
    return size == null ? OptionalLong.empty() : OptionalLong.of(size);
  }

  /** Records that {@code message} is storable and encodes to {@code size} bytes. */
  public void remember(Message message, long size) {
    Map<Message, Long> stripe = stripeOf(message);
    synchronized (stripe) {
      stripe.put(message, size);
    }
  }

  private Map<Message, Long> stripeOf(Message message) {
    int h = message.hashCode();
    return stripes.get((h ^ (h >>> 16)) & (STRIPES - 1));
  }
}
