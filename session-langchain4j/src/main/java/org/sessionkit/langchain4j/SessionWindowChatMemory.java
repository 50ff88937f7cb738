package org.sessionkit.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.model.TokenCountEstimator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidIdException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.langchain4j.LangChain4jMessages.ToolNames;
import org.sessionkit.spi.SessionCodec;

/**
 * A LangChain4j {@link ChatMemory} that keeps the whole conversation in a sessionkit store and
 * serves the model only its recent end: each {@link #add} <em>appends</em> to the session (it
 * never rewrites or drops earlier messages), and {@link #messages()} reads only the tail it
 * serves ({@link SessionStorage#loadTail}), so a turn costs the same at message 10 and at
 * message 10,000.
 *
 * <pre>{@code
 * SessionStorage storage = SessionStorages.open("postgresql://app@db/agents");
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)
 *     .chatMemoryProvider(id -> SessionWindowChatMemory.builder(storage).id(id).maxMessages(20).build())
 *     .build();
 * }</pre>
 *
 * <h2>The window</h2>
 *
 * {@link #messages()} returns the system message (if any) followed by the last messages of the
 * conversation: at most {@link Builder#maxMessages} messages in all, the system message
 * included (as LangChain4j's {@code MessageWindowChatMemory} counts), or, with {@link
 * Builder#maxTokens}, as many of the last messages as fit into that many tokens by the given
 * {@link TokenCountEstimator} (the sum of {@code estimateTokenCountInMessage} over the served
 * messages, the system message included; a system message that alone exceeds the budget is
 * served alone). A tool result is never served without the tool request it answers: where the
 * window's edge falls between an {@link AiMessage} with tool requests and its results, the
 * window starts after those results (LangChain4j's own window memories evict them the same way;
 * providers reject a result without its request).
 *
 * <h2>The system message</h2>
 *
 * It is kept in the session's state ({@code custom} member {@value #SYSTEM_MESSAGE_KEY}), not in
 * the message history, and is always served first, however long the conversation. Adding a
 * {@link SystemMessage} equal to the current one writes nothing; a different one replaces it (an
 * append of no messages that changes the state).
 *
 * <h2>Writes, concurrency and retries</h2>
 *
 * {@link #add(ChatMessage)} and {@link #add(Iterable)} append the new messages in one {@link
 * SessionStorage#append}, conditional on the revision this thread last read or wrote: if another
 * writer came in between, the memory reads the session's head again ({@code loadTail(id, 0)}) and
 * appends after that writer's messages, so concurrent turns lose nothing (up to {@value
 * #MAX_WRITE_ATTEMPTS} attempts, then {@link RevisionConflictException}). Each write carries an
 * {@link IdempotencyKey} derived from that revision and the new messages (and the new system
 * message): after an {@link AmbiguousOutcomeException} the memory retries the same write with
 * the same key ({@value #AMBIGUOUS_RETRIES} times), and a caller's retry of the same {@code add}
 * on the same thread reproduces the key too, so a turn is never stored twice. (Two concurrent
 * calls that add the very same messages on the very same revision carry the same key and are
 * stored once, as a retry would be.) A store that does not support idempotency keys fails such a
 * write with {@link org.sessionkit.InvalidArgumentException}; {@link Builder#idempotencyKeys
 * idempotencyKeys(false)} writes without them.
 *
 * <h2>{@code set}, {@code clear} and the size limit</h2>
 *
 * {@link #set(Iterable)} replaces the whole conversation (as {@code ChatMemory} specifies), in one
 * conditional rewrite of the session; the history before is gone. {@link #clear()} deletes the
 * session, history and system message included; the next {@code add} starts a new session
 * under the same id. When the session would grow past the store's document size limit, {@code
 * add} fails with {@link InvalidSessionException} and writes nothing; {@code messages()} keeps
 * working, and the conversation continues only after {@code clear()} or under another memory id.
 *
 * <h2>Blocking, errors, thread safety</h2>
 *
 * Every method blocks until the store answers, at most the {@linkplain Builder#timeout timeout}
 * per store operation ({@link StorageUnavailableException} after it). Failures are the store's
 * {@link org.sessionkit.SessionStorageException}s and {@link UnmappableMessageException}. The
 * class is thread safe; writes through one instance are serialised. Per thread it keeps the
 * revision and state it last read or wrote, and the tool names of the tail it read, until that
 * thread's next call. It does not own the storage.
 */
public final class SessionWindowChatMemory implements ChatMemory {

  /** The state's {@code custom} member that holds the system message's text. */
  public static final String SYSTEM_MESSAGE_KEY = "langchain4j:system_message";

  /** How many conditional writes one call tries before failing with a conflict. */
  public static final int MAX_WRITE_ATTEMPTS = 100;

  /** How often a write whose outcome was ambiguous is retried with the same key. */
  public static final int AMBIGUOUS_RETRIES = 3;

  /** How many messages a token window reads at first; each further read doubles it. */
  static final int TOKEN_WINDOW_FIRST_READ = 32;

  private static final SessionCodec CODEC = SessionCodec.defaults();

  private final SessionStorage storage;
  private final Object memoryId;
  private final String sessionId;
  private final int maxMessages;
  private final int maxTokens;
  private final TokenCountEstimator estimator;
  private final String cwd;
  private final Duration timeout;
  private final Clock clock;
  private final AttributeCodecs codecs;
  private final boolean keyed;
  private final ReentrantLock writeLock = new ReentrantLock();

  // What this thread last read or wrote: the base of its next write (see the class doc).
  private final ThreadLocal<Base> base = new ThreadLocal<>();

  /**
   * What a write is based on: the stored revision (empty when the session is absent), its
   * state and updatedAt, and the tool requests known before the end of the session.
   */
  private record Base(Optional<Revision> revision, SessionState state, Instant createdAt, Instant updatedAt, ToolNames toolNames) {}

  private SessionWindowChatMemory(Builder b) {
    this.storage = b.storage;
    this.memoryId = b.memoryId;
    this.sessionId = sessionId(b.memoryId, b.memoryIdMapping);
    this.maxMessages = b.maxMessages;
    this.maxTokens = b.maxTokens;
    this.estimator = b.estimator;
    this.cwd = b.cwd;
    this.timeout = b.timeout;
    this.clock = b.clock;
    this.codecs = b.codecs;
    this.keyed = b.idempotencyKeys;
  }

  /**
   * Returns a builder for a memory over {@code storage}.
   *
   * @throws NullPointerException if {@code storage} is null
   */
  public static Builder builder(SessionStorage storage) {
    return new Builder(storage);
  }

  /** Returns the memory id this memory was built with. */
  @Override
  public Object id() {
    return memoryId;
  }

  /** Returns the id of the session that holds this memory's conversation. */
  public String sessionId() {
    return sessionId;
  }

  /**
   * Appends {@code message} to the conversation (a {@link SystemMessage} replaces the system
   * message instead; an equal one writes nothing).
   *
   * @throws UnmappableMessageException if it can't be stored without loss (nothing written)
   * @throws InvalidSessionException if the session would exceed the store's limits (nothing
   *     written)
   * @throws AmbiguousOutcomeException if the write stayed ambiguous after {@value
   *     #AMBIGUOUS_RETRIES} retries; retrying the same call on the same thread is safe
   * @throws org.sessionkit.SessionStorageException as the store fails
   * @throws NullPointerException if {@code message} is null
   */
  @Override
  public void add(ChatMessage message) {
    Objects.requireNonNull(message, "message");
    write(List.of(message));
  }

  /**
   * Appends {@code messages} in one write, as {@link #add(ChatMessage)} does for one.
   *
   * @throws NullPointerException if a message is null
   */
  @Override
  public void add(Iterable<ChatMessage> messages) {
    if (messages == null) {
      return; // as ChatMemory's default does
    }
    List<ChatMessage> list = new ArrayList<>();
    for (ChatMessage m : messages) {
      list.add(Objects.requireNonNull(m, "message"));
    }
    if (!list.isEmpty()) {
      write(list);
    }
  }

  /**
   * Replaces the whole conversation with {@code messages} (its last {@link SystemMessage}, if
   * any, becomes the system message; without one, the system message is removed), in one
   * conditional rewrite.
   *
   * @throws IllegalArgumentException if {@code messages} is empty (as {@code ChatMemory}
   *     requires)
   * @throws NullPointerException if {@code messages} or a message is null
   */
  @Override
  public void set(Iterable<ChatMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    List<ChatMessage> list = new ArrayList<>();
    for (ChatMessage m : messages) {
      list.add(Objects.requireNonNull(m, "message"));
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("messages must not be empty");
    }
    SystemMessage system = null;
    List<ChatMessage> others = new ArrayList<>();
    for (ChatMessage m : list) {
      if (m instanceof SystemMessage s) {
        system = s;
      } else {
        others.add(m);
      }
    }
    ToolNames names = new ToolNames();
    List<Message> target = LangChain4jMessages.toSessionMessages(others, codecs, names);
    acquire();
    try {
      Base b = readHead(new ToolNames());
      for (int attempt = 1; ; attempt++) {
        SessionState state = withSystem(b.state(), system == null ? null : system.text());
        Instant now = now(b);
        IdempotencyKey key = key("set", b.revision(), target, state);
        try {
          Revision written;
          if (b.revision().isEmpty()) {
            Session created = new Session(sessionId, target, state, now, now);
            written = retryAmbiguous(() -> keyed ? storage.create(created, key) : storage.create(created));
            base.set(new Base(Optional.of(written), state, now, now, names));
          } else {
            Session replaced = new Session(sessionId, target, state, b.createdAt(), now);
            Revision expected = b.revision().get();
            written = retryAmbiguous(() -> keyed ? storage.saveIf(replaced, expected, key) : storage.saveIf(replaced, expected));
            base.set(new Base(Optional.of(written), state, b.createdAt(), now, names));
          }
          return;
        } catch (RevisionConflictException | SessionNotFoundException changed) {
          giveUpAfter(attempt, changed);
          b = readHead(new ToolNames());
        }
      }
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Returns the system message, if any, followed by the window of the last messages (see the
   * class documentation); an empty list when the session does not exist.
   *
   * @return a new mutable list
   * @throws UnmappableMessageException if a served stored message can't be represented in
   *     LangChain4j
   * @throws org.sessionkit.SessionStorageException as the store's reads fail
   */
  @Override
  public List<ChatMessage> messages() {
    for (int attempt = 1; ; attempt++) {
      Window w = estimator == null ? countWindow() : tokenWindow();
      if (w != null) {
        return w.messages;
      }
      // A token window read two versions of the session (it was rewritten in between): again.
      giveUpAfter(attempt, new RevisionConflictException("session " + sessionId + " kept changing while read"));
    }
  }

  /**
   * Deletes the session: the whole history and the system message. Nothing happens if it does
   * not exist.
   *
   * @throws org.sessionkit.SessionStorageException as the store's {@code delete} fails
   */
  @Override
  public void clear() {
    base.remove();
    try {
      await(storage.delete(sessionId));
    } catch (SessionNotFoundException alreadyGone) {
      // clear() of an empty memory is not an error in LangChain4j.
    }
  }

  // ---------------------------------------------------------------- reading

  private record Window(List<ChatMessage> messages) {}

  private Window countWindow() {
    SessionSlice slice;
    try {
      slice = await(storage.loadTail(sessionId, maxMessages));
    } catch (SessionNotFoundException absent) {
      base.set(absentBase());
      return new Window(new ArrayList<>());
    }
    ToolNames names = new ToolNames();
    List<ChatMessage> chat = LangChain4jMessages.toChatMessages(slice.messages(), codecs, names);
    Optional<SystemMessage> system = systemOf(slice.state());
    int room = maxMessages - (system.isPresent() ? 1 : 0);
    List<ChatMessage> window = withoutOrphanResults(chat.subList(Math.max(0, chat.size() - room), chat.size()));
    base.set(new Base(Optional.of(slice.revision()), slice.state(), slice.createdAt(), slice.updatedAt(), names));
    return new Window(served(system, window));
  }

  private Window tokenWindow() {
    SessionSlice first;
    try {
      first = await(storage.loadTail(sessionId, TOKEN_WINDOW_FIRST_READ));
    } catch (SessionNotFoundException absent) {
      base.set(absentBase());
      return new Window(new ArrayList<>());
    }
    Optional<SystemMessage> system = systemOf(first.state());
    int budget = maxTokens - system.map(estimator::estimateTokenCountInMessage).orElse(0);
    List<Message> loaded = new ArrayList<>(first.messages());
    long firstIndex = first.firstIndex();
    int chunk = TOKEN_WINDOW_FIRST_READ;
    while (true) {
      ToolNames names = new ToolNames();
      List<ChatMessage> chat = LangChain4jMessages.toChatMessages(loaded, codecs, names);
      int start = chat.size();
      int used = 0;
      while (start > 0) {
        int cost = estimator.estimateTokenCountInMessage(chat.get(start - 1));
        if (used + cost > budget) {
          break;
        }
        used += cost;
        start--;
      }
      if (start > 0 || firstIndex == 0) {
        List<ChatMessage> window = withoutOrphanResults(chat.subList(start, chat.size()));
        base.set(new Base(Optional.of(first.revision()), first.state(), first.createdAt(), first.updatedAt(), names));
        return new Window(served(system, window));
      }
      // Everything read so far fits: read older messages, from the same version of the session.
      chunk = (int) Math.min((long) chunk * 2, SessionStorage.MAX_SLICE);
      SessionSlice older;
      try {
        older = await(storage.loadBefore(sessionId, firstIndex, chunk));
      } catch (SessionNotFoundException deleted) {
        return null;
      }
      if (!older.revision().equals(first.revision())) {
        return null;
      }
      loaded.addAll(0, older.messages());
      firstIndex = older.firstIndex();
    }
  }

  /** Drops the start of the window up to the last tool result whose request is not in it. */
  static List<ChatMessage> withoutOrphanResults(List<ChatMessage> window) {
    Set<String> requested = new HashSet<>();
    int start = 0;
    for (int i = 0; i < window.size(); i++) {
      ChatMessage m = window.get(i);
      if (m instanceof AiMessage a && a.hasToolExecutionRequests()) {
        a.toolExecutionRequests().forEach(r -> requested.add(String.valueOf(r.id())));
      } else if (m instanceof ToolExecutionResultMessage t && !requested.contains(String.valueOf(t.id()))) {
        start = i + 1;
        requested.clear();
      }
    }
    return window.subList(start, window.size());
  }

  private static List<ChatMessage> served(Optional<SystemMessage> system, List<ChatMessage> window) {
    List<ChatMessage> out = new ArrayList<>(window.size() + 1);
    system.ifPresent(out::add);
    out.addAll(window);
    return out;
  }

  private static Optional<SystemMessage> systemOf(SessionState state) {
    JsonValue v = state.custom().get(SYSTEM_MESSAGE_KEY);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof JsonValue.JsonString s && !s.value().isBlank()) {
      return Optional.of(SystemMessage.from(s.value()));
    }
    throw new UnmappableMessageException(
        "the session's state member " + SYSTEM_MESSAGE_KEY + " must be a non-blank string");
  }

  // ---------------------------------------------------------------- writing

  private void write(List<ChatMessage> added) {
    String newSystem = null;
    List<ChatMessage> others = new ArrayList<>(added.size());
    for (ChatMessage m : added) {
      if (m instanceof SystemMessage s) {
        newSystem = s.text();
      } else {
        others.add(m);
      }
    }
    acquire();
    try {
      Base b = base.get();
      if (b == null) {
        b = readHead(new ToolNames());
      }
      for (int attempt = 1; ; attempt++) {
        SessionState state = newSystem == null ? b.state() : withSystem(b.state(), newSystem);
        if (others.isEmpty() && state.equals(b.state())) {
          return; // the same system message again: nothing to write
        }
        ToolNames names = b.toolNames().copy();
        List<Message> messages = LangChain4jMessages.toSessionMessages(others, codecs, names);
        IdempotencyKey key = key("add", b.revision(), messages, state);
        Instant now = now(b);
        try {
          Revision written;
          if (b.revision().isEmpty()) {
            Session created = new Session(sessionId, messages, state, now, now);
            written = retryAmbiguous(() -> keyed ? storage.create(created, key) : storage.create(created));
            base.set(new Base(Optional.of(written), state, now, now, names));
          } else {
            Append append = Append.of(messages, state, now).ifRevision(b.revision().get());
            Append sent = keyed ? append.withIdempotencyKey(key) : append;
            written = retryAmbiguous(() -> storage.append(sessionId, sent));
            base.set(new Base(Optional.of(written), state, b.createdAt(), now, names));
          }
          return;
        } catch (RevisionConflictException | SessionNotFoundException changed) {
          // Another writer came in between (or deleted, or created the session): append after it.
          giveUpAfter(attempt, changed);
          b = readHead(b.toolNames());
        }
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Retries a write whose outcome was ambiguous with the same key; the store applies it once. */
  private Revision retryAmbiguous(java.util.function.Supplier<CompletableFuture<Revision>> write) {
    for (int retry = 0; ; retry++) {
      try {
        return await(write.get());
      } catch (AmbiguousOutcomeException e) {
        if (!keyed || retry >= AMBIGUOUS_RETRIES) {
          throw e;
        }
      }
    }
  }

  /** Reads the revision and state (no messages); {@code names} are the tool requests known. */
  private Base readHead(ToolNames names) {
    try {
      SessionSlice head = await(storage.loadTail(sessionId, 0));
      return new Base(Optional.of(head.revision()), head.state(), head.createdAt(), head.updatedAt(), names);
    } catch (SessionNotFoundException absent) {
      return absentBase();
    }
  }

  private Base absentBase() {
    Instant now = clock.instant();
    return new Base(Optional.empty(), SessionState.initial(cwd), now, now, new ToolNames());
  }

  private Instant now(Base b) {
    Instant now = clock.instant();
    // Never move updatedAt backwards (another machine's clock may be ahead).
    return now.isBefore(b.updatedAt()) && b.revision().isPresent() ? b.updatedAt() : now;
  }

  private static SessionState withSystem(SessionState state, String text) {
    Map<String, JsonValue> custom = new LinkedHashMap<>(state.custom());
    if (text == null) {
      custom.remove(SYSTEM_MESSAGE_KEY);
    } else {
      custom.put(SYSTEM_MESSAGE_KEY, JsonValue.of(text));
    }
    return state.withCustom(custom);
  }

  /**
   * The write's idempotency key: a digest of the revision it is based on, the new messages and
   * the new system message, so that a retry of the same write reproduces it and another write
   * does not.
   */
  private static IdempotencyKey key(String op, Optional<Revision> based, List<Message> messages, SessionState state) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    digest.update((op + "\n" + based.map(Revision::value).orElse("(absent)") + "\n").getBytes(StandardCharsets.UTF_8));
    for (Message m : messages) {
      digest.update(CODEC.encodeMessage(m));
      digest.update((byte) '\n');
    }
    JsonValue system = state.custom().get(SYSTEM_MESSAGE_KEY);
    digest.update(String.valueOf(system).getBytes(StandardCharsets.UTF_8));
    return IdempotencyKey.of(
        "lc4j-" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest()));
  }

  private void giveUpAfter(int attempt, RuntimeException cause) {
    if (attempt >= MAX_WRITE_ATTEMPTS) {
      throw new RevisionConflictException(
          "session \"" + sessionId + "\" kept changing; gave up after " + attempt + " attempts", cause);
    }
  }

  private void acquire() {
    try {
      if (!writeLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new StorageUnavailableException(
            "another write of session \"" + sessionId + "\" did not finish within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException("interrupted while waiting to write the session", e);
    }
  }

  private <T> T await(CompletableFuture<T> future) {
    return Futures.await(future, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static String sessionId(Object memoryId, Function<Object, String> mapping) {
    String id = mapping.apply(memoryId);
    if (id == null) {
      throw new InvalidIdException("the memory id mapping returned no session id for memory id " + memoryId);
    }
    try {
      return SessionIds.requireValid(id);
    } catch (InvalidIdException e) {
      throw new InvalidIdException("memory id " + memoryId + " can't be stored: " + e.getMessage(), e);
    }
  }

  /** Configures a {@link SessionWindowChatMemory}. Not thread safe. */
  public static final class Builder {
    private final SessionStorage storage;
    private Object memoryId = "default";
    private Function<Object, String> memoryIdMapping = String::valueOf;
    private int maxMessages;
    private int maxTokens;
    private TokenCountEstimator estimator;
    private String cwd = System.getProperty("user.dir", ".");
    private Duration timeout = SessionChatMemoryStore.DEFAULT_TIMEOUT;
    private Clock clock = Clock.systemUTC();
    private AttributeCodecs codecs = AttributeCodecs.defaults();
    private boolean idempotencyKeys = true;

    private Builder(SessionStorage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** Sets the memory id (default {@code "default"}, as LangChain4j's memories). */
    public Builder id(Object memoryId) {
      this.memoryId = Objects.requireNonNull(memoryId, "memoryId");
      return this;
    }

    /**
     * Sets how the memory id becomes a session id (default {@code String.valueOf}); a result that
     * breaks the id rule of {@link SessionIds}, or null, makes {@link #build()} fail with {@link
     * InvalidIdException}.
     */
    public Builder memoryIdMapping(Function<Object, String> memoryIdMapping) {
      this.memoryIdMapping = Objects.requireNonNull(memoryIdMapping, "memoryIdMapping");
      return this;
    }

    /**
     * Serves at most this many messages, the system message included.
     *
     * @throws IllegalArgumentException unless 1 to {@link SessionStorage#MAX_SLICE}
     */
    public Builder maxMessages(int maxMessages) {
      if (maxMessages < 1 || maxMessages > SessionStorage.MAX_SLICE) {
        throw new IllegalArgumentException("maxMessages must be 1 to " + SessionStorage.MAX_SLICE + ": " + maxMessages);
      }
      this.maxMessages = maxMessages;
      return this;
    }

    /**
     * Serves as many of the last messages as fit into {@code maxTokens} by {@code estimator},
     * the system message included.
     *
     * @throws IllegalArgumentException if {@code maxTokens} is not positive
     */
    public Builder maxTokens(int maxTokens, TokenCountEstimator estimator) {
      if (maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
      }
      this.maxTokens = maxTokens;
      this.estimator = Objects.requireNonNull(estimator, "estimator");
      return this;
    }

    /** Sets the working directory recorded in sessions this memory creates (default {@code user.dir}). */
    public Builder cwd(String cwd) {
      this.cwd = Objects.requireNonNull(cwd, "cwd");
      return this;
    }

    /**
     * Sets how long one store operation may take (default 30 s).
     *
     * @throws IllegalArgumentException if not positive
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

    /** Sets the codecs for attribute values (default {@link AttributeCodecs#defaults()}). */
    public Builder attributeCodecs(AttributeCodecs codecs) {
      this.codecs = Objects.requireNonNull(codecs, "codecs");
      return this;
    }

    /**
     * Whether writes carry idempotency keys (default true). Turn it off only for a store that
     * does not support them; then a write retried after an ambiguous failure may be stored
     * twice.
     */
    public Builder idempotencyKeys(boolean idempotencyKeys) {
      this.idempotencyKeys = idempotencyKeys;
      return this;
    }

    /**
     * Returns the memory.
     *
     * @throws IllegalStateException unless exactly one of {@link #maxMessages} and {@link
     *     #maxTokens} was set
     * @throws InvalidIdException if the memory id maps to an invalid session id
     */
    public SessionWindowChatMemory build() {
      if ((maxMessages > 0) == (estimator != null)) {
        throw new IllegalStateException("set exactly one of maxMessages and maxTokens");
      }
      return new SessionWindowChatMemory(this);
    }
  }
}
