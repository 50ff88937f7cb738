package org.sessionkit.springai;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.InvalidIdException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.JsonValue.JsonObject;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.springai.internal.MessageMapper;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.MessageType;

/**
 * Spring AI's {@link ChatMemory} over any sessionkit {@link SessionStorage} that keeps the whole
 * conversation and serves its last messages: each {@link #add} <em>appends</em> the new messages
 * to the session, and {@link #get} reads only the tail the window needs ({@link
 * SessionStorage#loadTail}), so a turn costs the same at message 10 and message 10,000, and
 * nothing is ever deleted to make room. Use it instead of Spring AI's {@code
 * MessageWindowChatMemory} over a repository (which rewrites the window and drops the oldest
 * messages from the store).
 *
 * <pre>{@code
 * ChatMemory memory = SessionWindowChatMemory.builder(SessionStorages.open("postgresql://…"))
 *     .maxMessages(20)
 *     .build();
 * ChatClient client = ChatClient.builder(model)
 *     .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build())
 *     .build();
 * }</pre>
 *
 * <h2>What {@link #get} serves</h2>
 * The system message (if any) first, then the last {@link Builder#maxMessages(int)} messages of
 * the history, except that tool results are never served without the call they answer: when
 * the window's first messages are tool responses whose assistant tool call fell out of it, they
 * are left out too (providers reject a tool result without its call), so a window may hold fewer
 * messages than the maximum.
 *
 * <h2>The system message</h2>
 * A {@code SystemMessage} handed to {@link #add} is not appended to the history: it is kept in the
 * session's state ({@code custom}, key {@value #STATE_KEY}) and replaces the one kept before, and
 * {@link #get} always serves it first, however long the history. The other messages of the same
 * call are appended in their order.
 *
 * <h2>Turns, retries, concurrency</h2>
 * Each {@link #add} is one conditional {@link SessionStorage#append} with an {@link
 * IdempotencyKey} derived from the session id, the revision the call was based on (the one this
 * thread last read or wrote for this conversation, else the stored one) and the new messages. A
 * call retried after it failed (a timeout, an {@link org.sessionkit.AmbiguousOutcomeException})
 * reproduces the key, so the store applies it at most once. A concurrent writer makes the
 * conditional append fail; the memory then re-reads the revision and state and appends again
 * (with the same key), up to {@link Builder#maxAttempts(int)} times: concurrent turns are all
 * kept, each in its own order. Two calls with the same messages based on the same revision are
 * one write (that is what makes a retry safe). A store that does not support idempotency keys
 * refuses keyed writes with {@link InvalidArgumentException}: the memory then writes without keys
 * and logs a warning once, and a retried add may be stored twice.
 *
 * <h2>{@link #clear}</h2>
 * Deletes the session: history, system message and state (as Spring AI's memories delete a
 * conversation). The next {@link #add} starts a new session under the same id.
 *
 * <h2>When a session reaches the store's size limit</h2>
 * An {@link #add} that would make the stored document larger than the store's limit fails with
 * {@link InvalidSessionException} and stores nothing; the conversation keeps what it had, and
 * {@link #get} still serves it. Start a new conversation id (or delete old turns with the store's
 * own tools); this memory never drops history by itself.
 *
 * <h2>Messages, ids, errors</h2>
 * Messages and their metadata map as in {@link SessionChatMemoryRepository} (same mapping, same
 * {@link MetadataCodecs}); conversation ids become session ids as there. {@link ChatMemory} is
 * synchronous: each method waits for the store at most the configured timeout per call, then
 * fails with {@link StorageUnavailableException}; store errors are thrown unwrapped. Thread safe.
 * The memory does not own the storage.
 */
public final class SessionWindowChatMemory implements ChatMemory {

  /** The key of the session state's {@code custom} value that holds the system message. */
  public static final String STATE_KEY = "spring-ai";

  /** How many history messages {@link #get} serves unless configured otherwise. */
  public static final int DEFAULT_MAX_MESSAGES = 20;

  private static final SessionCodec CODEC = SessionCodec.defaults();
  private static final System.Logger LOG = System.getLogger(SessionWindowChatMemory.class.getName());

  // Set once a keyed write was refused by the store (see keyed()); a benign race.
  private volatile boolean keysUnsupported;

  private final SessionStorage storage;
  private final int maxMessages;
  private final Duration timeout;
  private final String prefix;
  private final String cwd;
  private final int maxAttempts;
  private final MessageMapper mapper;

  // What this thread last read or wrote of one conversation (empty: it was not stored): the base
  // of its next add. Per thread, as a turn's add follows that thread's get. A failed add leaves
  // it as it was, so that a retry of that add derives the same idempotency key.
  private final ThreadLocal<Known> known = new ThreadLocal<>();

  private record Base(Revision revision, SessionState state, Instant updatedAt) {}

  private record Known(String id, Optional<Base> base) {}

  private SessionWindowChatMemory(Builder b) {
    this.storage = b.storage;
    this.maxMessages = b.maxMessages;
    this.timeout = b.timeout;
    this.prefix = b.prefix;
    this.cwd = b.cwd;
    this.maxAttempts = b.maxAttempts;
    this.mapper = new MessageMapper(CODEC, b.codecs);
  }

  /** Returns a builder for a memory over {@code storage}. */
  public static Builder builder(SessionStorage storage) {
    return new Builder(storage);
  }

  /** Returns the storage this memory reads and writes. */
  public SessionStorage storage() {
    return storage;
  }

  /**
   * Returns the session id of a conversation: the prefix followed by {@code conversationId}.
   *
   * @throws InvalidIdException if that is not a valid session id
   */
  public String sessionId(String conversationId) {
    Objects.requireNonNull(conversationId, "conversationId");
    if (conversationId.isEmpty()) {
      throw new InvalidIdException("the conversation id is empty");
    }
    try {
      return SessionIds.requireValid(prefix + conversationId);
    } catch (InvalidIdException e) {
      throw new InvalidIdException("the conversation id can't be stored as a session id: " + e.getMessage(), e);
    }
  }

  /**
   * Appends {@code messages} to the conversation (a system message replaces the kept one instead;
   * see the class documentation), creating the session if needed.
   *
   * @throws MessageMappingException if a message can't be stored (nothing is written)
   * @throws InvalidSessionException if the session would exceed the store's limits (nothing is
   *     written)
   * @throws RevisionConflictException if other writers won every attempt
   */
  @Override
  public void add(String conversationId, List<org.springframework.ai.chat.messages.Message> messages) {
    String id = sessionId(conversationId);
    Objects.requireNonNull(messages, "messages");
    List<Message> history = new ArrayList<>();
    Optional<Message> system = Optional.empty();
    for (int i = 0; i < messages.size(); i++) {
      org.springframework.ai.chat.messages.Message m = Objects.requireNonNull(messages.get(i), "messages[" + i + "]");
      Message mapped = mapper.toMessage(m, "conversation \"" + conversationId + "\", new message " + i);
      if (m.getMessageType() == MessageType.SYSTEM) {
        system = Optional.of(mapped);
      } else {
        history.add(mapped);
      }
    }
    if (history.isEmpty() && system.isEmpty()) {
      return;
    }
    Known seen = known.get();
    Optional<Base> current;
    if (seen != null && seen.id().equals(id)) {
      current = seen.base();
    } else {
      current = read(id);
      known.set(new Known(id, current));
    }
    IdempotencyKey key = key(id, current.map(Base::revision), history, system);
    for (int attempt = 1; ; attempt++) {
      try {
        known.set(new Known(id, Optional.of(write(id, current, history, system, key))));
        return;
      } catch (RevisionConflictException | SessionNotFoundException e) {
        // Another writer appended (or created, or deleted) meanwhile: decide again from what is
        // stored now, with the same key, so that a write that did apply is not applied twice.
        if (attempt >= maxAttempts) {
          throw new RevisionConflictException(
              "conversation \"" + conversationId + "\" was changed by other writers during each of "
                  + maxAttempts + " attempts to add to it",
              e);
        }
        current = read(id);
      }
    }
  }

  private Base write(
      String id, Optional<Base> current, List<Message> history, Optional<Message> system, IdempotencyKey key) {
    if (current.isEmpty()) {
      Instant now = Instant.now();
      SessionState state = withSystem(SessionState.initial(cwd), system);
      Session session = new Session(id, history, state, now, now);
      Revision revision = keyed(() -> storage.create(session, key), () -> storage.create(session));
      return new Base(revision, state, now);
    }
    Base stored = current.get();
    SessionState state = withSystem(stored.state(), system);
    Instant now = Instant.now();
    if (now.isBefore(stored.updatedAt())) {
      // Never earlier than the stored time, so the session still lists as the latest updated.
      now = stored.updatedAt();
    }
    Append append = Append.of(history, state, now).ifRevision(stored.revision());
    Revision revision =
        keyed(() -> storage.append(id, append.withIdempotencyKey(key)), () -> storage.append(id, append));
    return new Base(revision, state, now);
  }

  /**
   * Runs the keyed write; on a store that does not support idempotency keys (a third-party store
   * that has not implemented them yet refuses keyed writes with {@link InvalidArgumentException}),
   * runs the plain write instead, from then on, and says so once in the log: retries are then not
   * protected against storing a turn twice.
   */
  private Revision keyed(
      java.util.function.Supplier<CompletableFuture<Revision>> withKey,
      java.util.function.Supplier<CompletableFuture<Revision>> without) {
    if (!keysUnsupported) {
      try {
        return await(withKey.get());
      } catch (InvalidArgumentException e) {
        Revision revision = await(without.get());
        keysUnsupported = true;
        LOG.log(
            System.Logger.Level.WARNING,
            "store {0} refused an idempotency key ({1}); appending without keys, so a retried add may be stored twice",
            storage,
            e.getMessage());
        return revision;
      }
    }
    return await(without.get());
  }

  /**
   * Returns the system message (if any) and the last messages of the conversation (see the class
   * documentation); an empty list if it is not stored.
   *
   * @throws MessageMappingException if a stored message can't be represented in Spring AI
   */
  @Override
  public List<org.springframework.ai.chat.messages.Message> get(String conversationId) {
    String id = sessionId(conversationId);
    SessionSlice slice;
    try {
      slice = await(storage.loadTail(id, maxMessages));
    } catch (SessionNotFoundException e) {
      known.set(new Known(id, Optional.empty()));
      return List.of();
    }
    known.set(new Known(id, Optional.of(new Base(slice.revision(), slice.state(), slice.updatedAt()))));
    List<Message> tail = slice.messages();
    int from = 0;
    // A tool result whose call is not in the window is not served alone.
    while (from < tail.size() && isToolResults(tail.get(from))) {
      from++;
    }
    List<org.springframework.ai.chat.messages.Message> result = new ArrayList<>(tail.size() - from + 1);
    systemMessage(slice.state(), conversationId).ifPresent(m -> result.add(mapper.toSpring(m, "conversation \"" + conversationId + "\", system message")));
    for (int i = from; i < tail.size(); i++) {
      result.add(mapper.toSpring(tail.get(i), "conversation \"" + conversationId + "\", message " + (slice.firstIndex() + i)));
    }
    return result;
  }

  /** Deletes the conversation: its history, its system message and its state. */
  @Override
  public void clear(String conversationId) {
    String id = sessionId(conversationId);
    known.remove();
    try {
      await(storage.delete(id));
    } catch (SessionNotFoundException e) {
      // Clearing an unknown conversation is done.
    }
  }

  @Override
  public String toString() {
    return "SessionWindowChatMemory[storage=" + storage + ", maxMessages=" + maxMessages + "]";
  }

  private Optional<Base> read(String id) {
    try {
      SessionSlice head = await(storage.loadTail(id, 0));
      return Optional.of(new Base(head.revision(), head.state(), head.updatedAt()));
    } catch (SessionNotFoundException e) {
      return Optional.empty();
    }
  }

  private static boolean isToolResults(Message m) {
    return m.role() == Role.USER
        && !m.content().isEmpty()
        && m.content().stream().allMatch(ContentBlock.ToolResult.class::isInstance);
  }

  private static SessionState withSystem(SessionState state, Optional<Message> system) {
    if (system.isEmpty()) {
      return state;
    }
    JsonValue encoded = CODEC.decodeValue(CODEC.encodeMessage(system.get()), "system message");
    Map<String, JsonValue> own = new LinkedHashMap<>();
    if (state.custom().get(STATE_KEY) instanceof JsonObject o) {
      own.putAll(o.members());
    }
    own.put("system", encoded);
    return state.withCustom(STATE_KEY, JsonValue.object(own));
  }

  private static Optional<Message> systemMessage(SessionState state, String conversationId) {
    JsonValue own = state.custom().get(STATE_KEY);
    if (own == null) {
      return Optional.empty();
    }
    if (!(own instanceof JsonObject o)) {
      throw new MessageMappingException(
          "conversation \"" + conversationId + "\": the state's custom value \"" + STATE_KEY + "\" is not an object");
    }
    Optional<JsonValue> system = o.get("system");
    if (system.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(CODEC.decodeMessage(CODEC.encodeValue(system.get()), "system message"));
    } catch (RuntimeException e) {
      throw new MessageMappingException(
          "conversation \"" + conversationId + "\": the system message kept in the state can't be read: " + e.getMessage(), e);
    }
  }

  /**
   * The key of one add: a digest of the session id, the revision it was based on and the new
   * messages as stored, so that a retry of the same call reproduces it.
   */
  private static IdempotencyKey key(String id, Optional<Revision> based, List<Message> history, Optional<Message> system) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    update(digest, "sessionkit spring-ai window add 1");
    update(digest, id);
    update(digest, based.map(Revision::value).orElse(""));
    update(digest, based.isPresent() ? "based" : "new");
    for (Message m : history) {
      digest.update(CODEC.encodeMessage(m));
      digest.update((byte) 0);
    }
    update(digest, system.isPresent() ? "system" : "no system");
    system.ifPresent(m -> digest.update(CODEC.encodeMessage(m)));
    return IdempotencyKey.of("sai-" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest()));
  }

  private static void update(MessageDigest digest, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
    digest.update((byte) ':');
    digest.update(bytes);
  }

  private <T> T await(CompletableFuture<T> future) {
    return Futures.await(future, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Configures a {@link SessionWindowChatMemory}. Not thread safe; build once. */
  public static final class Builder {
    private final SessionStorage storage;
    private int maxMessages = DEFAULT_MAX_MESSAGES;
    private Duration timeout = SessionChatMemoryRepository.DEFAULT_TIMEOUT;
    private String prefix = "";
    private String cwd = "";
    private int maxAttempts = SessionChatMemoryRepository.DEFAULT_MAX_ATTEMPTS;
    private MetadataCodecs codecs = MetadataCodecs.defaults();

    private Builder(SessionStorage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
    }

    /**
     * Sets how many messages of the history {@link #get} serves at most (the system message comes
     * on top); {@value #DEFAULT_MAX_MESSAGES} by default.
     *
     * @throws IllegalArgumentException unless it is 1 to {@link SessionStorage#MAX_SLICE}
     */
    public Builder maxMessages(int maxMessages) {
      if (maxMessages < 1 || maxMessages > SessionStorage.MAX_SLICE) {
        throw new IllegalArgumentException("maxMessages must be 1 to " + SessionStorage.MAX_SLICE + ": " + maxMessages);
      }
      this.maxMessages = maxMessages;
      return this;
    }

    /**
     * Sets how long each store call may take; 30 seconds by default.
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

    /** Sets the prefix put before each conversation id to form its session id; empty by default. */
    public Builder conversationIdPrefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Sets the working directory recorded in newly created sessions; empty by default. */
    public Builder cwd(String cwd) {
      this.cwd = Objects.requireNonNull(cwd, "cwd");
      return this;
    }

    /**
     * Sets how many conditional appends one {@link #add} tries before it fails with {@link
     * RevisionConflictException}; 100 by default.
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

    /** Sets the codecs for metadata values; {@link MetadataCodecs#defaults()} by default. */
    public Builder metadataCodecs(MetadataCodecs codecs) {
      this.codecs = Objects.requireNonNull(codecs, "codecs");
      return this;
    }

    /** Returns the memory. */
    public SessionWindowChatMemory build() {
      return new SessionWindowChatMemory(this);
    }
  }
}
