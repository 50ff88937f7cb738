package org.sessionkit.cli;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared PostgreSQL, Redis and MariaDB servers of the tests ({@code
 * SESSIONKIT_TEST_POSTGRES_URL}, default {@code postgresql://postgres@127.0.0.1:5432/test}; {@code
 * SESSIONKIT_TEST_REDIS_URL}, default {@code redis://127.0.0.1:6379}; {@code
 * SESSIONKIT_TEST_MYSQL_URL}, default {@code mariadb://root@127.0.0.1:3306/test}). A test asks for
 * a fresh location (a schema, a key prefix, a table prefix in a database of its own) and {@link
 * #close()} removes them all. Without a server a test is skipped with a
 * message saying how to start one; with {@code CI} set it fails instead.
 */
final class Servers implements AutoCloseable {

  static final String POSTGRES = env("SESSIONKIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test");
  static final String REDIS = env("SESSIONKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  static final String MYSQL = env("SESSIONKIT_TEST_MYSQL_URL", "mariadb://root@127.0.0.1:3306/test");

  private static volatile Boolean postgresUp;
  private static volatile Boolean redisUp;
  private static volatile Boolean mysqlUp;

  private final List<String> schemas = new ArrayList<>();
  private final List<String> prefixes = new ArrayList<>();
  private String mysqlDatabase;
  private int mysqlTables;

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Returns the URI of a PostgreSQL store in a schema of its own (skips without a server). */
  synchronized String postgres() {
    requirePostgres();
    String schema = String.format(Locale.ROOT, "skcli_%d_%d_%04x", ProcessHandle.current().pid(), schemas.size(),
        (int) (Math.random() * 0x10000));
    schemas.add(schema);
    return POSTGRES + (POSTGRES.contains("?") ? "&" : "?") + "schema=" + schema + "&poolSize=8";
  }

  /** Returns the URI of a Redis store under a key prefix of its own (skips without a server). */
  synchronized String redis() {
    requireRedis();
    String prefix = "skcli-test-" + UUID.randomUUID().toString().substring(0, 13);
    prefixes.add(prefix);
    return REDIS + (REDIS.contains("?") ? "&" : "?") + "prefix=" + prefix + "&timeout=20s";
  }

  /**
   * Returns the URI of a MySQL / MariaDB store with tables of its own, in a database of this
   * instance (skips without a server).
   */
  synchronized String mysql() {
    if (mysqlUp == null) {
      mysqlUp = pingMysql();
    }
    if (!mysqlUp) {
      unavailable("MySQL/MariaDB tests skipped: no server answers at " + org.sessionkit.spi.StorageUri.redact(MYSQL)
          + "; start one with `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`"
          + " or set SESSIONKIT_TEST_MYSQL_URL");
    }
    if (mysqlDatabase == null) {
      String name = String.format(Locale.ROOT, "skcli_%d_%04x", ProcessHandle.current().pid(), (int) (Math.random() * 0x10000));
      try (Connection c = mysqlAdmin(mysqlServerDatabase()); Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE `" + name + "`");
      } catch (SQLException e) {
        throw new IllegalStateException("can't create the test database " + name, e);
      }
      mysqlDatabase = name;
    }
    int q = MYSQL.indexOf('?');
    String base = q < 0 ? MYSQL : MYSQL.substring(0, q);
    return base.substring(0, base.lastIndexOf('/') + 1) + mysqlDatabase + "?tablePrefix=t" + (++mysqlTables) + "_";
  }

  private static String mysqlServerDatabase() {
    String base = MYSQL.replaceFirst("\\?.*$", "");
    return base.substring(base.lastIndexOf('/') + 1);
  }

  /** An admin connection to the MySQL test server, in {@code database}. */
  private static Connection mysqlAdmin(String database) throws SQLException {
    String rest = MYSQL.replaceFirst("\\?.*$", "").substring(MYSQL.indexOf("//") + 2);
    String user = "root";
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String info = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = info.indexOf(':');
      user = colon < 0 ? info : info.substring(0, colon);
      password = colon < 0 ? null : java.net.URLDecoder.decode(info.substring(colon + 1), java.nio.charset.StandardCharsets.UTF_8);
    }
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("connectTimeout", "3000");
    String hosts = rest.substring(0, rest.indexOf('/'));
    return java.sql.DriverManager.getConnection("jdbc:mariadb://" + hosts + "/" + database, p);
  }

  private static boolean pingMysql() {
    try (Connection c = mysqlAdmin(mysqlServerDatabase())) {
      return c.isValid(3);
    } catch (SQLException e) {
      return false;
    }
  }

  static void requirePostgres() {
    if (postgresUp == null) {
      postgresUp = pingPostgres();
    }
    if (!postgresUp) {
      unavailable("PostgreSQL tests skipped: no server answers at " + org.sessionkit.spi.StorageUri.redact(POSTGRES)
          + "; start one with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
          + " or set SESSIONKIT_TEST_POSTGRES_URL");
    }
  }

  static void requireRedis() {
    if (redisUp == null) {
      redisUp = pingRedis();
    }
    if (!redisUp) {
      unavailable("Redis tests skipped: no server answers at " + org.sessionkit.spi.StorageUri.redact(REDIS)
          + "; start one with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\""
          + " --appendonly no` or set SESSIONKIT_TEST_REDIS_URL");
    }
  }

  private static void unavailable(String message) {
    if (System.getenv("CI") != null) {
      Assertions.fail(message + " (CI is set, so a missing server is an error)");
    }
    Assumptions.abort(message);
  }

  private static PGSimpleDataSource admin() {
    // postgresql://user[:password]@host[:port]/db[?…] → the driver's URL.
    String rest = POSTGRES.substring(POSTGRES.indexOf("//") + 2);
    int q = rest.indexOf('?');
    if (q >= 0) {
      rest = rest.substring(0, q);
    }
    String user = "postgres";
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String info = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = info.indexOf(':');
      user = colon < 0 ? info : info.substring(0, colon);
      password = colon < 0 ? null : java.net.URLDecoder.decode(info.substring(colon + 1), java.nio.charset.StandardCharsets.UTF_8);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL("jdbc:postgresql://" + rest);
    ds.setUser(user);
    if (password != null) {
      ds.setPassword(password);
    }
    ds.setConnectTimeout(3);
    ds.setApplicationName("sessionkit-cli-test");
    return ds;
  }

  private static boolean pingPostgres() {
    try (Connection c = admin().getConnection()) {
      return c.isValid(3);
    } catch (SQLException e) {
      return false;
    }
  }

  private static RedisURI redisUri() {
    return RedisURI.create(REDIS.replaceFirst("\\?.*$", ""));
  }

  private static boolean pingRedis() {
    RedisURI uri = redisUri();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Override
  public synchronized void close() throws SQLException {
    if (mysqlDatabase != null) {
      try (Connection c = mysqlAdmin(mysqlServerDatabase()); Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS `" + mysqlDatabase + "`");
      }
      mysqlDatabase = null;
    }
    if (!schemas.isEmpty()) {
      try (Connection c = admin().getConnection(); Statement s = c.createStatement()) {
        for (String schema : schemas) {
          s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
      }
      schemas.clear();
    }
    if (!prefixes.isEmpty()) {
      RedisClient client = RedisClient.create(redisUri());
      try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
        for (String prefix : prefixes) {
          ScanCursor cursor = ScanCursor.INITIAL;
          do {
            KeyScanCursor<byte[]> page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
            if (!page.getKeys().isEmpty()) {
              c.sync().unlink(page.getKeys().toArray(new byte[0][]));
            }
            cursor = page;
          } while (!cursor.isFinished());
        }
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      prefixes.clear();
    }
  }
}
