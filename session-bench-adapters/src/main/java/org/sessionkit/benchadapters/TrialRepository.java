package org.sessionkit.benchadapters;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.springai.SessionChatMemoryRepository;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.repository.jdbc.JdbcChatMemoryRepository;
import org.springframework.ai.chat.memory.repository.jdbc.PostgresChatMemoryRepositoryDialect;

/**
 * One of the two repositories the benchmark compares, open on a new schema of the benchmark's
 * server; {@link #close()} closes its pool and drops the schema.
 *
 * <ul>
 *   <li>{@value #SESSIONKIT}: sessionkit's {@link SessionChatMemoryRepository} over the PostgreSQL
 *       store opened by URI ({@code postgresql://…?schema=…}), as {@code sessionkit.store} opens
 *       it in a Spring Boot application; the store owns its HikariCP pool.
 *   <li>{@value #SPRING_AI_JDBC}: Spring AI's {@link JdbcChatMemoryRepository} with its
 *       PostgreSQL dialect and table ({@code schema-postgresql.sql} of its jar), on a HikariCP
 *       pool of the same size with pgjdbc's defaults, as Spring Boot would configure it.
 * </ul>
 *
 * <p>Not thread safe to open or close; the repositories themselves are thread safe.
 */
public final class TrialRepository implements AutoCloseable {

  /** The name of sessionkit's repository on the PostgreSQL store. */
  public static final String SESSIONKIT = "sessionkit";

  /** The name of Spring AI's JDBC repository. */
  public static final String SPRING_AI_JDBC = "spring-ai-jdbc";

  /** Both names, in the order of the report. */
  public static final List<String> NAMES = List.of(SESSIONKIT, SPRING_AI_JDBC);

  private final BenchPostgres server;
  private final String schema;
  private final ChatMemoryRepository repository;
  private final AutoCloseable resource;

  private TrialRepository(BenchPostgres server, String schema, ChatMemoryRepository repository, AutoCloseable resource) {
    this.server = server;
    this.schema = schema;
    this.repository = repository;
    this.resource = resource;
  }

  /**
   * Opens the repository named {@code name} on a new schema of {@code server}.
   *
   * @throws IllegalArgumentException for an unknown name
   * @throws IllegalStateException if the schema can't be set up (the server refused)
   */
  public static TrialRepository open(String name, BenchPostgres server) {
    switch (name) {
      case SESSIONKIT -> {
        String schema = BenchPostgres.newSchemaName("sk");
        SessionStorage storage = SessionStorages.open(server.storeUrl(schema));
        return new TrialRepository(server, schema, SessionChatMemoryRepository.create(storage), storage);
      }
      case SPRING_AI_JDBC -> {
        String schema = BenchPostgres.newSchemaName("jdbc");
        HikariDataSource pool = null;
        try {
          server.execute("CREATE SCHEMA " + schema);
          pool = server.pool(schema);
          try (var c = pool.getConnection(); var s = c.createStatement()) {
            for (String statement : springAiSchemaStatements()) {
              s.execute(statement);
            }
          }
        } catch (SQLException e) {
          if (pool != null) {
            pool.close();
          }
          dropQuietly(server, schema);
          throw new IllegalStateException("could not create Spring AI's table in schema " + schema + ": " + e.getMessage(), e);
        }
        ChatMemoryRepository jdbc =
            JdbcChatMemoryRepository.builder()
                .dataSource(pool)
                .dialect(new PostgresChatMemoryRepositoryDialect())
                .build();
        return new TrialRepository(server, schema, jdbc, pool);
      }
      default -> throw new IllegalArgumentException("unknown repository " + name + "; known: " + NAMES);
    }
  }

  /** Returns the repository. */
  public ChatMemoryRepository repository() {
    return repository;
  }

  /** Returns the schema the repository works in. */
  public String schema() {
    return schema;
  }

  /**
   * Closes the repository's pool and drops its schema.
   *
   * @throws IllegalStateException if the schema could not be dropped
   */
  @Override
  public void close() {
    try {
      resource.close();
      server.dropSchema(schema);
    } catch (Exception e) {
      throw new IllegalStateException("could not drop benchmark schema " + schema + ": " + e.getMessage(), e);
    }
  }

  /** The statements of Spring AI's own PostgreSQL schema script, shipped in its jar. */
  static List<String> springAiSchemaStatements() {
    try (InputStream in = JdbcChatMemoryRepository.class.getResourceAsStream("schema-postgresql.sql")) {
      if (in == null) {
        throw new IllegalStateException("schema-postgresql.sql is missing beside JdbcChatMemoryRepository");
      }
      String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Arrays.stream(script.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void dropQuietly(BenchPostgres server, String schema) {
    try {
      server.dropSchema(schema);
    } catch (SQLException e) {
      // Reported through the exception the caller throws; a leftover schema is harmless.
    }
  }
}
