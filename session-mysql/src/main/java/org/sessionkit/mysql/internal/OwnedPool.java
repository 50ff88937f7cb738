package org.sessionkit.mysql.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.sessionkit.StorageConfigurationException;

/**
 * The HikariCP pool a store creates for a URI, and owns, on the driver {@link Drivers} found.
 *
 * <p>Every pooled connection runs in READ COMMITTED (no gap locks, so concurrent creates of one
 * id don't deadlock; the store's correctness does not depend on it: every write locks its
 * session row first) and starts with the statement timeout set on the server: {@code
 * innodb_lock_wait_timeout} (whole seconds, on both servers) and, on MariaDB, {@code
 * max_statement_time} (MySQL's {@code max_execution_time} covers only SELECTs and is not set).
 * The driver's socket timeout bounds the wait for a server that stopped answering.
 */
public final class OwnedPool {

  private static final AtomicInteger POOLS = new AtomicInteger();

  private OwnedPool() {}

  /** Where and how the store's own connections connect. */
  public record Target(Drivers.Kind kind, String jdbcUrl, Properties properties, String redacted) {}

  /**
   * Returns how to connect for {@code uri}.
   *
   * @throws StorageConfigurationException if no suitable driver is on the class path
   */
  public static Target target(MySqlUri uri, Duration connectTimeout, Duration statementTimeout) {
    Drivers.Kind kind = Drivers.resolve(uri);
    long connectMillis = Math.max(250, connectTimeout.toMillis());
    long socketMillis = statementTimeout.isZero() ? 0
        : statementTimeout.toMillis() + connectMillis + 5_000;
    return new Target(kind, Drivers.jdbcUrl(kind, uri),
        Drivers.properties(kind, uri, connectMillis, socketMillis), uri.redacted());
  }

  /**
   * Opens one connection outside any pool (for creating the tables, which must not run under
   * the pool's statement timeout).
   *
   * @throws SQLException if the server can't be reached or refuses
   */
  public static Connection connect(Target target) throws SQLException {
    Driver driver = driver(target);
    Connection c = driver.connect(target.jdbcUrl(), target.properties());
    if (c == null) {
      throw new StorageConfigurationException(
          "the driver " + target.kind().className() + " does not accept the URL of " + target.redacted());
    }
    return c;
  }

  /**
   * Creates the pool. It does not connect yet (a running store reconnects by itself).
   *
   * @param poolSize the most connections
   * @param connectTimeout the wait for a pooled connection
   * @param statementTimeout how long one statement may run; zero for no limit
   */
  public static HikariDataSource create(Target target, int poolSize, Duration connectTimeout, Duration statementTimeout) {
    HikariConfig config = new HikariConfig();
    config.setDriverClassName(target.kind().className());
    config.setJdbcUrl(target.jdbcUrl());
    Properties props = new Properties();
    for (Map.Entry<Object, Object> e : target.properties().entrySet()) {
      String k = e.getKey().toString();
      if (k.equals("user")) {
        config.setUsername(e.getValue().toString());
      } else if (k.equals("password")) {
        config.setPassword(e.getValue().toString());
      } else {
        props.setProperty(k, e.getValue().toString());
      }
    }
    config.setDataSourceProperties(props);
    config.setPoolName("sessionkit-mysql-" + POOLS.incrementAndGet());
    config.setMaximumPoolSize(poolSize);
    // Kept small so that short-lived stores (tests, tools) don't open a full pool up front.
    config.setMinimumIdle(Math.min(poolSize, 2));
    long connectMillis = Math.max(250, connectTimeout.toMillis());
    config.setConnectionTimeout(connectMillis);
    config.setValidationTimeout(Math.max(250, Math.min(5_000, connectMillis)));
    config.setInitializationFailTimeout(-1);
    config.setAutoCommit(true);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setRegisterMbeans(false);
    if (!statementTimeout.isZero()) {
      config.setConnectionInitSql(initSql(statementTimeout));
    }
    return new HikariDataSource(config);
  }

  /**
   * The statement that sets a connection's statement timeout on either server: MySQL ignores
   * the {@code /*M!…} comment, which only MariaDB runs.
   */
  static String initSql(Duration statementTimeout) {
    int lockSeconds = Math.max(1, ceilSeconds(statementTimeout));
    String seconds = String.format(Locale.ROOT, "%.3f", Math.max(1, statementTimeout.toMillis()) / 1000.0);
    return "SET SESSION innodb_lock_wait_timeout = " + lockSeconds
        + " /*M!100108 , max_statement_time = " + seconds + " */";
  }

  /** Returns {@code d} in whole seconds, rounded up. */
  public static int ceilSeconds(Duration d) {
    long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return (int) Math.min(Integer.MAX_VALUE, s);
  }

  private static Driver driver(Target target) {
    Class<? extends Driver> type = Drivers.load(target.kind()).orElseThrow(() ->
        new StorageConfigurationException("the driver " + target.kind().className() + " is not on the class path"));
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable cause = e instanceof InvocationTargetException i ? i.getCause() : e;
      throw new StorageConfigurationException(
          "the driver " + target.kind().className() + " can't be created: " + cause, cause);
    }
  }
}
