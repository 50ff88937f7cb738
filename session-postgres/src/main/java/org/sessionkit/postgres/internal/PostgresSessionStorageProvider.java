package org.sessionkit.postgres.internal;

import com.google.auto.service.AutoService;
import java.util.LinkedHashSet;
import java.util.Set;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.postgres.PostgresSessionStorage;

/**
 * Serves {@code postgresql://}, {@code postgres://} and {@code jdbc:postgresql://}: a {@link
 * PostgresSessionStorage} with its own connection pool per call. Stateless.
 */
@AutoService(SessionStorageProvider.class)
public final class PostgresSessionStorageProvider implements SessionStorageProvider {

  /** Creates the provider (for {@link java.util.ServiceLoader}). */
  public PostgresSessionStorageProvider() {}

  @Override
  public String name() {
    return "postgresql";
  }

  @Override
  public Set<String> schemes() {
    return new LinkedHashSet<>(PgUri.SCHEMES);
  }

  @Override
  public SessionStorage create(StorageUri uri) {
    return PostgresSessionStorage.open(uri.unredacted());
  }

  /** A schema per benchmark trial, and the raw-JDBC baseline ({@link PostgresBenchmarkSupport}). */
  @Override
  public java.util.Optional<org.sessionkit.spi.BenchmarkSupport> benchmarkSupport() {
    return java.util.Optional.of(new PostgresBenchmarkSupport());
  }
}
