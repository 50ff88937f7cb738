package org.sessionkit.redis.internal;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.spi.BenchmarkBaseline;
import org.sessionkit.spi.BenchmarkSupport;

/**
 * The Redis store in the benchmark: a namespace is a key prefix ({@code sessionkit-bench:<namespace>:},
 * the store's {@code prefix} option; the baseline uses another), whose keys are removed with
 * {@code SCAN} + {@code UNLINK}. The baseline is {@link RedisBaseline}. On a Redis Cluster (a URI
 * with several seed nodes, {@code cluster=true}, or one node that reports {@code
 * cluster_enabled:1}, as the store decides) the baseline and the clean-up use Lettuce's cluster
 * client, whose {@code SCAN} walks every primary and whose {@code UNLINK} splits the keys by
 * slot. Stateless.
 */
final class RedisBenchmarkSupport implements BenchmarkSupport {

  /** The local development server. */
  static final String DEVELOPMENT_URI = "redis://127.0.0.1:6379";

  /** What every key prefix of the benchmark starts with. */
  static final String KEY_PREFIX = "sessionkit-bench:";

  @Override
  public Optional<String> developmentUri() {
    return Optional.of(DEVELOPMENT_URI);
  }

  @Override
  public String baselineDescription() {
    return "SessionCodec.encode + SET of the document; GET + decode; RPUSH of the new messages"
        + " (Lettuce, one connection; on a cluster, one cluster connection)";
  }

  @Override
  public Optional<String> probe(String uri) {
    try {
      String pong = withCommands(uri, redis -> redis.ping());
      return "PONG".equalsIgnoreCase(pong) ? Optional.empty() : Optional.of("PING answered " + pong);
    } catch (RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  @Override
  public SessionStorage openStore(String uri, String namespace) {
    String option = "prefix=" + keyPrefix(namespace);
    return SessionStorages.open(
        uri + (uri.contains("?") ? "&" : "?") + option, List.of(new RedisSessionStorageProvider()));
  }

  @Override
  public BenchmarkBaseline openBaseline(String uri, String namespace) {
    StoreUri parsed = StoreUri.parse(uri);
    return cluster(parsed)
        ? RedisBaseline.cluster(serverUris(parsed), keyPrefix(namespace))
        : RedisBaseline.single(serverUris(parsed).get(0), keyPrefix(namespace));
  }

  @Override
  public void dropNamespace(String uri, String namespace) {
    unlink(uri, keyPrefix(namespace));
  }

  @Override
  public int dropNamespaces(String uri, String prefix) {
    // counts keys, not namespaces: zero still means nothing was left behind
    return (int) unlink(uri, KEY_PREFIX + prefix);
  }

  /** The key prefix of a namespace. */
  static String keyPrefix(String namespace) {
    return KEY_PREFIX + namespace + ":";
  }

  /** The servers of a store URI (one, the seed nodes or a sentinel URI), with a long command timeout. */
  private static List<RedisURI> serverUris(StoreUri uri) {
    List<RedisURI> nodes = new ArrayList<>();
    for (RedisURI n : uri.nodes()) {
      n.setTimeout(Duration.ofSeconds(30));
      nodes.add(n);
    }
    return nodes;
  }

  /**
   * Whether {@code uri} names a Redis Cluster, decided as the store decides: several seed nodes
   * or {@code cluster=true} say so, {@code cluster=false} and Sentinel say not, and otherwise the
   * server is asked ({@code INFO cluster}).
   */
  static boolean cluster(StoreUri uri) {
    if (uri.topology() == StoreUri.Topology.CLUSTER) {
      return true;
    }
    if (uri.topology() == StoreUri.Topology.SENTINEL || uri.cluster().isPresent()) {
      return uri.cluster().orElse(false);
    }
    RedisURI u = serverUris(uri).get(0);
    u.setTimeout(Duration.ofSeconds(3));
    RedisClient client = RedisClient.create(u);
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      return c.sync().info("cluster").contains("cluster_enabled:1");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Removes every key starting with {@code prefix} (which has no glob characters). */
  private static long unlink(String uri, String prefix) {
    return withCommands(uri, redis -> {
      long removed = 0;
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        // on a cluster this SCAN walks every primary in turn (Lettuce's cluster cursor), and
        // UNLINK sends the keys of each slot to the node that serves it
        KeyScanCursor<byte[]> page =
            redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
        if (!page.getKeys().isEmpty()) {
          removed += redis.unlink(page.getKeys().toArray(new byte[0][]));
        }
        cursor = page;
      } while (!cursor.isFinished());
      return removed;
    });
  }

  /** Runs {@code action} on a connection of its own: one server's, or a cluster connection. */
  private static <T> T withCommands(String uri, Function<RedisClusterCommands<byte[], byte[]>, T> action) {
    StoreUri parsed = StoreUri.parse(uri);
    List<RedisURI> nodes = serverUris(parsed);
    nodes.forEach(n -> n.setTimeout(Duration.ofSeconds(3)));
    if (cluster(parsed)) {
      RedisClusterClient client = RedisClusterClient.create(nodes);
      try (StatefulRedisClusterConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
        c.setTimeout(Duration.ofSeconds(60));
        return action.apply(c.sync());
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
    RedisClient client = RedisClient.create(nodes.get(0));
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      c.setTimeout(Duration.ofSeconds(60));
      return action.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
