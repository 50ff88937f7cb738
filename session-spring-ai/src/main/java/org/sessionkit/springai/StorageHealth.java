package org.sessionkit.springai;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sessionkit.SessionStorage;

/**
 * What the health indicators of both Spring Boot lines report: each store pinged ({@link
 * SessionStorage#ping()}, bounded by the store), with its {@link SessionStorage#kind()}. Never a
 * location or a secret. Stateless. Package-private: shared by the indicator of each Boot line, which
 * differ only in Boot's health types.
 */
final class StorageHealth {

  /** The longest a check waits for one store's ping (the store bounds it by 5 s itself). */
  static final Duration WAIT = Duration.ofSeconds(10);

  private StorageHealth() {}

  /**
   * One store's health.
   *
   * @param up whether it answered
   * @param details {@code kind}, and {@code error} (the failure's type and message) when down
   */
  record Result(boolean up, Map<String, Object> details) {}

  /**
   * Pings every store and returns their health: UP when every store answered. With one store the
   * details are {@code kind} (and {@code error}); with several, one entry per bean name (in the
   * map's order) holding {@code status}, {@code kind} (and {@code error}).
   */
  static Result checkAll(Map<String, SessionStorage> stores) {
    if (stores.size() == 1) {
      return check(stores.values().iterator().next());
    }
    boolean up = true;
    Map<String, Object> details = new LinkedHashMap<>();
    for (Map.Entry<String, SessionStorage> e : stores.entrySet()) {
      Result r = check(e.getValue());
      up &= r.up();
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("status", r.up() ? "UP" : "DOWN");
      one.putAll(r.details());
      details.put(e.getKey(), one);
    }
    return new Result(up, details);
  }

  /** Pings {@code storage} and returns what it said. */
  static Result check(SessionStorage storage) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("kind", storage.kind());
    try {
      storage.ping().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return new Result(true, details);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      details.put("error", "interrupted");
      return new Result(false, details);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      details.put("error", cause.getClass().getName() + ": " + cause.getMessage());
      return new Result(false, details);
    } catch (TimeoutException e) {
      details.put("error", "no answer within " + WAIT.toSeconds() + " s");
      return new Result(false, details);
    }
  }
}
