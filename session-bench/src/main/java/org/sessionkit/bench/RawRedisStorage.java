package org.sessionkit.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The Redis baseline ({@code raw-redis}): the same bytes, written and read with one plain Lettuce
 * command each over one shared connection, on the caller's thread (like every baseline), with
 * none of the store's code.
 *
 * <p>{@code save}: {@link SessionCodec#encode(Session)} and {@code SET <prefix>d:<id>}. {@code
 * load}: {@code GET} and {@link SessionCodec#decode} (read + parse, as for files). {@code
 * append}: {@code RPUSH <prefix>m:<id>} of the new messages, each encoded with {@link
 * SessionCodec#encodeMessage} (the list grows; the document is not touched). {@code update}:
 * under one of 64 striped locks of this JVM, {@code GET}, decode, change, encode, {@code SET}.
 * Listings, deletes, conditional writes and {@link #problems()} are not part of the baseline and
 * fail with {@link UnsupportedOperationException}. Revisions are a constant; every future is
 * already complete when returned. Thread safe (Lettuce multiplexes the callers' commands on the
 * connection); {@link #close()} closes the connection and the client.
 */
final class RawRedisStorage extends RawBaseline {

  private static final Revision REVISION = Revision.of(1);

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
  RawRedisStorage(RedisURI server, String prefix) {
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
  public CompletableFuture<Revision> save(Session session) {
    try {
      write(session);
      return CompletableFuture.completedFuture(REVISION);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Session> load(String id) {
    try {
      return CompletableFuture.completedFuture(read(id));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<VersionedSession> loadVersioned(String id) {
    return load(id).thenApply(s -> new VersionedSession(s, REVISION));
  }

  @Override
  public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
    try {
      synchronized (locks[(id.hashCode() & 0x7FFF_FFFF) % locks.length]) {
        Session s = change.apply(read(id));
        write(s);
        return CompletableFuture.completedFuture(new VersionedSession(s, REVISION));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Revision> append(String id, Append append) {
    try {
      byte[][] bodies = new byte[append.messages().size()][];
      for (int i = 0; i < bodies.length; i++) {
        bodies[i] = codec.encodeMessage(append.messages().get(i));
      }
      if (bodies.length > 0) {
        redis.rpush(key("m:", id), bodies);
      }
      return CompletableFuture.completedFuture(REVISION);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<SessionSummary>> list() {
    return RawMemoryStorage.unsupported("listing");
  }

  @Override
  public CompletableFuture<SessionPage> list(ListQuery query) {
    return RawMemoryStorage.unsupported("listing");
  }

  @Override
  public CompletableFuture<Void> delete(String id) {
    return RawMemoryStorage.unsupported("delete");
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    return RawMemoryStorage.unsupported("saveIf");
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    return RawMemoryStorage.unsupported("create");
  }

  @Override
  public CompletableFuture<Void> deleteIf(String id, Revision expected) {
    return RawMemoryStorage.unsupported("deleteIf");
  }

  @Override
  public CompletableFuture<List<ListingProblem>> problems() {
    return RawMemoryStorage.unsupported("problems");
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

  private void write(Session session) {
    redis.set(key("d:", session.id()), codec.encode(session));
  }

  private Session read(String id) {
    byte[] document = redis.get(key("d:", id));
    if (document == null) {
      throw new SessionNotFoundException("no session " + id + " in raw-redis");
    }
    return codec.decode(document, id);
  }

  private byte[] key(String kind, String id) {
    return (prefix + kind + id).getBytes(StandardCharsets.UTF_8);
  }
}
