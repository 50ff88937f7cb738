package org.sessionkit.redis.internal;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.spi.Timestamps;
import org.sessionkit.spi.WriteCondition;

/**
 * The workings of {@code RedisSessionStorage}: encodes sessions into the {@link KeyLayout}, runs
 * the {@link Scripts} and decodes their replies. Thread safe; every Redis call is bounded by the
 * call timeout and fails with the store's typed errors (see {@link Failures} for which failures
 * of a write are ambiguous).
 */
public final class RedisStore {

  private static final System.Logger LOG = System.getLogger("org.sessionkit.redis");

  /** Servers already warned about (once per JVM is enough). */
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** How many index entries one listing script examines before it hands back a cursor. */
  static final int LIST_SCAN_BUDGET = 2_000;

  /**
   * Up to how many ids an id-prefix query collects from the id index and orders; above this it
   * walks the listing index instead, skipping other ids (then the prefix matches so many
   * sessions that a page is found quickly).
   */
  static final int PREFIX_ID_LIMIT = 1_000;

  /**
   * The smallest per-shard limit of {@link #PREFIX_ID_LIMIT}: the limit is shared by the shards
   * (a page merges one answer from every shard, so reading up to 1,000 matches from each of 16
   * shards read 16,000 heads: 46 ms over 10⁶ sessions on a cluster), but a shard with a few
   * dozen matches still reads them from the id index rather than walking its listing index.
   */
  static final int MIN_SHARD_PREFIX_ID_LIMIT = 64;

  /** How many keys one step of {@link #problems} examines. */
  static final int PROBLEM_SCAN_COUNT = 200;

  /** How many sessions one page of a bulk delete lists and deletes. */
  static final int DELETE_PAGE = 500;

  /** Guessed bytes of a plain document beyond its messages and state (braces, names, dates). */
  private static final int DOCUMENT_OVERHEAD = 100;

  /** The longest wait of {@link #close()} for calls in flight. */
  private static final Duration CLOSE_WAIT_LIMIT = Duration.ofSeconds(5);

  private static final byte[] EMPTY = new byte[0];

  /**
   * From how many bytes of messages a save stages them (see {@link Connections.Staged}): a
   * script's arguments cost the server about 1.4 µs per KiB (Redis 7.0, measured), two more
   * commands a few µs, so small saves pass their messages as arguments.
   */
  static final int STAGE_FROM_BYTES = 8 * 1024;

  /** How long a staging list lives beyond the call timeout if no script takes it. */
  private static final long STAGING_TTL_MILLIS = 60_000;

  /** The arguments of {@link Scripts#SAVE} before the staging token. */
  private static final int SAVE_FIXED_ARGS = 18;

  /** The fields of a head that {@link Scripts#LOAD} reads, in its order. */
  private static final byte[][] HEAD_FIELDS = {
    ascii("id"), ascii("r"), ascii("c"), ascii("u"), ascii("n"), ascii("s"), ascii("k"), ascii("t")
  };

  private static final byte[] REVISION_FIELD = ascii("r");

  /**
   * What a store is configured with.
   *
   * @param codec the codec (its size limit is {@code maxSessionBytes})
   * @param timeout the call timeout
   * @param connectTimeout the connect timeout (also bounds the checks when opening)
   * @param retention how long after its last write a session stays; zero for ever
   * @param maxSessionBytes the largest session
   * @param completions where the futures handed to callers complete
   * @param clock the clock that times writes for retention
   * @param waitReplicas how many replicas must acknowledge each write (0: don't wait)
   */
  public record Settings(
      SessionCodec codec,
      Duration timeout,
      Duration connectTimeout,
      Duration retention,
      long maxSessionBytes,
      Executor completions,
      Clock clock,
      int waitReplicas) {}

  private final Connections links;
  private final RedisClusterAsyncCommands<byte[], byte[]> reads;
  private final KeyLayout keys;
  private final SessionCodec codec;
  private final Duration timeout;
  private final long retentionMillis;
  private final byte[] ret;
  private final byte[] ttl;
  private final byte[] maxBytes;
  private final long maxSessionBytes;
  private final Failures failures;
  private final Executor completions;
  private final Clock clock;
  private final int waitReplicas;
  private final long waitMillis;
  /**
   * With {@code waitReplicas}, a replayed keyed write rewrites the revision (a write that
   * changes nothing), so that the {@code WAIT} after it covers the write its key recorded: the
   * replication stream is ordered, and WAIT waits for this connection's last write.
   */
  private final byte[] touchOnReplay;
  private final BooleanSupplier closed;
  private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();
  private final String nonce;
  private final AtomicLong sequence = new AtomicLong();
  private final ShardKeys[] shards;
  private final Runnable afterClose;

  /** The keys of one shard, as bytes for the scripts. */
  private record ShardKeys(byte[] byTime, byte[] byId, byte[] byWrite, byte[] headStart, byte[] messageStart) {}

  private RedisStore(
      Connections links, KeyLayout keys, Settings s, Failures failures, BooleanSupplier closed, Runnable afterClose) {
    this.links = links;
    this.afterClose = afterClose;
    this.reads = links.reads();
    this.keys = keys;
    this.codec = s.codec();
    this.timeout = s.timeout();
    this.retentionMillis = s.retention().toMillis();
    this.ret = ascii(Long.toString(retentionMillis));
    // With retention, keys also get a server-side time to live well after the retention, so that
    // the server reclaims sessions of shards nobody writes to or lists any more. Until then,
    // the write time in the head (by the store's clock) is what makes a session absent.
    long backstop = retentionMillis == 0 ? 0 : retentionMillis * 2 + Duration.ofHours(1).toMillis();
    this.ttl = ascii(Long.toString(backstop));
    this.maxSessionBytes = s.maxSessionBytes();
    this.maxBytes = ascii(Long.toString(s.maxSessionBytes()));
    this.failures = failures;
    Executor c = s.completions();
    // A completion pool shut down while a reply is on its way must not leave a future pending.
    this.completions = r -> {
      try {
        c.execute(r);
      } catch (RejectedExecutionException e) {
        r.run();
      }
    };
    this.clock = s.clock();
    this.waitReplicas = s.waitReplicas();
    this.waitMillis = Math.max(1, s.timeout().toMillis() * 4 / 5);
    this.touchOnReplay = ascii(waitReplicas > 0 ? "1" : "0");
    this.closed = closed;
    this.nonce = Long.toUnsignedString(new SecureRandom().nextLong(), 36);
    this.shards = new ShardKeys[keys.shards()];
    for (int i = 0; i < shards.length; i++) {
      shards[i] = new ShardKeys(
          ascii(keys.updatedIndex(i)), ascii(keys.idIndex(i)), ascii(keys.writeTimeIndex(i)),
          ascii(keys.shardStart(i) + "h:"), ascii(keys.shardStart(i) + "m:"));
    }
  }

  /**
   * Checks the servers behind {@code links}, reads or records the layout of {@code prefix} and
   * returns the store working through them. On failure, closes {@code links}.
   *
   * @param shards the number of shards asked for, if any (otherwise 1 on one server, 16 on a
   *     cluster, or what the prefix already has)
   * @param closed tells whether the store has been closed
   * @param afterClose what {@link #close()} runs after closing the connections
   * @throws StorageConfigurationException for a server older than Redis 7, a prefix holding
   *     another layout, or a number of shards other than the prefix's
   * @throws StorageUnavailableException if the server does not answer
   */
  public static RedisStore open(
      Connections links, String prefix, Optional<Integer> shards, Settings settings, Failures failures,
      BooleanSupplier closed, Runnable afterClose) {
    try {
      checkServer(links, settings.connectTimeout(), failures);
      KeyLayout layout = layout(links, prefix, shards, settings.connectTimeout(), failures);
      return new RedisStore(links, layout, settings, failures, closed, afterClose);
    } catch (RuntimeException e) {
      links.close();
      throw e;
    }
  }

  /** Returns the key layout. */
  public KeyLayout keys() {
    return keys;
  }

  /** Returns {@code single}, {@code cluster} or {@code sentinel}. */
  public String topology() {
    return links.topology();
  }

  /**
   * Waits (bounded) for the calls in flight, then closes what the store opened; a write still
   * in flight then fails with {@link AmbiguousOutcomeException}. Never waits when called on a
   * connection's I/O thread (the replies it would wait for arrive on that thread).
   */
  public void close() {
    if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
      CompletableFuture<?>[] inFlight = running.toArray(new CompletableFuture<?>[0]);
      // Half the call timeout: calls that would finish in time mostly do, and close() never
      // takes as long as a call may.
      Duration half = timeout.dividedBy(2);
      Duration wait = half.compareTo(CLOSE_WAIT_LIMIT) < 0 ? half : CLOSE_WAIT_LIMIT;
      try {
        CompletableFuture.allOf(inFlight).get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // failed or still running: closing the connections ends them
      }
    }
    try {
      links.close();
    } finally {
      afterClose.run();
    }
  }

  // ------------------------------------------------------------------ opening

  private static void checkServer(Connections links, Duration wait, Failures failures) {
    // A user whose ACL forbids INFO or CONFIG still gets a store; only these checks are skipped.
    // (All three sent at once: opening costs one round trip for them, not three.)
    CompletableFuture<String> serverInfo = links.reads().info("server").toCompletableFuture();
    CompletableFuture<String> persistenceInfo = links.reads().info("persistence").toCompletableFuture();
    CompletableFuture<Map<String, String>> saveConfig = links.reads().configGet("save").toCompletableFuture();
    Map<String, String> server = Connections.info(serverInfo, wait, failures);
    String version = server.getOrDefault("redis_version", "");
    int major = leadingNumber(version);
    if (major >= 0 && major < 7) {
      throw new StorageConfigurationException(
          "the Redis store needs Redis 7.0 or later; " + failures.description() + " runs " + version);
    }
    if (!links.rejectsWhileDisconnected()) {
      LOG.log(
          Level.WARNING,
          () -> "the connection of store " + failures.description() + " queues commands while disconnected and "
              + "re-sends them after reconnecting; a write whose reply was lost may then apply twice. "
              + "Use ClientOptions.DisconnectedBehavior.REJECT_COMMANDS.");
    }
    Map<String, String> persistence = Connections.info(persistenceInfo, wait, failures);
    Map<String, String> save;
    try {
      save = Connections.blocking(saveConfig, wait, "checking the server", failures);
    } catch (StorageUnavailableException e) {
      if (!(e.getCause() instanceof RedisCommandExecutionException)) {
        throw e;
      }
      save = Map.of();
    }
    boolean aof = "1".equals(persistence.get("aof_enabled"));
    boolean rdb = !save.getOrDefault("save", "unknown").isBlank();
    String id = server.getOrDefault("run_id", failures.description());
    if (!persistence.isEmpty() && !aof && !rdb && WARNED.add(id)) {
      LOG.log(
          Level.WARNING,
          () -> "Redis behind store " + failures.description() + " has no persistence (no AOF, no RDB "
              + "snapshots): its sessions are lost when the server restarts. For durable sessions "
              + "run it with appendonly yes (appendfsync always or everysec).");
    }
  }

  private static KeyLayout layout(
      Connections links, String prefix, Optional<Integer> asked, Duration wait, Failures failures) {
    String p = KeyLayout.checkPrefix(prefix);
    KeyLayout probe = KeyLayout.of(p, 1);
    Map<String, CompletableFuture<Long>> earlierKeys = new LinkedHashMap<>();
    for (String earlier : probe.earlierLayoutKeys()) {
      earlierKeys.put(earlier, links.reads().exists(ascii(earlier)).toCompletableFuture());
    }
    for (Map.Entry<String, CompletableFuture<Long>> e : earlierKeys.entrySet()) {
      String earlier = e.getKey();
      long n = Connections.blocking(e.getValue(), wait, "checking the key layout", failures);
      if (n > 0) {
        throw new StorageConfigurationException(
            "the prefix '" + p + "' of " + failures.description() + " holds keys of an earlier, unreleased layout"
                + " of the Redis store (" + earlier + "); this version reads layout " + KeyLayout.VERSION
                + " only and does not migrate: remove the prefix's keys or choose another prefix");
      }
    }
    int wanted = asked.orElse(links.cluster() ? 16 : 1);
    byte[][] k = {ascii(probe.meta())};
    byte[][] args = {ascii(KeyLayout.VERSION), ascii(Integer.toString(wanted))};
    List<Object> meta;
    try {
      meta = Connections.blocking(Scripts.META.run(links.writes(), k, args), wait, "recording the key layout", failures);
    } catch (StorageUnavailableException e) {
      if (!(e.getCause() instanceof RedisCommandExecutionException)) {
        throw e;
      }
      // A read-only user: the layout must already be recorded.
      meta = new ArrayList<>(Connections.blocking(
          links.reads().hmget(k[0], ascii("layout"), ascii("shards")).toCompletableFuture(), wait,
          "reading the key layout", failures).stream().map(kv -> (Object) kv.getValueOrElse(null)).toList());
      if (meta.get(0) == null) {
        throw e;
      }
    }
    String version = string(meta.get(0));
    if (!KeyLayout.VERSION.equals(version)) {
      throw new StorageConfigurationException(
          "the prefix '" + p + "' of " + failures.description() + " holds key layout " + version
              + " (" + probe.meta() + "); this version of the Redis store knows layout " + KeyLayout.VERSION
              + " only: remove the prefix's keys or choose another prefix");
    }
    int stored;
    try {
      stored = Integer.parseInt(String.valueOf(string(meta.get(1))));
      KeyLayout.checkShards(stored);
    } catch (NumberFormatException | StorageConfigurationException e) {
      throw new StorageConfigurationException(
          "the prefix '" + p + "' of " + failures.description() + " records an invalid number of shards in "
              + probe.meta());
    }
    if (asked.isPresent() && asked.get() != stored) {
      throw new StorageConfigurationException(
          "the prefix '" + p + "' of " + failures.description() + " was set up with " + stored + " shards, not "
              + asked.get() + "; the number of shards of a prefix can't change (leave the option out to use "
              + stored + ")");
    }
    return KeyLayout.of(p, stored);
  }

  private static int leadingNumber(String version) {
    int i = 0;
    while (i < version.length() && Character.isDigit(version.charAt(i))) {
      i++;
    }
    return i == 0 ? -1 : Integer.parseInt(version.substring(0, i));
  }

  // ------------------------------------------------------------------ writes

  private String newRevision() {
    // A sequence number of this store instance and a random nonce drawn when it opened: unique
    // without asking the server, so a replica promoted after missing a write never repeats it.
    return Long.toString(sequence.incrementAndGet(), 36) + "." + nonce;
  }

  private byte[][] sessionKeys(int shard, String hex) {
    ShardKeys s = shards[shard];
    return new byte[][] {
      ascii(keys.head(shard, hex)), ascii(keys.messages(shard, hex)), s.byTime(), s.byId(), s.byWrite()
    };
  }

  /**
   * Saves {@code session} if {@code condition} holds, as the keyed write {@code key} if present;
   * completes with the new revision (or, for a key already applied, the revision it recorded).
   */
  public CompletableFuture<Revision> save(Session session, WriteCondition condition, Optional<IdempotencyKey> key) {
    String id = session.id();
    String what = "save of " + SessionIds.quote(id);
    // Encoding checks the session (strings, nesting, dates, size) before any I/O.
    String created = Timestamps.format(session.createdAt());
    String updated = Timestamps.format(session.updatedAt());
    byte[] state = codec.encodeState(session.state());
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    List<Message> messages = session.messages();
    byte[][] bodies = new byte[messages.size()][];
    long size = (long) state.length + idBytes.length + DOCUMENT_OVERHEAD;
    long messageBytes = 0;
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = codec.encodeMessage(messages.get(i));
      messageBytes += bodies[i].length;
      size += bodies[i].length + 1;
    }
    checkSize(id, size);
    String hex = KeyLayout.hex(id);
    int shard = keys.shardOf(id);
    byte[][] args = new byte[SAVE_FIXED_ARGS][];
    if (condition instanceof WriteCondition.IfRevision r) {
      args[0] = ascii("r");
      args[1] = utf8(r.expected().value());
    } else {
      args[0] = ascii(condition instanceof WriteCondition.IfAbsent ? "n" : "a");
      args[1] = EMPTY;
    }
    String revision = newRevision();
    args[2] = ascii(revision);
    args[3] = ascii(KeyLayout.member(session.updatedAt(), hex));
    args[4] = ascii(hex);
    args[5] = idBytes;
    args[6] = ascii(created);
    args[7] = ascii(updated);
    args[8] = state;
    args[9] = ascii(Long.toString(size));
    args[10] = key.map(k -> ascii(k.value())).orElse(EMPTY);
    args[11] = ascii(Long.toString(clock.millis()));
    args[12] = ret;
    args[13] = ttl;
    args[14] = shards[shard].headStart();
    args[15] = shards[shard].messageStart();
    args[16] = touchOnReplay;
    args[17] = ascii(Integer.toString(bodies.length));
    // The staging list's name and token are the new revision: unique to this write.
    byte[] stagingKey = ascii(keys.staging(shard, hex, revision));
    byte[][] k = {
      ascii(keys.head(shard, hex)), ascii(keys.messages(shard, hex)), shards[shard].byTime(), shards[shard].byId(),
      shards[shard].byWrite(), stagingKey
    };
    Optional<Connections.Staged> staged = messageBytes >= STAGE_FROM_BYTES
        ? Optional.of(new Connections.Staged(stagingKey, args[2], bodies, STAGING_TTL_MILLIS + timeout.toMillis()))
        : Optional.empty();
    byte[][] stagedArgs = Arrays.copyOf(args, SAVE_FIXED_ARGS + 1);
    stagedArgs[SAVE_FIXED_ARGS] = args[2];
    byte[][] inlineArgs = Arrays.copyOf(args, SAVE_FIXED_ARGS + 1 + bodies.length);
    inlineArgs[SAVE_FIXED_ARGS] = EMPTY;
    System.arraycopy(bodies, 0, inlineArgs, SAVE_FIXED_ARGS + 1, bodies.length);
    return write(what, Scripts.SAVE, k, staged.isPresent() ? stagedArgs : inlineArgs, staged, inlineArgs, reply -> {
      switch (status(reply)) {
        case "ok":
          return new Revision(string(reply.get(1)));
        case "conflict":
          throw conflict(what, condition);
        default:
          throw unexpected(what, reply);
      }
    });
  }

  /** Appends; completes with the new revision. */
  public CompletableFuture<Revision> append(String id, Append append) {
    String what = "append to " + SessionIds.quote(id);
    String updated = Timestamps.format(append.updatedAt());
    byte[] state = codec.encodeState(append.state());
    List<Message> messages = append.messages();
    byte[][] args = new byte[15 + messages.size()][];
    long added = 0;
    for (int i = 0; i < messages.size(); i++) {
      byte[] m = codec.encodeMessage(messages.get(i));
      args[15 + i] = m;
      added += m.length + 1;
    }
    checkSize(id, added + state.length);
    String hex = KeyLayout.hex(id);
    int shard = keys.shardOf(id);
    args[0] = append.expectedRevision().map(r -> utf8(r.value())).orElse(EMPTY);
    args[1] = ascii(newRevision());
    args[2] = ascii(KeyLayout.member(append.updatedAt(), hex));
    args[3] = ascii(hex);
    args[4] = ascii(updated);
    args[5] = state;
    args[6] = ascii(Long.toString(added));
    args[7] = maxBytes;
    args[8] = append.idempotencyKey().map(k -> ascii(k.value())).orElse(EMPTY);
    args[9] = ascii(Long.toString(clock.millis()));
    args[10] = ret;
    args[11] = ttl;
    args[12] = shards[shard].headStart();
    args[13] = shards[shard].messageStart();
    args[14] = touchOnReplay;
    return write(what, Scripts.APPEND, sessionKeys(shard, hex), args, reply -> {
      switch (status(reply)) {
        case "ok":
          return new Revision(string(reply.get(1)));
        case "notfound":
          throw notFound(id);
        case "conflict":
          throw new RevisionConflictException(
              what + ": the stored revision is not " + append.expectedRevision().orElseThrow());
        case "toolarge":
          throw new InvalidSessionException(
              what + ": the session would grow to about " + string(reply.get(1))
                  + " bytes, more than the limit of " + maxSessionBytes);
        case "corrupt":
          throw corrupt(id, string(reply.get(1)));
        default:
          throw unexpected(what, reply);
      }
    });
  }

  /** Deletes, if {@code expected} is present only at that revision. */
  public CompletableFuture<Void> delete(String id, Optional<Revision> expected) {
    String what = "delete of " + SessionIds.quote(id);
    String hex = KeyLayout.hex(id);
    byte[][] args = {
      expected.map(r -> utf8(r.value())).orElse(EMPTY), ascii(hex), ascii(Long.toString(clock.millis())), ret
    };
    return write(what, Scripts.DELETE, sessionKeys(keys.shardOf(id), hex), args, reply -> {
      switch (status(reply)) {
        case "ok":
          return null;
        case "notfound":
          throw notFound(id);
        case "conflict":
          throw new RevisionConflictException(what + ": the stored revision is not " + expected.orElseThrow());
        default:
          throw unexpected(what, reply);
      }
    });
  }

  /**
   * Deletes every session {@code filter} selects, a page at a time: each page is listed, then
   * deleted by one script per shard that deletes only the sessions whose revision is still the
   * listed one. A session written after it was listed stays.
   */
  public CompletableFuture<Long> deleteMatching(DeleteFilter filter) {
    PageRequest first = new PageRequest(
        DELETE_PAGE, filter.idPrefix(), filter.updatedBefore(), filter.updatedAfter(), Optional.empty());
    AtomicLong deleted = new AtomicLong();
    return deletePages(first, deleted)
        .handle((v, failure) -> {
          if (failure == null) {
            return CompletableFuture.completedFuture(deleted.get());
          }
          Throwable cause = Futures.unwrap(failure);
          return CompletableFuture.<Long>failedFuture(
              cause instanceof BulkDeleteException ? cause : new BulkDeleteException(deleted.get(), cause));
        })
        .thenCompose(f -> f);
  }

  private CompletableFuture<Void> deletePages(PageRequest request, AtomicLong deleted) {
    return list(request).thenCompose(result -> {
      List<SessionSummary> found = result.summaries();
      boolean more = found.size() > request.limit();
      List<SessionSummary> page = more ? found.subList(0, request.limit()) : found;
      Map<Integer, List<SessionSummary>> byShard = new LinkedHashMap<>();
      for (SessionSummary s : page) {
        byShard.computeIfAbsent(keys.shardOf(s.id()), x -> new ArrayList<>()).add(s);
      }
      List<CompletableFuture<Long>> parts = new ArrayList<>();
      for (Map.Entry<Integer, List<SessionSummary>> e : byShard.entrySet()) {
        parts.add(deleteShardPage(e.getKey(), e.getValue()).thenApply(n -> {
          deleted.addAndGet(n);
          return n;
        }));
      }
      return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
          .thenCompose(v -> more
              ? deletePages(request.after(ListPosition.of(page.get(page.size() - 1))), deleted)
              : CompletableFuture.completedFuture(null));
    });
  }

  private CompletableFuture<Long> deleteShardPage(int shard, List<SessionSummary> page) {
    ShardKeys s = shards[shard];
    byte[][] args = new byte[4 + 2 * page.size()][];
    args[0] = s.headStart();
    args[1] = s.messageStart();
    args[2] = ascii(Long.toString(clock.millis()));
    args[3] = ret;
    for (int i = 0; i < page.size(); i++) {
      args[4 + 2 * i] = ascii(KeyLayout.hex(page.get(i).id()));
      args[5 + 2 * i] = utf8(page.get(i).revision().value());
    }
    byte[][] k = {s.byTime(), s.byId(), s.byWrite()};
    return write("bulk delete", Scripts.DELETE_MANY, k, args, reply -> (Long) reply.get(0));
  }

  private void checkSize(String id, long size) {
    if (size > maxSessionBytes) {
      throw new InvalidSessionException(
          "session " + SessionIds.quote(id) + " is about " + size + " bytes, more than the limit of "
              + maxSessionBytes + " (maxSessionBytes)");
    }
  }

  private RevisionConflictException conflict(String what, WriteCondition condition) {
    if (condition instanceof WriteCondition.IfRevision r) {
      return new RevisionConflictException(what + ": the stored revision is not " + r.expected());
    }
    return new RevisionConflictException(what + ": a session with this id already exists");
  }

  // ------------------------------------------------------------------ reads

  /** Loads a session and its revision. */
  public CompletableFuture<VersionedSession> load(String id) {
    String hex = KeyLayout.hex(id);
    int shard = keys.shardOf(id);
    byte[][] k = {ascii(keys.head(shard, hex)), ascii(keys.messages(shard, hex))};
    long now = clock.millis();
    byte[][] args = {ascii(Long.toString(now)), ret};
    String what = "load of " + SessionIds.quote(id);
    return read(what, () -> loadReply(k, args, now), reply -> {
      switch (status(reply)) {
        case "ok":
          return decode(id, hex, list(reply.get(1)), list(reply.get(2)));
        case "notfound":
          throw notFound(id);
        case "corrupt":
          throw corrupt(id, string(reply.get(1)));
        default:
          throw unexpected(what, reply);
      }
    });
  }

  /**
   * Reads a session as {@link Scripts#LOAD} would, with plain commands where that is safe: a
   * script's reply costs the server far more per byte than a command's. The head, the whole
   * list and the head's revision again are sent back to back on one connection, which the server
   * serves in order; every write gives a session a revision never used before, so an unchanged
   * revision means that no write came between the two reads of the head, and the list belongs
   * to it. Anything else — a write in between, a missing or damaged head, an error reply — is
   * answered by the script itself ({@code args}: the script's, made with {@code now}).
   */
  private CompletableFuture<List<Object>> loadReply(byte[][] k, byte[][] args, long now) {
    if (!links.readsFromPrimary()) {
      return Scripts.LOAD.run(reads, k, args);
    }
    CompletableFuture<List<KeyValue<byte[], byte[]>>> head = reads.hmget(k[0], HEAD_FIELDS).toCompletableFuture();
    CompletableFuture<List<byte[]>> messages = reads.lrange(k[1], 0, -1).toCompletableFuture();
    CompletableFuture<byte[]> revision = reads.hget(k[0], REVISION_FIELD).toCompletableFuture();
    return CompletableFuture.allOf(head, messages, revision)
        .handle((v, failure) -> {
          if (failure == null) {
            List<@Nullable Object> fields = new ArrayList<>(HEAD_FIELDS.length);
            for (KeyValue<byte[], byte[]> f : head.join()) {
              fields.add(f.getValueOrElse(null));
            }
            Optional<List<Object>> reply = plainLoadReply(fields, revision.join(), messages.join(), now, retentionMillis);
            if (reply.isPresent()) {
              return CompletableFuture.completedFuture(reply.get());
            }
          } else if (!(Futures.unwrap(failure) instanceof RedisCommandExecutionException)) {
            return CompletableFuture.<List<Object>>failedFuture(Futures.unwrap(failure));
          }
          return Scripts.LOAD.run(reads, k, args);
        })
        .thenCompose(f -> f);
  }

  /**
   * The reply {@link Scripts#LOAD} would give, made from a head's {@code fields} (in its order),
   * its revision read again after the {@code messages}; empty when these reads don't make one
   * (the revision changed in between, or the head has none: only the script can tell a missing
   * session from a damaged one).
   */
  static Optional<List<Object>> plainLoadReply(
      List<@Nullable Object> fields, byte @Nullable [] revisionAgain, List<byte[]> messages, long now,
      long retentionMillis) {
    if (!(fields.get(1) instanceof byte[] first) || !Arrays.equals(first, revisionAgain)) {
      return Optional.empty();
    }
    return Optional.of(expired(fields.get(7), now, retentionMillis)
        ? List.of("notfound")
        : List.of("ok", fields, new ArrayList<Object>(messages)));
  }

  /** Whether a session last written at {@code time} (the head's {@code t}) has expired, as the scripts decide. */
  static boolean expired(@Nullable Object time, long now, long retentionMillis) {
    if (retentionMillis <= 0 || !(time instanceof byte[] t)) {
      return false;
    }
    try {
      // (as Lua's tonumber in the scripts: a write time that is not a number never expires)
      return Long.parseLong(new String(t, StandardCharsets.US_ASCII)) + retentionMillis <= now;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Loads up to {@code count} messages ending at {@code end} with the head, as one version. */
  public CompletableFuture<SessionSlice> loadSlice(String id, OptionalLong end, int count) {
    String hex = KeyLayout.hex(id);
    int shard = keys.shardOf(id);
    byte[][] k = {ascii(keys.head(shard, hex)), ascii(keys.messages(shard, hex))};
    byte[][] args = {
      ascii(Long.toString(clock.millis())), ret,
      end.isPresent() ? ascii(Long.toString(end.getAsLong())) : EMPTY, ascii(Integer.toString(count))
    };
    String what = "load of " + SessionIds.quote(id);
    return read(what, () -> Scripts.SLICE.run(reads, k, args), reply -> {
      switch (status(reply)) {
        case "ok":
          return decodeSlice(id, hex, reply);
        case "notfound":
          throw notFound(id);
        case "corrupt":
          throw corrupt(id, string(reply.get(1)));
        default:
          throw unexpected(what, reply);
      }
    });
  }

  /** Answers if the server answers a PING within the call timeout. */
  public CompletableFuture<Void> ping() {
    return read("ping", () -> reads.ping().toCompletableFuture(), pong -> {
      if (!"PONG".equalsIgnoreCase(pong)) {
        throw new StorageUnavailableException("ping of " + failures.description() + ": Redis answered " + pong);
      }
      return null;
    });
  }

  private VersionedSession decode(String id, String hex, List<Object> head, List<Object> stored) {
    Head h = Head.read(id, hex, head, true, codec);
    if (h.problem().isPresent()) {
      throw corrupt(id, h.problem().get());
    }
    if (stored.size() != h.count()) {
      throw corrupt(id, "its head counts " + h.count() + " messages but its list holds " + stored.size());
    }
    List<Message> messages = decodeMessages(id, hex, stored, 0);
    Session s = new Session(id, messages, h.state(), h.createdAt(), h.updatedAt());
    return new VersionedSession(s, h.revision());
  }

  private SessionSlice decodeSlice(String id, String hex, List<Object> reply) {
    Head h = Head.read(id, hex, list(reply.get(1)), true, codec);
    if (h.problem().isPresent()) {
      throw corrupt(id, h.problem().get());
    }
    long from = (Long) reply.get(3);
    long total = (Long) reply.get(4);
    if (total != h.count()) {
      throw corrupt(id, "its head counts " + h.count() + " messages but its list holds " + total);
    }
    List<Message> messages = decodeMessages(id, hex, list(reply.get(2)), from);
    return new SessionSlice(id, messages, from, total, h.state(), h.createdAt(), h.updatedAt(), h.revision());
  }

  private List<Message> decodeMessages(String id, String hex, List<Object> stored, long firstIndex) {
    List<Message> messages = new ArrayList<>(stored.size());
    for (int i = 0; i < stored.size(); i++) {
      Object m = stored.get(i);
      long index = firstIndex + i;
      if (!(m instanceof byte[] bytes)) {
        throw corrupt(id, "message " + index + " is not a string");
      }
      try {
        messages.add(codec.decodeMessage(bytes, id));
      } catch (CorruptDocumentException e) {
        throw new CorruptDocumentException(
            "session " + SessionIds.quote(id) + " in " + failures.description() + ": message " + index + " (list "
                + keys.messages(keys.shardOf(id), hex) + ") can't be read: " + e.getMessage(), e);
      }
    }
    return messages;
  }

  /**
   * The fields of a session's head, read and checked; a damaged head has a {@link #problem}.
   */
  private record Head(
      Revision revision, Instant createdAt, Instant updatedAt, long count, Optional<SessionState> stateRead,
      Optional<String> problem) {

    static Head problem(String why) {
      return new Head(null, null, null, 0, Optional.empty(), Optional.of(why));
    }

    SessionState state() {
      return stateRead.orElseThrow();
    }

    /**
     * Reads a head as {@link Scripts#LOAD} returns it: {id, revision, created, updated, count,
     * state, member, time}; the state only if {@code withState}.
     */
    static Head read(String id, String hex, List<Object> f, boolean withState, SessionCodec codec) {
      return read(id, hex, f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(6),
          withState ? Optional.of(f.get(5)) : Optional.empty(), codec);
    }

    static Head read(
        String id, String hex, Object storedId, Object rev, Object createdText, Object updatedText, Object countText,
        Object member, Optional<Object> stateField, SessionCodec codec) {
      if (!(storedId instanceof byte[] b) || !id.equals(new String(b, StandardCharsets.UTF_8))) {
        return problem("its head does not hold its id");
      }
      if (!(rev instanceof byte[] r) || r.length == 0) {
        return problem("its head has no revision");
      }
      Instant created;
      Instant updated;
      try {
        created = Timestamps.parse(string(createdText));
        updated = Timestamps.parse(string(updatedText));
      } catch (IllegalArgumentException | NullPointerException e) {
        return problem("its head has no valid created or updated time");
      }
      long count;
      try {
        count = Long.parseLong(string(countText));
      } catch (NumberFormatException | NullPointerException e) {
        return problem("its head has no valid message count");
      }
      if (count < 0) {
        return problem("its head has a negative message count");
      }
      if (!(member instanceof byte[] m)
          || !KeyLayout.member(updated, hex).equals(new String(m, StandardCharsets.US_ASCII))) {
        return problem("its head does not match its entry in the listing index");
      }
      Optional<SessionState> state = Optional.empty();
      if (stateField.isPresent()) {
        if (!(stateField.get() instanceof byte[] stateJson)) {
          return problem("its head has no state");
        }
        try {
          state = Optional.of(codec.decodeState(stateJson, id));
        } catch (CorruptDocumentException e) {
          return problem("its state can't be read: " + e.getMessage());
        }
      }
      return new Head(
          new Revision(new String(r, StandardCharsets.UTF_8)), created, updated, count, state, Optional.empty());
    }
  }

  // ------------------------------------------------------------------ listing

  /**
   * Lists one page: merges the listing indexes of the shards. Each round asks every shard that
   * may hold more for its next entries (the whole page from a single shard; from many, about
   * twice its share plus a few), then keeps what lies before the point up to which every shard
   * has answered; a further round follows only if that is less than a page.
   */
  public CompletableFuture<PageResult> list(PageRequest request) {
    LexRange range = LexRange.of(request);
    if (range.empty()) {
      return CompletableFuture.completedFuture(PageResult.of(List.of()));
    }
    String prefixHex = request.idPrefix().map(KeyLayout::hex).orElse("");
    Merge merge = new Merge(request, range, shards.length);
    return round(merge, prefixHex).thenApply(v -> {
      synchronized (merge) {
        return merge.result();
      }
    });
  }

  /** One shard's state in a listing: where it continues, and whether it is exhausted. */
  private static final class ShardCursor {
    String start;
    boolean done;
    int want;

    ShardCursor(String start, int want) {
      this.start = start;
      this.want = want;
    }
  }

  /** A found summary with its index member (for the merge order). */
  private record Found(String member, SessionSummary summary) {}

  /** What one {@link #list} call has collected so far. */
  private final class Merge {
    final PageRequest request;
    final LexRange range;
    final ShardCursor[] cursors;
    final List<Found> found = new ArrayList<>();
    /** Problems by location, with their index member ("" when found through the id index). */
    final Map<String, Map.Entry<String, ListingProblem>> problems = new LinkedHashMap<>();

    Merge(PageRequest request, LexRange range, int n) {
      this.request = request;
      this.range = range;
      this.cursors = new ShardCursor[n];
      int want = n == 1 ? request.fetchSize() : Math.min(request.fetchSize(), 2 * ceilDiv(request.fetchSize(), n) + 4);
      for (int i = 0; i < n; i++) {
        cursors[i] = new ShardCursor(range.start(), want);
      }
    }

    /** The member up to which every shard has answered; null if every shard is exhausted. */
    String frontier() {
      String min = null;
      for (ShardCursor c : cursors) {
        if (!c.done) {
          String at = c.start.substring(1); // "(member"
          if (min == null || at.compareTo(min) < 0) {
            min = at;
          }
        }
      }
      return min;
    }

    /** The found entries certainly in order so far, sorted. */
    List<Found> certain() {
      String f = frontier();
      List<Found> out = new ArrayList<>();
      for (Found x : found) {
        if (f == null || x.member().compareTo(f) <= 0) {
          out.add(x);
        }
      }
      out.sort(Comparator.comparing(Found::member));
      return out;
    }

    boolean complete() {
      return frontier() == null || certain().size() >= request.fetchSize();
    }

    /**
     * The member of the last entry of a full page among those found so far (shards that have
     * answered up to it need not be asked again), or null while fewer than a page were found.
     */
    String neededUpTo() {
      if (found.size() < request.fetchSize()) {
        return null;
      }
      List<String> members = new ArrayList<>(found.size());
      found.forEach(f -> members.add(f.member()));
      members.sort(null);
      return members.get(request.fetchSize() - 1);
    }

    PageResult result() {
      List<Found> page = certain();
      if (page.size() > request.fetchSize()) {
        page = page.subList(0, request.fetchSize());
      }
      List<SessionSummary> summaries = page.stream().map(Found::summary).toList();
      // Problems after the last summary of this page are left for the next page, which starts
      // after that summary, so that each is reported once per walk.
      String last = page.size() > request.limit() ? page.get(request.limit() - 1).member() : null;
      List<ListingProblem> out = new ArrayList<>();
      for (Map.Entry<String, ListingProblem> p : problems.values()) {
        boolean positioned = !p.getKey().isEmpty();
        if (positioned ? last == null || p.getKey().compareTo(last) < 0 : request.after().isEmpty()) {
          out.add(p.getValue());
        }
      }
      return new PageResult(summaries, out);
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private CompletableFuture<Void> round(Merge merge, String prefixHex) {
    if (closed.getAsBoolean()) {
      return CompletableFuture.failedFuture(new StorageClosedException(
          "listing: the store " + failures.description() + " was closed"));
    }
    // Every shard that may still hold an entry of the page is asked: all of them while fewer
    // than a page were found, else those that have not answered up to the page's last entry.
    String needed;
    synchronized (merge) {
      needed = merge.neededUpTo();
    }
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    for (int i = 0; i < merge.cursors.length; i++) {
      ShardCursor c = merge.cursors[i];
      if (!c.done && (needed == null || c.start.substring(1).compareTo(needed) < 0)) {
        calls.add(listShard(merge, i, prefixHex));
      }
    }
    return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).thenCompose(v -> {
      synchronized (merge) {
        if (merge.complete()) {
          return CompletableFuture.completedFuture(null);
        }
        for (ShardCursor c : merge.cursors) {
          c.want = Math.min(merge.request.fetchSize(), c.want * 2);
        }
      }
      return round(merge, prefixHex);
    });
  }

  /** Up to how many matches of a prefix one of {@code shardCount} shards reads from its id index. */
  static int prefixIdLimit(int shardCount) {
    return Math.max(MIN_SHARD_PREFIX_ID_LIMIT, PREFIX_ID_LIMIT / shardCount);
  }

  private CompletableFuture<Void> listShard(Merge merge, int shard, String prefixHex) {
    ShardCursor c = merge.cursors[shard];
    ShardKeys s = shards[shard];
    boolean withState = !merge.request.customKeys().isEmpty();
    byte[][] k = {s.byTime(), s.byId()};
    byte[][] args = {
      ascii(c.start),
      ascii(merge.range.stop()),
      ascii(Integer.toString(c.want)),
      s.headStart(),
      ascii(prefixHex),
      ascii(Integer.toString(LIST_SCAN_BUDGET)),
      ascii(Integer.toString(prefixIdLimit(shards.length))),
      ascii(Long.toString(clock.millis())),
      ret,
      ascii(withState ? "1" : "0")
    };
    return read("listing", () -> Scripts.LIST.run(reads, k, args), reply -> {
      String cursor = string(reply.get(0));
      prune(shard, list(reply.get(1)));
      // Replies of several shards are handled on several threads at once.
      synchronized (merge) {
        for (Object e : reply.subList(2, reply.size())) {
          collect(merge, shard, list(e), withState);
        }
        if (cursor.isEmpty()) {
          c.done = true;
        } else {
          c.start = cursor;
        }
      }
      return null;
    });
  }

  /**
   * Removes index entries the listing found stale (expired sessions, left-overs of earlier
   * versions), in the background: the listing has already skipped them, and the script checks
   * again before it removes anything, so a failure here only leaves them for the next listing.
   */
  private void prune(int shard, List<Object> stale) {
    if (stale.isEmpty() || closed.getAsBoolean()) {
      return;
    }
    ShardKeys s = shards[shard];
    byte[][] args = new byte[stale.size() + 4][];
    args[0] = s.headStart();
    args[1] = s.messageStart();
    args[2] = ascii(Long.toString(clock.millis()));
    args[3] = ret;
    for (int i = 0; i < stale.size(); i++) {
      args[i + 4] = (byte[]) stale.get(i);
    }
    try {
      Scripts.PRUNE
          .run(links.writes(), new byte[][] {s.byTime(), s.byId(), s.byWrite()}, args)
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  LOG.log(Level.DEBUG, () -> "pruning stale index entries of " + failures.description()
                      + " failed; the next listing retries", e);
                }
              });
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "pruning stale index entries of " + failures.description() + " failed", e);
    }
  }

  private void collect(Merge merge, int shard, List<Object> entry, boolean withState) {
    String member = string(entry.get(0));
    String hex = string(entry.get(1));
    String status = string(entry.get(2));
    String location = keys.head(shard, hex);
    Optional<String> id = KeyLayout.idOfHex(hex);
    if (id.isEmpty() || !SessionIds.isValid(id.get())) {
      problem(merge, member, location, Optional.empty(), "the key does not name a valid session id");
      return;
    }
    if (!status.equals("ok") || entry.size() < 9) {
      String why =
          switch (status) {
            case "wrongtype" -> "its head is not a hash";
            case "nokey" -> "its head has no listing index member";
            default -> "its head does not match its entry in the listing index";
          };
      problem(merge, member, location, id, why);
      return;
    }
    // entry: member, hex, status, k, id, revision, created, updated, count[, state]
    Head h = Head.read(id.get(), hex, entry.get(4), entry.get(5), entry.get(6), entry.get(7), entry.get(8),
        entry.get(3), withState ? Optional.of(entry.get(9)) : Optional.empty(), codec);
    if (h.problem().isPresent()) {
      problem(merge, member, location, id, h.problem().get());
      return;
    }
    if (!merge.request.matches(h.updatedAt(), id.get())) {
      return; // cannot happen for a consistent head; never hand out what was not asked for
    }
    SessionSummary summary = new SessionSummary(id.get(), h.createdAt(), h.updatedAt(), h.count(), h.revision());
    if (withState) {
      summary = summary.withCustom(h.state().custom(), merge.request.customKeys());
    }
    merge.found.add(new Found(member, summary));
  }

  private void problem(Merge merge, String member, String location, Optional<String> id, String why) {
    merge.problems.putIfAbsent(
        location,
        Map.entry(member, new ListingProblem(location, id, "session " + id.map(SessionIds::quote).orElse("?") + ": " + why)));
  }

  // ------------------------------------------------------------------ the full check

  /**
   * Scans every key under the prefix, {@value #PROBLEM_SCAN_COUNT} at a time (each step a
   * bounded call): each session is loaded in full (state and messages decoded), message lists
   * without a head and keys the store did not write are reported.
   */
  public CompletableFuture<List<ListingProblem>> problems() {
    List<ListingProblem> found = new ArrayList<>();
    return scan(ScanCursor.INITIAL, found).thenApply(v -> {
      synchronized (found) {
        return List.copyOf(found);
      }
    });
  }

  private CompletableFuture<Void> scan(ScanCursor cursor, List<ListingProblem> found) {
    ScanArgs args = ScanArgs.Builder.matches(keys.prefix() + "*").limit(PROBLEM_SCAN_COUNT);
    return read("problem scan", () -> reads.scan(cursor, args).toCompletableFuture(), page -> page)
        .thenCompose(
            (KeyScanCursor<byte[]> page) -> {
              List<CompletableFuture<Optional<ListingProblem>>> checks = new ArrayList<>();
              for (byte[] raw : page.getKeys()) {
                checks.add(check(new String(raw, StandardCharsets.UTF_8)));
              }
              return CompletableFuture.allOf(checks.toArray(new CompletableFuture<?>[0]))
                  .thenCompose(
                      v -> {
                        synchronized (found) {
                          checks.forEach(c -> c.join().ifPresent(found::add));
                        }
                        if (page.isFinished()) {
                          return CompletableFuture.completedFuture(null);
                        }
                        if (closed.getAsBoolean()) {
                          return CompletableFuture.failedFuture(new StorageClosedException(
                              "problem scan: the store " + failures.description() + " was closed"));
                        }
                        return scan(page, found);
                      });
            });
  }

  private CompletableFuture<Optional<ListingProblem>> check(String key) {
    Optional<KeyLayout.KeyKind> kind = keys.parse(key);
    if (kind.isEmpty()) {
      return CompletableFuture.completedFuture(
          Optional.of(new ListingProblem(key, Optional.empty(), "a key in the store's namespace that the store did not write")));
    }
    String k = kind.get().kind();
    if (!k.equals("h") && !k.equals("m")) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String hex = kind.get().hex();
    Optional<String> id = KeyLayout.idOfHex(hex).filter(SessionIds::isValid);
    if (id.isEmpty()) {
      return CompletableFuture.completedFuture(
          Optional.of(new ListingProblem(key, Optional.empty(), "the key does not name a valid session id")));
    }
    if (keys.shardOf(id.get()) != kind.get().shard()) {
      return CompletableFuture.completedFuture(Optional.of(new ListingProblem(
          key, id, "session " + SessionIds.quote(id.get()) + ": a key in a shard the id does not belong to")));
    }
    if (k.equals("m")) {
      byte[] head = ascii(keys.head(kind.get().shard(), hex));
      return read("problem scan", () -> reads.exists(head).toCompletableFuture(), n -> n == 0
          ? Optional.of(new ListingProblem(key, id, "session " + SessionIds.quote(id.get()) + ": messages without a head (left over)"))
          : Optional.<ListingProblem>empty());
    }
    return load(id.get())
        .handle(
            (ok, failure) -> {
              if (failure == null) {
                return Optional.<ListingProblem>empty();
              }
              Throwable cause = Futures.unwrap(failure);
              if (cause instanceof CorruptDocumentException) {
                return Optional.of(new ListingProblem(key, id, cause.getMessage()));
              }
              if (cause instanceof SessionNotFoundException) {
                return Optional.<ListingProblem>empty(); // deleted or expired meanwhile
              }
              throw cause instanceof RuntimeException r ? r : new StorageUnavailableException(cause.getMessage(), cause);
            });
  }

  // ------------------------------------------------------------------ plumbing

  /** A reply handler that may throw the store's errors. */
  @FunctionalInterface
  private interface Reply<R, T> {
    T apply(R reply);
  }

  private <R, T> CompletableFuture<T> read(String what, Supplier<CompletableFuture<R>> operation, Reply<R, T> handle) {
    return bounded(what, false, operation, handle);
  }

  private <T> CompletableFuture<T> write(
      String what, Script script, byte[][] k, byte[][] args, Reply<List<Object>, T> handle) {
    return write(what, script, k, args, Optional.empty(), args, handle);
  }

  /**
   * Runs a write script, its messages staged first if {@code staged} is present; when the script
   * replies {@code restage} (it did not find them whole, and changed nothing), runs it again
   * with {@code inlineArgs}, the messages among its arguments.
   */
  private <T> CompletableFuture<T> write(
      String what, Script script, byte[][] k, byte[][] args, Optional<Connections.Staged> staged,
      byte[][] inlineArgs, Reply<List<Object>, T> handle) {
    Supplier<CompletableFuture<Connections.Written>> run = () -> {
      CompletableFuture<Connections.Written> first = links.write(script, k[0], k, args, staged, waitReplicas, waitMillis);
      if (staged.isEmpty()) {
        return first;
      }
      return first.thenCompose(w -> "restage".equals(status(w.reply()))
          ? links.write(script, k[0], k, inlineArgs, Optional.empty(), waitReplicas, waitMillis)
          : CompletableFuture.completedFuture(w));
    };
    return bounded(what, true, run, written -> {
      T value = handle.apply(written.reply());
      if (waitReplicas > 0 && written.replicas() < waitReplicas) {
        throw new AmbiguousOutcomeException(
            what + ": applied on the primary of " + failures.description() + ", but only " + written.replicas()
                + " of " + waitReplicas + " replicas confirmed it within " + waitMillis
                + " ms, so a failover may still lose it (retry with the same idempotency key)");
      }
      return value;
    });
  }

  /**
   * Runs one Redis call, failing it if it has not completed within the timeout, and mapping its
   * failure to the store's errors (for a write, {@link AmbiguousOutcomeException} where it may
   * have been applied). The returned future is completed with the bare exception, not a {@code
   * CompletionException}, never on a Lettuce I/O thread — on the completion executor, or on a
   * caller already waiting for it (see {@link Relay}): a caller that blocks in a callback (an
   * {@code update} change waiting for another write, say) would otherwise stop the very thread
   * that has to read the reply it waits for.
   */
  private <R, T> CompletableFuture<T> bounded(
      String what, boolean write, Supplier<CompletableFuture<R>> operation, Reply<R, T> handle) {
    Relay relay = new Relay(completions);
    CompletableFuture<T> out = relay.newFuture();
    if (closed.getAsBoolean()) {
      out.completeExceptionally(new StorageClosedException(what + ": the store " + failures.description() + " is closed"));
      return out;
    }
    CompletableFuture<R> started;
    boolean sent = true;
    try {
      started = operation.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
      sent = false;
    }
    CompletableFuture<R> op = started;
    boolean mayHaveApplied = write && sent;
    running.add(op);
    op.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((value, failure) -> {
          running.remove(op);
          relay.complete(() -> {
            if (failure != null) {
              out.completeExceptionally(failures.map(failure, what, closed.getAsBoolean(), mayHaveApplied));
              return;
            }
            try {
              out.complete(handle.apply(value));
            } catch (RuntimeException e) {
              out.completeExceptionally(e);
            }
          });
        });
    return out;
  }


  private CorruptDocumentException corrupt(String id, String why) {
    return new CorruptDocumentException(
        "session " + SessionIds.quote(id) + " in " + failures.description() + " can't be read: " + why
            + " (key " + keys.head(id) + ")");
  }

  private SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + SessionIds.quote(id) + " in " + failures.description());
  }

  private static IllegalStateException unexpected(String what, List<Object> reply) {
    return new IllegalStateException(what + ": unexpected reply from the script: " + reply.size() + " elements");
  }

  private static String status(List<Object> reply) {
    return reply.isEmpty() ? "" : string(reply.get(0));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  private static String string(Object o) {
    if (o instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    return o == null ? null : o.toString();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
