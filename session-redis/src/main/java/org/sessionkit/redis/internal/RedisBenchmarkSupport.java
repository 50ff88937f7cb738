package org.sessionkit.redis.internal;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
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
 * {@code SCAN} + {@code UNLINK}. The baseline is {@link RedisBaseline}. Stateless.
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
    return "SessionCodec.encode + SET of the document; GET + decode (Lettuce, one connection)";
  }

  @Override
  public Optional<String> probe(String uri) {
    try {
      String pong = withConnection(uri, redis -> redis.ping());
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
    return new RedisBaseline(redisUri(uri), keyPrefix(namespace));
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

  /** The server of a store URI, without the store's options, with a long command timeout. */
  static RedisURI redisUri(String uri) {
    RedisURI u = StoreUri.parse(uri).redisUri();
    u.setTimeout(Duration.ofSeconds(30));
    return u;
  }

  /** Removes every key starting with {@code prefix} (which has no glob characters). */
  private static long unlink(String uri, String prefix) {
    return withConnection(uri, redis -> {
      long removed = 0;
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
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

  private static <T> T withConnection(String uri, Function<RedisCommands<byte[], byte[]>, T> action) {
    RedisURI u = redisUri(uri);
    u.setTimeout(Duration.ofSeconds(3));
    RedisClient client = RedisClient.create(u);
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      c.setTimeout(Duration.ofSeconds(60));
      return action.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
