package org.sessionkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The runtime state of a session beside its messages. Immutable; the {@code with…} methods
 * return modified copies.
 *
 * @param cwd the working directory, kept exactly as given (a string, not a normalised path)
 * @param tokenUsage cumulative token usage
 * @param eventCount number of events processed, an <b>unsigned</b> 64-bit integer
 * @param custom the application's own metadata; an unmodifiable map whose values are JSON
 *     values (a JSON {@code null} is {@link JsonValue#NULL})
 */
public record SessionState(
    String cwd, TokenUsage tokenUsage, long eventCount, Map<String, JsonValue> custom) {

  /** Validates the fields and copies {@code custom}. */
  public SessionState {
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(tokenUsage, "tokenUsage");
    custom = new JsonValue.JsonObject(custom).members();
  }

  /** Returns the initial state for a session working in {@code cwd}. */
  public static SessionState initial(String cwd) {
    return new SessionState(cwd, TokenUsage.ZERO, 0, Map.of());
  }

  /** Returns a copy with {@code cwd}. */
  public SessionState withCwd(String cwd) {
    return new SessionState(cwd, tokenUsage, eventCount, custom);
  }

  /** Returns a copy with {@code tokenUsage}. */
  public SessionState withTokenUsage(TokenUsage tokenUsage) {
    return new SessionState(cwd, tokenUsage, eventCount, custom);
  }

  /** Returns a copy with {@code eventCount} (unsigned). */
  public SessionState withEventCount(long eventCount) {
    return new SessionState(cwd, tokenUsage, eventCount, custom);
  }

  /** Returns a copy with {@code custom} replaced. */
  public SessionState withCustom(Map<String, ? extends JsonValue> custom) {
    return new SessionState(cwd, tokenUsage, eventCount, new LinkedHashMap<>(custom));
  }

  /** Returns a copy with the custom entry {@code key} set to {@code value}. */
  public SessionState withCustom(String key, JsonValue value) {
    Map<String, JsonValue> copy = new LinkedHashMap<>(custom);
    copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return new SessionState(cwd, tokenUsage, eventCount, copy);
  }
}
