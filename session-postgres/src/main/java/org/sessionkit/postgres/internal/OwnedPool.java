package org.sessionkit.postgres.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;
import org.sessionkit.StorageConfigurationException;

/** The HikariCP pool a store creates for a URI, and owns. */
public final class OwnedPool {

  private static final AtomicInteger POOLS = new AtomicInteger();

  private OwnedPool() {}

  /**
   * Creates a pool on {@code uri}. It does not connect yet (the store's first use reports an
   * unreachable server with a typed error, and a running store reconnects by itself).
   *
   * @param poolSize the most connections
   * @param connectTimeout the wait for a pooled connection and for a new TCP connection
   * @param statementTimeout the server's {@code statement_timeout}; zero for none
   * @param transactionPooling whether the URI points at a pooler in transaction mode: then no
   *     server-side prepared statements and no startup options (PgBouncer refuses {@code
   *     options}); the statement timeout is set per transaction by {@link Jdbc} instead
   * @throws StorageConfigurationException if pgjdbc rejects a driver option
   */
  public static HikariDataSource create(
      PgUri uri, int poolSize, Duration connectTimeout, Duration statementTimeout,
      boolean transactionPooling) {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setURL(uri.jdbcUrl());
    uri.user().ifPresent(pg::setUser);
    uri.password().ifPresent(pg::setPassword);
    for (Map.Entry<String, String> p : uri.driverProperties().entrySet()) {
      try {
        pg.setProperty(p.getKey(), p.getValue());
      } catch (SQLException e) {
        throw new StorageConfigurationException(
            "option '" + p.getKey() + "' of " + uri.redacted() + " is rejected by pgjdbc: " + e.getMessage());
      }
    }
    if (!uri.driverProperties().containsKey("ApplicationName")) {
      pg.setApplicationName("sessionkit");
    }
    int connectSeconds = Math.max(1, ceilSeconds(connectTimeout));
    pg.setConnectTimeout(connectSeconds);
    pg.setLoginTimeout(connectSeconds);
    pg.setTcpKeepAlive(true);
    if (transactionPooling) {
      // A server-side prepared statement lives on one server connection, and the pooler hands
      // the next transaction to another one: always send unnamed statements.
      pg.setPrepareThreshold(0);
    }
    if (!statementTimeout.isZero()) {
      if (!transactionPooling) {
        // Enforced by the server for every statement, set once per connection at startup (no
        // extra round trip).
        pg.setOptions("-c statement_timeout=" + Math.max(1, statementTimeout.toMillis()));
      }
      // A server that stops answering (network loss, paused host) can't enforce its own
      // timeout: the socket timeout bounds the wait for a reply.
      pg.setSocketTimeout(ceilSeconds(statementTimeout) + connectSeconds + 5);
    }
    HikariConfig config = new HikariConfig();
    config.setDataSource(pg);
    config.setPoolName("sessionkit-postgres-" + POOLS.incrementAndGet());
    config.setMaximumPoolSize(poolSize);
    // Kept small so that short-lived stores (tests, tools) don't open a full pool up front;
    // connections up to poolSize are added on demand and kept while in use.
    config.setMinimumIdle(Math.min(poolSize, 2));
    long connectMillis = Math.max(250, connectTimeout.toMillis());
    config.setConnectionTimeout(connectMillis);
    config.setValidationTimeout(Math.max(250, Math.min(5_000, connectMillis)));
    config.setInitializationFailTimeout(-1);
    config.setAutoCommit(true);
    config.setRegisterMbeans(false);
    return new HikariDataSource(config);
  }

  /** Returns {@code d} in whole seconds, rounded up. */
  public static int ceilSeconds(Duration d) {
    long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return (int) Math.min(Integer.MAX_VALUE, s);
  }
}
