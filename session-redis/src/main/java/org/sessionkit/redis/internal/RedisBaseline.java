package org.sessionkit.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
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
 * command each over one shared connection, with none of the store's code.
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

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisCommands<byte[], byte[]> redis;
  private final String prefix;
  private final SessionCodec codec = SessionCodec.defaults();
  private final Object[] locks = new Object[64];

  /**
   * Connects to {@code server}; keys start with {@code prefix}.
   *
   * @throws io.lettuce.core.RedisConnectionException if the server can't be reached
   */
  RedisBaseline(RedisURI server, String prefix) {
    this.prefix = prefix;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
    this.client = RedisClient.create(server);
    try {
      this.connection = client.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw e;
    }
    this.redis = connection.sync();
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
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
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
