package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@link ConversationContract} over the MySQL / MariaDB store, opened by URI in a database of the
 * test's own, and the same store chosen by Spring Boot through {@code sessionkit.store-uri} alone
 * (with session-mysql and a JDBC driver on the class path). The server is {@code
 * SESSIONKIT_TEST_MYSQL_URL}, by default the local MariaDB; without one the tests are skipped,
 * and fail when {@code CI} is set.
 */
class MySqlConversationTest extends ConversationContract {

  private static final String SERVER =
      System.getenv().getOrDefault("SESSIONKIT_TEST_MYSQL_URL", "mariadb://root@127.0.0.1:3306/test");

  private static volatile Boolean reachable;

  private String database;
  private final List<String> prefixes = new ArrayList<>();

  @BeforeEach
  @Override
  void openStore() {
    // The database must exist before the superclass's @BeforeEach opens the store in it.
    requireServer();
    database = String.format(Locale.ROOT, "skt_sai_%d_%04x", ProcessHandle.current().pid(),
        ThreadLocalRandom.current().nextInt(0x10000));
    execute("CREATE DATABASE `" + database + "`");
    super.openStore();
  }

  @AfterEach
  void dropDatabase() {
    // Before the superclass's @AfterEach: close the store's pool before its database goes.
    if (database != null) {
      storage.close();
      execute("DROP DATABASE IF EXISTS `" + database + "`");
    }
  }

  private String storeUrl(String prefix) {
    String base = SERVER.replaceFirst("\\?.*$", "");
    return base.substring(0, base.lastIndexOf('/') + 1) + database + "?tablePrefix=" + prefix + "&poolSize=4";
  }

  @Override
  SessionStorage open() {
    String prefix = "c" + prefixes.size() + "_";
    prefixes.add(prefix);
    return SessionStorages.open(storeUrl(prefix));
  }

  @Test
  void springBootOpensTheStoreFromTheStorePropertyAndChatMemoryWritesThroughIt() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ChatMemoryAutoConfiguration.class,
            SessionkitChatMemoryAutoConfiguration.class))
        .withPropertyValues("sessionkit.store-uri=" + storeUrl("boot_"))
        .run(context -> {
          assertThat(context).hasNotFailed();
          SessionStorage store = context.getBean(SessionStorage.class);
          assertThat(store.kind()).isEqualTo("mysql");
          assertThat(context.getBean(ChatMemoryRepository.class)).isInstanceOf(SessionChatMemoryRepository.class);
          ChatMemory memory = context.getBean(ChatMemory.class);
          List<Message> written = new ArrayList<>();
          for (List<Message> add : turn(0, "Lyon")) {
            memory.add("user-7/trip", add);
            written.addAll(add);
          }
          assertThat(context.getBean(ChatMemoryRepository.class).findByConversationId("user-7/trip"))
              .isEqualTo(written);
        });
    // The context closed the store; the conversation stays in the database.
    try (SessionStorage again = SessionStorages.open(storeUrl("boot_"))) {
      assertThat(SessionChatMemoryRepository.create(again).findConversationIds()).containsExactly("user-7/trip");
    }
  }

  private static void requireServer() {
    if (reachable == null) {
      try (Connection c = admin()) {
        reachable = c.isValid(3);
      } catch (SQLException e) {
        reachable = false;
      }
    }
    if (!reachable) {
      String why = "MySQL/MariaDB tests skipped: no server answers at " + org.sessionkit.spi.StorageUri.redact(SERVER)
          + "; start the local one with `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`"
          + " or point SESSIONKIT_TEST_MYSQL_URL at one";
      if (System.getenv("CI") != null) {
        fail(why + " (CI is set, so a missing server is an error)");
      }
      Assumptions.abort(why);
    }
  }

  private static void execute(String sql) {
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** An admin connection to the server's own database, through MariaDB Connector/J. */
  private static Connection admin() throws SQLException {
    String scheme = SERVER.substring(0, SERVER.indexOf("://"));
    org.sessionkit.spi.StorageUri.Server s =
        org.sessionkit.spi.StorageUri.parse(SERVER, scheme).server(scheme + "://user@host:port/database");
    java.util.Properties p = new java.util.Properties();
    s.user().ifPresent(v -> p.setProperty("user", v));
    s.password().ifPresent(v -> p.setProperty("password", v));
    p.setProperty("connectTimeout", "3000");
    return DriverManager.getConnection("jdbc:mariadb://" + s.hosts() + "/" + s.path(), p);
  }
}
