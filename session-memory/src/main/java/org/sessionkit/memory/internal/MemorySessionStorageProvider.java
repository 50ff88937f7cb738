package org.sessionkit.memory.internal;

import com.google.auto.service.AutoService;
import java.util.Set;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.spi.StorageOptions;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * Serves {@code memory:}: a new, empty {@link MemorySessionStorage} per call. One option:
 * {@code retention} (an ISO-8601 duration such as {@code P30D}; sessions not written for that
 * long are absent).
 */
@AutoService(SessionStorageProvider.class)
public final class MemorySessionStorageProvider implements SessionStorageProvider {

  /** Creates the provider (for {@link java.util.ServiceLoader}). */
  public MemorySessionStorageProvider() {}

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("memory");
  }

  @Override
  public SessionStorage create(StorageUri uri) {
    if (!uri.body().isEmpty()) {
      throw new StorageConfigurationException(
          "the memory store takes no location: use memory: instead of " + uri.redacted());
    }
    StorageOptions options = uri.optionReader();
    MemorySessionStorage.Builder builder = MemorySessionStorage.builder();
    options.optionalDuration("retention").ifPresent(builder::retention);
    options.finish();
    return builder.build();
  }
}
