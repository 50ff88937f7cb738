package org.sessionkit.file.internal;

import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.sessionkit.JsonValue;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionSummary;

/**
 * What listings learnt from each document file, so that a listing re-reads only files that
 * changed: keyed by file name, validated by the file's size, modification time and file key
 * (the inode on Unix).
 *
 * <p>Why that validation is sound: every write of this store renames a new file into place (a
 * new inode, a new modification time), and neuron rewrites in place (a new modification time).
 * The one gap is a coarse clock: two writes within one tick of the file system's timestamp, of
 * the same size, on a reused inode, look the same. So, as git does for its index, an entry is
 * kept only if the file was last modified at least {@link #RACY_WINDOW} before the listing
 * began reading it; a file written more recently is read again by every listing until it is
 * old enough. Writes of this process also {@link #invalidate} their file directly.
 *
 * <p>At most {@link #MAX_ENTRIES} entries are kept (about 350 bytes each); files beyond that
 * are read on every listing. Thread safe.
 */
final class HeadCache {

  /** How old a file must be for its entry to be trusted: a few file-system clock ticks. */
  static final Duration RACY_WINDOW = Duration.ofSeconds(3);

  /** The most entries kept. */
  static final int MAX_ENTRIES = 200_000;

  /** What a listing found in one file. */
  sealed interface Scan permits Found, Unreadable {}

  /**
   * A readable session document.
   *
   * @param summary its summary (without custom entries)
   * @param lastWrite when it was last written ({@link Retention#lastWrite})
   * @param custom its state's {@code custom}, if the head was read with the state (a listing
   *     asked for custom keys)
   */
  record Found(SessionSummary summary, Instant lastWrite, Optional<Map<String, JsonValue>> custom) implements Scan {}

  /**
   * A file that is not a readable session document.
   *
   * @param problem what is wrong with it
   */
  record Unreadable(ListingProblem problem) implements Scan {}

  /**
   * What was learnt from one file.
   *
   * @param nameId the id the file's name stands for (empty for a hashed name)
   * @param size the file's size when it was read
   * @param modified its modification time
   * @param fileKey its file key (inode), possibly null where the file system has none
   * @param scan what the read found
   */
  record Entry(Optional<String> nameId, long size, Instant modified, Object fileKey, Scan scan) {
    /** Returns whether the file still has the attributes it had when it was read. */
    boolean matches(BasicFileAttributes a) {
      return size == a.size()
          && modified.equals(a.lastModifiedTime().toInstant())
          && Objects.equals(fileKey, a.fileKey());
    }
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  /** Returns what was learnt from {@code name}, to be checked with {@link Entry#matches}. */
  Optional<Entry> entry(String name) {
    return Optional.ofNullable(entries.get(name));
  }

  /**
   * Remembers what a read of {@code name} found.
   *
   * @param before the file's attributes, read before the file's contents
   * @param readStart when the read began (before {@code before} was read)
   */
  void put(String name, Optional<String> nameId, BasicFileAttributes before, Instant readStart, Scan scan) {
    Instant modified = before.lastModifiedTime().toInstant();
    if (!modified.isBefore(readStart.minus(RACY_WINDOW))) {
      entries.remove(name);
      return;
    }
    if (entries.size() >= MAX_ENTRIES && !entries.containsKey(name)) {
      return;
    }
    entries.put(name, new Entry(nameId, before.size(), modified, before.fileKey(), scan));
  }

  /** Forgets {@code name}: its file was just written or deleted by this process. */
  void invalidate(String name) {
    entries.remove(name);
  }

  /** Forgets every file not in {@code present}: they are gone. */
  void retainOnly(Set<String> present) {
    entries.keySet().retainAll(present);
  }

  /** Returns how many entries are kept (for tests and diagnostics). */
  int size() {
    return entries.size();
  }
}
