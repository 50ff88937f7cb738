package org.sessionkit.memory.internal;

import com.google.auto.service.AutoService;
import java.util.Set;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.memory.MemorySessionStorage;

/** Serves {@code memory:}: a new, empty {@link MemorySessionStorage} per call. Takes no options. */
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
    uri.optionReader().finish();
    return new MemorySessionStorage();
  }
}
