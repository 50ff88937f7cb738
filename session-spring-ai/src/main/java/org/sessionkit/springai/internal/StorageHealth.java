package org.sessionkit.springai.internal;

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
 * location or a secret. Stateless.
 */
public final class StorageHealth {

  /** The longest a check waits for one store's ping (the store bounds it by 5 s itself). */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private StorageHealth() {}

  /**
   * One store's health.
   *
   * @param up whether it answered
   * @param details {@code kind}, and {@code error} (the failure's type and message) when down
   */
  public record Result(boolean up, Map<String, Object> details) {}

  /** Pings {@code storage} and returns what it said. */
  public static Result check(SessionStorage storage) {
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
