package org.sessionkit.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.postgres.internal.PgUri;

/**
 * The PostgreSQL store in the benchmark: each trial works in a schema of its own (the store's
 * {@code schema} option; the baseline's tables live in another), dropped with {@code DROP
 * SCHEMA … CASCADE} when the trial ends. The default server is the local development one,
 * {@value #DEFAULT_URI}.
 */
final class PostgresServer implements ServerStore {

  /** The local development server (trust authentication). */
  static final String DEFAULT_URI = "postgresql://postgres@127.0.0.1:5432/test";

  @Override
  public String scheme() {
    return "postgresql";
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
    try (Connection c = dataSource(uri).getConnection()) {
      return c.isValid(3) ? Optional.empty() : Optional.of("the connection is not valid");
    } catch (SQLException | RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  @Override
  public SessionStorage openStore(String uri, String namespace) {
    return SessionStorages.open(withOption(uri, "schema=" + namespace));
  }

  @Override
  public SessionStorage openBaseline(String uri, String namespace) {
    return new RawPostgresStorage(dataSource(uri), namespace);
  }

  @Override
  public void drop(String uri, String namespace) {
    try (Connection c = dataSource(uri).getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS \"" + namespace + "\" CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("can't drop the schema " + namespace + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int sweep(String uri, String namespacePrefix) {
    List<String> schemas = new ArrayList<>();
    try (Connection c = dataSource(uri).getConnection()) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, ?)")) {
        ps.setString(1, namespacePrefix);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            schemas.add(rs.getString(1));
          }
        }
      }
      try (Statement s = c.createStatement()) {
        for (String schema : schemas) {
          s.execute("DROP SCHEMA IF EXISTS \"" + schema.replace("\"", "\"\"") + "\" CASCADE");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("can't sweep the schemas " + namespacePrefix + "*: " + e.getMessage(), e);
    }
    return schemas.size();
  }

  /** A pgjdbc data source for the server of a store URI (its store options are not used). */
  static PGSimpleDataSource dataSource(String uri) {
    PgUri u = PgUri.parse(uri);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(u.jdbcUrl());
    u.user().ifPresent(ds::setUser);
    u.password().ifPresent(ds::setPassword);
    u.driverProperties().forEach((k, v) -> {
      try {
        ds.setProperty(k, v);
      } catch (SQLException e) {
        throw new IllegalArgumentException(
            "bad driver option " + k + " in " + StorageUri.redact(uri) + ": " + e.getMessage(), e);
      }
    });
    ds.setApplicationName("sessionkit-bench");
    ds.setConnectTimeout(3);
    ds.setLoginTimeout(3);
    return ds;
  }

  static String withOption(String uri, String option) {
    return uri + (uri.contains("?") ? "&" : "?") + option;
  }
}
