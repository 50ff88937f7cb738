package org.sessionkit.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.spi.BenchmarkBaseline;
import org.sessionkit.spi.SessionCodec;

/**
 * The Redis baseline ({@code raw-redis}): the same bytes, written and read with one plain Lettuce
 * command each over one shared connection, with none of the store's code. On a Redis Cluster the
 * connection is a Lettuce cluster connection, which sends each command to the primary serving
 * its key's slot (the keys have no hash tag: the sessions spread over every primary).
 *
 * <p>{@code save}: {@link SessionCodec#encode(Session)} and {@code SET <prefix>d:<id>}. {@code
 * load}: {@code GET} and {@link SessionCodec#decode} (read + parse, as for files). {@code
 * append}: {@code RPUSH <prefix>m:<id>} of the new messages, each encoded with {@link
 * SessionCodec#encodeMessage} (the list grows; the document is not touched). {@code update}:
 * under one of 64 striped locks of this JVM, {@code GET}, decode, change, encode, {@code SET}.
 * Thread safe (Lettuce multiplexes the callers' commands on the connection); {@link #close()}
 * closes the connection and the client.
 */
final class RedisBaseline implements BenchmarkBaseline {

  private final Runnable shutdown;
  private final StatefulConnection<byte[], byte[]> connection;
  private final RedisClusterCommands<byte[], byte[]> redis;
  private final String prefix;
  private final SessionCodec codec = SessionCodec.defaults();
  private final Object[] locks = new Object[64];

  private RedisBaseline(
      StatefulConnection<byte[], byte[]> connection, RedisClusterCommands<byte[], byte[]> redis,
      Runnable shutdown, String prefix) {
    this.connection = connection;
    this.redis = redis;
    this.shutdown = shutdown;
    this.prefix = prefix;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * Connects to one server (or the primary a Sentinel URI names); keys start with {@code prefix}.
   *
   * @throws io.lettuce.core.RedisConnectionException if the server can't be reached
   */
  static RedisBaseline single(RedisURI server, String prefix) {
    RedisClient client = RedisClient.create(server);
    Runnable shutdown = () -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    StatefulRedisConnection<byte[], byte[]> c;
    try {
      c = client.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      shutdown.run();
      throw e;
    }
    return new RedisBaseline(c, c.sync(), shutdown, prefix);
  }

  /**
   * Connects to the Redis Cluster of the {@code seeds}; keys start with {@code prefix}.
   *
   * @throws io.lettuce.core.RedisConnectionException if no seed node can be reached
   */
  static RedisBaseline cluster(List<RedisURI> seeds, String prefix) {
    RedisClusterClient client = RedisClusterClient.create(seeds);
    Runnable shutdown = () -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    StatefulRedisClusterConnection<byte[], byte[]> c;
    try {
      c = client.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      shutdown.run();
      throw e;
    }
    return new RedisBaseline(c, c.sync(), shutdown, prefix);
  }

  @Override
  public void save(Session session) {
    redis.set(key("d:", session.id()), codec.encode(session));
  }

  @Override
  public Session load(String id) {
    byte[] document = redis.get(key("d:", id));
    if (document == null) {
      throw new SessionNotFoundException("no session " + id + " in raw-redis");
    }
    return codec.decode(document, id);
  }

  @Override
  public void append(String id, List<Message> messages) {
    byte[][] bodies = new byte[messages.size()][];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = codec.encodeMessage(messages.get(i));
    }
    if (bodies.length > 0) {
      redis.rpush(key("m:", id), bodies);
    }
  }

  @Override
  public Session update(String id, UnaryOperator<Session> change) {
    synchronized (locks[(id.hashCode() & 0x7FFF_FFFF) % locks.length]) {
      Session s = change.apply(load(id));
      save(s);
      return s;
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      shutdown.run();
    }
  }

  @Override
  public String toString() {
    return "raw-redis:" + prefix;
  }

  private byte[] key(String kind, String id) {
    return (prefix + kind + id).getBytes(StandardCharsets.UTF_8);
  }
}
