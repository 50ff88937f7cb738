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
import org.sessionkit.springai.SessionWindowChatMemory;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.memory.repository.jdbc.JdbcChatMemoryRepository;
import org.springframework.ai.chat.memory.repository.jdbc.PostgresChatMemoryRepositoryDialect;
import org.springframework.ai.chat.messages.Message;

/**
 * One of the three chat memories the benchmark compares, open on a new schema of the benchmark's
 * server; {@link #close()} closes its pool and drops the schema. All serve a window of {@value
 * #WINDOW} messages, except (c), whose window is the whole history:
 *
 * <ul>
 *   <li>(a) {@value #WINDOW_MEMORY}: sessionkit's {@link SessionWindowChatMemory} ({@code
 *       maxMessages(20)}) over the PostgreSQL store opened by URI: appends each message, reads the
 *       tail, keeps the whole history;
 *   <li>(b) {@value #SPRING_AI_JDBC}: Spring AI's {@link MessageWindowChatMemory} ({@code
 *       maxMessages(20)}) over its {@link JdbcChatMemoryRepository} (PostgreSQL dialect, its own
 *       {@code schema-postgresql.sql}) on a HikariCP pool of the same size: keeps only the window,
 *       deleting the rest;
 *   <li>(c) {@value #REPOSITORY}: Spring AI's {@link MessageWindowChatMemory} with a window as
 *       large as the history ({@value #WHOLE}) over sessionkit's {@link
 *       SessionChatMemoryRepository} on the PostgreSQL store: before the window memory, the only
 *       way to keep the whole history through Spring AI.
 * </ul>
 *
 * <p>Not thread safe to open or close; the memories themselves are thread safe.
 */
public final class TrialMemory implements AutoCloseable {

  /** (a): sessionkit's window memory. */
  public static final String WINDOW_MEMORY = "window";

  /** (b): Spring AI's window memory over its JDBC repository. */
  public static final String SPRING_AI_JDBC = "spring-ai-jdbc";

  /** (c): Spring AI's window memory, as large as the history, over sessionkit's repository. */
  public static final String REPOSITORY = "repository";

  /** The three names, in the order of the report. */
  public static final List<String> NAMES = List.of(WINDOW_MEMORY, SPRING_AI_JDBC, REPOSITORY);

  /** The window of (a) and (b). */
  public static final int WINDOW = 20;

  /** The window of (c): larger than every measured history. */
  public static final int WHOLE = 100_000;

  private final String name;
  private final BenchPostgres server;
  private final String schema;
  private final ChatMemory memory;
  private final ChatMemoryRepository repository;
  private final AutoCloseable resource;

  private TrialMemory(
      String name, BenchPostgres server, String schema, ChatMemory memory, ChatMemoryRepository repository,
      AutoCloseable resource) {
    this.name = name;
    this.server = server;
    this.schema = schema;
    this.memory = memory;
    this.repository = repository;
    this.resource = resource;
  }

  /**
   * Opens the memory named {@code name} on a new schema of {@code server}.
   *
   * @throws IllegalArgumentException for an unknown name
   * @throws IllegalStateException if the schema can't be set up (the server refused)
   */
  public static TrialMemory open(String name, BenchPostgres server) {
    switch (name) {
      case WINDOW_MEMORY, REPOSITORY -> {
        String schema = BenchPostgres.newSchemaName("sk");
        SessionStorage storage = SessionStorages.open(server.storeUrl(schema));
        SessionChatMemoryRepository repository = SessionChatMemoryRepository.create(storage);
        ChatMemory memory =
            name.equals(WINDOW_MEMORY)
                ? SessionWindowChatMemory.builder(storage).maxMessages(WINDOW).build()
                : MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(WHOLE).build();
        return new TrialMemory(name, server, schema, memory, repository, storage);
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
            JdbcChatMemoryRepository.builder().dataSource(pool).dialect(new PostgresChatMemoryRepositoryDialect()).build();
        ChatMemory memory = MessageWindowChatMemory.builder().chatMemoryRepository(jdbc).maxMessages(WINDOW).build();
        return new TrialMemory(name, server, schema, memory, jdbc, pool);
      }
      default -> throw new IllegalArgumentException("unknown memory " + name + "; known: " + NAMES);
    }
  }

  /** Returns the name this memory was opened by. */
  public String name() {
    return name;
  }

  /** Returns the chat memory under test. */
  public ChatMemory memory() {
    return memory;
  }

  /** Stores {@code messages} as the whole conversation {@code id} (replacing what is stored). */
  public void store(String id, List<Message> messages) {
    // Deleted first: sessionkit's repository would merge a shorter list with appends it did not
    // see instead of replacing them.
    repository.deleteByConversationId(id);
    repository.saveAll(id, messages);
  }

  /** Returns the whole stored conversation {@code id}. */
  public List<Message> stored(String id) {
    return repository.findByConversationId(id);
  }

  /** Returns the schema the memory works in. */
  public String schema() {
    return schema;
  }

  /**
   * Closes the memory's pool and drops its schema.
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
