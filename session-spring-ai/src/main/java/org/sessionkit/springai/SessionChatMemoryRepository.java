package org.sessionkit.springai;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.InvalidIdException;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.springai.internal.Merge;
import org.sessionkit.springai.internal.MessageMapper;
import org.springframework.ai.chat.memory.ChatMemoryRepository;

/**
 * Spring AI's {@link ChatMemoryRepository} over any sessionkit {@link SessionStorage}: each
 * conversation is one session, so Spring AI applications get crash-safe files, PostgreSQL or
 * Redis, conditional writes and cheap appends by changing one bean.
 *
 * <pre>{@code
 * SessionStorage storage = SessionStorages.open("file:/var/lib/agent/sessions");
 * ChatMemory memory = MessageWindowChatMemory.builder()
 *     .chatMemoryRepository(SessionChatMemoryRepository.create(storage))
 *     .build();
 * }</pre>
 *
 * <h2>Ids</h2>
 * The session id is the configured prefix (empty by default) followed by the conversation id,
 * and must follow the id rule of {@link SessionIds}; otherwise every method throws {@link
 * InvalidIdException} before any I/O.
 *
 * <h2>Messages</h2>
 * Messages map both ways as the module's README tables: system, user (text, images, PDF and
 * plain-text documents), assistant (text, tool calls, media) and tool response messages, with
 * their metadata. What the session model has no field for (tool response names, media names and
 * ids, a tool call's type, tool arguments that are not JSON in canonical spelling, Spring AI's
 * message metadata in a typed encoding) is kept in each message's own metadata under the key
 * {@value #METADATA_KEY}. Metadata values come back as the same Java types; a value of a type
 * without a {@link MetadataCodec} (see {@link Builder#metadataCodecs}) and whatever else can't be
 * represented fails with {@link MessageMappingException} and writes or returns nothing.
 *
 * <h2>No lost updates</h2>
 * Spring AI persists a turn by handing {@link #saveAll} the whole conversation. The repository
 * remembers, per thread, the last version of each conversation it read or wrote for that thread
 * (Spring AI's {@code MessageWindowChatMemory} reads and then writes on one thread), and:
 *
 * <ol>
 *   <li>if the list equals what is stored, writes nothing;
 *   <li>if the list extends what is stored, {@linkplain SessionStorage#append appends} only the
 *       new messages, conditional on the stored revision;
 *   <li>if the stored conversation is still the version this thread read, replaces it with the
 *       list ({@link SessionStorage#saveIf}), conditional on that revision;
 *   <li>otherwise (another writer got there in between) merges three ways: the base messages
 *       both sides kept, then the messages the other writer added, then this caller's (see
 *       {@code Merge}), appended if that extends what is stored, else saved conditionally.
 * </ol>
 *
 * A conditional write that loses a race re-reads the conversation and decides again, up to
 * {@link Builder#maxAttempts(int)} times, then fails with {@link RevisionConflictException}. So two
 * turns written concurrently both keep their messages. A conversation that is not stored is
 * created with the whole list.
 *
 * <h2>Blocking, errors, thread safety</h2>
 * {@link ChatMemoryRepository} is synchronous: each method waits for the store, at most the
 * configured timeout per store call (then {@link StorageUnavailableException}), and throws the
 * store's {@link org.sessionkit.SessionStorageException} unwrapped. Safe for concurrent use by
 * any number of threads. The repository does not own the storage: closing it is the caller's
 * business.
 */
public final class SessionChatMemoryRepository implements ChatMemoryRepository {

  /** The key of each message's metadata where this adapter keeps what Spring AI has beyond the session model. */
  public static final String METADATA_KEY = MessageMapper.KEY;

  /** How long one store call may take unless configured otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** How many conditional writes one {@link #saveAll} tries unless configured otherwise. */
  public static final int DEFAULT_MAX_ATTEMPTS = 100;

  private final SessionStorage storage;
  private final Duration timeout;
  private final String prefix;
  private final String cwd;
  private final int maxAttempts;
  private final MessageMapper mapper;

  // The version of a conversation this thread last read or wrote: the base of its next write.
  // Per thread, because the base of a write is what the writing caller read, not what another
  // thread read or wrote since; one conversation per thread keeps the memory to one session.
  private final ThreadLocal<Seen> seen = new ThreadLocal<>();

  private record Seen(String id, Optional<VersionedSession> stored, List<Message> entries) {
    Optional<Revision> revision() {
      return stored.map(VersionedSession::revision);
    }
  }

  private SessionChatMemoryRepository(Builder b) {
    this.storage = b.storage;
    this.timeout = b.timeout;
    this.prefix = b.conversationIdPrefix;
    this.cwd = b.cwd;
    this.maxAttempts = b.maxAttempts;
    this.mapper = new MessageMapper(SessionCodec.defaults(), b.codecs);
  }

  /** Returns a repository over {@code storage} with the default settings. */
  public static SessionChatMemoryRepository create(SessionStorage storage) {
    return builder(storage).build();
  }

  /** Returns a builder for a repository over {@code storage}. */
  public static Builder builder(SessionStorage storage) {
    return new Builder(storage);
  }

  /** Returns the storage this repository reads and writes. */
  public SessionStorage storage() {
    return storage;
  }

  /**
   * Returns the session id of a conversation: the prefix followed by {@code conversationId}.
   *
   * @throws InvalidIdException if that is not a valid session id
   * @throws NullPointerException if {@code conversationId} is null
   */
  public String sessionId(String conversationId) {
    Objects.requireNonNull(conversationId, "conversationId");
    if (conversationId.isEmpty()) {
      throw new InvalidIdException("the conversation id is empty");
    }
    String id = prefix + conversationId;
    try {
      return SessionIds.requireValid(id);
    } catch (InvalidIdException e) {
      throw new InvalidIdException(
          "the conversation id can't be stored as a session id: " + e.getMessage(), e);
    }
  }

  /**
   * Returns the ids of the stored conversations, most recently updated first: every session
   * whose id starts with the prefix (also sessions not written through this repository), walking
   * the store's listing page by page.
   */
  @Override
  public List<String> findConversationIds() {
    ListQuery query = ListQuery.firstPage().limit(ListQuery.MAX_LIMIT);
    if (!prefix.isEmpty()) {
      query = query.idPrefix(prefix);
    }
    List<String> ids = new ArrayList<>();
    while (true) {
      // Pages are fetched here rather than through SessionStorage.stream() so that each page
      // is bounded by the configured timeout.
      SessionPage page = await(storage.list(query));
      for (SessionSummary s : page.summaries()) {
        if (s.id().length() > prefix.length()) {
          ids.add(s.id().substring(prefix.length()));
        }
      }
      if (page.nextCursor().isEmpty()) {
        return ids;
      }
      query = query.after(page.nextCursor().get());
    }
  }

  /**
   * Returns the messages of a conversation, in order; an empty list if it is not stored.
   *
   * @throws MessageMappingException if a stored message can't be represented in Spring AI
   * @throws InvalidIdException if the conversation id can't be a session id
   */
  @Override
  public List<org.springframework.ai.chat.messages.Message> findByConversationId(String conversationId) {
    String id = sessionId(conversationId);
    Optional<VersionedSession> stored = load(id);
    List<Message> entries = entries(stored);
    List<org.springframework.ai.chat.messages.Message> messages = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      messages.add(mapper.toSpring(entries.get(i), where(conversationId, i)));
    }
    seen.set(new Seen(id, stored, entries));
    return messages;
  }

  /**
   * Makes the conversation hold {@code messages}, without losing messages another writer added
   * since this thread read it (see the class documentation).
   *
   * @throws MessageMappingException if a message can't be represented in the session model
   *     (nothing is written)
   * @throws RevisionConflictException if other writers won every attempt
   * @throws InvalidIdException if the conversation id can't be a session id
   * @throws NullPointerException if an argument or a message is null
   */
  @Override
  public void saveAll(String conversationId, List<org.springframework.ai.chat.messages.Message> messages) {
    String id = sessionId(conversationId);
    Objects.requireNonNull(messages, "messages");
    List<Message> wanted = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      org.springframework.ai.chat.messages.Message m =
          Objects.requireNonNull(messages.get(i), "messages[" + i + "]");
      wanted.add(mapper.toMessage(m, where(conversationId, i)));
    }
    Seen base = seen.get();
    Optional<VersionedSession> stored;
    List<Message> storedEntries;
    if (base != null && base.id().equals(id)) {
      // Optimistic: the conversation is probably still what this thread read, so try the
      // conditional write without loading it again; a conflict says otherwise.
      stored = base.stored();
      storedEntries = base.entries();
    } else {
      stored = load(id);
      storedEntries = entries(stored);
      base = new Seen(id, stored, storedEntries);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        seen.set(write(id, wanted, base, stored, storedEntries));
        return;
      } catch (RevisionConflictException | SessionNotFoundException e) {
        // Lost a race: another writer changed the conversation, or deleted it (an append to a
        // deleted session fails with not-found). Decide again from what is stored now.
        if (attempt >= maxAttempts) {
          seen.remove();
          throw new RevisionConflictException(
              "conversation \"" + conversationId + "\" was changed by other writers during each of "
                  + maxAttempts + " attempts to save it",
              e);
        }
        stored = load(id);
        storedEntries = entries(stored);
      }
    }
  }

  private Seen write(
      String id, List<Message> wanted, Seen base, Optional<VersionedSession> stored, List<Message> storedEntries) {
    if (stored.isEmpty()) {
      Instant now = Instant.now();
      Session session = new Session(id, wanted, SessionState.initial(cwd), now, now);
      Revision revision = await(storage.create(session));
      return new Seen(id, Optional.of(new VersionedSession(session, revision)), wanted);
    }
    VersionedSession current = stored.get();
    List<Message> result;
    if (wanted.equals(storedEntries)) {
      return new Seen(id, stored, storedEntries);
    } else if (Merge.extendsList(wanted, storedEntries)) {
      result = wanted;
    } else if (base.revision().equals(Optional.of(current.revision()))) {
      result = wanted;
    } else {
      result = Merge.merge(base.entries(), storedEntries, wanted);
      if (result.equals(storedEntries)) {
        return new Seen(id, stored, storedEntries);
      }
    }
    Session old = current.session();
    SessionState state = old.state();
    Instant now = later(old.updatedAt());
    if (Merge.extendsList(result, storedEntries)) {
      Append append =
          Append.of(result.subList(storedEntries.size(), result.size()), state, now)
              .ifRevision(current.revision());
      Revision revision = await(storage.append(id, append));
      return new Seen(id, Optional.of(new VersionedSession(append.applyTo(old), revision)), result);
    }
    Session replaced = new Session(id, result, state, old.createdAt(), now);
    Revision revision = await(storage.saveIf(replaced, current.revision()));
    return new Seen(id, Optional.of(new VersionedSession(replaced, revision)), result);
  }

  /**
   * Deletes a conversation; does nothing if it is not stored.
   *
   * @throws InvalidIdException if the conversation id can't be a session id
   */
  @Override
  public void deleteByConversationId(String conversationId) {
    String id = sessionId(conversationId);
    Seen base = seen.get();
    if (base != null && base.id().equals(id)) {
      seen.remove();
    }
    try {
      await(storage.delete(id));
    } catch (SessionNotFoundException e) {
      // Spring AI's repositories treat deleting an unknown conversation as done.
    }
  }

  @Override
  public String toString() {
    return "SessionChatMemoryRepository[storage=" + storage + ", prefix=\"" + prefix + "\"]";
  }

  private Optional<VersionedSession> load(String id) {
    try {
      return Optional.of(await(storage.loadVersioned(id)));
    } catch (SessionNotFoundException e) {
      return Optional.empty();
    }
  }

  private static List<Message> entries(Optional<VersionedSession> stored) {
    return stored.map(v -> v.session().messages()).orElse(List.of());
  }

  private static Instant later(Instant stored) {
    // Never earlier than the stored updatedAt, so the conversation still lists as the most
    // recently updated even if this machine's clock is behind the last writer's.
    Instant now = Instant.now();
    return now.isAfter(stored) ? now : stored;
  }

  private static String where(String conversationId, int index) {
    return "conversation \"" + conversationId + "\", message " + index;
  }

  private <T> T await(CompletableFuture<T> future) {
    return Futures.await(future, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Configures a {@link SessionChatMemoryRepository}. Not thread safe; build once. */
  public static final class Builder {
    private final SessionStorage storage;
    private Duration timeout = DEFAULT_TIMEOUT;
    private String conversationIdPrefix = "";
    private String cwd = "";
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private MetadataCodecs codecs = MetadataCodecs.defaults();

    private Builder(SessionStorage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
    }

    /**
     * Sets how long each store call may take before the repository gives up with {@link
     * StorageUnavailableException}; {@link #DEFAULT_TIMEOUT} by default.
     *
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the prefix put before each conversation id to form its session id (for example
     * {@code "spring-ai/"} to keep conversations apart from other sessions in the store); empty
     * by default. {@link #findConversationIds()} lists only sessions with this prefix.
     */
    public Builder conversationIdPrefix(String prefix) {
      this.conversationIdPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Sets the working directory recorded in newly created sessions; empty by default. */
    public Builder cwd(String cwd) {
      this.cwd = Objects.requireNonNull(cwd, "cwd");
      return this;
    }

    /**
     * Sets how many conditional writes one {@link #saveAll} tries before it fails with {@link
     * RevisionConflictException}; {@link #DEFAULT_MAX_ATTEMPTS} by default.
     *
     * @throws IllegalArgumentException if it is less than 1
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the codecs for metadata values whose types are not built into the typed encoding;
     * {@link MetadataCodecs#defaults()} (the provider types of Spring AI's model modules) by
     * default. Add your own with {@code MetadataCodecs.defaults().with(...)}.
     */
    public Builder metadataCodecs(MetadataCodecs codecs) {
      this.codecs = Objects.requireNonNull(codecs, "codecs");
      return this;
    }

    /** Returns the repository. */
    public SessionChatMemoryRepository build() {
      return new SessionChatMemoryRepository(this);
    }
  }
}
