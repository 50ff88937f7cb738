package org.sessionkit.tck;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.sessionkit.ContentBlock;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionState;

/**
 * Finds the first field in which two sessions differ and says where, so that a failed round
 * trip reads {@code messages[3].content[1].input["x"]: expected 3.0 (decimal) but was 3
 * (integer)} instead of two pages of {@code toString()}. Equality is the records' own (exact:
 * nanoseconds, decimal scale, map members regardless of order).
 */
final class SessionDiff {

  private SessionDiff() {}

  /** Returns a description of the first difference, empty when the sessions are equal. */
  static Optional<String> between(Session expected, Session actual) {
    if (expected.equals(actual)) {
      return Optional.empty();
    }
    String d = diff(expected, actual);
    return Optional.of(d.isEmpty() ? "sessions differ (equals() is false)" : d);
  }

  private static String diff(Session e, Session a) {
    if (!e.id().equals(a.id())) {
      return "id: expected " + Samples.show(e.id()) + " but was " + Samples.show(a.id());
    }
    if (!e.createdAt().equals(a.createdAt())) {
      return "createdAt: expected " + e.createdAt() + " but was " + a.createdAt();
    }
    if (!e.updatedAt().equals(a.updatedAt())) {
      return "updatedAt: expected " + e.updatedAt() + " but was " + a.updatedAt();
    }
    String s = state(e.state(), a.state());
    if (!s.isEmpty()) {
      return s;
    }
    List<Message> em = e.messages();
    List<Message> am = a.messages();
    for (int i = 0; i < Math.min(em.size(), am.size()); i++) {
      String m = message("messages[" + i + "]", em.get(i), am.get(i));
      if (!m.isEmpty()) {
        return m;
      }
    }
    if (em.size() != am.size()) {
      return "messages: expected " + em.size() + " messages but was " + am.size();
    }
    return "";
  }

  private static String state(SessionState e, SessionState a) {
    if (!e.cwd().equals(a.cwd())) {
      return "state.cwd: expected " + Samples.show(e.cwd()) + " but was " + Samples.show(a.cwd());
    }
    if (!e.tokenUsage().equals(a.tokenUsage())) {
      return "state.tokenUsage: expected " + e.tokenUsage() + " but was " + a.tokenUsage();
    }
    if (e.eventCount() != a.eventCount()) {
      return "state.eventCount: expected " + Long.toUnsignedString(e.eventCount()) + " but was "
          + Long.toUnsignedString(a.eventCount());
    }
    return members("state.custom", e.custom(), a.custom());
  }

  private static String message(String path, Message e, Message a) {
    if (e.role() != a.role()) {
      return path + ".role: expected " + e.role() + " but was " + a.role();
    }
    List<ContentBlock> ec = e.content();
    List<ContentBlock> ac = a.content();
    for (int i = 0; i < Math.min(ec.size(), ac.size()); i++) {
      ContentBlock eb = ec.get(i);
      ContentBlock ab = ac.get(i);
      if (eb.equals(ab)) {
        continue;
      }
      String p = path + ".content[" + i + "]";
      if (eb.getClass() != ab.getClass()) {
        return p + ": expected a " + eb.getClass().getSimpleName() + " block but was a "
            + ab.getClass().getSimpleName();
      }
      if (eb instanceof ContentBlock.ToolUse eu && ab instanceof ContentBlock.ToolUse au
          && eu.id().equals(au.id()) && eu.name().equals(au.name())) {
        return value(p + ".input", eu.input(), au.input());
      }
      return p + ": expected " + abbreviate(eb.toString()) + " but was " + abbreviate(ab.toString());
    }
    if (ec.size() != ac.size()) {
      return path + ".content: expected " + ec.size() + " blocks but was " + ac.size();
    }
    return "";
  }

  private static String members(String path, Map<String, JsonValue> e, Map<String, JsonValue> a) {
    TreeSet<String> keys = new TreeSet<>(e.keySet());
    keys.addAll(a.keySet());
    for (String k : keys) {
      String p = path + "[" + Samples.show(k) + "]";
      if (!a.containsKey(k)) {
        return p + ": missing (expected " + describe(e.get(k)) + ")";
      }
      if (!e.containsKey(k)) {
        return p + ": unexpected member " + describe(a.get(k));
      }
      String d = value(p, e.get(k), a.get(k));
      if (!d.isEmpty()) {
        return d;
      }
    }
    return "";
  }

  private static String value(String path, JsonValue e, JsonValue a) {
    if (Objects.equals(e, a)) {
      return "";
    }
    if (e instanceof JsonValue.JsonObject eo && a instanceof JsonValue.JsonObject ao) {
      return members(path, eo.members(), ao.members());
    }
    if (e instanceof JsonValue.JsonArray ea && a instanceof JsonValue.JsonArray aa
        && ea.elements().size() == aa.elements().size()) {
      for (int i = 0; i < ea.elements().size(); i++) {
        String d = value(path + "[" + i + "]", ea.elements().get(i), aa.elements().get(i));
        if (!d.isEmpty()) {
          return d;
        }
      }
    }
    return path + ": expected " + describe(e) + " but was " + describe(a);
  }

  private static String describe(JsonValue v) {
    String kind = v.getClass().getSimpleName().replace("Json", "").toLowerCase(java.util.Locale.ROOT);
    String text = v instanceof JsonValue.JsonString s ? Samples.show(s.value()) : abbreviate(v.toString());
    return text + " (" + kind + ")";
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…(" + s.length() + " chars)";
  }
}
