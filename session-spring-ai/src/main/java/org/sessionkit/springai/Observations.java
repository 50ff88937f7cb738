package org.sessionkit.springai;

import io.micrometer.observation.ObservationRegistry;
import org.sessionkit.SessionStorage;
import org.sessionkit.micrometer.ObservedSessionStorage;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.ClassUtils;

/**
 * Applies {@code session-micrometer}'s observation decorator to the store the auto-configuration
 * opens, when the application has one {@link ObservationRegistry} bean, {@code session-micrometer}
 * is on the class path and {@code sessionkit.observation.enabled} is not false. A store bean of the
 * application is left as it is (decorate it yourself with {@code ObservedSessionStorage.observe}).
 */
final class Observations {

  private static final boolean PRESENT =
      ClassUtils.isPresent("org.sessionkit.micrometer.ObservedSessionStorage", Observations.class.getClassLoader());

  private Observations() {}

  static SessionStorage observe(
      SessionStorage storage, SessionkitProperties properties, ObjectProvider<ObservationRegistry> registries) {
    if (!PRESENT || !properties.getObservation().isEnabled()) {
      return storage;
    }
    ObservationRegistry registry = registries.getIfUnique();
    return registry == null ? storage : Decorator.observe(storage, registry);
  }

  // A class of its own, so that ObservedSessionStorage is loaded only when it is present.
  private static final class Decorator {
    static SessionStorage observe(SessionStorage storage, ObservationRegistry registry) {
      return ObservedSessionStorage.observe(storage, registry);
    }
  }
}
