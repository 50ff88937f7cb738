package org.sessionkit.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sessionkit.spi.AbstractSessionStorage;
import org.sessionkit.Append;
import org.sessionkit.ListingProblem;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.redis.internal.Failures;
import org.sessionkit.redis.internal.KeyLayout;
import org.sessionkit.redis.internal.RedisStore;
import org.sessionkit.redis.internal.StoreUri;

/**
 * A {@link SessionStorage} on a Redis 7 server, shared by every instance that uses the same
 * server, database and key prefix. Opened by {@code redis://[user:password@]host[:port][/db]}
 * and {@code rediss://…} (TLS) through {@link org.sessionkit.SessionStorages#open(String)}, or
 * built with {@link #builder()}, which also accepts an application's own Lettuce client or
 * connection.
 *
 * <h2>What it keeps where</h2>
 *
 * Each session is a small hash (revision, timestamps with nanoseconds, message count, state)
 * beside a list of messages, both under the session's own hash tag; listing reads two sorted
 * sets ordered by bytes, so a page costs the same in a store of a thousand or a million
 * sessions. Appending pushes only the new messages. See {@code session-redis/README.md} for the
 * key layout. Only plain Redis 7 commands and Lua scripts are used; no modules. Redis Cluster is
 * not supported (the indexes span all sessions): a cluster node is refused with {@link
 * StorageConfigurationException}.
 *
 * <h2>Atomicity, revisions, failures</h2>
 *
 * Every write (save, conditional save, create, append, delete, with its index entries) is one
 * Lua script: Redis applies it entirely or not at all, and compares and increments the revision
 * itself, so two clients never both succeed with the same expected revision. A call that fails
 * with {@link StorageUnavailableException} — timeout, dropped connection, server down, out of
 * memory — was applied entirely or not at all: a write whose reply was lost may have taken
 * effect (reload to see). No call waits longer than the configured timeout; after a dropped
 * connection or a restart the store reconnects by itself, and calls made while it is
 * disconnected fail at once instead of queueing (a queued write could otherwise be sent twice).
 *
 * <h2>Durability and retention</h2>
 *
 * A completed write is in the server's memory; whether it survives a server restart depends on
 * the server's persistence settings (AOF with {@code appendfsync always} for every write,
 * {@code everysec} for all but the last second). The store logs a warning when it opens a server
 * without any persistence. With a retention period, sessions not written for that long expire
 * (every write renews it) and disappear from {@code load} and listings.
 *
 * <h2>Threads</h2>
 *
 * Thread safe; one multiplexed connection serves every caller and no call blocks a thread.
 * Futures complete on a small pool of the store's own (or on {@link
 * Builder#completionExecutor}), never on Lettuce's I/O threads, so a callback that blocks can't
 * stop the replies it waits for. {@link #close()} closes the connection, client and threads the
 * store opened itself, never those the application handed in.
 */
public final class RedisSessionStorage extends AbstractSessionStorage {

  /** The key prefix when none is given: {@value}. */
  public static final String DEFAULT_PREFIX = KeyLayout.DEFAULT_PREFIX;

  /** How long a call may take when no timeout is given: 5 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** How long connecting may take when no connect timeout is given: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final RedisStore store;

  private RedisSessionStorage(String description, RedisStore store) {
    super(description);
    this.store = store;
  }

  /**
   * Opens a store on a {@code redis://} or {@code rediss://} URI (options: {@code prefix},
   * {@code timeout}, {@code connectTimeout}, {@code retention}, {@code maxSessionBytes}, {@code
   * clientName}, {@code verifyPeer}); the same as {@code builder().uri(uri).build()}.
   *
   * @throws StorageConfigurationException for a malformed URI, an unknown option, a server older
   *     than Redis 7 or a cluster node
   * @throws StorageUnavailableException if the server can't be reached
   */
  public static RedisSessionStorage open(String uri) {
    return builder().uri(uri).build();
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the key prefix of this store (it ends with {@code :}). */
  public String prefix() {
    return store.keys().prefix();
  }

  @Override
  protected void validate(Session session) {
    // Nothing here: doSave checks every part while encoding it, so a session is walked once.
  }

  @Override
  protected CompletableFuture<Revision> doSave(
      Session session, WriteCondition condition) {
    return store.save(session, condition, this::isClosed);
  }

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    return store.load(id, this::isClosed);
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    return store.delete(id, expected, this::isClosed);
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    return store.append(id, append, this::isClosed);
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    return store.list(request, this::isClosed);
  }

  @Override
  protected CompletableFuture<List<ListingProblem>> doProblems() {
    return store.problems(this::isClosed);
  }

  @Override
  protected void doClose() {
    store.close();
  }

  /**
   * Builds a {@link RedisSessionStorage}. Give exactly one of a store URI, a Lettuce {@link
   * RedisClient} or a connection (the last one given wins). Not thread safe.
   *
   * <pre>{@code
   * SessionStorage store = RedisSessionStorage.builder()
   *     .client(myRedisClient)            // not closed by the store
   *     .prefix("agent-sessions")
   *     .retention(Duration.ofDays(30))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private Optional<StoreUri> uri = Optional.empty();
    private Optional<RedisClient> client = Optional.empty();
    private Optional<StatefulRedisConnection<byte[], byte[]>> connection = Optional.empty();
    private String prefix = DEFAULT_PREFIX;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration retention = Duration.ZERO;
    private long maxSessionBytes = SessionCodec.DEFAULT_MAX_DOCUMENT_BYTES;
    private Optional<Executor> completionExecutor = Optional.empty();

    private Builder() {}

    /**
     * Connects to the server of a store URI, {@code redis://[user:password@]host[:port][/db]} or
     * {@code rediss://…}, and applies its options now (a later setter overrides them). The store
     * creates and closes its own client.
     *
     * @throws StorageConfigurationException for a malformed URI or option (the message never
     *     holds the password)
     */
    public Builder uri(String uri) {
      StoreUri parsed = StoreUri.parse(Objects.requireNonNull(uri, "uri"));
      this.uri = Optional.of(parsed);
      this.client = Optional.empty();
      this.connection = Optional.empty();
      parsed.prefix().ifPresent(this::prefix);
      parsed.timeout().ifPresent(this::timeout);
      parsed.connectTimeout().ifPresent(this::connectTimeout);
      parsed.retention().ifPresent(this::retention);
      parsed.maxSessionBytes().ifPresent(this::maxSessionBytes);
      return this;
    }

    /**
     * Uses the application's client: the store opens one connection with it (to the client's
     * default URI), closes that connection on {@link #close()} and leaves the client open.
     * For the store's no-duplicate guarantee on reconnects, configure the client with {@code
     * ClientOptions.DisconnectedBehavior.REJECT_COMMANDS} (the store logs a warning otherwise).
     */
    public Builder client(RedisClient client) {
      this.client = Optional.of(Objects.requireNonNull(client, "client"));
      this.uri = Optional.empty();
      this.connection = Optional.empty();
      return this;
    }

    /**
     * Uses the application's connection (open it with {@code ByteArrayCodec.INSTANCE}); the
     * store never closes it. As for {@link #client}, a client with {@code REJECT_COMMANDS} is
     * recommended.
     */
    public Builder connection(StatefulRedisConnection<byte[], byte[]> connection) {
      this.connection = Optional.of(Objects.requireNonNull(connection, "connection"));
      this.uri = Optional.empty();
      this.client = Optional.empty();
      return this;
    }

    /**
     * Sets the key prefix (default {@value RedisSessionStorage#DEFAULT_PREFIX}); a {@code :} is
     * added unless it ends with one. Stores with different prefixes never see each other's
     * sessions.
     *
     * @throws StorageConfigurationException unless it is 1 to 128 letters, digits and {@code _ .
     *     : / -}
     */
    public Builder prefix(String prefix) {
      KeyLayout.of(Objects.requireNonNull(prefix, "prefix"));
      this.prefix = prefix;
      return this;
    }

    /**
     * Sets how long a call may take before it fails with {@link StorageUnavailableException}
     * (default 5 s).
     *
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * Sets how long connecting may take (default 10 s); applies to a client the store creates.
     *
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets after how long without a write a session expires; {@link Duration#ZERO} (the default)
     * keeps sessions until they are deleted. Every write renews the period.
     *
     * @throws IllegalArgumentException if it is negative, or positive but below a millisecond
     */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative() || (!retention.isZero() && retention.toMillis() < 1)) {
        throw new IllegalArgumentException("retention must be zero or at least 1 ms: " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * Sets the largest session, in bytes of JSON (default 256 MiB); a write that would make a
     * session larger fails with {@link org.sessionkit.InvalidSessionException}.
     *
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder maxSessionBytes(long maxSessionBytes) {
      if (maxSessionBytes < 1) {
        throw new IllegalArgumentException("maxSessionBytes must be positive: " + maxSessionBytes);
      }
      this.maxSessionBytes = maxSessionBytes;
      return this;
    }

    /**
     * Sets where the returned futures complete, and so where callbacks attached to them without
     * an executor run; the store never shuts it down. By default the store runs a small pool
     * of its own (daemon threads, stopped by {@link #close()}), so futures never complete on
     * Lettuce's I/O threads and a callback that blocks can't stop replies from being read.
     * {@code Runnable::run} completes them on the I/O threads: a little faster, for code that
     * never blocks in a callback.
     */
    public Builder completionExecutor(Executor executor) {
      this.completionExecutor = Optional.of(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /**
     * Connects (for a URI or a client) and checks the server: Redis 7 or later, not a cluster
     * node.
     *
     * @return the open store, owned by the caller
     * @throws StorageConfigurationException if nothing to connect to was given, the server is
     *     older than Redis 7 or is a cluster node
     * @throws StorageUnavailableException if the server can't be reached in time
     */
    public RedisSessionStorage build() {
      KeyLayout keys = KeyLayout.of(prefix);
      SessionCodec codec = SessionCodec.builder().maxDocumentBytes(maxSessionBytes).build();
      if (connection.isEmpty() && client.isEmpty() && uri.isEmpty()) {
        throw new StorageConfigurationException(
            "no Redis server given: call uri(), client() or connection() on the builder");
      }
      Optional<ExecutorService> ownPool = completionExecutor.isPresent() ? Optional.empty() : Optional.of(newPool());
      Executor completions = completionExecutor.orElseGet(ownPool::get);
      Runnable stopPool = () -> ownPool.ifPresent(Builder::stop);
      RedisStore.Settings settings =
          new RedisStore.Settings(keys, codec, timeout, retention.toMillis(), maxSessionBytes, completions);
      try {
        if (connection.isPresent()) {
          String description = "redis (application connection) prefix=" + keys.prefix();
          Failures failures = new Failures(description, Optional.empty(), timeout);
          return new RedisSessionStorage(
              description, RedisStore.open(connection.get(), settings, failures, stopPool));
        }
        if (client.isPresent()) {
          String description = "redis (application client) prefix=" + keys.prefix();
          Failures failures = new Failures(description, Optional.empty(), timeout);
          StatefulRedisConnection<byte[], byte[]> c =
              RedisStore.connect(() -> client.get().connect(ByteArrayCodec.INSTANCE), failures);
          return new RedisSessionStorage(
              description, RedisStore.open(c, settings, failures, all(c::close, stopPool)));
        }
        return buildOwnClient(uri.get(), settings, stopPool);
      } catch (RuntimeException e) {
        stopPool.run();
        throw e;
      }
    }

    private RedisSessionStorage buildOwnClient(StoreUri u, RedisStore.Settings settings, Runnable stopPool) {
      String description = u.redacted();
      Failures failures = new Failures(description, u.password(), timeout);
      RedisURI redisUri = u.redisUri();
      redisUri.setTimeout(timeout);
      // The store's own client: reconnect quickly after a restart, and reject calls while
      // disconnected instead of queueing them, because Lettuce re-sends queued and in-flight
      // commands after a reconnect, and a re-sent append would add its messages twice.
      ClientResources resources =
          ClientResources.builder()
              .reconnectDelay(
                  Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
              .build();
      RedisClient own = RedisClient.create(resources, redisUri);
      own.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(timeout))
              .socketOptions(
                  SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
              .build());
      Runnable shutdown =
          () -> {
            try {
              own.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            } finally {
              resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            }
          };
      StatefulRedisConnection<byte[], byte[]> c;
      try {
        c = RedisStore.connect(() -> own.connect(ByteArrayCodec.INSTANCE), failures);
      } catch (RuntimeException e) {
        shutdown.run();
        throw e;
      }
      return new RedisSessionStorage(
          description, RedisStore.open(c, settings, failures, all(c::close, shutdown, stopPool)));
    }

    /** Returns a runnable that runs each of {@code steps}, even when an earlier one fails. */
    private static Runnable all(Runnable... steps) {
      return () -> {
        RuntimeException first = null;
        for (Runnable step : steps) {
          try {
            step.run();
          } catch (RuntimeException e) {
            first = first == null ? e : first;
          }
        }
        if (first != null) {
          throw first;
        }
      };
    }

    private static ExecutorService newPool() {
      // A work-stealing pool: a callback that blocks on another of the store's futures (join,
      // get) is compensated with another thread instead of stalling the pool.
      AtomicInteger n = new AtomicInteger();
      return new ForkJoinPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("sessionkit-redis-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          },
          null,
          true);
    }

    private static void stop(ExecutorService pool) {
      pool.shutdown();
      try {
        pool.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
