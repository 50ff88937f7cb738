package org.sessionkit.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.InvalidIdException;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.langchain4j.internal.MessageMerge;

/**
 * A LangChain4j {@link ChatMemoryStore} over any sessionkit {@link SessionStorage}: each chat
 * memory is one stored session, so LangChain4j's chat memories ({@code MessageWindowChatMemory},
 * {@code TokenWindowChatMemory}, AI services) keep their conversations in a file, PostgreSQL,
 * Redis or memory store, readable by every other sessionkit tool.
 *
 * <pre>{@code
 * SessionStorage storage = SessionStorages.open("file:./sessions");
 * ChatMemoryStore store = SessionChatMemoryStore.builder(storage).build();
 * ChatMemory memory = MessageWindowChatMemory.builder().id("user-42")
 *     .maxMessages(20).chatMemoryStore(store).build();
 * }</pre>
 *
 * <h2>Ids and messages</h2>
 *
 * A memory id becomes a session id through the {@linkplain Builder#memoryIdMapping mapping}
 * ({@code String.valueOf} by default); a result that breaks the id rule of {@link SessionIds}
 * fails with {@link InvalidIdException} before any I/O. Messages are mapped by {@link
 * LangChain4jMessages}; a message that can't be stored without loss fails with {@link
 * UnmappableMessageException} and nothing is written. A new session is created in the
 * configured working directory; the state of an existing one (token usage, custom values) is
 * kept as is.
 *
 * <h2>No lost updates</h2>
 *
 * LangChain4j persists a turn by reading the list ({@link #getMessages}), changing it, and
 * handing back the whole new list ({@link #updateMessages}). This store remembers, per thread
 * and memory id, the stored version (session and revision) that thread last read or wrote, and
 * treats the new list as a change to that version:
 *
 * <ul>
 *   <li>If the store still holds that version, the new list is written as is: when it extends
 *       the stored messages, only the new messages are {@linkplain SessionStorage#append
 *       appended} (stores append without rewriting history), otherwise (a window evicted old
 *       messages, a system message was replaced) the session is {@linkplain
 *       SessionStorage#saveIf saved} conditionally. Both are conditional on that revision.
 *   <li>If another writer changed the session in between (another thread, another instance of
 *       the application), the write fails with a conflict, the current version is read, and the
 *       change is applied to it by a three-way merge: base messages the new list dropped are
 *       dropped, messages the other writer added stay, the new messages are added after them. No
 *       message another writer added is ever dropped silently. This repeats up to {@value
 *       #MAX_WRITE_ATTEMPTS} times, then fails with {@link RevisionConflictException}.
 *   <li>A write on a thread that did not read that memory before (for example {@code
 *       ChatMemory.set} on a fresh memory) replaces the stored list, still atomically.
 * </ul>
 *
 * Writes of one session through one instance of this class are serialised, so threads of one
 * application do not race each other into retries; conditional writes keep several instances
 * (or applications) correct. {@link #deleteMessages} deletes the session unconditionally, as
 * LangChain4j's {@code clear()} means.
 *
 * <h2>Blocking, errors, thread safety</h2>
 *
 * {@code ChatMemoryStore} is synchronous, so every method blocks the calling thread until the
 * store answers, at most the {@linkplain Builder#timeout timeout} per store operation, and then
 * fails with {@link org.sessionkit.StorageUnavailableException}. Failures are the unchecked
 * {@link org.sessionkit.SessionStorageException} subclasses of the store, thrown as they are.
 * This class is thread safe. It does not own the storage: closing the storage is the caller's
 * business. Per thread it keeps a reference to the last few sessions that thread read or wrote
 * (at most {@value #REMEMBERED_PER_THREAD}), until that thread's next call.
 */
public final class SessionChatMemoryStore implements ChatMemoryStore {

  /** How long a store operation may take by default before it fails. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** How many conditional writes one update tries before failing with a conflict. */
  public static final int MAX_WRITE_ATTEMPTS = 100;

  /** How many memories each thread remembers the last read or written version of. */
  public static final int REMEMBERED_PER_THREAD = 8;

  private static final System.Logger LOG = System.getLogger(SessionChatMemoryStore.class.getName());
  private static final int LOCK_STRIPES = 64;

  private final SessionStorage storage;
  private final String cwd;
  private final Function<Object, String> memoryIdMapping;
  private final Duration timeout;
  private final Clock clock;
  private final AttributeCodecs codecs;
  private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

  // What this thread last read or wrote, per session id: the base its next list derives from.
  // Thread-confined on purpose: with a map shared by all threads, a turn could not tell the
  // version it read from the one another thread wrote since, and would drop that thread's
  // messages. LangChain4j's chat memories read and write within one call on one thread.
  private final ThreadLocal<Map<String, Optional<VersionedSession>>> seen =
      ThreadLocal.withInitial(
          () ->
              new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(
                    Map.Entry<String, Optional<VersionedSession>> eldest) {
                  return size() > REMEMBERED_PER_THREAD;
                }
              });

  private SessionChatMemoryStore(Builder b) {
    this.storage = b.storage;
    this.cwd = b.cwd;
    this.memoryIdMapping = b.memoryIdMapping;
    this.timeout = b.timeout;
    this.clock = b.clock;
    this.codecs = b.codecs;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /**
   * Returns a builder for a chat memory store over {@code storage}.
   *
   * @throws NullPointerException if {@code storage} is null
   */
  public static Builder builder(SessionStorage storage) {
    return new Builder(storage);
  }

  /**
   * Returns a chat memory store over {@code storage} with the default settings.
   *
   * @throws NullPointerException if {@code storage} is null
   */
  public static SessionChatMemoryStore of(SessionStorage storage) {
    return builder(storage).build();
  }

  /**
   * Returns the messages of the memory, an empty list if the session does not exist.
   *
   * @return a new mutable list
   * @throws InvalidIdException if the memory id maps to an invalid session id
   * @throws UnmappableMessageException if a stored message can't be represented in LangChain4j
   * @throws org.sessionkit.SessionStorageException as the store's {@code loadVersioned} fails,
   *     e.g. {@link StorageUnavailableException} after the timeout
   * @throws NullPointerException if {@code memoryId} is null
   */
  @Override
  public List<ChatMessage> getMessages(Object memoryId) {
    String id = sessionId(memoryId);
    Optional<VersionedSession> stored = load(id);
    List<ChatMessage> messages = LangChain4jMessages.toChatMessages(messagesOf(stored), codecs);
    seen.get().put(id, stored);
    return messages;
  }

  /**
   * Stores {@code messages} as the memory's messages, keeping what other writers added since
   * this thread read the memory (see the class documentation for the exact semantics).
   *
   * @throws InvalidIdException if the memory id maps to an invalid session id
   * @throws UnmappableMessageException if a message can't be stored without loss (nothing was
   *     written)
   * @throws RevisionConflictException if other writers won {@value #MAX_WRITE_ATTEMPTS} times in
   *     a row
   * @throws org.sessionkit.SessionStorageException as the store's writes fail, e.g. {@link
   *     StorageUnavailableException} after the timeout (the write may or may not have happened)
   * @throws NullPointerException if an argument or a message is null
   */
  @Override
  public void updateMessages(Object memoryId, List<ChatMessage> messages) {
    String id = sessionId(memoryId);
    List<Message> ours = LangChain4jMessages.toSessionMessages(messages, codecs);
    Map<String, Optional<VersionedSession>> mine = seen.get();
    Optional<VersionedSession> base = mine.remove(id);
    ReentrantLock lock = lockFor(id);
    acquire(lock, id);
    try {
      mine.put(id, write(id, base, ours));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Deletes the memory's session; nothing happens if it does not exist.
   *
   * @throws InvalidIdException if the memory id maps to an invalid session id
   * @throws org.sessionkit.SessionStorageException as the store's {@code delete} fails
   * @throws NullPointerException if {@code memoryId} is null
   */
  @Override
  public void deleteMessages(Object memoryId) {
    String id = sessionId(memoryId);
    seen.get().remove(id);
    try {
      await(storage.delete(id));
    } catch (SessionNotFoundException alreadyGone) {
      // clear() of a memory that holds nothing is not an error in LangChain4j.
    }
  }

  // `base` is null when this thread has not read the session: then the list replaces what is
  // stored now. Returns what is stored after the write.
  private Optional<VersionedSession> write(
      String id, Optional<VersionedSession> base, List<Message> ours) {
    Optional<VersionedSession> current;
    if (base == null) {
      current = load(id);
      base = current;
    } else {
      // Optimistic: usually nobody wrote between this thread's read and now, which saves a load.
      current = base;
    }
    List<Message> baseMessages = messagesOf(base);
    for (int attempt = 1; ; attempt++) {
      List<Message> target =
          sameVersion(base, current)
              ? ours
              : MessageMerge.merge(baseMessages, ours, messagesOf(current));
      try {
        return commit(id, current, target);
      } catch (RevisionConflictException | SessionNotFoundException changed) {
        if (attempt >= MAX_WRITE_ATTEMPTS) {
          throw new RevisionConflictException(
              "session "
                  + quote(id)
                  + " kept changing under this update; gave up after "
                  + attempt
                  + " attempts",
              changed);
        }
        LOG.log(
            System.Logger.Level.DEBUG,
            "session {0} changed since it was read; merging (attempt {1})",
            quote(id),
            attempt + 1);
        current = load(id);
      }
    }
  }

  private Optional<VersionedSession> commit(
      String id, Optional<VersionedSession> current, List<Message> target) {
    if (current.isEmpty()) {
      if (target.isEmpty()) {
        return current;
      }
      Instant now = clock.instant();
      Session created = new Session(id, target, SessionState.initial(cwd), now, now);
      return Optional.of(new VersionedSession(created, await(storage.create(created))));
    }
    VersionedSession cur = current.get();
    Session stored = cur.session();
    List<Message> storedMessages = stored.messages();
    if (target.equals(storedMessages)) {
      return current;
    }
    Instant now = clock.instant();
    if (now.isBefore(stored.updatedAt())) {
      // Never move updatedAt backwards (another machine's clock may be ahead).
      now = stored.updatedAt();
    }
    int n = storedMessages.size();
    if (target.size() > n && target.subList(0, n).equals(storedMessages)) {
      Append append =
          Append.of(target.subList(n, target.size()), stored.state(), now)
              .ifRevision(cur.revision());
      Revision revision = await(storage.append(id, append));
      return Optional.of(new VersionedSession(append.applyTo(stored), revision));
    }
    Session replaced = new Session(id, target, stored.state(), stored.createdAt(), now);
    Revision revision = await(storage.saveIf(replaced, cur.revision()));
    return Optional.of(new VersionedSession(replaced, revision));
  }

  private static boolean sameVersion(Optional<VersionedSession> a, Optional<VersionedSession> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() && b.isEmpty();
    }
    return a.get().revision().equals(b.get().revision());
  }

  private static List<Message> messagesOf(Optional<VersionedSession> v) {
    return v.map(s -> s.session().messages()).orElse(List.of());
  }

  private Optional<VersionedSession> load(String id) {
    try {
      return Optional.of(await(storage.loadVersioned(id)));
    } catch (SessionNotFoundException absent) {
      return Optional.empty();
    }
  }

  private <T> T await(CompletableFuture<T> future) {
    return Futures.await(future, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private ReentrantLock lockFor(String id) {
    int h = id.hashCode();
    h ^= h >>> 16;
    return locks[(h & 0x7fffffff) % LOCK_STRIPES];
  }

  private void acquire(ReentrantLock lock, String id) {
    try {
      if (!lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new StorageUnavailableException(
            "another update of session "
                + quote(id)
                + " did not finish within "
                + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException("interrupted while waiting to update the session", e);
    }
  }

  private String sessionId(Object memoryId) {
    Objects.requireNonNull(memoryId, "memoryId");
    String id = memoryIdMapping.apply(memoryId);
    if (id == null) {
      throw new InvalidIdException(
          "the memory id mapping returned no session id for memory id "
              + quote(String.valueOf(memoryId)));
    }
    try {
      return SessionIds.requireValid(id);
    } catch (InvalidIdException e) {
      throw new InvalidIdException(
          "memory id "
              + quote(String.valueOf(memoryId))
              + " can't be stored: "
              + e.getMessage(),
          e);
    }
  }

  /** Quotes an id for a message, shortened and with control characters escaped. */
  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    int limit = Math.min(s.length(), 80);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '"' || c == '\\') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (limit < s.length()) {
      b.append('…');
    }
    return b.append('"').toString();
  }

  /** Configures a {@link SessionChatMemoryStore}. Not thread safe; build once and share the store. */
  public static final class Builder {
    private final SessionStorage storage;
    private String cwd = System.getProperty("user.dir", ".");
    private Function<Object, String> memoryIdMapping = String::valueOf;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Clock clock = Clock.systemUTC();
    private AttributeCodecs codecs = AttributeCodecs.defaults();

    private Builder(SessionStorage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
    }

    /**
     * Sets the working directory recorded in sessions this store creates (default: the JVM's
     * {@code user.dir}). Existing sessions keep theirs.
     */
    public Builder cwd(String cwd) {
      this.cwd = Objects.requireNonNull(cwd, "cwd");
      return this;
    }

    /**
     * Sets how a LangChain4j memory id becomes a session id (default: {@code String.valueOf}).
     * The function must be pure; a result that breaks the id rule, or {@code null}, makes the
     * call fail with {@link InvalidIdException}.
     */
    public Builder memoryIdMapping(Function<Object, String> memoryIdMapping) {
      this.memoryIdMapping = Objects.requireNonNull(memoryIdMapping, "memoryIdMapping");
      return this;
    }

    /**
     * Sets how long one store operation may take before the call fails with {@link
     * StorageUnavailableException} (default {@link #DEFAULT_TIMEOUT}).
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** Sets the clock for {@code createdAt}/{@code updatedAt} (default: the UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the codecs for message attribute values (default {@link AttributeCodecs#defaults()}). */
    public Builder attributeCodecs(AttributeCodecs codecs) {
      this.codecs = Objects.requireNonNull(codecs, "codecs");
      return this;
    }

    /** Returns the configured store. */
    public SessionChatMemoryStore build() {
      return new SessionChatMemoryStore(this);
    }
  }
}
