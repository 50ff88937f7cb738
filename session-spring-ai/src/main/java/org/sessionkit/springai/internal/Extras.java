package org.sessionkit.springai.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sessionkit.JsonValue;
import org.sessionkit.JsonValue.JsonInteger;
import org.sessionkit.JsonValue.JsonObject;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.springai.MessageMappingException;

/**
 * Reads and writes the per-message extras in the session state's {@code custom}, under the key
 * {@value #KEY}: {@code {"version": 1, "messages": {"<index>": {…}, …}}}, with an entry only for
 * the messages that need one. Every other {@code custom} key is left as it is. Stateless.
 */
public final class Extras {

  /** The key in {@code custom} this adapter owns. */
  public static final String KEY = "spring-ai";

  private static final JsonInteger VERSION = JsonValue.of(1);

  private Extras() {}

  /** Returns the entries of a stored session: each message with its extra (empty if none). */
  public static List<Entry> entries(Session session, String where) {
    List<JsonObject> extras = read(session.state(), session.messages().size(), where);
    List<Entry> entries = new ArrayList<>(extras.size());
    for (int i = 0; i < extras.size(); i++) {
      entries.add(new Entry(session.messages().get(i), extras.get(i)));
    }
    return Collections.unmodifiableList(entries);
  }

  /**
   * Returns the extra of each of the first {@code count} messages, an empty object for those
   * without one. Entries for positions at or beyond {@code count} are stale (their messages were
   * removed by another program) and ignored.
   *
   * @throws MessageMappingException if the {@value #KEY} value is malformed or of a newer version
   */
  public static List<JsonObject> read(SessionState state, int count, String where) {
    List<JsonObject> result = new ArrayList<>(Collections.nCopies(count, JsonValue.emptyObject()));
    JsonValue root = state.custom().get(KEY);
    if (root == null) {
      return result;
    }
    if (!(root instanceof JsonObject object)) {
      throw malformed(where, "it is not an object");
    }
    JsonValue version = object.get("version").orElse(JsonValue.NULL);
    if (!version.equals(VERSION)) {
      throw malformed(where, "version " + version + " is not 1 (written by a newer sessionkit?)");
    }
    if (!(object.get("messages").orElse(JsonValue.NULL) instanceof JsonObject messages)) {
      throw malformed(where, "\"messages\" is not an object");
    }
    for (Map.Entry<String, JsonValue> e : messages.members().entrySet()) {
      int index = index(e.getKey(), where);
      if (!(e.getValue() instanceof JsonObject extra)) {
        throw malformed(where, "the entry of message " + index + " is not an object");
      }
      if (index < count) {
        result.set(index, extra);
      }
    }
    return result;
  }

  /**
   * Returns {@code state} with the {@value #KEY} value rebuilt from {@code entries} (removed when
   * no entry has an extra); the rest of {@code custom} is kept.
   */
  public static SessionState write(SessionState state, List<Entry> entries) {
    Map<String, JsonValue> messages = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      JsonObject extra = entries.get(i).extra();
      if (!extra.members().isEmpty()) {
        messages.put(Integer.toString(i), extra);
      }
    }
    Map<String, JsonValue> custom = new LinkedHashMap<>(state.custom());
    if (messages.isEmpty()) {
      if (!custom.containsKey(KEY)) {
        return state;
      }
      custom.remove(KEY);
    } else {
      Map<String, JsonValue> root = new LinkedHashMap<>();
      root.put("version", VERSION);
      root.put("messages", JsonValue.object(messages));
      custom.put(KEY, JsonValue.object(root));
    }
    return state.withCustom(custom);
  }

  private static int index(String key, String where) {
    // Canonical decimal only ("7", not "07" or "+7"), so that one position has one key.
    if (key.isEmpty() || key.length() > 10 || (key.length() > 1 && key.charAt(0) == '0')) {
      throw malformed(where, "\"" + key + "\" is not a message position");
    }
    for (int i = 0; i < key.length(); i++) {
      if (key.charAt(i) < '0' || key.charAt(i) > '9') {
        throw malformed(where, "\"" + key + "\" is not a message position");
      }
    }
    BigInteger value = new BigInteger(key);
    if (value.bitLength() > 31) {
      throw malformed(where, "\"" + key + "\" is not a message position");
    }
    return value.intValue();
  }

  private static MessageMappingException malformed(String where, String why) {
    return new MessageMappingException(
        where + ": the state's custom value \"" + KEY + "\" is malformed: " + why);
  }
}
