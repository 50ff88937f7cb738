package org.sessionkit.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.sessionkit.SessionStorage;
import org.sessionkit.redis.internal.KeyLayout;
import org.sessionkit.tck.Capability;
import org.sessionkit.tck.SessionStorageCompatibilityKit;

/**
 * The whole conformance kit against the Redis test server, with every capability: persistent
 * (a reopened client sees the same keys), several instances on one prefix, and corruptible
 * entries. Every store the kit asks for works under a key prefix of its own; all of them are
 * removed after the run.
 */
class RedisSessionStorageTckTest extends SessionStorageCompatibilityKit {

  private static final List<String> PREFIXES = new CopyOnWriteArrayList<>();

  @BeforeEach
  void requireServer() {
    TestRedis.assumeServer();
  }

  @AfterAll
  static void removeKeys() {
    PREFIXES.forEach(TestRedis::removeKeys);
  }

  @Override
  protected SessionStorage newStorage() {
    String prefix = TestRedis.newPrefix();
    PREFIXES.add(prefix);
    return TestRedis.open(prefix);
  }

  @Override
  protected SessionStorage reopen(SessionStorage previous) {
    return TestRedis.open(((RedisSessionStorage) previous).prefix());
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  /**
   * Replaces the session's head hash with a plain string, as a stray {@code SET} by another
   * application would: listings see it (they read the heads) and loads refuse it.
   */
  @Override
  protected void corrupt(SessionStorage store, String id) {
    RedisSessionStorage r = (RedisSessionStorage) store;
    String head = KeyLayout.of(r.prefix(), r.shards()).head(id);
    TestRedis.raw(redis -> {
      redis.del(TestRedis.bytes(head));
      redis.set(TestRedis.bytes(head), TestRedis.bytes("not a session"));
    });
  }

  /** Writes bytes that are not JSON over the session's last message; its head stays intact. */
  @Override
  protected boolean corruptBody(SessionStorage store, String id) {
    RedisSessionStorage r = (RedisSessionStorage) store;
    String messages = KeyLayout.of(r.prefix(), r.shards()).messages(id);
    TestRedis.raw(redis -> redis.lset(TestRedis.bytes(messages), -1, TestRedis.bytes("{\"role\": \"us")));
    return true;
  }

  @Override
  protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
    String prefix = TestRedis.newPrefix();
    PREFIXES.add(prefix);
    return Optional.of(RedisSessionStorage.builder().uri(TestRedis.uri("prefix=" + prefix + "&timeout=10s"))
        .retention(retention).clock(clock).build());
  }
}
