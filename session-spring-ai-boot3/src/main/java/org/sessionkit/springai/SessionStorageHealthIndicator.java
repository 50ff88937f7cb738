package org.sessionkit.springai;

import java.util.Map;
import java.util.TreeMap;
import org.sessionkit.SessionStorage;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The Actuator health of the application's sessionkit stores (Spring Boot 3.5): each store is pinged
 * ({@link SessionStorage#ping()}: a round trip to the server, a look at the directory, never a
 * scan; bounded by a timeout) and reported with its {@link SessionStorage#kind()}. UP when every
 * store answered; DOWN with the failure's type and message otherwise. With one store the details
 * are {@code kind} (and {@code error}); with several, one entry per bean name holding {@code
 * status}, {@code kind} (and {@code error}). Never a location or a secret. Thread safe.
 */
public final class SessionStorageHealthIndicator implements HealthIndicator {

  private final Map<String, SessionStorage> stores;

  /** Creates the indicator for {@code stores}, by bean name. */
  public SessionStorageHealthIndicator(Map<String, SessionStorage> stores) {
    this.stores = new TreeMap<>(stores);
  }

  @Override
  public Health health() {
    StorageHealth.Result r = StorageHealth.checkAll(stores);
    return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
  }
}
