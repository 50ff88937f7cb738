package org.sessionkit.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sessionkit.SessionStorage;
import org.sessionkit.redis.internal.KeyLayout;
import org.sessionkit.tck.Capability;
import org.sessionkit.tck.SessionStorageCompatibilityKit;
import org.sessionkit.tck.TckScale;

/**
 * The whole conformance kit, at its smoke scale, against a Redis Cluster of 3 primaries with a
 * replica each, started on free ports for the test classes of this JVM ({@link
 * PrivateCluster#shared()}) and stopped when it ends, also when a check fails. Every store works under a prefix of its own with the cluster default of 16 shards, so
 * the sessions of each store are spread over all three primaries. The stores share one cluster
 * client (opening a client per store would cost the run more than the checks).
 */
class RedisClusterTckTest extends SessionStorageCompatibilityKit {

  private static PrivateCluster cluster;
  private static RedisClusterClient client;
  private static RedisClusterClient adminClient;
  private static StatefulRedisClusterConnection<byte[], byte[]> admin;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PrivateCluster.shared();
    List<RedisURI> seeds = cluster.nodes().stream()
        .map(n -> RedisURI.Builder.redis("127.0.0.1", n.port).withTimeout(Duration.ofSeconds(10)).build())
        .collect(Collectors.toList());
    client = RedisClusterClient.create(seeds);
    client.setOptions(ClusterClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    // The test's own connection queues commands until its node connections are up.
    adminClient = RedisClusterClient.create(seeds);
    admin = adminClient.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (admin != null) {
        admin.close();
      }
      if (client != null) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      if (adminClient != null) {
        adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    } finally {
      cluster = null; // shared: stopped when the JVM ends
    }
  }

  private static RedisSessionStorage open(String prefix) {
    return RedisSessionStorage.builder().clusterClient(client).prefix(prefix).timeout(Duration.ofSeconds(10)).build();
  }

  @Override
  protected SessionStorage newStorage() {
    return open("tck-" + UUID.randomUUID().toString().substring(0, 13));
  }

  @Override
  protected SessionStorage reopen(SessionStorage previous) {
    return open(((RedisSessionStorage) previous).prefix());
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  protected TckScale scale() {
    return TckScale.SMOKE;
  }

  /** Replaces the session's head hash with a plain string, as a stray {@code SET} would. */
  @Override
  protected void corrupt(SessionStorage store, String id) {
    RedisSessionStorage r = (RedisSessionStorage) store;
    byte[] head = KeyLayout.of(r.prefix(), r.shards()).head(id).getBytes(StandardCharsets.UTF_8);
    admin.sync().del(head);
    admin.sync().set(head, "not a session".getBytes(StandardCharsets.UTF_8));
  }

  /** Writes bytes that are not JSON over the session's last message; its head stays intact. */
  @Override
  protected boolean corruptBody(SessionStorage store, String id) {
    RedisSessionStorage r = (RedisSessionStorage) store;
    byte[] messages = KeyLayout.of(r.prefix(), r.shards()).messages(id).getBytes(StandardCharsets.UTF_8);
    admin.sync().lset(messages, -1, "{\"role\": \"us".getBytes(StandardCharsets.UTF_8));
    return true;
  }

  @Override
  protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
    return Optional.of(RedisSessionStorage.builder().clusterClient(client)
        .prefix("tck-" + UUID.randomUUID().toString().substring(0, 13)).timeout(Duration.ofSeconds(10))
        .retention(retention).clock(clock).build());
  }
}
