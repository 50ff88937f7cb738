package org.sessionkit.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;

/**
 * The connections a store works through: one for reads and one for writes, so that a read
 * never waits behind a write the server holds back ({@code CLIENT PAUSE … WRITE}, a failover, a
 * stalled script). On one server or behind Sentinel they are two plain connections; on a
 * cluster, two cluster connections (each with its own connection to every node). A connection
 * the application hands in serves both. Thread safe.
 */
public final class Connections {

  /** Commands that belong to opening, not to calls: bounded by the connect timeout. */
  private static final Set<ProtocolKeyword> OPENING =
      Set.of(CommandType.INFO, CommandType.CONFIG, CommandType.CLUSTER, CommandType.HELLO, CommandType.AUTH,
          CommandType.SELECT, CommandType.CLIENT, CommandType.ROLE);

  private final RedisClusterAsyncCommands<byte[], byte[]> reads;
  private final RedisClusterAsyncCommands<byte[], byte[]> writes;
  private final Optional<StatefulRedisClusterConnection<byte[], byte[]>> clusterWrites;
  private final boolean rejectsWhileDisconnected;
  private final boolean readsFromPrimary;
  private final String topology;
  private final Runnable release;

  private Connections(
      RedisClusterAsyncCommands<byte[], byte[]> reads,
      RedisClusterAsyncCommands<byte[], byte[]> writes,
      Optional<StatefulRedisClusterConnection<byte[], byte[]>> clusterWrites,
      boolean rejectsWhileDisconnected,
      boolean readsFromPrimary,
      String topology,
      Runnable release) {
    this.reads = reads;
    this.writes = writes;
    this.clusterWrites = clusterWrites;
    this.rejectsWhileDisconnected = rejectsWhileDisconnected;
    this.readsFromPrimary = readsFromPrimary;
    this.topology = topology;
    this.release = release;
  }

  /** Returns the commands for reads. */
  public RedisClusterAsyncCommands<byte[], byte[]> reads() {
    return reads;
  }

  /** Returns the commands for writes. */
  public RedisClusterAsyncCommands<byte[], byte[]> writes() {
    return writes;
  }

  /** Returns whether the store works on a Redis Cluster. */
  public boolean cluster() {
    return clusterWrites.isPresent();
  }

  /** Returns {@code single}, {@code cluster} or {@code sentinel}, for messages. */
  public String topology() {
    return topology;
  }

  /** Returns whether the connections fail commands at once while disconnected. */
  public boolean rejectsWhileDisconnected() {
    return rejectsWhileDisconnected;
  }

  /**
   * Returns whether the reads of one caller, sent one after the other, are served in that order
   * by the server that takes the writes of their keys: true for every connection the store
   * opens; false for an application's master/replica connection that reads from replicas (its
   * commands may go to different servers, each at a point of its own in the replication stream).
   */
  public boolean readsFromPrimary() {
    return readsFromPrimary;
  }

  /** Closes what these connections opened (never the application's own). */
  public void close() {
    release.run();
  }

  /**
   * Runs a write script and then, if {@code replicas > 0}, {@code WAIT replicas waitMillis} on
   * the same connection to the same node, so that the wait covers this write. Completes with
   * the script's reply and how many replicas acknowledged (-1 when not asked).
   *
   * <p>With {@code staged}, its messages are first pushed to its staging list through the same
   * connection, so that the script, sent right behind them, finds them there (see {@link
   * Scripts#SAVE}); a script that does not find them whole replies {@code restage}.
   *
   * @param slotKey a key of the script (all its keys share its slot)
   */
  public CompletableFuture<Written> write(
      Script script, byte[] slotKey, byte[][] keys, byte[][] args, Optional<Staged> staged, int replicas,
      long waitMillis) {
    if (replicas <= 0) {
      staged.ifPresent(s -> stage(writes, s));
      return script.run(writes, keys, args).thenApply(r -> new Written(r, -1));
    }
    if (clusterWrites.isEmpty()) {
      return waitAfter(writes, script, keys, args, staged, replicas, waitMillis);
    }
    // WAIT counts the replication of this client's writes on one node: send the script and the
    // WAIT through the connection to the node that serves the slot.
    StatefulRedisClusterConnection<byte[], byte[]> c = clusterWrites.get();
    RedisClusterNode node = c.getPartitions().getPartitionBySlot(SlotHash.getSlot(slotKey));
    if (node == null) {
      return CompletableFuture.failedFuture(new StorageUnavailableException(
          "no node of the cluster serves slot " + SlotHash.getSlot(slotKey) + " yet"));
    }
    // (the connection routed writes to that node use, keyed by host and port)
    return c.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
        .thenCompose(n -> waitAfter(n.async(), script, keys, args, staged, replicas, waitMillis));
  }

  private static CompletableFuture<Written> waitAfter(
      RedisClusterAsyncCommands<byte[], byte[]> on, Script script, byte[][] keys, byte[][] args,
      Optional<Staged> staged, int replicas, long waitMillis) {
    staged.ifPresent(s -> stage(on, s));
    CompletableFuture<java.util.List<Object>> reply = script.run(on, keys, args);
    // Sent only once the script's reply is in (a NOSCRIPT fallback re-sends the script, and WAIT
    // must follow the run that wrote).
    return reply.thenCompose(r -> on.waitForReplication(replicas, waitMillis).toCompletableFuture()
        .thenApply(acked -> new Written(r, acked.intValue())));
  }

  /**
   * Creates the staging list (its token as the first element, expiring after its time to live)
   * and pushes the messages behind the token. The replies are not awaited: the write script,
   * sent next on the same connection, checks what arrived. The list is created by a script so
   * that it never exists without its expiry, and the messages are pushed with {@code RPUSHX},
   * which adds nothing to a list that does not exist: a list abandoned by a client that stopped
   * half-way disappears by itself. The script runs only if the server has it cached (after a
   * restart it has not: that save sends its messages as arguments), since running it again
   * after the {@code NOSCRIPT} reply would come after the save script and leave a list behind
   * until it expires. (Public for the tests.)
   */
  public static void stage(RedisClusterAsyncCommands<byte[], byte[]> on, Staged s) {
    STAGE.runIfCached(on, new byte[][] {s.key()}, new byte[][] {
      s.token(), Long.toString(s.ttlMillis()).getBytes(StandardCharsets.US_ASCII)
    });
    for (int i = 0; i < s.messages().length; i += STAGE_CHUNK) {
      on.rpushx(s.key(), Arrays.copyOfRange(s.messages(), i, Math.min(s.messages().length, i + STAGE_CHUNK)));
    }
  }

  private static final Script STAGE = new Script(
      "stage",
      false,
      """
      #!lua
      redis.call('RPUSH', KEYS[1], ARGV[1])
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return {}
      """);

  /** Messages per RPUSH into a staging list (one command holds the server for its length). */
  private static final int STAGE_CHUNK = 1000;

  /**
   * Messages a write script takes from a staging list instead of its arguments: passing a large
   * argument into a script costs the server far more than a plain command does.
   *
   * @param key the staging list (in the slot of the script's keys)
   * @param token the list's first element, unique to this write
   * @param messages the messages, in order
   * @param ttlMillis how long the list lives if no script takes it
   */
  public record Staged(byte[] key, byte[] token, byte[][] messages, long ttlMillis) {}

  /**
   * The reply of a write script.
   *
   * @param reply the script's reply
   * @param replicas how many replicas acknowledged it, -1 when not asked
   */
  public record Written(java.util.List<Object> reply, int replicas) {}

  // ------------------------------------------------------------------ opening

  /** Settings for connections the store opens itself. */
  public record Options(Duration timeout, Duration connectTimeout) {}

  /** Serves both reads and writes with the application's connection; closes nothing. */
  public static Connections ofConnection(StatefulRedisConnection<byte[], byte[]> connection) {
    return new Connections(connection.async(), connection.async(), Optional.empty(),
        rejectsWhileDisconnected(connection.getOptions()), readsFromPrimary(connection), "single", () -> {});
  }

  /** Opens two connections with the application's client; closes them, not the client. */
  public static Connections ofClient(RedisClient client, Failures failures) {
    StatefulRedisConnection<byte[], byte[]> r = connect(() -> client.connect(ByteArrayCodec.INSTANCE), failures);
    StatefulRedisConnection<byte[], byte[]> w;
    try {
      w = connect(() -> client.connect(ByteArrayCodec.INSTANCE), failures);
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    return new Connections(r.async(), w.async(), Optional.empty(), rejectsWhileDisconnected(r.getOptions()),
        true, "single", all(r::close, w::close));
  }

  /** Opens two cluster connections with the application's cluster client; closes them only. */
  public static Connections ofClusterClient(RedisClusterClient client, Failures failures) {
    return clusterConnections(client, failures, () -> {});
  }

  /**
   * Opens what {@code uri} names with a client of the store's own: one server, a cluster (seed
   * nodes, {@code cluster=true}, or one node that reports {@code cluster_enabled:1} while {@code
   * cluster} is not {@code false}), or the primary behind Sentinel.
   *
   * @throws StorageConfigurationException for {@code cluster=false} on a cluster node
   * @throws StorageUnavailableException if the servers can't be reached in time
   */
  public static Connections open(StoreUri uri, Options options, Failures failures) {
    ClientResources resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    Runnable stopResources =
        () -> resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    List<RedisURI> nodes = new ArrayList<>();
    for (RedisURI n : uri.nodes()) {
      // The handshake (HELLO, AUTH, SELECT, CLIENT SETNAME) on connecting and reconnecting is
      // bounded by the connect timeout; calls by the call timeout (TimeoutOptions below). (Set
      // on the parsed URI itself: RedisURI's builder can't copy a Sentinel URI.)
      n.setTimeout(options.connectTimeout());
      n.getSentinels().forEach(sentinel -> sentinel.setTimeout(options.connectTimeout()));
      nodes.add(n);
    }
    try {
      boolean cluster = uri.topology() == StoreUri.Topology.CLUSTER || uri.cluster().orElse(false);
      if (cluster) {
        return openCluster(resources, nodes, options, failures, stopResources);
      }
      RedisClient client = RedisClient.create(resources, nodes.get(0));
      // Reconnect quickly after a restart, and reject calls while disconnected instead of
      // queueing them: Lettuce re-sends queued and in-flight commands after a reconnect, and a
      // re-sent append would add its messages twice.
      client.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(timeouts(options))
              .socketOptions(socketOptions(options))
              .build());
      Runnable shutdown = all(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)), stopResources);
      if (uri.topology() == StoreUri.Topology.SENTINEL) {
        return sentinelConnections(client, nodes.get(0), failures, shutdown);
      }
      StatefulRedisConnection<byte[], byte[]> first;
      try {
        first = connect(() -> client.connect(ByteArrayCodec.INSTANCE), failures);
      } catch (RuntimeException e) {
        shutdown.run();
        throw e;
      }
      boolean clusterNode;
      try {
        clusterNode = uri.topology() == StoreUri.Topology.SINGLE
            && "1".equals(info(first.async(), "cluster", options.connectTimeout(), failures).get("cluster_enabled"));
      } catch (RuntimeException e) {
        first.close();
        shutdown.run();
        throw e;
      }
      if (clusterNode) {
        first.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (uri.cluster().equals(Optional.of(false))) {
          stopResources.run();
          throw new StorageConfigurationException(
              "store URI " + uri.redacted() + " has cluster=false, but the server reports cluster mode"
                  + " (cluster_enabled:1); leave cluster out (or set it to auto or true)");
        }
        return openCluster(resources, nodes, options, failures, stopResources);
      }
      StatefulRedisConnection<byte[], byte[]> second;
      try {
        second = connect(() -> client.connect(ByteArrayCodec.INSTANCE), failures);
      } catch (RuntimeException e) {
        first.close();
        shutdown.run();
        throw e;
      }
      return new Connections(first.async(), second.async(), Optional.empty(), true, true, "single",
          all(first::close, second::close, shutdown));
    } catch (RuntimeException e) {
      // (each path above has released what it opened; resources may be stopped twice, harmlessly)
      stopResources.run();
      throw e;
    }
  }

  /**
   * Connects to the primary the sentinels name, through Lettuce's master/replica connection:
   * it subscribes to the sentinels' announcements ({@code +switch-master}…) and moves to a new
   * primary as soon as one is announced, instead of writing to the old one until it is demoted
   * (writes it acknowledges meanwhile are lost when it resynchronises).
   */
  private static Connections sentinelConnections(
      RedisClient client, RedisURI sentinelUri, Failures failures, Runnable shutdown) {
    StatefulRedisConnection<byte[], byte[]> r;
    StatefulRedisConnection<byte[], byte[]> w;
    try {
      r = connect(() -> MasterReplica.connect(client, ByteArrayCodec.INSTANCE, sentinelUri), failures);
    } catch (RuntimeException e) {
      shutdown.run();
      throw e;
    }
    try {
      w = connect(() -> MasterReplica.connect(client, ByteArrayCodec.INSTANCE, sentinelUri), failures);
    } catch (RuntimeException e) {
      r.close();
      shutdown.run();
      throw e;
    }
    return new Connections(r.async(), w.async(), Optional.empty(), true, true, "sentinel", all(r::close, w::close, shutdown));
  }

  private static Connections openCluster(
      ClientResources resources, List<RedisURI> seeds, Options options, Failures failures, Runnable stopResources) {
    RedisClusterClient client = RedisClusterClient.create(resources, seeds);
    client.setOptions(
        ClusterClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(timeouts(options))
            .socketOptions(socketOptions(options))
            .maxRedirects(5)
            // Learn a failover from the first MOVED or refused connection (every adaptive trigger
            // is on by default since Lettuce 7), and look anyway every few seconds (a promoted
            // replica announces itself to the cluster, not to us).
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                    .enablePeriodicRefresh(Duration.ofSeconds(5))
                    .build())
            .build());
    Runnable shutdown = all(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)), stopResources);
    try {
      return clusterConnections(client, failures, shutdown);
    } catch (RuntimeException e) {
      shutdown.run();
      throw e;
    }
  }

  private static Connections clusterConnections(RedisClusterClient client, Failures failures, Runnable shutdown) {
    StatefulRedisClusterConnection<byte[], byte[]> r =
        connect(() -> client.connect(ByteArrayCodec.INSTANCE), failures);
    StatefulRedisClusterConnection<byte[], byte[]> w;
    try {
      w = connect(() -> client.connect(ByteArrayCodec.INSTANCE), failures);
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    // A cluster connection opens its connection to each node on first use, and with
    // REJECT_COMMANDS a command that finds it still connecting is refused: open them all now,
    // and again whenever the topology changes (a failover promotes a replica).
    warm(r);
    warm(w);
    reactor.core.Disposable watch = client.getResources().eventBus().get()
        .filter(e -> e instanceof io.lettuce.core.cluster.event.ClusterTopologyChangedEvent)
        .subscribe(e -> {
          warm(r);
          warm(w);
        }, e -> { });
    return new Connections(r.async(), w.async(), Optional.of(w), rejectsWhileDisconnected(r.getOptions()), true,
        "cluster", all(watch::dispose, r::close, w::close, shutdown));
  }

  /** Opens the connections to every primary that {@code c} knows, waiting a little for them. */
  private static void warm(StatefulRedisClusterConnection<byte[], byte[]> c) {
    List<CompletableFuture<?>> opening = new ArrayList<>();
    for (RedisClusterNode n : c.getPartitions()) {
      if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && n.getUri() != null) {
        opening.add(c.getConnectionAsync(n.getUri().getHost(), n.getUri().getPort()));
      }
    }
    try {
      CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0])).get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // a node that is down now: its first call fails as not sent, and a later one connects
    }
  }

  private static TimeoutOptions timeouts(Options options) {
    long call = options.timeout().toMillis();
    long opening = Math.max(call, options.connectTimeout().toMillis());
    return TimeoutOptions.builder()
        .timeoutCommands()
        .timeoutSource(
            new TimeoutOptions.TimeoutSource() {
              @Override
              public long getTimeout(RedisCommand<?, ?, ?> command) {
                return command != null && OPENING.contains(command.getType()) ? opening : call;
              }
            })
        .build();
  }

  private static SocketOptions socketOptions(Options options) {
    return SocketOptions.builder().connectTimeout(options.connectTimeout()).keepAlive(true).build();
  }

  /**
   * Returns whether a connection with {@code options} refuses commands while it is disconnected:
   * Lettuce 7's {@code ClientOptions.isRejectCommandsWhileDisconnected()}, spelled out with what
   * Lettuce 6.6 has too, so that the store runs on the Lettuce of a Spring Boot 3.5 application.
   */
  static boolean rejectsWhileDisconnected(ClientOptions options) {
    return switch (options.getDisconnectedBehavior()) {
      case REJECT_COMMANDS -> true;
      case ACCEPT_COMMANDS -> false;
      default -> !options.isAutoReconnect();
    };
  }

  /**
   * Returns whether {@code connection} reads from the primary: any plain connection, and a
   * master/replica one whose {@code ReadFrom} is the primary.
   */
  static boolean readsFromPrimary(StatefulRedisConnection<byte[], byte[]> connection) {
    if (connection instanceof StatefulRedisMasterReplicaConnection<byte[], byte[]> m) {
      ReadFrom from = m.getReadFrom();
      return from == null || from == ReadFrom.UPSTREAM || from == ReadFrom.MASTER;
    }
    return true;
  }

  /** Connects with {@code connect}, turning a failure into {@link StorageUnavailableException}. */
  public static <C> C connect(Supplier<C> connect, Failures failures) {
    try {
      return connect.get();
    } catch (RuntimeException e) {
      throw failures.map(e, "connecting", false);
    }
  }

  /**
   * Returns a section of INFO, empty if the server refuses the command (e.g. an ACL), waiting
   * at most {@code wait}.
   */
  public static Map<String, String> info(
      RedisClusterAsyncCommands<byte[], byte[]> redis, String section, Duration wait, Failures failures) {
    return info(redis.info(section).toCompletableFuture(), wait, failures);
  }

  /** Returns the parsed reply of an INFO already sent, empty if the server refused it. */
  public static Map<String, String> info(CompletableFuture<String> sent, Duration wait, Failures failures) {
    try {
      return parseInfo(blocking(sent, wait, "checking the server", failures));
    } catch (StorageUnavailableException e) {
      if (e.getCause() instanceof io.lettuce.core.RedisCommandExecutionException) {
        return Map.of();
      }
      throw e;
    }
  }

  /** Waits for {@code f} at most {@code wait}, mapping its failure. */
  public static <T> T blocking(CompletableFuture<T> f, Duration wait, String what, Failures failures) {
    try {
      return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException(what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw failures.map(e.getCause(), what, false);
    } catch (java.util.concurrent.TimeoutException e) {
      throw failures.map(e, what, false);
    }
  }

  private static Map<String, String> parseInfo(String info) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /** Returns a runnable that runs each of {@code steps}, even when an earlier one fails. */
  static Runnable all(Runnable... steps) {
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
}
