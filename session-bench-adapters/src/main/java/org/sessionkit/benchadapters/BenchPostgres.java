package org.sessionkit.benchadapters;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.sessionkit.spi.StorageUri;

/**
 * The PostgreSQL server both repositories of the benchmark use, named by a URI {@code
 * postgresql://user[:password]@host[:port]/database} (also {@code postgres://} and {@code
 * jdbc:postgresql://}; a query string is passed on to both the store and pgjdbc). Each trial works
 * in a schema of its own, created and dropped here, so runs never meet each other's data.
 *
 * <p>Immutable and thread safe. The password never appears in {@link #toString()} or in messages.
 */
public final class BenchPostgres {

  /** System property naming the server (also passed on to JMH's forked JVMs). */
  public static final String PROPERTY = "sessionkit.bench.postgres";

  /** Environment variable naming the server when the property is absent (the tests' one). */
  public static final String ENVIRONMENT_VARIABLE = "SESSIONKIT_TEST_POSTGRES_URL";

  /** The local server: trust auth, user postgres, database test. */
  public static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test";

  /** Connections of each repository's pool: the benchmark runs one thread. */
  static final int POOL_SIZE = 4;

  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final String url;
  private final String jdbcUrl;
  private final Optional<String> user;
  private final Optional<String> password;
  private final String query;

  private BenchPostgres(String url) {
    this.url = url;
    URI u;
    try {
      u = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a PostgreSQL URI: " + StorageUri.redact(url));
    }
    if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException(
          "not a PostgreSQL URI (postgresql://user@host:port/database): " + StorageUri.redact(url));
    }
    String userInfo = u.getUserInfo();
    if (userInfo == null) {
      user = Optional.empty();
      password = Optional.empty();
    } else {
      int colon = userInfo.indexOf(':');
      user = Optional.of(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? Optional.empty() : Optional.of(userInfo.substring(colon + 1));
    }
    query = u.getRawQuery() == null ? "" : u.getRawQuery();
    jdbcUrl = "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort()) + u.getRawPath();
  }

  /**
   * Returns the server named by the system property {@value #PROPERTY}, else the environment
   * variable {@value #ENVIRONMENT_VARIABLE}, else {@value #DEFAULT_URL}.
   *
   * @throws IllegalArgumentException if that is not a PostgreSQL URI
   */
  public static BenchPostgres fromEnvironment() {
    String url = System.getProperty(PROPERTY);
    if (url == null || url.isBlank()) {
      url = System.getenv().getOrDefault(ENVIRONMENT_VARIABLE, DEFAULT_URL);
    }
    return of(url);
  }

  /**
   * Returns the server named by {@code url}.
   *
   * @throws IllegalArgumentException if it is not a PostgreSQL URI
   */
  public static BenchPostgres of(String url) {
    return new BenchPostgres(url);
  }

  /** Returns the URI as given (with its password, if any: keep it out of messages). */
  public String url() {
    return url;
  }

  /** Returns whether the server accepts a connection within three seconds. */
  public boolean answers() {
    try (Connection c = connect()) {
      return c.isValid(3);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Returns a fresh schema name ({@code skb_<tag>_<pid>_<random>}), not yet created. */
  public static String newSchemaName(String tag) {
    String name = String.format(Locale.ROOT, "skb_%s_%d_%06x", tag, ProcessHandle.current().pid(),
        ThreadLocalRandom.current().nextInt(0x1000000));
    if (!PLAIN_IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain schema name: " + name);
    }
    return name;
  }

  /**
   * Returns the sessionkit store URI for {@code schema}: the server's URI with the options
   * {@code schema} and {@code poolSize} (the store creates the schema on first use).
   */
  public String storeUrl(String schema) {
    return url + (url.contains("?") ? "&" : "?") + "schema=" + schema + "&poolSize=" + POOL_SIZE;
  }

  /**
   * Returns a HikariCP pool of {@value #POOL_SIZE} connections whose unqualified names resolve in
   * {@code schema} (pgjdbc's {@code currentSchema}): what a Spring Boot application's default
   * {@code DataSource} is. The caller closes it.
   */
  public HikariDataSource pool(String schema) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl + "?currentSchema=" + schema + (query.isEmpty() ? "" : "&" + query));
    user.ifPresent(config::setUsername);
    password.ifPresent(config::setPassword);
    config.setMaximumPoolSize(POOL_SIZE);
    config.setPoolName("spring-ai-jdbc-" + schema);
    return new HikariDataSource(config);
  }

  /**
   * Runs {@code statements} on one new connection, in order (auto-commit).
   *
   * @throws SQLException if one fails
   */
  public void execute(String... statements) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /**
   * Drops {@code schema} and everything in it, if it exists.
   *
   * @throws SQLException if the server refuses
   * @throws IllegalArgumentException if {@code schema} is not a plain identifier
   */
  public void dropSchema(String schema) throws SQLException {
    if (!PLAIN_IDENTIFIER.matcher(schema).matches()) {
      throw new IllegalArgumentException("not a plain schema name: " + schema);
    }
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  /**
   * Returns whether {@code schema} exists on the server.
   *
   * @throws SQLException if the server can't be asked
   */
  public boolean schemaExists(String schema) throws SQLException {
    try (Connection c = connect();
        var s = c.prepareStatement("SELECT count(*) FROM pg_namespace WHERE nspname = ?")) {
      s.setString(1, schema);
      try (var rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    user.ifPresent(u -> props.setProperty("user", u));
    password.ifPresent(p -> props.setProperty("password", p));
    props.setProperty("connectTimeout", "3");
    props.setProperty("loginTimeout", "3");
    props.setProperty("ApplicationName", "sessionkit-bench-admin");
    return DriverManager.getConnection(jdbcUrl + (query.isEmpty() ? "" : "?" + query), props);
  }

  /** Returns the URI without its password. */
  @Override
  public String toString() {
    return StorageUri.redact(url);
  }
}
