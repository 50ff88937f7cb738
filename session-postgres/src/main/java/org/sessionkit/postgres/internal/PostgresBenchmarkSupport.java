package org.sessionkit.postgres.internal;

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
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.spi.BenchmarkBaseline;
import org.sessionkit.spi.BenchmarkSupport;
import org.sessionkit.spi.StorageUri;

/**
 * The PostgreSQL store in the benchmark: a namespace is a schema (the store's {@code schema}
 * option; the baseline's tables live in a schema of their own), removed with {@code DROP SCHEMA …
 * CASCADE}. The baseline is {@link PostgresBaseline}. Stateless.
 */
final class PostgresBenchmarkSupport implements BenchmarkSupport {

  /** The local development server (trust authentication). */
  static final String DEVELOPMENT_URI = "postgresql://postgres@127.0.0.1:5432/test";

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
    try (Connection c = dataSource(uri).getConnection()) {
      return c.isValid(3) ? Optional.empty() : Optional.of("the connection is not valid");
    } catch (SQLException | RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  @Override
  public SessionStorage openStore(String uri, String namespace) {
    return SessionStorages.open(withOption(uri, "schema=" + namespace), List.of(new PostgresSessionStorageProvider()));
  }

  @Override
  public BenchmarkBaseline openBaseline(String uri, String namespace) {
    return new PostgresBaseline(dataSource(uri), namespace);
  }

  @Override
  public void dropNamespace(String uri, String namespace) {
    try (Connection c = dataSource(uri).getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + quote(namespace) + " CASCADE");
    } catch (SQLException e) {
      throw new StorageUnavailableException("can't drop the schema " + namespace + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int dropNamespaces(String uri, String prefix) {
    List<String> schemas = new ArrayList<>();
    try (Connection c = dataSource(uri).getConnection()) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, ?)")) {
        ps.setString(1, prefix);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            schemas.add(rs.getString(1));
          }
        }
      }
      try (Statement s = c.createStatement()) {
        for (String schema : schemas) {
          s.execute("DROP SCHEMA IF EXISTS " + quote(schema) + " CASCADE");
        }
      }
    } catch (SQLException e) {
      throw new StorageUnavailableException("can't drop the schemas " + prefix + "*: " + e.getMessage(), e);
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
        throw new StorageConfigurationException(
            "bad driver option " + k + " in " + StorageUri.redact(uri) + ": " + e.getMessage(), e);
      }
    });
    ds.setApplicationName("sessionkit-bench");
    ds.setConnectTimeout(3);
    ds.setLoginTimeout(3);
    return ds;
  }

  private static String withOption(String uri, String option) {
    return uri + (uri.contains("?") ? "&" : "?") + option;
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
