package org.sessionkit.redis.internal;

import com.google.auto.service.AutoService;
import java.util.Set;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.redis.RedisSessionStorage;

/**
 * Serves {@code redis://[user:password@]host[:port][/db]?options}, {@code rediss://…} (TLS),
 * {@code redis://h1:p1,h2:p2} (Redis Cluster) and {@code redis-sentinel://…#primary} / {@code
 * rediss-sentinel://…}: a {@link RedisSessionStorage} with its own client. Stateless; all work happens in {@link
 * #create}.
 */
@AutoService(SessionStorageProvider.class)
public final class RedisSessionStorageProvider implements SessionStorageProvider {

  /** Creates the provider (for {@link java.util.ServiceLoader}). */
  public RedisSessionStorageProvider() {}

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public Set<String> schemes() {
    return Set.copyOf(StoreUri.SCHEMES);
  }

  @Override
  public SessionStorage create(StorageUri uri) {
    // Parsed once here so that a URI handed over by discovery and one given to the builder
    // follow exactly the same rules.
    StoreUri.parse(uri);
    return RedisSessionStorage.open(uri.unredacted());
  }

  /** A key prefix per benchmark trial, and the plain SET/GET baseline ({@link RedisBenchmarkSupport}). */
  @Override
  public java.util.Optional<org.sessionkit.spi.BenchmarkSupport> benchmarkSupport() {
    return java.util.Optional.of(new RedisBenchmarkSupport());
  }
}
