package org.sessionkit.mysql.internal;

import com.google.auto.service.AutoService;
import java.util.LinkedHashSet;
import java.util.Set;
import org.sessionkit.SessionStorage;
import org.sessionkit.mysql.MySqlSessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.spi.StorageUri;

/**
 * Serves {@code mysql://}, {@code mariadb://}, {@code jdbc:mysql://} and {@code
 * jdbc:mariadb://}: a {@link MySqlSessionStorage} with its own connection pool per call.
 * Stateless.
 */
@AutoService(SessionStorageProvider.class)
public final class MySqlSessionStorageProvider implements SessionStorageProvider {

  /** Creates the provider (for {@link java.util.ServiceLoader}). */
  public MySqlSessionStorageProvider() {}

  @Override
  public String name() {
    return "mysql";
  }

  @Override
  public Set<String> schemes() {
    return new LinkedHashSet<>(MySqlUri.SCHEMES);
  }

  @Override
  public SessionStorage create(StorageUri uri) {
    return MySqlSessionStorage.open(uri.unredacted());
  }

  /** A database per benchmark trial, and the raw-JDBC baseline ({@link MySqlBenchmarkSupport}). */
  @Override
  public java.util.Optional<org.sessionkit.spi.BenchmarkSupport> benchmarkSupport() {
    return java.util.Optional.of(new MySqlBenchmarkSupport());
  }
}
