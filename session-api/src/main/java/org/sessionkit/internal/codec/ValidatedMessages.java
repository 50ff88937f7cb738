package org.sessionkit.internal.codec;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
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
 *
 * <p>Two tables answer. The first is keyed by identity: most sessions are validated again with
 * the very message objects of their previous version, and an identity lookup costs a few
 * nanoseconds where a message's {@code hashCode} walks its whole content (every block, every
 * node of a tool's JSON input) — that walk, twice per message, was most of the cost of
 * validating a known session. The second is keyed by equality, for equal messages built again
 * (a framework adapter converting its history on every turn): an equal message encodes alike.
 * A message found there is entered in the first, so the walk is paid once per object.
 *
 * <p>A third table, by identity too, remembers whole message lists (a session's list is
 * immutable): a session validated again with the very list it had — saved again or to another
 * store, or changed in its state only — costs one lookup, whatever its length.
 *
 * <p>Thread safe: the tables are split into stripes, each guarded by its own lock, so threads
 * validating different sessions rarely wait for each other.
 */
public final class ValidatedMessages {

  private static final int STRIPES = 16;

  private final List<IdentityTable<Message>> byIdentity = new ArrayList<>(STRIPES);
  private final List<Map<Message, Long>> byValue = new ArrayList<>(STRIPES);
  private final List<IdentityTable<List<Message>>> lists = new ArrayList<>(STRIPES);

  /** Creates an empty memo. */
  public ValidatedMessages() {
    for (int i = 0; i < STRIPES; i++) {
      byIdentity.add(new IdentityTable<>());
      byValue.add(new WeakHashMap<>());
      lists.add(new IdentityTable<>());
    }
  }

  /** Returns the encoded size of {@code message} if it (or an equal message) was found storable before. */
  public OptionalLong size(Message message) {
    int id = System.identityHashCode(message);
    IdentityTable<Message> table = byIdentity.get(stripe(id));
    long known = table.get(message, id); // without the lock: see IdentityTable
    if (known >= 0) {
      return OptionalLong.of(known);
    }
    int h = message.hashCode();
    Map<Message, Long> values = byValue.get(stripe(h));
    Long size;
    synchronized (values) {
      size = values.get(message);
    }
    if (size == null) {
      return OptionalLong.empty();
    }
    synchronized (table) {
      table.put(message, id, size);
    }
    return OptionalLong.of(size);
  }

  /** Records that {@code message} is storable and encodes to {@code size} bytes. */
  public void remember(Message message, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("size " + size);
    }
    int id = System.identityHashCode(message);
    IdentityTable<Message> table = byIdentity.get(stripe(id));
    synchronized (table) {
      table.put(message, id, size);
    }
    Map<Message, Long> values = byValue.get(stripe(message.hashCode()));
    synchronized (values) {
      values.put(message, size);
    }
  }

  /**
   * Returns the encoded size of the messages of {@code messages} with a comma between two, if
   * this very list (an immutable list of a session) was found storable before. A session
   * validated again with the same list — saved again, saved to another store, or changed in its
   * state only — costs one lookup instead of one per message.
   */
  public OptionalLong listSize(List<Message> messages) {
    int id = System.identityHashCode(messages);
    IdentityTable<List<Message>> table = lists.get(stripe(id));
    long known = table.get(messages, id); // without the lock: see IdentityTable
    return known >= 0 ? OptionalLong.of(known) : OptionalLong.empty();
  }

  /**
   * Records that every message of {@code messages} is storable and that they encode to {@code
   * size} bytes with a comma between two. Only for immutable lists: the entry is keyed by the
   * list object and would be wrong for a list whose elements change.
   */
  public void rememberList(List<Message> messages, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("size " + size);
    }
    int id = System.identityHashCode(messages);
    IdentityTable<List<Message>> table = lists.get(stripe(id));
    synchronized (table) {
      table.put(messages, id, size);
    }
  }

  /** How many messages the identity table holds (those not yet collected); for tests. */
  int identityEntries() {
    int n = 0;
    for (IdentityTable<Message> t : byIdentity) {
      synchronized (t) {
        t.expunge();
        n += t.count;
      }
    }
    return n;
  }

  private static int stripe(int h) {
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  /**
   * A hash table from objects, compared by identity and held weakly, to sizes. The JDK
   * has a weak table ({@code WeakHashMap}, by equality) and an identity table ({@code
   * IdentityHashMap}, strong) but not both. Writers ({@link #put}, {@link #expunge}) hold the
   * table's lock; {@link #get} does not, because many threads validating one hot session look up
   * the same messages in the same order and would queue on one lock after another. A reader that
   * races a writer may miss an entry (a new node not yet visible, a chain being relinked by a
   * resize or an expunge) but can't get a wrong size: a node's key, hash and size are final and
   * it is compared by identity, and every chain it can follow ends. A miss only means the
   * message is looked up by equality, under a lock, as if it were new to this table.
   */
  private static final class IdentityTable<K> {

    private final ReferenceQueue<K> collected = new ReferenceQueue<>();
    private volatile Node<K>[] buckets = newBuckets(64);
    private int count;

    private static final class Node<K> extends WeakReference<K> {
      final int hash;
      final long size;
      volatile Node<K> next;

      Node(K key, int hash, long size, Node<K> next, ReferenceQueue<K> queue) {
        super(key, queue);
        this.hash = hash;
        this.size = size;
        this.next = next;
      }
    }

    /** The size remembered for {@code key}, or -1. */
    long get(K key, int hash) {
      Node<K>[] b = buckets;
      for (Node<K> n = b[index(hash, b.length)]; n != null; n = n.next) {
        if (n.hash == hash && n.get() == key) {
          return n.size;
        }
      }
      return -1;
    }

    void put(K key, int hash, long size) {
      expunge();
      int i = index(hash, buckets.length);
      for (Node<K> n = buckets[i]; n != null; n = n.next) {
        if (n.hash == hash && n.get() == key) {
          return; // a message encodes to one size: the entry there is already right
        }
      }
      buckets[i] = new Node<>(key, hash, size, buckets[i], collected);
      if (++count > buckets.length * 3 / 4) {
        resize();
      }
    }

    /** Drops the entries of messages the collector has reclaimed. */
    void expunge() {
      for (Reference<? extends K> r; (r = collected.poll()) != null; ) {
        int i = index(((Node<?>) r).hash, buckets.length);
        Node<K> prev = null;
        for (Node<K> n = buckets[i]; n != null; prev = n, n = n.next) {
          if (n == r) {
            if (prev == null) {
              buckets[i] = n.next;
            } else {
              prev.next = n.next;
            }
            count--;
            break;
          }
        }
      }
    }

    @SuppressWarnings("unchecked") // an array of a generic type can only be made raw
    private static <K> Node<K>[] newBuckets(int length) {
      return (Node<K>[]) new Node<?>[length];
    }

    private void resize() {
      Node<K>[] old = buckets;
      Node<K>[] grown = newBuckets(old.length * 2);
      for (Node<K> head : old) {
        for (Node<K> n = head; n != null; ) {
          Node<K> next = n.next;
          int i = index(n.hash, grown.length);
          n.next = grown[i];
          grown[i] = n;
          n = next;
        }
      }
      buckets = grown;
    }

    private static int index(int hash, int length) {
      // the stripe took the low bits of the mixed hash: spread on the others
      return ((hash >>> 4) ^ (hash >>> 20)) & (length - 1);
    }
  }
}
