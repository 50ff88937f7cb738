package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.sessionkit.JsonValue;
import org.sessionkit.SessionStorage;
import org.sessionkit.micrometer.ObservedSessionStorage;
import org.sessionkit.spi.SessionCodec;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Spring Boot properties of both lines: the URI under a key Boot masks (and the old name as
 * a deprecated alias), the application's DataSource instead of a URI, observation applied when an
 * ObservationRegistry bean exists, the window memory as the ChatMemory, and the configuration
 * metadata the jar carries for every property.
 */
class SessionkitBootPropertiesTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(ChatMemoryAutoConfiguration.class, SessionkitChatMemoryAutoConfiguration.class));

  @Test
  void theStoreUriOpensTheStoreAndTheDeprecatedNameStillDoes() {
    runner.withPropertyValues("sessionkit.store-uri=memory:").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(SessionStorage.class).kind()).isEqualTo("memory");
    });
    runner.withPropertyValues("sessionkit.store=memory:").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(SessionStorage.class);
    });
    // Both set: the new name wins (the old one names a file store that would need a directory).
    runner
        .withPropertyValues("sessionkit.store-uri=memory:", "sessionkit.store=unknown-scheme:x")
        .run(context -> assertThat(context.getBean(SessionStorage.class).kind()).isEqualTo("memory"));
    runner.run(context -> assertThat(context).doesNotHaveBean(SessionStorage.class));
  }

  @Test
  void theApplicationsDataSourceServesThePostgresStore() throws Exception {
    try (TestPostgres db = TestPostgres.require()) {
      String schema = db.newSchema();
      runner
          .withBean(javax.sql.DataSource.class, db::dataSource)
          .withPropertyValues("sessionkit.postgresql.use-data-source=true", "sessionkit.postgresql.schema=" + schema)
          .run(context -> {
            assertThat(context).hasNotFailed();
            SessionStorage storage = context.getBean(SessionStorage.class);
            assertThat(storage.kind()).isEqualTo("postgresql");
            context.getBean(ChatMemory.class).add("c", new UserMessage("hi"));
            assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema + "'"))
                .isPositive();
          });
    }
  }

  @Test
  void withoutTheFlagTheDataSourceIsNotUsed() {
    runner
        .withBean(javax.sql.DataSource.class, () -> new org.postgresql.ds.PGSimpleDataSource())
        .run(context -> assertThat(context).doesNotHaveBean(SessionStorage.class));
  }

  /** Records the names of the observations that stopped. */
  static final class Recording implements ObservationHandler<Observation.Context> {
    final List<String> names = new CopyOnWriteArrayList<>();

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }

    @Override
    public void onStop(Observation.Context context) {
      names.add(context.getName());
    }
  }

  @Test
  void anObservationRegistryBeanGetsTheStoreObserved() {
    Recording recording = new Recording();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(recording);
    runner
        .withBean(ObservationRegistry.class, () -> registry)
        .withPropertyValues("sessionkit.store-uri=memory:")
        .run(context -> {
          SessionStorage storage = context.getBean(SessionStorage.class);
          assertThat(storage).isInstanceOf(ObservedSessionStorage.class);
          assertThat(storage.kind()).isEqualTo("memory");
          context.getBean(ChatMemory.class).add("c", new UserMessage("hi"));
          assertThat(recording.names).isNotEmpty();
        });
    runner
        .withBean(ObservationRegistry.class, () -> registry)
        .withPropertyValues("sessionkit.store-uri=memory:", "sessionkit.observation.enabled=false")
        .run(context -> assertThat(context.getBean(SessionStorage.class)).isNotInstanceOf(ObservedSessionStorage.class));
    runner
        .withPropertyValues("sessionkit.store-uri=memory:")
        .run(context -> assertThat(context.getBean(SessionStorage.class)).isNotInstanceOf(ObservedSessionStorage.class));
  }

  @Test
  void theWindowMemoryBecomesTheChatMemoryWhenEnabled() {
    runner
        .withPropertyValues(
            "sessionkit.store-uri=memory:",
            "sessionkit.chat-memory.window.enabled=true",
            "sessionkit.chat-memory.window.max-messages=2",
            "sessionkit.chat-memory.timeout=5s")
        .run(context -> {
          ChatMemory memory = context.getBean(ChatMemory.class);
          assertThat(memory).isInstanceOf(SessionWindowChatMemory.class);
          for (int i = 0; i < 4; i++) {
            memory.add("c", new UserMessage("q" + i));
          }
          assertThat(memory.get("c")).extracting(m -> m.getText()).containsExactly("q2", "q3");
        });
    runner
        .withPropertyValues("sessionkit.store-uri=memory:")
        .run(context -> assertThat(context.getBean(ChatMemory.class)).isNotInstanceOf(SessionWindowChatMemory.class));
  }

  @Test
  void theJarCarriesMetadataForEveryPropertyAndMarksTheOldName() throws IOException {
    Map<String, JsonValue> properties = new java.util.HashMap<>();
    List<URL> files = Collections.list(getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"));
    for (URL url : files) {
      byte[] bytes;
      try (InputStream in = url.openStream()) {
        bytes = in.readAllBytes();
      }
      JsonValue.JsonObject root = (JsonValue.JsonObject) SessionCodec.defaults().decodeValue(bytes, url.toString());
      for (JsonValue p : ((JsonValue.JsonArray) root.get("properties").orElseThrow()).elements()) {
        JsonValue.JsonObject property = (JsonValue.JsonObject) p;
        String name = ((JsonValue.JsonString) property.get("name").orElseThrow()).value();
        if (name.startsWith("sessionkit.")) {
          properties.put(name, property);
        }
      }
    }
    Set<String> expected = new TreeSet<>(List.of(
        "sessionkit.store-uri",
        "sessionkit.store",
        "sessionkit.chat-memory.conversation-id-prefix",
        "sessionkit.chat-memory.timeout",
        "sessionkit.chat-memory.window.enabled",
        "sessionkit.chat-memory.window.max-messages",
        "sessionkit.postgresql.use-data-source",
        "sessionkit.postgresql.schema",
        "sessionkit.postgresql.table-prefix",
        "sessionkit.mysql.use-data-source",
        "sessionkit.mysql.table-prefix",
        "sessionkit.redis.use-connection-factory",
        "sessionkit.redis.prefix",
        "sessionkit.redis.timeout",
        "sessionkit.redis.retention",
        "sessionkit.redis.shards",
        "sessionkit.redis.wait-replicas",
        "sessionkit.observation.enabled"));
    assertThat(new TreeSet<>(properties.keySet())).isEqualTo(expected);
    JsonValue.JsonObject old = (JsonValue.JsonObject) properties.get("sessionkit.store");
    assertThat(old.get("deprecated")).contains(JsonValue.TRUE);
    assertThat(old.get("deprecation").orElseThrow().toString()).contains("sessionkit.store-uri");
    List<String> undocumented = new ArrayList<>();
    properties.forEach((name, p) -> {
      if (((JsonValue.JsonObject) p).get("description").isEmpty()) {
        undocumented.add(name);
      }
    });
    assertThat(undocumented).as("properties without a description").isEmpty();
    assertThat(Duration.ofSeconds(30)).isEqualTo(SessionChatMemoryRepository.DEFAULT_TIMEOUT);
  }
}
