package org.sessionkit.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared test server: {@code SESSIONKIT_TEST_REDIS_URL}, by default {@code
 * redis://127.0.0.1:6379}. Tests work under their own key prefix and remove it afterwards. When
 * no server answers, tests are skipped with a message saying how to start one, except with
 * {@code CI} set, where they fail.
 */
final class TestRedis {

  static final String URL = env("SESSIONKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private static volatile Boolean reachable;

  private TestRedis() {}

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Skips (or, with {@code CI} set, fails) the calling test when no server answers. */
  static void assumeServer() {
    if (reachable == null) {
      reachable = answers();
    }
    if (!reachable) {
      String message =
          "no Redis server answers at " + org.sessionkit.spi.StorageUri.redact(URL)
              + ": start one with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379"
              + " --save \"\" --appendonly no` or set SESSIONKIT_TEST_REDIS_URL";
      if (System.getenv("CI") != null) {
        Assertions.fail(message + " (CI is set, so this fails instead of skipping)");
      }
      Assumptions.abort(message);
    }
  }

  /** A cheap reachability check: a TCP connect with a short timeout, then a PING. */
  private static boolean answers() {
    RedisURI uri = RedisURI.create(URL.replaceFirst("\\?.*$", ""));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
    } catch (java.io.IOException e) {
      return false;
    }
    try {
      raw(redis -> redis.ping());
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Returns a fresh prefix for one test class or test. */
  static String newPrefix() {
    return "sessionkit-test:" + UUID.randomUUID().toString().substring(0, 13) + ":";
  }

  /** Returns the store URI of the test server with {@code options} (e.g. {@code prefix=x}). */
  static String uri(String options) {
    return URL + (URL.contains("?") ? "&" : "?") + options;
  }

  /** Opens a store on the test server under {@code prefix}. */
  static RedisSessionStorage open(String prefix) {
    return RedisSessionStorage.open(uri("prefix=" + prefix + "&timeout=10s"));
  }

  /** Runs {@code action} with a raw connection to the test server. */
  static void raw(Consumer<RedisCommands<byte[], byte[]>> action) {
    RedisClient client = RedisClient.create(RedisURI.create(URL.replaceFirst("\\?.*$", "")));
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      c.setTimeout(Duration.ofSeconds(30));
      action.accept(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Waits for {@code f} (30 s at most), as the tests do; its failure is thrown bare. */
  static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
    return org.sessionkit.Futures.await(f, 30, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Removes every key under {@code prefix}. */
  static void removeKeys(String prefix) {
    if (!Boolean.TRUE.equals(reachable)) {
      return;
    }
    raw(redis -> {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<byte[]> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
        if (!page.getKeys().isEmpty()) {
          redis.unlink(page.getKeys().toArray(new byte[0][]));
        }
        cursor = page;
      } while (!cursor.isFinished());
    });
  }

  /** Counts the keys under {@code prefix}. */
  static long countKeys(String prefix) {
    long[] n = {0};
    raw(redis -> {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<byte[]> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
        n[0] += page.getKeys().size();
        cursor = page;
      } while (!cursor.isFinished());
    });
    return n[0];
  }

  /** The head key of {@code id} under {@code prefix} with one shard (the default on one server). */
  static String head(String prefix, String id) {
    return org.sessionkit.redis.internal.KeyLayout.of(prefix, 1).head(id);
  }

  /** The message list key of {@code id} under {@code prefix} with one shard. */
  static String messages(String prefix, String id) {
    return org.sessionkit.redis.internal.KeyLayout.of(prefix, 1).messages(id);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
