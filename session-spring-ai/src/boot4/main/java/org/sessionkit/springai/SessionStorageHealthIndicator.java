package org.sessionkit.springai;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.sessionkit.SessionStorage;
import org.sessionkit.springai.internal.StorageHealth;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Actuator health of the application's sessionkit stores (Spring Boot 4): each store is pinged
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
    if (stores.size() == 1) {
      StorageHealth.Result r = StorageHealth.check(stores.values().iterator().next());
      return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
    }
    boolean up = true;
    Map<String, Object> details = new LinkedHashMap<>();
    for (Map.Entry<String, SessionStorage> e : stores.entrySet()) {
      StorageHealth.Result r = StorageHealth.check(e.getValue());
      up &= r.up();
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("status", r.up() ? "UP" : "DOWN");
      one.putAll(r.details());
      details.put(e.getKey(), one);
    }
    return (up ? Health.up() : Health.down()).withDetails(details).build();
  }
}
