package org.sessionkit.mysql.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.spi.BenchmarkBaseline;
import org.sessionkit.spi.BenchmarkSupport;

/**
 * The MySQL / MariaDB store in the benchmark: a namespace is a database of its own (created here:
 * the store creates tables, never databases), removed with {@code DROP DATABASE}. The baseline is
 * {@link MySqlBaseline}. Connections go through the driver the URI resolves to ({@link Drivers}),
 * so the benchmark needs a driver on its class path like any application. Stateless.
 */
final class MySqlBenchmarkSupport implements BenchmarkSupport {

  /** The local development server (user root without a password). */
  static final String DEVELOPMENT_URI = "mariadb://root@127.0.0.1:3306/test";

  private static final Duration CONNECT = Duration.ofSeconds(3);

  @Override
  public Optional<String> developmentUri() {
    return Optional.of(DEVELOPMENT_URI);
  }

  @Override
  public String baselineDescription() {
    return "SessionCodec.encode + one JDBC upsert of the document (auto-commit); one select by id + decode";
  }

  @Override
  public Optional<String> probe(String uri) {
    try (Connection c = connect(uri)) {
      return c.isValid(3) ? Optional.empty() : Optional.of("the connection is not valid");
    } catch (SQLException | RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  @Override
  public SessionStorage openStore(String uri, String namespace) {
    create(uri, namespace);
    return SessionStorages.open(inDatabase(uri, namespace), List.of(new MySqlSessionStorageProvider()));
  }

  @Override
  public BenchmarkBaseline openBaseline(String uri, String namespace) {
    create(uri, namespace);
    String inNamespace = inDatabase(uri, namespace);
    return new MySqlBaseline(() -> connect(inNamespace), namespace);
  }

  @Override
  public void dropNamespace(String uri, String namespace) {
    execute(uri, "DROP DATABASE IF EXISTS " + quote(namespace), "drop the database " + namespace);
  }

  @Override
  public int dropNamespaces(String uri, String prefix) {
    List<String> databases = new ArrayList<>();
    try (Connection c = connect(uri); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SHOW DATABASES")) {
        while (rs.next()) {
          if (rs.getString(1).startsWith(prefix)) {
            databases.add(rs.getString(1));
          }
        }
      }
      for (String d : databases) {
        s.execute("DROP DATABASE IF EXISTS " + quote(d));
      }
    } catch (SQLException e) {
      throw new StorageUnavailableException("can't drop the databases " + prefix + "*: " + e.getMessage(), e);
    }
    return databases.size();
  }

  private static void create(String uri, String namespace) {
    execute(uri, "CREATE DATABASE IF NOT EXISTS " + quote(namespace) + " CHARACTER SET utf8mb4",
        "create the database " + namespace);
  }

  private static void execute(String uri, String sql, String what) {
    try (Connection c = connect(uri); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new StorageUnavailableException("can't " + what + ": " + e.getMessage(), e);
    }
  }

  /** A connection (auto-commit) to the database of a store URI, outside any pool. */
  private static Connection connect(String uri) throws SQLException {
    return OwnedPool.connect(OwnedPool.target(MySqlUri.parse(uri), CONNECT, Duration.ZERO));
  }

  /** The store URI with its database replaced by {@code database}. */
  static String inDatabase(String uri, String database) {
    MySqlUri u = MySqlUri.parse(uri);
    int query = uri.indexOf('?');
    String head = query < 0 ? uri : uri.substring(0, query);
    String tail = query < 0 ? "" : uri.substring(query);
    return head.substring(0, head.length() - u.database().length()) + database + tail;
  }

  private static String quote(String name) {
    return '`' + name.replace("`", "``") + '`';
  }
}
