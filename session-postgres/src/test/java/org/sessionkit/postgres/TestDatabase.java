package org.sessionkit.postgres;

import static org.assertj.core.api.Assertions.fail;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;
import org.sessionkit.postgres.internal.PgUri;

/**
 * The PostgreSQL server the tests use: {@code SESSIONKIT_TEST_POSTGRES_URL}, by default the
 * local server (postgresql://postgres@127.0.0.1:5432/test, trust auth). Every store a test opens
 * works in a schema of its own, dropped by {@link #dropSchemas()}.
 *
 * <p>Without a server the tests are skipped with a message that says how to start one, except
 * when the environment variable {@code CI} is set: there a missing server fails the build.
 */
final class TestDatabase implements AutoCloseable {

  static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test";

  private static final String HOW_TO_START =
      "start the local one with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
          + " (trust auth, user postgres, database test) or point SESSIONKIT_TEST_POSTGRES_URL at"
          + " a server";

  private static volatile Boolean reachable;

  private final String url;
  private final PGSimpleDataSource admin;
  private final List<String> schemas = new ArrayList<>();

  private TestDatabase(String url) {
    this.url = url;
    this.admin = dataSource(url, "sessionkit-test-admin");
  }

  /** Returns the test server's handle; {@link #require()} checks that it answers. */
  static TestDatabase shared() {
    return new TestDatabase(System.getenv().getOrDefault("SESSIONKIT_TEST_POSTGRES_URL", DEFAULT_URL));
  }

  /**
   * Skips the current test (or, under CI, fails it) when the server does not answer. Called
   * before each test, so that every test shows as skipped with the reason.
   */
  TestDatabase require() {
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
    return this;
  }

  private String unreachable() {
    return "PostgreSQL tests skipped: no server answers at " + PgUri.parse(url) + "; " + HOW_TO_START;
  }

  /** Returns a pgjdbc data source for a store URI (for admin work beside the store). */
  static PGSimpleDataSource dataSource(String storeUrl, String applicationName) {
    PgUri u = PgUri.parse(storeUrl);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(u.jdbcUrl());
    u.user().ifPresent(ds::setUser);
    u.password().ifPresent(ds::setPassword);
    ds.setApplicationName(applicationName);
    ds.setConnectTimeout(3);
    ds.setLoginTimeout(3);
    return ds;
  }

  /** Returns a fresh schema name, remembered for {@link #dropSchemas()}. */
  synchronized String newSchema() {
    String name = String.format(Locale.ROOT, "skt_%d_%d_%04x", ProcessHandle.current().pid(),
        schemas.size(), ThreadLocalRandom.current().nextInt(0x10000));
    schemas.add(name);
    return name;
  }

  /** Returns the store URI for {@code schema} with extra options ({@code k=v&…}, may be empty). */
  String storeUrl(String schema, String extraOptions) {
    String sep = url.contains("?") ? "&" : "?";
    return url + sep + "schema=" + schema + "&poolSize=4" + (extraOptions.isEmpty() ? "" : "&" + extraOptions);
  }

  /**
   * Returns the store URI of the test server with its authority replaced by {@code
   * 127.0.0.1:port} (a proxy or pooler in front of it), for {@code schema} and options.
   */
  String storeUrlVia(int port, String schema, String extraOptions) {
    java.net.URI u = java.net.URI.create(url.replaceFirst("^[a-z]+://", "http://"));
    String userInfo = u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@";
    String query = u.getRawQuery() == null ? "" : u.getRawQuery() + "&";
    return "postgresql://" + userInfo + "127.0.0.1:" + port + u.getRawPath() + "?" + query
        + "schema=" + schema + (extraOptions.isEmpty() ? "" : "&" + extraOptions);
  }

  /** The host of the test server (a single-host URI). */
  String host() {
    return java.net.URI.create(url.replaceFirst("^[a-z]+://", "http://")).getHost();
  }

  /** The port of the test server (a single-host URI). */
  int port() {
    int p = java.net.URI.create(url.replaceFirst("^[a-z]+://", "http://")).getPort();
    return p < 0 ? 5432 : p;
  }

  /** The database of the test server. */
  String database() {
    return java.net.URI.create(url.replaceFirst("^[a-z]+://", "http://")).getPath().substring(1);
  }

  /** Opens a store in a new schema. */
  PostgresSessionStorage open() {
    return PostgresSessionStorage.open(storeUrl(newSchema(), ""));
  }

  /** The server's URI. */
  String url() {
    return url;
  }

  /** Returns a new admin connection (auto-commit). */
  Connection connect() throws SQLException {
    return admin.getConnection();
  }

  /** Runs statements as admin. */
  void execute(String... statements) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** Drops every schema this instance handed out. */
  synchronized void dropSchemas() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String schema : schemas) {
        s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
      }
    }
    schemas.clear();
  }

  @Override
  public void close() throws SQLException {
    if (Boolean.TRUE.equals(reachable)) {
      dropSchemas();
    }
  }

  private boolean ping() {
    try (Connection c = connect()) {
      return c.isValid(3);
    } catch (SQLException e) {
      return false;
    }
  }
}
