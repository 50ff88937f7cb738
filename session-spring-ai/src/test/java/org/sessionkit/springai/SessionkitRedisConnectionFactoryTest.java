package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.redis.RedisSessionStorage;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.RedisStaticMasterReplicaConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@code sessionkit.redis.use-connection-factory=true} on both Boot lines: the Redis store runs on
 * the Lettuce client of the application's connection factory (the one Boot's own Redis
 * auto-configuration creates from {@code spring.data.redis.*}), closes only its own connections,
 * and a factory it can't use fails the start with a message naming the property. One server,
 * Sentinel and Redis Cluster (private servers of the test's own, on free ports) are covered.
 *
 * <p>The server is {@code SESSIONKIT_TEST_REDIS_URL}, by default {@value #DEFAULT_URL}; without
 * one the tests that need it are skipped with a message, except with {@code CI} set, where they
 * fail. Each test works under a key prefix and a client name of its own and removes its keys.
 */
class SessionkitRedisConnectionFactoryTest {

  static final String DEFAULT_URL = "redis://127.0.0.1:6379";

  /** Not database 0: the store must use the factory's database, so its keys are looked for there. */
  private static final int DATABASE = 7;

  private static volatile Boolean reachable;

  private final String url =
      System.getenv().getOrDefault("SESSIONKIT_TEST_REDIS_URL", DEFAULT_URL).replaceFirst("\\?.*$", "");
  private final RedisURI server = RedisURI.create(url);
  private final String prefix = "sessionkit-test-boot:" + UUID.randomUUID().toString().substring(0, 13) + ":";
  private final String clientName = "sessionkit-test-boot-" + UUID.randomUUID().toString().substring(0, 8);

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(
              bootRedisAutoConfiguration(), ChatMemoryAutoConfiguration.class, SessionkitChatMemoryAutoConfiguration.class));

  /** Boot 4's Redis auto-configuration, or Boot 3.5's (another package and name). */
  private static Class<?> bootRedisAutoConfiguration() {
    for (String name : List.of(
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration")) {
      try {
        return Class.forName(name);
      } catch (ClassNotFoundException e) {
        // the other line
      }
    }
    throw new AssertionError("neither Boot 4's nor Boot 3.5's Redis auto-configuration is on the class path");
  }

  @AfterEach
  void removeKeys() {
    if (!Boolean.TRUE.equals(reachable)) {
      return;
    }
    for (int db : List.of(0, DATABASE)) {
      admin(db, redis -> {
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
          KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
          if (!page.getKeys().isEmpty()) {
            redis.unlink(page.getKeys().toArray(new String[0]));
          }
          cursor = page;
        } while (!cursor.isFinished());
        return null;
      });
    }
  }

  @Test
  void theStoreRunsOnTheFactorysClientInItsDatabaseAndClosesOnlyItsOwnConnections() {
    assumeServer();
    List<String> properties = new ArrayList<>(List.of(
        "spring.data.redis.host=" + server.getHost(),
        "spring.data.redis.port=" + server.getPort(),
        "spring.data.redis.database=" + DATABASE,
        "spring.data.redis.client-name=" + clientName,
        "sessionkit.redis.use-connection-factory=true",
        "sessionkit.redis.prefix=" + prefix,
        "sessionkit.redis.timeout=7s"));
    String userInfo = java.net.URI.create(url).getUserInfo();
    if (userInfo != null) {
      // user:password, or a password alone (redis://:password@host)
      int colon = userInfo.indexOf(':');
      if (colon > 0) {
        properties.add("spring.data.redis.username=" + userInfo.substring(0, colon));
      }
      properties.add("spring.data.redis.password=" + (colon < 0 ? userInfo : userInfo.substring(colon + 1)));
    }
    runner.withPropertyValues(properties.toArray(new String[0])).run(context -> {
      assertThat(context).hasNotFailed();
      LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
      AbstractRedisClient client = factory.getRequiredNativeClient();
      SessionStorage storage = context.getBean(SessionStorage.class);
      assertThat(storage).isInstanceOf(RedisSessionStorage.class);
      assertThat(((RedisSessionStorage) storage).prefix()).isEqualTo(prefix);
      assertThat(storage.toString()).contains("application client");

      // Writes through the chat memory (the application's path) and through the store land in
      // the factory's database, under the prefix, and read back.
      context.getBean(ChatMemory.class).add("c1", new UserMessage("hi"));
      assertThat(context.getBean(ChatMemory.class).get("c1")).extracting(m -> m.getText()).containsExactly("hi");
      storage.save(Session.create("s1", "/").withMessage(Message.user("hello"))).join();
      assertThat(storage.load("s1").join().messages()).hasSize(1);
      assertThat(keys(DATABASE)).isPositive();
      assertThat(keys(0)).isZero();

      // The store's two connections are the factory client's: they carry its client name.
      long withStore = awaitConnections(n -> n >= 2);
      storage.close();
      long withoutStore = awaitConnections(n -> n == withStore - 2);
      assertThat(withoutStore).isEqualTo(withStore - 2);
      assertThatThrownBy(() -> storage.ping().join()).hasCauseInstanceOf(StorageClosedException.class);

      // Closing the store left the factory and its client alone.
      assertThat(factory.isRunning()).isTrue();
      assertThat(factory.getRequiredNativeClient()).isSameAs(client);
      try (RedisConnection c = factory.getConnection()) {
        assertThat(c.ping()).isEqualTo("PONG");
      }
    });
    // Spring closed the factory (and so every connection of its client) after the store.
    assertThat(awaitConnections(n -> n == 0)).isZero();
    assertThat(awaitStoreThreads()).as("threads of the store still alive after the context closed").isEmpty();
  }

  @Test
  void closingTheContextClosesTheStoreWhileTheFactoryIsStillUpThenEveryConnection() {
    assumeServer();
    Probe[] probe = new Probe[1];
    runner
        .withUserConfiguration(ProbeConfiguration.class)
        .withPropertyValues(
            "spring.data.redis.host=" + server.getHost(),
            "spring.data.redis.port=" + server.getPort(),
            "spring.data.redis.client-name=" + clientName,
            "sessionkit.redis.use-connection-factory=true",
            "sessionkit.redis.prefix=" + prefix)
        .run(context -> {
          assertThat(context).hasNotFailed();
          SessionStorage storage = context.getBean(SessionStorage.class);
          storage.save(Session.create("s1", "/").withMessage(Message.user("hello"))).join();
          assertThat(awaitConnections(n -> n >= 2)).isGreaterThanOrEqualTo(2);
          probe[0] = context.getBean(Probe.class);
        });
    // When the factory was about to stop (and shut its client down), the store was closed already.
    assertThat(probe[0].seen).isEqualTo("factory running=true, store closed=true");
    assertThat(awaitConnections(n -> n == 0)).isZero();
    assertThat(awaitStoreThreads()).isEmpty();
  }

  /** Registers the {@link Probe}. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class ProbeConfiguration {
    @org.springframework.context.annotation.Bean
    Probe probe(LettuceConnectionFactory factory, SessionStorage storage) {
      return new Probe(factory, storage);
    }
  }

  /**
   * Stopped in the factory's own lifecycle phase, and before the factory because it depends on
   * it: records whether, at that moment, the factory still ran and the store was closed.
   */
  static final class Probe implements org.springframework.context.SmartLifecycle {
    private final LettuceConnectionFactory factory;
    private final SessionStorage storage;
    private volatile boolean running;
    volatile String seen = "not stopped";

    Probe(LettuceConnectionFactory factory, SessionStorage storage) {
      this.factory = factory;
      this.storage = storage;
    }

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      boolean closed;
      try {
        storage.ping().join();
        closed = false;
      } catch (java.util.concurrent.CompletionException e) {
        closed = e.getCause() instanceof StorageClosedException;
      }
      seen = "factory running=" + factory.isRunning() + ", store closed=" + closed;
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return factory.getPhase();
    }
  }

  @Test
  void aSentinelFactorysStoreReachesThePrimaryTheSentinelNames() throws Exception {
    String redisServer = binary("redis-server");
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sessionkit-boot-sentinel");
    List<Process> processes = new ArrayList<>();
    try {
      int primary = freePort();
      int sentinel = freePort();
      processes.add(new ProcessBuilder(redisServer, "--port", Integer.toString(primary), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("primary.log").toFile()).start());
      java.nio.file.Path conf = dir.resolve("sentinel.conf");
      java.nio.file.Files.writeString(conf, String.join("\n",
          "port " + sentinel, "bind 127.0.0.1", "dir " + dir,
          "sentinel monitor mymaster 127.0.0.1 " + primary + " 1", ""));
      processes.add(new ProcessBuilder(redisServer, conf.toString(), "--sentinel")
          .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start());
      RedisURI primaryUri = RedisURI.create("redis://127.0.0.1:" + primary);
      RedisURI sentinelUri = RedisURI.create("redis://127.0.0.1:" + sentinel);
      awaitTrue(() -> "PONG".equals(on(primaryUri, RedisCommands::ping)), "the private primary answers");
      awaitTrue(() -> {
        RedisClient client = RedisClient.create();
        try (var c = client.connectSentinel(sentinelUri)) {
          return ((InetSocketAddress) c.sync().getMasterAddrByName("mymaster")).getPort() == primary;
        } finally {
          client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
      }, "the sentinel names the primary");
      runner
          .withPropertyValues(
              "spring.data.redis.sentinel.master=mymaster",
              "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel,
              "spring.data.redis.client-name=" + clientName,
              "sessionkit.redis.use-connection-factory=true",
              "sessionkit.redis.prefix=" + prefix)
          .run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(LettuceConnectionFactory.class).isRedisSentinelAware()).isTrue();
            SessionStorage storage = context.getBean(SessionStorage.class);
            storage.save(Session.create("s1", "/").withMessage(Message.user("hello"))).join();
            assertThat(storage.load("s1").join().messages()).hasSize(1);
            // The keys are on the primary the sentinel named, reached through the factory's client.
            List<String> keys = on(primaryUri, c -> c.keys(prefix + "*"));
            assertThat(keys).isNotEmpty();
            long named = on(primaryUri, c -> c.clientList().lines().filter(l -> l.contains(" name=" + clientName + " ")).count());
            assertThat(named).isGreaterThanOrEqualTo(2);
          });
    } finally {
      for (Process p : processes) {
        p.destroyForcibly().waitFor();
      }
      try (var files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void aClusterFactorysStoreRunsOnItsClusterClient() throws Exception {
    String redisServer = binary("redis-server");
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sessionkit-boot-cluster");
    Process node = null;
    try {
      int port = freePort();
      // A cluster of one primary that serves every slot: enough for the cluster client's path.
      node = new ProcessBuilder(redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--cluster-enabled", "yes",
          "--cluster-config-file", dir.resolve("nodes.conf").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile()).start();
      RedisURI nodeUri = RedisURI.create("redis://127.0.0.1:" + port);
      awaitTrue(() -> "PONG".equals(on(nodeUri, RedisCommands::ping)), "the private cluster node answers");
      on(nodeUri, c -> c.clusterAddSlots(java.util.stream.IntStream.range(0, 16384).toArray()));
      awaitTrue(() -> on(nodeUri, c -> c.clusterInfo()).contains("cluster_state:ok"), "the cluster is ok");
      runner
          .withPropertyValues(
              "spring.data.redis.cluster.nodes=127.0.0.1:" + port,
              "spring.data.redis.client-name=" + clientName,
              "sessionkit.redis.use-connection-factory=true",
              "sessionkit.redis.prefix=" + prefix,
              "sessionkit.redis.shards=4")
          .run(context -> {
            assertThat(context).hasNotFailed();
            LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
            assertThat(factory.getRequiredNativeClient()).isInstanceOf(io.lettuce.core.cluster.RedisClusterClient.class);
            RedisSessionStorage storage = (RedisSessionStorage) context.getBean(SessionStorage.class);
            assertThat(storage.topology()).isEqualTo("cluster");
            assertThat(storage.shards()).isEqualTo(4);
            assertThat(storage.toString()).contains("application cluster client");
            storage.save(Session.create("s1", "/").withMessage(Message.user("hello"))).join();
            assertThat(storage.load("s1").join().messages()).hasSize(1);
            List<String> keys = on(nodeUri, c -> c.keys(prefix + "*"));
            assertThat(keys).isNotEmpty();
          });
    } finally {
      if (node != null) {
        node.destroyForcibly().waitFor();
      }
      try (var files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** Runs {@code action} on a connection of the test's own to {@code uri}. */
  private static <T> T on(RedisURI uri, Function<RedisCommands<String, String>, T> action) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.setTimeout(Duration.ofSeconds(5));
      return action.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not up yet
      }
      sleep();
    }
    throw new AssertionError("not reached in 30 s: " + what);
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** The path of {@code name} on the PATH; skips the test (fails it with {@code CI} set) without it. */
  private static String binary(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
      java.nio.file.Path p = java.nio.file.Path.of(d, name);
      if (java.nio.file.Files.isExecutable(p)) {
        return p.toString();
      }
    }
    String why = "no " + name + " binary on the PATH: the Sentinel test starts a private primary and sentinel";
    if (System.getenv("CI") != null) {
      fail(why + " (CI is set, so this fails instead of skipping)");
    }
    Assumptions.abort(why);
    throw new IllegalStateException("unreachable");
  }

  @Test
  void aJedisFactoryFailsTheStartNamingThePropertyAndWhatIsSupported() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SessionkitChatMemoryAutoConfiguration.class))
        .withBean(RedisConnectionFactory.class,
            () -> new JedisConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379)))
        .withPropertyValues("sessionkit.redis.use-connection-factory=true")
        .run(context -> {
          assertThat(context).hasFailed();
          Throwable cause = rootOf(context.getStartupFailure(), StorageConfigurationException.class);
          assertThat(cause.getMessage())
              .contains("sessionkit.redis.use-connection-factory=true", "LettuceConnectionFactory",
                  JedisConnectionFactory.class.getName(), "Jedis is not supported", "sessionkit.store-uri");
        });
  }

  @Test
  void aStaticPrimaryReplicaFactoryFailsTheStartNamingWhatIsSupported() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SessionkitChatMemoryAutoConfiguration.class))
        .withBean(LettuceConnectionFactory.class,
            () -> new LettuceConnectionFactory(new RedisStaticMasterReplicaConfiguration("127.0.0.1", 6379)))
        .withPropertyValues("sessionkit.redis.use-connection-factory=true")
        .run(context -> {
          assertThat(context).hasFailed();
          Throwable cause = rootOf(context.getStartupFailure(), StorageConfigurationException.class);
          assertThat(cause.getMessage())
              .contains("sessionkit.redis.use-connection-factory=true", "static primary/replica", "Sentinel");
        });
  }

  @Test
  void withoutTheFlagTheFactoryIsNotUsed() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SessionkitChatMemoryAutoConfiguration.class))
        .withBean(LettuceConnectionFactory.class,
            () -> new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379)))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SessionStorage.class));
  }

  /** Returns the first {@code type} in the cause chain of {@code failure}. */
  private static Throwable rootOf(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in the cause chain", failure);
  }

  /** Counts the server's connections named {@link #clientName}, waiting up to 5 s for {@code until}. */
  private long awaitConnections(LongPredicate until) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    long n;
    do {
      n = admin(0, redis -> redis.clientList().lines().filter(l -> l.contains(" name=" + clientName + " ")).count());
      if (until.test(n)) {
        return n;
      }
      sleep();
    } while (System.nanoTime() < deadline);
    return n;
  }

  /** Returns the store's completion threads still alive, waiting up to 5 s for them to end. */
  private static List<String> awaitStoreThreads() {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<String> alive;
    do {
      alive = Thread.getAllStackTraces().keySet().stream()
          .filter(Thread::isAlive)
          .map(Thread::getName)
          .filter(name -> name.startsWith("sessionkit-redis-"))
          .toList();
      if (alive.isEmpty()) {
        return alive;
      }
      sleep();
    } while (System.nanoTime() < deadline);
    return alive;
  }

  /** Counts the keys under {@link #prefix} in database {@code db}. */
  private long keys(int db) {
    return admin(db, redis -> {
      long n = 0;
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
        n += page.getKeys().size();
        cursor = page;
      } while (!cursor.isFinished());
      return n;
    });
  }

  /** Runs {@code action} on a connection of the test's own to database {@code db}. */
  private <T> T admin(int db, Function<RedisCommands<String, String>, T> action) {
    RedisURI uri = RedisURI.builder(server).withDatabase(db).withClientName("sessionkit-test-admin").build();
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.setTimeout(Duration.ofSeconds(10));
      return action.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Skips (or, with {@code CI} set, fails) the test when no server answers. */
  private void assumeServer() {
    if (reachable == null) {
      reachable = answers();
    }
    if (!reachable) {
      String why = "Redis tests skipped: no server answers at " + server.getHost() + ":" + server.getPort()
          + "; start one with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\""
          + " --appendonly no` or set SESSIONKIT_TEST_REDIS_URL";
      if (System.getenv("CI") != null) {
        fail(why + " (CI is set, so a missing server is an error)");
      }
      Assumptions.abort(why);
    }
  }

  private boolean answers() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(server.getHost(), server.getPort()), 1000);
    } catch (java.io.IOException e) {
      return false;
    }
    try {
      return "PONG".equals(admin(0, RedisCommands::ping));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
