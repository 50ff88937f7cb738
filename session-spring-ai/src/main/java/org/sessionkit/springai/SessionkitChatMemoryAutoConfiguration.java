package org.sessionkit.springai;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import javax.sql.DataSource;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.mysql.MySqlSessionStorage;
import org.sessionkit.postgres.PostgresSessionStorage;
import org.sessionkit.redis.RedisSessionStorage;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Spring Boot auto-configuration: opens a {@link SessionStorage} from {@code sessionkit.store-uri}
 * (or the deprecated {@code sessionkit.store}), or over the application's {@link DataSource} with
 * {@code sessionkit.postgresql.use-data-source=true} (MySQL / MariaDB: {@code
 * sessionkit.mysql.use-data-source=true}), or over the Lettuce client of the application's
 * {@code LettuceConnectionFactory} with {@code sessionkit.redis.use-connection-factory=true};
 * closes it with the context; observes it when
 * the application has an {@code ObservationRegistry} bean and {@code session-micrometer} is on
 * the class path; and provides a {@link SessionChatMemoryRepository} over it as the application's
 * {@link ChatMemoryRepository} (and, with {@code sessionkit.chat-memory.window.enabled=true}, a
 * {@link SessionWindowChatMemory} as its {@link ChatMemory}).
 *
 * <p>Each bean backs off when the application defines its own: a {@code SessionStorage} bean of
 * the application is used instead of the properties (the repository is then created over it even
 * without them), and any {@code ChatMemoryRepository} or {@code ChatMemory} bean of the
 * application replaces ours. It runs before Spring AI's own chat-memory auto-configuration, whose
 * in-memory repository then backs off, and whose {@code ChatMemory} bean uses this repository.
 */
@AutoConfiguration(
    beforeName = "org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration",
    afterName = {
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      // Boot 3.5's and Boot 4's names of the auto-configuration that creates the application's
      // RedisConnectionFactory, which sessionkit.redis.use-connection-factory looks for.
      "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
      "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration",
      "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
    })
@ConditionalOnClass({ChatMemoryRepository.class, SessionStorage.class})
@EnableConfigurationProperties(SessionkitProperties.class)
@Import({SessionkitChatMemoryAutoConfiguration.PostgresDataSource.class,
    SessionkitChatMemoryAutoConfiguration.MySqlDataSource.class,
    SessionkitChatMemoryAutoConfiguration.RedisConnectionFactoryStore.class})
public class SessionkitChatMemoryAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public SessionkitChatMemoryAutoConfiguration() {}

  /**
   * Opens the store named by {@code sessionkit.store-uri} (or the deprecated {@code
   * sessionkit.store}), observed when an {@code ObservationRegistry} bean exists (see {@link
   * Observations}).
   *
   * @throws org.sessionkit.StorageConfigurationException if no store module serves the URI or an
   *     option is wrong (the context fails to start, naming what is available)
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @Conditional(OnStoreUri.class)
  public SessionStorage sessionkitStorage(SessionkitProperties properties, ObjectProvider<io.micrometer.observation.ObservationRegistry> registries) {
    return Observations.observe(SessionStorages.open(properties.uri()), properties, registries);
  }

  /**
   * Creates the chat memory repository over the application's {@link SessionStorage}, storing
   * metadata with {@link MetadataCodecs#defaults()} and every {@link MetadataCodec} bean of the
   * application.
   */
  @Bean
  @ConditionalOnMissingBean(ChatMemoryRepository.class)
  @ConditionalOnBean(SessionStorage.class)
  public SessionChatMemoryRepository sessionkitChatMemoryRepository(
      SessionStorage storage, SessionkitProperties properties, ObjectProvider<MetadataCodec<?>> codecs) {
    return SessionChatMemoryRepository.builder(storage)
        .conversationIdPrefix(properties.getChatMemory().getConversationIdPrefix())
        .timeout(properties.getChatMemory().getTimeout())
        .metadataCodecs(MetadataCodecs.defaults().with(codecs.orderedStream().toList()))
        .build();
  }

  /**
   * With {@code sessionkit.chat-memory.window.enabled=true}: the window memory over the
   * application's {@link SessionStorage} as its {@link ChatMemory} (Spring AI's own then backs
   * off).
   */
  @Bean
  @ConditionalOnMissingBean(ChatMemory.class)
  @ConditionalOnBean(SessionStorage.class)
  @ConditionalOnProperty(prefix = "sessionkit.chat-memory.window", name = "enabled", havingValue = "true")
  public SessionWindowChatMemory sessionkitWindowChatMemory(
      SessionStorage storage, SessionkitProperties properties, ObjectProvider<MetadataCodec<?>> codecs) {
    return SessionWindowChatMemory.builder(storage)
        .maxMessages(properties.getChatMemory().getWindow().getMaxMessages())
        .conversationIdPrefix(properties.getChatMemory().getConversationIdPrefix())
        .timeout(properties.getChatMemory().getTimeout())
        .metadataCodecs(MetadataCodecs.defaults().with(codecs.orderedStream().toList()))
        .build();
  }

  /** {@code sessionkit.store-uri} or the deprecated {@code sessionkit.store} is set. */
  static final class OnStoreUri extends AnyNestedCondition {
    OnStoreUri() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnProperty(prefix = "sessionkit", name = "store-uri")
    static final class StoreUri {}

    @ConditionalOnProperty(prefix = "sessionkit", name = "store")
    static final class Store {}
  }

  /**
   * The PostgreSQL store over the application's {@link DataSource} (so that its pool is the one
   * Boot's metrics and health already see), with {@code sessionkit.postgresql.use-data-source=true}
   * and {@code session-postgres} on the class path.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.sessionkit.postgres.PostgresSessionStorage")
  @ConditionalOnProperty(prefix = "sessionkit.postgresql", name = "use-data-source", havingValue = "true")
  static class PostgresDataSource {

    /** Opens the PostgreSQL store over the application's {@link DataSource}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(SessionStorage.class)
    @ConditionalOnBean(DataSource.class)
    SessionStorage sessionkitStorage(
        DataSource dataSource, SessionkitProperties properties, ObjectProvider<io.micrometer.observation.ObservationRegistry> registries) {
      PostgresSessionStorage.Builder builder = PostgresSessionStorage.builder(dataSource);
      SessionkitProperties.Postgresql p = properties.getPostgresql();
      if (!p.getSchema().isEmpty()) {
        builder.schema(p.getSchema());
      }
      if (!p.getTablePrefix().isEmpty()) {
        builder.tablePrefix(p.getTablePrefix());
      }
      return Observations.observe(builder.build(), properties, registries);
    }
  }

  /**
   * The MySQL / MariaDB store over the application's {@link DataSource} (its pool and its JDBC
   * driver), with {@code sessionkit.mysql.use-data-source=true} and {@code session-mysql} on the
   * class path. The tables go in the DataSource's database.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.sessionkit.mysql.MySqlSessionStorage")
  @ConditionalOnProperty(prefix = "sessionkit.mysql", name = "use-data-source", havingValue = "true")
  static class MySqlDataSource {

    /** Opens the MySQL / MariaDB store over the application's {@link DataSource}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(SessionStorage.class)
    @ConditionalOnBean(DataSource.class)
    SessionStorage sessionkitStorage(
        DataSource dataSource, SessionkitProperties properties, ObjectProvider<io.micrometer.observation.ObservationRegistry> registries) {
      MySqlSessionStorage.Builder builder = MySqlSessionStorage.builder(dataSource);
      SessionkitProperties.Mysql m = properties.getMysql();
      if (!m.getTablePrefix().isEmpty()) {
        builder.tablePrefix(m.getTablePrefix());
      }
      return Observations.observe(builder.build(), properties, registries);
    }
  }

  /**
   * The Redis store over the Lettuce client of the application's {@code LettuceConnectionFactory}
   * (so that its commands show in the metrics and traces Boot sets up for that client, and its
   * server is the one Boot's Redis health checks), with {@code
   * sessionkit.redis.use-connection-factory=true} and {@code session-redis} and Spring Data Redis
   * on the class path. The store opens two connections of its own with that client, reaching what
   * the factory is configured for (server, Sentinel or cluster; user, password, database, TLS,
   * client name); it closes them with the context and never shuts the client down, which stays
   * the factory's.
   *
   * <p>The factory shuts its client down when the context stops its lifecycle beans, before
   * any bean is destroyed; the store is therefore closed in the lifecycle phase just before the
   * factory's (by {@link ClosingBeforeFactory}), so calls in flight end through the store's own
   * close and its connections are closed while the client is still up.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {
      "org.sessionkit.redis.RedisSessionStorage",
      "org.springframework.data.redis.connection.RedisConnectionFactory"})
  @ConditionalOnProperty(prefix = "sessionkit.redis", name = "use-connection-factory", havingValue = "true")
  static class RedisConnectionFactoryStore {

    private static final String PROPERTY = "sessionkit.redis.use-connection-factory=true";

    /**
     * Opens the Redis store with the client of the application's {@code LettuceConnectionFactory}.
     *
     * @throws StorageConfigurationException if the factory is not Lettuce's (Jedis, for one), is
     *     not started, or has no server of its own (a static primary/replica configuration)
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(SessionStorage.class)
    @ConditionalOnBean(RedisConnectionFactory.class)
    SessionStorage sessionkitStorage(RedisConnectionFactory factory, SessionkitProperties properties,
        ObjectProvider<io.micrometer.observation.ObservationRegistry> registries, ClosingBeforeFactory closing) {
      if (!(factory instanceof LettuceConnectionFactory lettuce)) {
        String name = factory.getClass().getName();
        throw new StorageConfigurationException(PROPERTY + " needs the application's RedisConnectionFactory to be a "
            + "LettuceConnectionFactory (Spring Boot's default with spring-boot-starter-data-redis), but it is a "
            + name + (name.contains("Jedis") ? " (the Redis store runs on Lettuce; Jedis is not supported)" : "")
            + ". Use Lettuce, or open the store from sessionkit.store-uri=redis://… instead");
      }
      if (!lettuce.isRunning()) {
        // Its client exists only once it is started; Spring starts it when the bean is created
        // unless the application turned early (or automatic) start-up off.
        throw new StorageConfigurationException(PROPERTY + ": the application's LettuceConnectionFactory is not "
            + "started, so it has no Lettuce client yet (is its earlyStartup or autoStartup turned off?)");
      }
      AbstractRedisClient client = lettuce.getRequiredNativeClient();
      RedisSessionStorage.Builder builder = RedisSessionStorage.builder();
      if (client instanceof RedisClusterClient cluster) {
        builder.clusterClient(cluster);
      } else if (client instanceof RedisClient single) {
        // A Sentinel-configured factory's client is a RedisClient on a Sentinel URI: its
        // connections reach the current primary, and so do their reconnections after a failover.
        builder.client(single);
      } else {
        throw new StorageConfigurationException(PROPERTY + ": the LettuceConnectionFactory's client is a "
            + client.getClass().getName() + ", neither a RedisClient nor a RedisClusterClient");
      }
      SessionkitProperties.Redis r = properties.getRedis();
      if (!r.getPrefix().isEmpty()) {
        builder.prefix(r.getPrefix());
      }
      builder.timeout(r.getTimeout()).retention(r.getRetention()).waitReplicas(r.getWaitReplicas());
      if (r.getShards() != 0) {
        builder.shards(r.getShards());
      }
      RedisSessionStorage storage;
      try {
        storage = builder.build();
      } catch (IllegalStateException e) {
        // Lettuce's client without a server of its own: Spring Data Redis creates one for a
        // static primary/replica configuration, whose servers it keeps to itself.
        if (String.valueOf(e.getMessage()).contains("RedisURI")) {
          throw new StorageConfigurationException(PROPERTY + ": the LettuceConnectionFactory's client has no server "
              + "address of its own, as with a static primary/replica configuration "
              + "(RedisStaticMasterReplicaConfiguration), which is not supported; supported are one server, "
              + "a Unix socket, Sentinel and Redis Cluster", e);
        }
        throw e;
      }
      closing.closeBeforeFactory(storage, lettuce);
      return Observations.observe(storage, properties, registries);
    }

    /** Closes the store opened here in the lifecycle phase just before the factory's. */
    @Bean
    ClosingBeforeFactory sessionkitRedisStoreClosing() {
      return new ClosingBeforeFactory();
    }
  }

  /**
   * Closes a Redis store when the context stops, in the lifecycle phase just before its
   * connection factory's: Spring stops higher phases first, and the factory shuts its Lettuce
   * client down in its own {@code stop()}, which comes before the store's destroy method.
   * Without a store (the application has its own {@code SessionStorage} bean) it does nothing.
   * Thread safe.
   */
  static final class ClosingBeforeFactory implements SmartLifecycle {
    private volatile java.util.Optional<SessionStorage> store = java.util.Optional.empty();
    private volatile int phase = SmartLifecycle.DEFAULT_PHASE;
    private volatile boolean running;

    /** Records the store to close and the factory whose phase it must precede. */
    void closeBeforeFactory(RedisSessionStorage storage, LettuceConnectionFactory factory) {
      this.store = java.util.Optional.of(storage);
      int factoryPhase = factory.getPhase();
      this.phase = factoryPhase == Integer.MAX_VALUE ? factoryPhase : factoryPhase + 1;
    }

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      running = false;
      // The store's close is idempotent: its destroy method closes it again, harmlessly.
      store.ifPresent(SessionStorage::close);
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return phase;
    }
  }
}
