package org.sessionkit.mysql;

import static org.assertj.core.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.sessionkit.mysql.internal.MySqlUri;

/**
 * The MySQL or MariaDB server the tests use: {@code SESSIONKIT_TEST_MYSQL_URL}, by default the
 * local MariaDB ({@code mariadb://root@127.0.0.1:3306/test}, no password). Each instance works
 * in a database of its own, {@code sessionkit_test_<pid>_<random>}, created on first use and
 * dropped by {@link #close()}; every store it opens gets a table prefix of its own in it.
 *
 * <p>Without a server the tests are skipped with a message that says how to start one, except
 * when the environment variable {@code CI} is set: there a missing server fails the build.
 */
final class TestDatabase implements AutoCloseable {

  static final String DEFAULT_URL = "mariadb://root@127.0.0.1:3306/test";

  private static final String HOW_TO_START =
      "start the local one with `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`"
          + " (user root without password) or point SESSIONKIT_TEST_MYSQL_URL at a server";

  private static volatile Boolean reachable;

  private final MySqlUri server;
  private final AtomicInteger prefixes = new AtomicInteger();
  private String database;

  private TestDatabase(String url) {
    this.server = MySqlUri.parse(url);
  }

  /** Returns a handle on the test server; {@link #require()} checks that it answers. */
  static TestDatabase shared() {
    return new TestDatabase(System.getenv().getOrDefault("SESSIONKIT_TEST_MYSQL_URL", DEFAULT_URL));
  }

  /**
   * Skips the current test (or, under CI, fails it) when the server does not answer, and
   * creates this instance's database. Called before each test, so that every test shows as
   * skipped with the reason.
   */
  synchronized TestDatabase require() {
    if (reachable == null) {
      reachable = ping();
      if (!reachable) {
        System.getLogger(TestDatabase.class.getName()).log(System.Logger.Level.WARNING, unreachable());
      }
    }
    if (!reachable) {
      if (System.getenv("CI") != null) {
        fail(unreachable() + " (CI is set, so a missing server is an error)");
      }
      Assumptions.abort(unreachable());
    }
    if (database == null) {
      String name = String.format(Locale.ROOT, "sessionkit_test_%d_%06x", ProcessHandle.current().pid(),
          ThreadLocalRandom.current().nextInt(0x1000000));
      try {
        execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
      } catch (SQLException e) {
        throw new IllegalStateException("could not create the test database " + name, e);
      }
      database = name;
    }
    return this;
  }

  private String unreachable() {
    return "MySQL/MariaDB tests skipped: no server answers at " + server.redacted() + "; " + HOW_TO_START;
  }

  /** This instance's database (after {@link #require()}). */
  synchronized String database() {
    if (database == null) {
      throw new IllegalStateException("require() first");
    }
    return database;
  }

  /** Returns a fresh table prefix. */
  String newPrefix() {
    return "s" + prefixes.incrementAndGet() + "_";
  }

  /** The server's URI with the test database and extra options ({@code k=v&…}, may be empty). */
  String storeUrl(String prefix, String extraOptions) {
    return server.scheme() + "://" + server.user().map(u -> u + "@").orElse("") + server.hosts() + "/"
        + database() + "?tablePrefix=" + prefix + "&poolSize=4"
        + (extraOptions.isEmpty() ? "" : "&" + extraOptions);
  }

  /** The host and port part of the server's URI. */
  String hosts() {
    return server.hosts();
  }

  /** The user of the server's URI. */
  String user() {
    return server.user().orElse("root");
  }

  /** Opens a store with a fresh prefix. */
  MySqlSessionStorage open() {
    return MySqlSessionStorage.open(storeUrl(newPrefix(), ""));
  }

  /** Returns a new admin connection (auto-commit) to the test database, or to the server's own. */
  Connection connect() throws SQLException {
    return connect(database == null ? server.database() : database);
  }

  private Connection connect(String db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user());
    server.password().ifPresent(pw -> p.setProperty("password", pw));
    p.setProperty("connectTimeout", "3000");
    return DriverManager.getConnection("jdbc:mariadb://" + server.hosts() + "/" + db, p);
  }

  /** Runs statements as admin. */
  void execute(String... statements) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** Drops this instance's database. */
  @Override
  public synchronized void close() throws SQLException {
    if (database != null) {
      String name = database;
      database = null;
      try (Connection c = connect(server.database()); Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS `" + name + "`");
      }
    }
  }

  private boolean ping() {
    try (Connection c = connect(server.database())) {
      return c.isValid(3);
    } catch (SQLException e) {
      return false;
    }
  }
}
