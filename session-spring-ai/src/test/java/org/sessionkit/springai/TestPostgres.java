package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.spi.StorageUri;

/**
 * The PostgreSQL server of the PostgreSQL conversation tests: {@code SESSIONKIT_TEST_POSTGRES_URL},
 * by default the local server {@value #DEFAULT_URL} (trust auth). Each instance hands out store
 * URIs on schemas of their own (a test never meets another test's or another build's sessions)
 * and drops them on {@link #close()}.
 *
 * <p>The stores are opened by URI, through {@link SessionStorages}, as an application would; the
 * only SQL here is the ping and the {@code DROP SCHEMA}. Without a server the test is skipped with
 * a message, except when the environment variable {@code CI} is set: there it fails.
 */
final class TestPostgres implements AutoCloseable {

  static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test";

  private static volatile Boolean reachable;

  private final String url = System.getenv().getOrDefault("SESSIONKIT_TEST_POSTGRES_URL", DEFAULT_URL);
  private final List<String> schemas = new ArrayList<>();

  /** Returns a handle on the test server, skipping (or under CI failing) the test without one. */
  static TestPostgres require() {
    TestPostgres db = new TestPostgres();
    if (reachable == null) {
      reachable = db.ping();
    }
    if (!reachable) {
      String why = "PostgreSQL tests skipped: no server answers at " + StorageUri.redact(db.url)
          + "; start one (user postgres, database test, trust auth) or point SESSIONKIT_TEST_POSTGRES_URL at one";
      if (System.getenv("CI") != null) {
        fail(why + " (CI is set, so a missing server is an error)");
      }
      Assumptions.abort(why);
    }
    return db;
  }

  /** Returns the URI of a store on a fresh schema (created by the store on first use). */
  synchronized String newStoreUrl() {
    String schema = String.format(Locale.ROOT, "skt_sai_%d_%d_%04x", ProcessHandle.current().pid(),
        schemas.size(), ThreadLocalRandom.current().nextInt(0x10000));
    schemas.add(schema);
    // A small pool: the tests run one conversation at a time, and other builds share the server.
    return url + (url.contains("?") ? "&" : "?") + "schema=" + schema + "&poolSize=4&connectTimeout=5s";
  }

  /** Returns the name of a fresh schema (dropped by {@link #close()}). */
  synchronized String newSchema() {
    String schema = String.format(Locale.ROOT, "skt_sai_%d_%d_%04x", ProcessHandle.current().pid(),
        schemas.size(), ThreadLocalRandom.current().nextInt(0x10000));
    schemas.add(schema);
    return schema;
  }

  /** Returns a pgjdbc data source on the server, as an application's own DataSource bean. */
  javax.sql.DataSource dataSource() {
    URI u = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
    org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
    ds.setUrl("jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort()) + u.getPath());
    String userInfo = u.getUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      ds.setUser(colon < 0 ? userInfo : userInfo.substring(0, colon));
      if (colon >= 0) {
        ds.setPassword(userInfo.substring(colon + 1));
      }
    }
    ds.setApplicationName("sessionkit-test-datasource");
    return ds;
  }

  /** Opens the store at {@code storeUrl} by URI, as an application would. */
  static SessionStorage open(String storeUrl) {
    return SessionStorages.open(storeUrl);
  }

  /** Returns the first number of a query's single row (e.g. a count). */
  long queryLong(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Drops every schema this instance handed out. */
  @Override
  public synchronized void close() throws SQLException {
    if (schemas.isEmpty()) {
      return;
    }
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String schema : schemas) {
        s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
      }
    }
    schemas.clear();
  }

  private boolean ping() {
    try (Connection c = connect()) {
      return c.isValid(3);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Connects with pgjdbc to the server of the URI ({@code postgresql://}, {@code postgres://} or
   * {@code jdbc:postgresql://} with user and password in the authority); the query is not needed
   * for the admin work here.
   */
  private Connection connect() throws SQLException {
    URI u = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
    Properties props = new Properties();
    String userInfo = u.getUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      props.setProperty("user", colon < 0 ? userInfo : userInfo.substring(0, colon));
      if (colon >= 0) {
        props.setProperty("password", userInfo.substring(colon + 1));
      }
    }
    props.setProperty("connectTimeout", "3");
    props.setProperty("loginTimeout", "3");
    props.setProperty("ApplicationName", "sessionkit-test-admin");
    String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort()) + u.getPath();
    return DriverManager.getConnection(jdbc, props);
  }
}
