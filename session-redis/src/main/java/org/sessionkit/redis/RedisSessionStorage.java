package org.sessionkit.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.redis.internal.Connections;
import org.sessionkit.redis.internal.Failures;
import org.sessionkit.redis.internal.KeyLayout;
import org.sessionkit.redis.internal.RedisStore;
import org.sessionkit.redis.internal.StoreUri;
import org.sessionkit.spi.AbstractSessionStorage;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.spi.WriteCondition;

/**
 * A {@link SessionStorage} on Redis 7 — one server, a Redis Cluster, or a primary behind
 * Sentinel — shared by every instance that uses the same servers, database and key prefix.
 * Opened by {@code redis://[user:password@]host[:port][/db]}, {@code rediss://…} (TLS), {@code
 * redis://h1:p1,h2:p2} (cluster seed nodes) and {@code redis-sentinel://s1:p1,s2:p2#primary}
 * through {@link org.sessionkit.SessionStorages#open(String)}, or built with {@link #builder()},
 * which also accepts an application's own Lettuce client or connection.
 *
 * <h2>What it keeps where</h2>
 *
 * Each session is a small hash (revision, timestamps with nanoseconds, message count, state,
 * write log, write time) beside a list of messages. Sessions are spread over a fixed number of
 * shards, each with its own hash tag and its own listing indexes, so every write touches one
 * cluster slot and a page of a listing merges the shards' indexes: its cost grows with the
 * number of shards and the page size, not with the number of sessions. Appending pushes only the
 * new messages; {@link #loadTail} reads only the last messages. See {@code
 * session-redis/README.md} for the key layout. A prefix written by an earlier layout is refused
 * with {@link StorageConfigurationException}.
 *
 * <h2>Atomicity, revisions, failures</h2>
 *
 * Every write (save, conditional save, create, append, delete, one page of a bulk delete, with
 * its index entries and write log) is one Lua script: Redis applies it entirely or not at all.
 * Idempotency keys are checked inside the script before the revision condition. Revisions are
 * made of a sequence number and a random nonce of the store instance, so they never repeat,
 * neither after a delete and re-create nor after a failover. A write that may or may not have
 * been applied — it timed out after it was sent (a stalled server may still run it later), the
 * connection dropped while it was in flight, the store was closed while it ran, or fewer
 * replicas than {@code waitReplicas} confirmed it — fails with {@link
 * AmbiguousOutcomeException}: retry it with the same idempotency key. Failures after which
 * nothing was applied (an error reply such as {@code OOM} or {@code READONLY}, a call made while
 * disconnected) are plain {@link StorageUnavailableException}. Reads go through a connection of
 * their own, so they never wait behind a write the server holds back.
 *
 * <h2>Durability and retention</h2>
 *
 * A completed write is in the primary's memory; whether it survives a restart depends on the
 * server's persistence settings, and whether it survives a failover on replication ({@code
 * waitReplicas}). With a retention period, a session whose last write (by the store's clock) is
 * that old is absent for every operation at once; writes and listings remove such sessions a
 * few at a time.
 *
 * <h2>Threads</h2>
 *
 * Thread safe; no call blocks a thread. Futures never complete on Lettuce's I/O threads, so a
 * callback that blocks can't stop the replies it waits for: a caller already waiting for a
 * call's future ({@code join}, {@code get}) runs its completion itself, on its own thread
 * (which saves a thread hand-off), and otherwise a small pool of the store's own does (or
 * {@link Builder#completionExecutor}). {@link #close()} waits briefly for calls in flight,
 * then closes the connections, client and threads the store opened itself, never those the
 * application handed in.
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
   * Opens a store on a store URI (see the class comment for the forms; options: {@code prefix},
   * {@code timeout}, {@code connectTimeout}, {@code retention}, {@code maxSessionBytes}, {@code
   * clientName}, {@code cluster}, {@code shards}, {@code waitReplicas}, {@code sentinelMaster},
   * {@code verifyPeer}); the same as {@code builder().uri(uri).build()}.
   *
   * @throws StorageConfigurationException for a malformed URI, an unknown option, a server older
   *     than Redis 7, or a prefix that holds another key layout or number of shards
   * @throws StorageUnavailableException if the servers can't be reached
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

  /** Returns the number of shards the sessions of this prefix are spread over. */
  public int shards() {
    return store.keys().shards();
  }

  /** Returns {@code "single"}, {@code "cluster"} or {@code "sentinel"}: what the store works on. */
  public String topology() {
    return store.topology();
  }

  /** Returns {@code "redis"}. */
  @Override
  public String kind() {
    return "redis";
  }

  @Override
  protected void validate(Session session) {
    // Nothing here: doSave checks every part while encoding it, so a session is walked once.
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    return store.save(session, condition, Optional.empty());
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition, IdempotencyKey key) {
    return store.save(session, condition, Optional.of(key));
  }

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    return store.load(id);
  }

  @Override
  protected CompletableFuture<SessionSlice> doLoadSlice(String id, OptionalLong end, int count) {
    return store.loadSlice(id, end, count);
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    return store.delete(id, expected);
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    return store.append(id, append);
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    return store.list(request);
  }

  @Override
  protected CompletableFuture<Long> doDeleteMatching(DeleteFilter filter) {
    return store.deleteMatching(filter);
  }

  @Override
  protected CompletableFuture<Void> doPing() {
    return store.ping();
  }

  @Override
  protected CompletableFuture<List<ListingProblem>> doProblems() {
    return store.problems();
  }

  @Override
  protected void doClose() {
    store.close();
  }

  /**
   * Builds a {@link RedisSessionStorage}. Give exactly one of a store URI, a Lettuce {@link
   * RedisClient}, {@link RedisClusterClient} or connection (the last one given wins). Not thread
   * safe.
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
    private Optional<RedisClusterClient> clusterClient = Optional.empty();
    private Optional<StatefulRedisConnection<byte[], byte[]>> connection = Optional.empty();
    private String prefix = DEFAULT_PREFIX;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration retention = Duration.ZERO;
    private long maxSessionBytes = SessionCodec.DEFAULT_MAX_DOCUMENT_BYTES;
    private Optional<Executor> completionExecutor = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private Optional<Integer> shards = Optional.empty();
    private Optional<Boolean> cluster = Optional.empty();
    private int waitReplicas;

    private Builder() {}

    /**
     * Connects to the servers of a store URI (see {@link RedisSessionStorage}) and applies its
     * options now (a later setter overrides them). The store creates and closes its own client.
     *
     * @throws StorageConfigurationException for a malformed URI or option (the message never
     *     holds the password)
     */
    public Builder uri(String uri) {
      StoreUri parsed = StoreUri.parse(Objects.requireNonNull(uri, "uri"));
      this.uri = Optional.of(parsed);
      this.client = Optional.empty();
      this.clusterClient = Optional.empty();
      this.connection = Optional.empty();
      parsed.prefix().ifPresent(this::prefix);
      parsed.timeout().ifPresent(this::timeout);
      parsed.connectTimeout().ifPresent(this::connectTimeout);
      parsed.retention().ifPresent(this::retention);
      parsed.maxSessionBytes().ifPresent(this::maxSessionBytes);
      parsed.shards().ifPresent(this::shards);
      parsed.waitReplicas().ifPresent(this::waitReplicas);
      this.cluster = parsed.cluster();
      return this;
    }

    /**
     * Uses the application's client: the store opens two connections with it (to the client's
     * default URI; one for reads, one for writes), closes them on {@link #close()} and leaves
     * the client open. For the store's no-duplicate guarantee on reconnects, configure the
     * client with {@code ClientOptions.DisconnectedBehavior.REJECT_COMMANDS} (the store logs a
     * warning otherwise).
     */
    public Builder client(RedisClient client) {
      this.client = Optional.of(Objects.requireNonNull(client, "client"));
      this.uri = Optional.empty();
      this.clusterClient = Optional.empty();
      this.connection = Optional.empty();
      return this;
    }

    /**
     * Uses the application's Redis Cluster client: the store opens two cluster connections with
     * it and closes them on {@link #close()}, leaving the client open. As for {@link #client},
     * {@code REJECT_COMMANDS} is recommended.
     */
    public Builder clusterClient(RedisClusterClient client) {
      this.clusterClient = Optional.of(Objects.requireNonNull(client, "client"));
      this.uri = Optional.empty();
      this.client = Optional.empty();
      this.connection = Optional.empty();
      return this;
    }

    /**
     * Uses the application's connection (open it with {@code ByteArrayCodec.INSTANCE}) for both
     * reads and writes, so reads can wait behind a write the server holds back; the store never
     * closes it. As for {@link #client}, a client with {@code REJECT_COMMANDS} is recommended.
     */
    public Builder connection(StatefulRedisConnection<byte[], byte[]> connection) {
      this.connection = Optional.of(Objects.requireNonNull(connection, "connection"));
      this.uri = Optional.empty();
      this.client = Optional.empty();
      this.clusterClient = Optional.empty();
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
      KeyLayout.checkPrefix(Objects.requireNonNull(prefix, "prefix"));
      this.prefix = prefix;
      return this;
    }

    /**
     * Sets how long a call may take before it fails (default 5 s): with {@link
     * StorageUnavailableException} for a read, {@link AmbiguousOutcomeException} for a write.
     *
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * Sets how long connecting may take, the handshake and the checks when opening included
     * (default 10 s); applies to a client the store creates.
     *
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets after how long without a write a session is absent (counted by the store's {@link
     * #clock}); {@link Duration#ZERO} (the default) keeps sessions until they are deleted. Every
     * write starts the period again. Give every store instance of a prefix the same retention.
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
     * Sets the clock that times writes for the retention period (default the system clock in
     * UTC); tests pass a clock they move.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
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
     * Sets over how many shards (1 to {@value KeyLayout#MAX_SHARDS}) a new prefix spreads its
     * sessions; by default 1 on one server and 16 on a cluster. Fixed when a prefix is first
     * used: a store opened later with another number is refused. More shards spread a prefix
     * over more cluster slots (and so primaries); each page of a listing reads every shard.
     *
     * @throws StorageConfigurationException if it is out of range
     */
    public Builder shards(int shards) {
      this.shards = Optional.of(KeyLayout.checkShards(shards));
      return this;
    }

    /**
     * Forces cluster mode ({@code true}) or one server ({@code false}) for a URI with one host;
     * by default the store asks the server ({@code cluster_enabled}).
     */
    public Builder cluster(boolean cluster) {
      this.cluster = Optional.of(cluster);
      return this;
    }

    /**
     * Makes every write wait until {@code replicas} replicas of its primary have acknowledged it
     * ({@code WAIT}, bounded by the call timeout), so that a failover to one of them keeps it;
     * a write that fewer replicas confirm fails with {@link AmbiguousOutcomeException} (it is
     * applied on the primary, but may be lost). 0 (the default) acknowledges a write once the
     * primary has applied it.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public Builder waitReplicas(int replicas) {
      if (replicas < 0) {
        throw new IllegalArgumentException("waitReplicas must not be negative: " + replicas);
      }
      this.waitReplicas = replicas;
      return this;
    }

    /**
     * Sets where the returned futures complete when no caller is waiting for them (a caller
     * waiting in {@code join} or {@code get} completes the future itself), and so where
     * callbacks attached to them without an executor run; the store never shuts it down. By
     * default the store runs a small pool of its own (daemon threads, stopped by {@link
     * #close()}), so futures never complete on Lettuce's I/O threads and a callback that blocks
     * can't stop replies from being read. {@code Runnable::run} completes them on the I/O
     * threads: a little faster, for code that never blocks in a callback.
     */
    public Builder completionExecutor(Executor executor) {
      this.completionExecutor = Optional.of(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /**
     * Connects (for a URI or a client) and checks the servers: Redis 7 or later; records the
     * prefix's key layout the first time it is used, and refuses another one.
     *
     * @return the open store, owned by the caller
     * @throws StorageConfigurationException if nothing to connect to was given, the server is
     *     older than Redis 7, or the prefix holds another key layout or number of shards
     * @throws StorageUnavailableException if the servers can't be reached in time
     */
    public RedisSessionStorage build() {
      SessionCodec codec = SessionCodec.builder().maxDocumentBytes(maxSessionBytes).build();
      KeyLayout.checkPrefix(prefix);
      if (connection.isEmpty() && client.isEmpty() && clusterClient.isEmpty() && uri.isEmpty()) {
        throw new StorageConfigurationException(
            "no Redis server given: call uri(), client(), clusterClient() or connection() on the builder");
      }
      Optional<ExecutorService> ownPool = completionExecutor.isPresent() ? Optional.empty() : Optional.of(newPool());
      Executor completions = completionExecutor.orElseGet(ownPool::get);
      Runnable stopPool = () -> ownPool.ifPresent(Builder::stop);
      RedisStore.Settings settings = new RedisStore.Settings(
          codec, timeout, connectTimeout, retention, maxSessionBytes, completions, clock, waitReplicas);
      try {
        String description;
        Failures failures;
        Connections links;
        if (connection.isPresent()) {
          description = "redis (application connection) prefix=" + KeyLayout.checkPrefix(prefix);
          failures = new Failures(description, Optional.empty(), timeout);
          links = Connections.ofConnection(connection.get());
        } else if (client.isPresent()) {
          description = "redis (application client) prefix=" + KeyLayout.checkPrefix(prefix);
          failures = new Failures(description, Optional.empty(), timeout);
          links = Connections.ofClient(client.get(), failures);
        } else if (clusterClient.isPresent()) {
          description = "redis (application cluster client) prefix=" + KeyLayout.checkPrefix(prefix);
          failures = new Failures(description, Optional.empty(), timeout);
          links = Connections.ofClusterClient(clusterClient.get(), failures);
        } else {
          StoreUri u = uri.get();
          StoreUri effective = new StoreUri(u.topology(), u.nodes(), u.redacted(), u.password(), u.prefix(),
              u.timeout(), u.connectTimeout(), u.retention(), u.maxSessionBytes(), cluster, u.shards(),
              u.waitReplicas());
          description = u.redacted();
          failures = new Failures(description, u.password(), timeout);
          links = Connections.open(effective, new Connections.Options(timeout, connectTimeout), failures);
        }
        Holder holder = new Holder();
        RedisStore store = RedisStore.open(links, prefix, shards, settings, failures, holder::closed, stopPool);
        RedisSessionStorage s = new RedisSessionStorage(description, store);
        holder.storage = s;
        return s;
      } catch (RuntimeException e) {
        stopPool.run();
        throw e;
      }
    }

    /** Lets the store ask whether the storage that owns it has been closed. */
    private static final class Holder {
      volatile RedisSessionStorage storage;

      boolean closed() {
        RedisSessionStorage s = storage;
        return s != null && s.isClosed();
      }
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
