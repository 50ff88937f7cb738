package org.sessionkit.springai;

import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;

/**
 * The {@code sessionkit.*} configuration properties of the Spring Boot auto-configuration
 * ({@link SessionkitChatMemoryAutoConfiguration}); the module's README lists them all, and the
 * jar carries their metadata for IDE completion.
 *
 * <pre>
 * sessionkit.store-uri=file:/var/lib/agent/sessions      # opens the SessionStorage bean
 * sessionkit.postgresql.use-data-source=true             # or: the application's DataSource
 * sessionkit.redis.use-connection-factory=true           # or: its LettuceConnectionFactory
 * sessionkit.chat-memory.conversation-id-prefix=chat/    # optional, default empty
 * sessionkit.chat-memory.timeout=10s                      # optional, default 30s
 * sessionkit.chat-memory.window.enabled=true              # SessionWindowChatMemory as the ChatMemory
 * </pre>
 *
 * A mutable bean for Spring's binder; not thread safe while it is being bound.
 */
@ConfigurationProperties(prefix = "sessionkit")
public class SessionkitProperties {

  /**
   * The store URI (memory:, file:/path, postgresql://user:password@host/db, redis://…). Its name
   * ends in "-uri" so that Spring Boot masks the password wherever it shows the value.
   */
  private String storeUri = "";

  /** Deprecated name of store-uri (Spring Boot does not mask it). */
  private String store = "";

  private final ChatMemory chatMemory = new ChatMemory();
  private final Postgresql postgresql = new Postgresql();
  private final Mysql mysql = new Mysql();
  private final Redis redis = new Redis();
  private final Observation observation = new Observation();

  /** Returns the store URI; empty if not set. */
  public String getStoreUri() {
    return storeUri;
  }

  /** Sets the store URI. */
  public void setStoreUri(String storeUri) {
    this.storeUri = Objects.requireNonNull(storeUri, "storeUri");
  }

  /** Returns the store URI set under the deprecated name {@code sessionkit.store}; empty if not set. */
  @Deprecated
  @DeprecatedConfigurationProperty(
      replacement = "sessionkit.store-uri",
      reason = "A key ending in -uri is masked by Spring Boot when values are shown (actuator env, configprops).")
  public String getStore() {
    return store;
  }

  /** Sets the store URI under the deprecated name {@code sessionkit.store}. */
  @Deprecated
  public void setStore(String store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Returns the URI to open: {@code store-uri}, else the deprecated {@code store}; empty if neither. */
  public String uri() {
    return !storeUri.isBlank() ? storeUri.trim() : store.trim();
  }

  /** Returns the settings of the chat memory. */
  public ChatMemory getChatMemory() {
    return chatMemory;
  }

  /** Returns the settings of a PostgreSQL store over the application's {@code DataSource}. */
  public Postgresql getPostgresql() {
    return postgresql;
  }

  /** Returns the settings of a MySQL / MariaDB store over the application's {@code DataSource}. */
  public Mysql getMysql() {
    return mysql;
  }

  /** Returns the settings of a Redis store over the application's {@code LettuceConnectionFactory}. */
  public Redis getRedis() {
    return redis;
  }

  /** Returns the settings of the observation of the store. */
  public Observation getObservation() {
    return observation;
  }

  /** The {@code sessionkit.chat-memory.*} settings. */
  public static class ChatMemory {
    /** Put before each conversation id to form its session id. */
    private String conversationIdPrefix = "";

    /** The longest one store call may take. */
    private Duration timeout = SessionChatMemoryRepository.DEFAULT_TIMEOUT;

    private final Window window = new Window();

    /** Returns the prefix put before conversation ids to form session ids; empty by default. */
    public String getConversationIdPrefix() {
      return conversationIdPrefix;
    }

    /** Sets the prefix put before conversation ids to form session ids. */
    public void setConversationIdPrefix(String conversationIdPrefix) {
      this.conversationIdPrefix = Objects.requireNonNull(conversationIdPrefix, "conversationIdPrefix");
    }

    /** Returns how long one store call may take; 30 seconds by default. */
    public Duration getTimeout() {
      return timeout;
    }

    /** Sets how long one store call may take. */
    public void setTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Returns the settings of the window memory. */
    public Window getWindow() {
      return window;
    }
  }

  /** The {@code sessionkit.chat-memory.window.*} settings of {@link SessionWindowChatMemory}. */
  public static class Window {
    /** Whether the application's ChatMemory is a SessionWindowChatMemory (keeps the whole history). */
    private boolean enabled;

    /** How many history messages the window memory serves (the system message comes on top). */
    private int maxMessages = SessionWindowChatMemory.DEFAULT_MAX_MESSAGES;

    /** Returns whether the window memory is the application's {@code ChatMemory}; false by default. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether the window memory is the application's {@code ChatMemory}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Returns how many history messages the window serves; 20 by default. */
    public int getMaxMessages() {
      return maxMessages;
    }

    /** Sets how many history messages the window serves. */
    public void setMaxMessages(int maxMessages) {
      this.maxMessages = maxMessages;
    }
  }

  /** The {@code sessionkit.postgresql.*} settings: the PostgreSQL store over the application's DataSource. */
  public static class Postgresql {
    /** Whether to open the PostgreSQL store over the application's DataSource bean (instead of a URI). */
    private boolean useDataSource;

    /** The schema of the store's tables (the store's default when empty). */
    private String schema = "";

    /** The prefix of the store's table names (the store's default when empty). */
    private String tablePrefix = "";

    /** Returns whether the store uses the application's {@code DataSource}; false by default. */
    public boolean isUseDataSource() {
      return useDataSource;
    }

    /** Sets whether the store uses the application's {@code DataSource}. */
    public void setUseDataSource(boolean useDataSource) {
      this.useDataSource = useDataSource;
    }

    /** Returns the schema; empty for the store's default. */
    public String getSchema() {
      return schema;
    }

    /** Sets the schema. */
    public void setSchema(String schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** Returns the table prefix; empty for the store's default. */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /** Sets the table prefix. */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = Objects.requireNonNull(tablePrefix, "tablePrefix");
    }
  }

  /** The {@code sessionkit.mysql.*} settings: a MySQL / MariaDB store over the application's DataSource. */
  public static class Mysql {
    /** Whether to open the MySQL / MariaDB store over the application's DataSource bean (instead of a URI). */
    private boolean useDataSource;

    /** The prefix of the store's table names (the store's default, sessionkit_, when empty). */
    private String tablePrefix = "";

    /** Returns whether the store uses the application's {@code DataSource}; false by default. */
    public boolean isUseDataSource() {
      return useDataSource;
    }

    /** Sets whether the store uses the application's {@code DataSource}. */
    public void setUseDataSource(boolean useDataSource) {
      this.useDataSource = useDataSource;
    }

    /** Returns the table prefix; empty for the store's default. */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /** Sets the table prefix. */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = Objects.requireNonNull(tablePrefix, "tablePrefix");
    }
  }

  /**
   * The {@code sessionkit.redis.*} settings: a Redis store over the Lettuce client of the
   * application's {@code LettuceConnectionFactory}. The server, credentials, database, TLS and
   * client name are the factory's; these are the store's own options.
   */
  public static class Redis {
    /** Whether to open the Redis store with the client of the application's LettuceConnectionFactory bean (instead of a URI). */
    private boolean useConnectionFactory;

    /** The key prefix of the store (the store's default, sessionkit:, when empty). */
    private String prefix = "";

    /** The longest one Redis call of the store may take (its default, 5s). */
    private Duration timeout = Duration.ofSeconds(5);

    /** After how long without a write a session is gone; 0 keeps sessions until they are deleted. */
    private Duration retention = Duration.ZERO;

    /** Over how many shards a new prefix spreads its sessions (the store's default when 0: 1 on one server, 16 on a cluster). */
    private int shards;

    /** How many replicas must acknowledge each write (Redis WAIT); 0 acknowledges once the primary has applied it. */
    private int waitReplicas;

    /** Returns whether the store uses the application's {@code LettuceConnectionFactory}; false by default. */
    public boolean isUseConnectionFactory() {
      return useConnectionFactory;
    }

    /** Sets whether the store uses the application's {@code LettuceConnectionFactory}. */
    public void setUseConnectionFactory(boolean useConnectionFactory) {
      this.useConnectionFactory = useConnectionFactory;
    }

    /** Returns the key prefix; empty for the store's default. */
    public String getPrefix() {
      return prefix;
    }

    /** Sets the key prefix. */
    public void setPrefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    /** Returns how long one Redis call may take; 5 seconds by default (the store's default). */
    public Duration getTimeout() {
      return timeout;
    }

    /** Sets how long one Redis call may take. */
    public void setTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Returns the retention period; zero (keep until deleted) by default. */
    public Duration getRetention() {
      return retention;
    }

    /** Sets the retention period. */
    public void setRetention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
    }

    /** Returns the number of shards of a new prefix; 0 for the store's default. */
    public int getShards() {
      return shards;
    }

    /** Sets the number of shards of a new prefix. */
    public void setShards(int shards) {
      this.shards = shards;
    }

    /** Returns how many replicas must acknowledge each write; 0 by default. */
    public int getWaitReplicas() {
      return waitReplicas;
    }

    /** Sets how many replicas must acknowledge each write. */
    public void setWaitReplicas(int waitReplicas) {
      this.waitReplicas = waitReplicas;
    }
  }

  /** The {@code sessionkit.observation.*} settings. */
  public static class Observation {
    /** Whether the store opened here is observed when an ObservationRegistry bean and session-micrometer are present. */
    private boolean enabled = true;

    /** Returns whether the store is observed; true by default. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether the store is observed. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
