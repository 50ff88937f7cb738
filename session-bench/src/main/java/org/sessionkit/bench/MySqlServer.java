package org.sessionkit.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.spi.StorageUri;

/**
 * The MySQL / MariaDB store in the benchmark: each trial works in a database of its own (named
 * by the namespace; store and baseline in different ones), dropped with {@code DROP DATABASE}
 * when the trial ends. The default server is the local development MariaDB, {@value
 * #DEFAULT_URI}; the benchmark talks to it through MariaDB Connector/J.
 */
final class MySqlServer implements ServerStore {

  /** The local development server (user root without password). */
  static final String DEFAULT_URI = "mariadb://root@127.0.0.1:3306/test";

  @Override
  public String scheme() {
    return "mysql";
  }

  @Override
  public String defaultUri() {
    return DEFAULT_URI;
  }

  @Override
  public String baselineDescription() {
    return "baseline: SessionCodec.encode + one JDBC upsert of the document (auto-commit); "
        + "one select by id + decode";
  }

  @Override
  public Optional<String> probe(String uri) {
    try (Connection c = connect(uri, Optional.empty())) {
      return c.isValid(3) ? Optional.empty() : Optional.of("the connection is not valid");
    } catch (SQLException | RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  @Override
  public SessionStorage openStore(String uri, String namespace) {
    create(uri, namespace);
    return SessionStorages.open(inDatabase(uri, namespace));
  }

  @Override
  public SessionStorage openBaseline(String uri, String namespace) {
    create(uri, namespace);
    return new RawMySqlStorage(() -> connect(uri, Optional.of(namespace)), namespace);
  }

  @Override
  public void drop(String uri, String namespace) {
    try (Connection c = connect(uri, Optional.empty()); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + namespace + "`");
    } catch (SQLException e) {
      throw new IllegalStateException("can't drop the database " + namespace + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int sweep(String uri, String namespacePrefix) {
    List<String> databases = new ArrayList<>();
    try (Connection c = connect(uri, Optional.empty()); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SHOW DATABASES")) {
        while (rs.next()) {
          if (rs.getString(1).startsWith(namespacePrefix)) {
            databases.add(rs.getString(1));
          }
        }
      }
      for (String d : databases) {
        s.execute("DROP DATABASE IF EXISTS `" + d.replace("`", "``") + "`");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("can't sweep the databases " + namespacePrefix + "*: " + e.getMessage(), e);
    }
    return databases.size();
  }

  private static void create(String uri, String namespace) {
    try (Connection c = connect(uri, Optional.empty()); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS `" + namespace + "`");
    } catch (SQLException e) {
      throw new IllegalStateException("can't create the database " + namespace + ": " + e.getMessage(), e);
    }
  }

  /** The store URI with its database replaced by {@code database}. */
  static String inDatabase(String uri, String database) {
    Target t = Target.of(uri);
    int query = uri.indexOf('?');
    String head = query < 0 ? uri : uri.substring(0, query);
    String tail = query < 0 ? "" : uri.substring(query);
    return head.substring(0, head.length() - t.database().length()) + database + tail;
  }

  /** A connection (auto-commit) to the server of a store URI, in {@code database} or its own. */
  static Connection connect(String uri, Optional<String> database) throws SQLException {
    Target t = Target.of(uri);
    Properties p = new Properties();
    t.user().ifPresent(v -> p.setProperty("user", v));
    t.password().ifPresent(v -> p.setProperty("password", v));
    p.setProperty("connectTimeout", "3000");
    return DriverManager.getConnection("jdbc:mariadb://" + t.hosts() + "/" + database.orElse(t.database()), p);
  }

  /**
   * The server part of a {@code mysql://}, {@code mariadb://} or {@code jdbc:…} store URI, read
   * here with the public {@link StorageUri} (the store's own parser is internal to it).
   */
  record Target(Optional<String> user, Optional<String> password, String hosts, String database) {
    static Target of(String uri) {
      String scheme = uri.substring(0, uri.indexOf("://"));
      StorageUri.Server s = StorageUri.parse(uri, scheme).server(scheme + "://user@host:port/database");
      Optional<String> user = s.user();
      Optional<String> password = s.password();
      StorageUri parsed = StorageUri.parse(uri, scheme);
      if (parsed.options().containsKey("user")) {
        user = Optional.of(parsed.options().get("user"));
      }
      if (parsed.options().containsKey("password")) {
        password = Optional.of(parsed.options().get("password"));
      }
      return new Target(user, password, s.hosts(), s.path());
    }
  }
}
