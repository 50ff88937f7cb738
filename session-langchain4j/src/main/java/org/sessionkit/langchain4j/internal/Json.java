package org.sessionkit.langchain4j.internal;

import java.util.Map;
import org.sessionkit.JsonValue;

/** Small readers for the built-in attribute codecs. */
final class Json {
  private Json() {}

  static Map<String, JsonValue> object(JsonValue json, String what) {
    if (json instanceof JsonValue.JsonObject o) {
      return o.members();
    }
    throw new IllegalArgumentException(what + " must be stored as a JSON object");
  }

  /** The string member {@code name}, or null when absent. */
  static String optionalString(Map<String, JsonValue> members, String name) {
    JsonValue v = members.get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof JsonValue.JsonString s) {
      return s.value();
    }
    throw new IllegalArgumentException("member \"" + name + "\" must be a string");
  }
}
