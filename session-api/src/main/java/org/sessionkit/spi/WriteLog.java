package org.sessionkit.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Revision;

/**
 * The keys of a session's last {@value IdempotencyKey#REMEMBERED} keyed writes, each with the
 * revision its write produced: what a store keeps beside a session, atomically with every write,
 * so that a retried write applies once. Immutable and thread safe.
 *
 * <p>A store keeps it opaque: it stores {@link #encode()} beside the session (one column, one
 * hash field, one member of the document head) and reads it back with {@link #decode}. Within
 * the atomic step of a keyed write it does, in this order:
 *
 * <ol>
 *   <li>{@code log.find(key)}: if present, apply nothing and complete with that revision;
 *   <li>check the write's revision condition (a mismatch is a conflict);
 *   <li>write the session with its new revision {@code r} and the log {@code log.record(key,
 *       r)}.
 * </ol>
 *
 * A write without a key keeps the stored log as it is; deleting a session deletes its log.
 */
public final class WriteLog {

  private static final WriteLog EMPTY = new WriteLog(List.of());

  private final List<Entry> entries;

  /**
   * One remembered write.
   *
   * @param key the write's idempotency key
   * @param revision the revision that write produced
   */
  public record Entry(IdempotencyKey key, Revision revision) {
    /** Validates the fields. */
    public Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(revision, "revision");
    }
  }

  private WriteLog(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Returns the log of a session without keyed writes. */
  public static WriteLog empty() {
    return EMPTY;
  }

  /** Returns the entries, oldest first; at most {@value IdempotencyKey#REMEMBERED}. */
  public List<Entry> entries() {
    return entries;
  }

  /** Returns whether no keyed write is remembered. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Returns the revision the write with {@code key} produced, if it is remembered. */
  public Optional<Revision> find(IdempotencyKey key) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (entries.get(i).key().equals(key)) {
        return Optional.of(entries.get(i).revision());
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the log with the write {@code key} → {@code revision} added as the newest entry,
   * forgetting the oldest beyond {@value IdempotencyKey#REMEMBERED}.
   */
  public WriteLog record(IdempotencyKey key, Revision revision) {
    List<Entry> next = new ArrayList<>(entries.size() + 1);
    int skip = Math.max(0, entries.size() + 1 - IdempotencyKey.REMEMBERED);
    for (int i = skip; i < entries.size(); i++) {
      next.add(entries.get(i));
    }
    next.add(new Entry(key, revision));
    return new WriteLog(next);
  }

  /**
   * Returns the log after a write: {@code record(key, revision)} when the write had a key,
   * otherwise this log.
   */
  public WriteLog after(Optional<IdempotencyKey> key, Revision revision) {
    return key.isPresent() ? record(key.get(), revision) : this;
  }

  /**
   * Encodes the log as a short ASCII string ({@code ""} when empty): entries oldest first, each
   * {@code key SPACE revision} with the revision percent-encoded, separated by newlines.
   */
  public String encode() {
    StringBuilder b = new StringBuilder();
    for (Entry e : entries) {
      if (b.length() > 0) {
        b.append('\n');
      }
      b.append(e.key().value()).append(' ');
      String rev = e.revision().value();
      for (int i = 0; i < rev.length(); i++) {
        char c = rev.charAt(i);
        if (c > ' ' && c <= '~' && c != '%') {
          b.append(c);
        } else {
          for (byte x : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            b.append('%').append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
          }
        }
      }
    }
    return b.toString();
  }

  /**
   * Decodes what {@link #encode()} produced.
   *
   * @param encoded the stored form ({@code ""} for an empty log)
   * @param where what holds it, for the error message (an id or file)
   * @throws CorruptDocumentException if it is not a log this class wrote
   */
  public static WriteLog decode(String encoded, String where) {
    if (encoded.isEmpty()) {
      return EMPTY;
    }
    List<Entry> entries = new ArrayList<>();
    try {
      for (String line : encoded.split("\n", -1)) {
        int space = line.indexOf(' ');
        if (space < 0) {
          throw new IllegalArgumentException("no space");
        }
        String rev = java.net.URLDecoder.decode(
            line.substring(space + 1).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        entries.add(new Entry(IdempotencyKey.of(line.substring(0, space)), Revision.of(rev)));
      }
    } catch (RuntimeException e) {
      throw new CorruptDocumentException("the write log of " + where + " can't be read: " + e.getMessage(), e);
    }
    if (entries.size() > IdempotencyKey.REMEMBERED) {
      entries = entries.subList(entries.size() - IdempotencyKey.REMEMBERED, entries.size());
    }
    return new WriteLog(entries);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WriteLog w && w.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "WriteLog" + entries;
  }
}
