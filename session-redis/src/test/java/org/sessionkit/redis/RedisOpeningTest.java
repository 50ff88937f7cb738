package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.sessionkit.Futures;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.SessionStorages;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;

/** Discovery, options, the builder with an application's client, credentials and refusals. */
class RedisOpeningTest {

  @Test
  void theProviderServesRedisRedissAndSentinel() {
    SessionStorageProvider p =
        ServiceLoader.load(SessionStorageProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x.name().equals("redis"))
            .findFirst()
            .orElseThrow();
    assertThat(p.schemes()).containsExactlyInAnyOrder("redis", "rediss", "redis-sentinel", "rediss-sentinel");
  }

  @Test
  void aRedisUriOpensARedisStore() {
    TestRedis.assumeServer();
    String prefix = TestRedis.newPrefix();
    try (SessionStorage s = SessionStorages.open(TestRedis.uri("prefix=" + prefix + "&timeout=3s"))) {
      assertThat(s).isInstanceOf(RedisSessionStorage.class);
      Futures.await(s.save(Sessions.plain("x", 1, Sessions.T0)), 30, SECONDS);
      assertThat(Futures.await(s.load("x"), 30, SECONDS)).isEqualTo(Sessions.plain("x", 1, Sessions.T0));
    } finally {
      TestRedis.removeKeys(prefix);
    }
  }

  @Test
  void unknownOptionsAreConfigurationErrorsNamingTheKnownOnes() {
    assertThatThrownBy(() -> SessionStorages.open("redis://127.0.0.1:6379/0?prefix=a&fsync=false"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("fsync")
        .hasMessageContaining("retention");
    assertThatThrownBy(() -> SessionStorages.open("redis://h1:6379,h2:6379/3"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("database 0 only");
  }

  @Test
  void anUnreachableServerFailsOpeningWithUnavailableAndNoPassword() {
    assertThatThrownBy(() -> SessionStorages.open("redis://alice:hunter2secret@127.0.0.1:1/0?connectTimeout=500ms"))
        .isInstanceOf(StorageUnavailableException.class)
        .satisfies(e -> {
          for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain("hunter2secret");
          }
        });
  }

  @Test
  void aclUsersAuthenticateThroughTheUriAndThePasswordStaysHidden() throws Exception {
    try (PrivateRedis server = PrivateRedis.start()) {
      server.admin(a -> a.aclSetuser("alice", AclSetuserArgs.Builder.on().addPassword("p@ss w0rd").allKeys().allCommands()));
      String uri = server.uri("prefix=acl").replace("redis://", "redis://alice:p%40ss%20w0rd@");
      try (RedisSessionStorage s = RedisSessionStorage.open(uri)) {
        Futures.await(s.save(Sessions.plain("x", 0, Sessions.T0)), 30, SECONDS);
        assertThat(s.toString()).doesNotContain("p@ss").doesNotContain("p%40ss").contains("alice");
      }
      // A user who may not run INFO or CONFIG still gets a working store.
      server.admin(a -> a.aclSetuser("bob", AclSetuserArgs.Builder.on().addPassword("bobpw")
          .allKeys().allCommands().removeCommand(CommandType.INFO).removeCommand(CommandType.CONFIG)));
      try (RedisSessionStorage s = RedisSessionStorage.open(server.uri("prefix=acl").replace("redis://", "redis://bob:bobpw@"))) {
        assertThat(Futures.await(s.load("x"), 30, SECONDS).id()).isEqualTo("x");
      }
      String wrong = server.uri("prefix=acl").replace("redis://", "redis://alice:wrongsecret@");
      assertThatThrownBy(() -> RedisSessionStorage.open(wrong))
          .isInstanceOf(StorageUnavailableException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrongsecret"));
    }
  }

  @Test
  void tlsWorksThroughARedissUriAndAnUntrustedCertificateIsRefused() throws Exception {
    try (PrivateRedis server = PrivateRedis.startTls()) {
      try (RedisSessionStorage s = RedisSessionStorage.open(server.uri("prefix=tls&verifyPeer=false"))) {
        Futures.await(s.save(Sessions.rich("over-tls")), 30, SECONDS);
        assertThat(Futures.await(s.load("over-tls"), 30, SECONDS)).isEqualTo(Sessions.rich("over-tls"));
      }
      // The certificate is self-signed: with verification (the default) the store does not open.
      assertThatThrownBy(() -> RedisSessionStorage.open(server.uri("prefix=tls&connectTimeout=5s")))
          .isInstanceOf(StorageUnavailableException.class);
      assertThatThrownBy(() -> RedisSessionStorage.open(server.uri("prefix=tls&connectTimeout=2s&timeout=1s").replace("rediss:", "redis:")))
          .isInstanceOf(StorageUnavailableException.class);
    }
  }

  @Test
  void aClusterNodeOpenedWithClusterFalseIsAConfigurationError() throws Exception {
    try (PrivateRedis node = PrivateRedis.start("--cluster-enabled", "yes")) {
      assertThatThrownBy(() -> RedisSessionStorage.open(node.uri("prefix=c&cluster=false")))
          .isInstanceOf(StorageConfigurationException.class)
          .hasMessageContaining("cluster_enabled:1");
    }
  }

  @Test
  void aPrefixHoldingAnotherLayoutOrAnotherNumberOfShardsIsRefusedClearly() {
    TestRedis.assumeServer();
    String earlier = TestRedis.newPrefix();
    String other = TestRedis.newPrefix();
    String sharded = TestRedis.newPrefix();
    try {
      // The unreleased first layout kept a store-wide revision counter at P rev.
      TestRedis.raw(r -> r.set(TestRedis.bytes(earlier + "rev"), TestRedis.bytes("41")));
      assertThatThrownBy(() -> TestRedis.open(earlier))
          .isInstanceOf(StorageConfigurationException.class)
          .hasMessageContaining("earlier, unreleased layout")
          .hasMessageContaining(earlier + "rev");
      TestRedis.raw(r -> r.hset(TestRedis.bytes(other + "meta"), java.util.Map.of(
          TestRedis.bytes("layout"), TestRedis.bytes("3"), TestRedis.bytes("shards"), TestRedis.bytes("1"))));
      assertThatThrownBy(() -> TestRedis.open(other))
          .isInstanceOf(StorageConfigurationException.class)
          .hasMessageContaining("layout 3")
          .hasMessageContaining("knows layout 2");
      try (RedisSessionStorage four = RedisSessionStorage.open(TestRedis.uri("prefix=" + sharded + "&shards=4"))) {
        assertThat(four.shards()).isEqualTo(4);
      }
      assertThatThrownBy(() -> RedisSessionStorage.open(TestRedis.uri("prefix=" + sharded + "&shards=8")))
          .isInstanceOf(StorageConfigurationException.class)
          .hasMessageContaining("4 shards");
      try (RedisSessionStorage again = TestRedis.open(sharded)) {
        assertThat(again.shards()).as("a store without the option adopts the prefix's shards").isEqualTo(4);
        assertThat(again.kind()).isEqualTo("redis");
        assertThat(again.topology()).isEqualTo("single");
      }
    } finally {
      TestRedis.removeKeys(earlier);
      TestRedis.removeKeys(other);
      TestRedis.removeKeys(sharded);
    }
  }

  @Test
  void anApplicationsClientAndConnectionStayOpenWhenTheStoreCloses() {
    TestRedis.assumeServer();
    String prefix = TestRedis.newPrefix();
    RedisClient client = RedisClient.create(RedisURI.create(TestRedis.URL));
    client.setOptions(ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    try (StatefulRedisConnection<byte[], byte[]> mine = client.connect(ByteArrayCodec.INSTANCE)) {
      try (RedisSessionStorage s = RedisSessionStorage.builder().client(client).prefix(prefix).timeout(Duration.ofSeconds(5)).build()) {
        Futures.await(s.save(Sessions.plain("c", 0, Sessions.T0)), 30, SECONDS);
      }
      try (RedisSessionStorage s = RedisSessionStorage.builder().connection(mine).prefix(prefix).build()) {
        assertThat(Futures.await(s.load("c"), 30, SECONDS).id()).isEqualTo("c");
      }
      assertThat(mine.isOpen()).isTrue();
      assertThat(mine.sync().ping()).isEqualTo("PONG");
      try (StatefulRedisConnection<String, String> again = client.connect()) {
        assertThat(again.sync().ping()).isEqualTo("PONG");
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      TestRedis.removeKeys(prefix);
    }
  }

  @Test
  void aBuilderWithoutAServerIsAConfigurationError() {
    assertThatThrownBy(() -> RedisSessionStorage.builder().build())
        .isInstanceOf(StorageConfigurationException.class);
    assertThatThrownBy(() -> RedisSessionStorage.builder().prefix("no{braces}"))
        .isInstanceOf(StorageConfigurationException.class);
  }
}
