package org.sessionkit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable JSON value, as stored in {@link SessionState#custom()} and in a tool call's
 * {@link ContentBlock.ToolUse#input()}.
 *
 * <p>Unlike a {@code Map<String, Object>} or a mutable parser tree, this type keeps every
 * distinction the session format needs: integers ({@link JsonInteger}, arbitrary size) are
 * distinct from decimals ({@link JsonDecimal}) so that {@code 3} and {@code 3.0} survive a round
 * trip; a JSON {@code null} is the value {@link #NULL}, never a Java {@code null}. Values are
 * deeply immutable and safe to share between threads.
 */
public sealed interface JsonValue
    permits JsonValue.JsonNull,
        JsonValue.JsonBoolean,
        JsonValue.JsonInteger,
        JsonValue.JsonDecimal,
        JsonValue.JsonString,
        JsonValue.JsonArray,
        JsonValue.JsonObject {

  /** The JSON {@code null} value. */
  JsonNull NULL = new JsonNull();

  /** The JSON {@code true} value. */
  JsonBoolean TRUE = new JsonBoolean(true);

  /** The JSON {@code false} value. */
  JsonBoolean FALSE = new JsonBoolean(false);

  /** Returns the JSON boolean {@code value}. */
  static JsonBoolean of(boolean value) {
    return value ? TRUE : FALSE;
  }

  /** Returns the JSON integer {@code value}. */
  static JsonInteger of(long value) {
    return new JsonInteger(BigInteger.valueOf(value));
  }

  /** Returns the JSON integer {@code value}. */
  static JsonInteger of(BigInteger value) {
    return new JsonInteger(value);
  }

  /**
   * Returns the JSON decimal number for {@code value}, written in its shortest exact form
   * ({@code 0.7} stays {@code 0.7}, {@code 3.0} is written {@code 3.0}).
   *
   * @throws IllegalArgumentException if {@code value} is NaN or infinite (JSON has neither)
   */
  static JsonDecimal of(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("JSON has no NaN or infinity: " + value);
    }
    return new JsonDecimal(BigDecimal.valueOf(value));
  }

  /** Returns the JSON string {@code value}. */
  static JsonString of(String value) {
    return new JsonString(value);
  }

  /** Returns a JSON array of {@code elements}. */
  static JsonArray array(JsonValue... elements) {
    return new JsonArray(List.of(elements));
  }

  /** Returns a JSON array of {@code elements}. */
  static JsonArray array(List<? extends JsonValue> elements) {
    return new JsonArray(List.copyOf(elements));
  }

  /** Returns a JSON object with {@code members}, keeping their iteration order for writing. */
  static JsonObject object(Map<String, ? extends JsonValue> members) {
    return new JsonObject(new LinkedHashMap<>(members));
  }

  /** Returns an empty JSON object. */
  static JsonObject emptyObject() {
    return new JsonObject(Map.of());
  }

  /** The JSON {@code null} value; all instances are equal, prefer {@link JsonValue#NULL}. */
  record JsonNull() implements JsonValue {
    @Override
    public String toString() {
      return "null";
    }
  }

  /** A JSON boolean. */
  record JsonBoolean(boolean value) implements JsonValue {
    @Override
    public String toString() {
      return Boolean.toString(value);
    }
  }

  /**
   * A JSON number written without a fraction or exponent, of any size. The session format
   * keeps such numbers apart from {@link JsonDecimal}s: {@code 3} and {@code 3.0} are different
   * values.
   */
  record JsonInteger(BigInteger value) implements JsonValue {
    /** Validates the value. */
    public JsonInteger {
      Objects.requireNonNull(value, "value");
    }

    /**
     * Returns the value as a {@code long}.
     *
     * @throws ArithmeticException if the value does not fit
     */
    public long longValueExact() {
      return value.longValueExact();
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }

  /**
   * A JSON number written with a fraction or an exponent. The exact decimal is kept: two
   * decimals are equal when their text is, so {@code 3.0} and {@code 3.00} differ, as the
   * document they come from does.
   *
   * <p>A decimal with no fraction digits is normalised to one ({@code 100} becomes {@code
   * 100.0}) so that it is still written, and read back, as a decimal and not as an integer.
   */
  record JsonDecimal(BigDecimal value) implements JsonValue {
    /** Validates and normalises the value. */
    public JsonDecimal {
      Objects.requireNonNull(value, "value");
      if (value.scale() == 0) {
        value = value.setScale(1);
      }
    }

    /** Returns the nearest {@code double}. */
    public double doubleValue() {
      return value.doubleValue();
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }

  /** A JSON string; any Java string, checked for well-formed UTF-16 only when stored. */
  record JsonString(String value) implements JsonValue {
    /** Validates the value. */
    public JsonString {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return '"' + value + '"';
    }
  }

  /** A JSON array; its list is unmodifiable. */
  record JsonArray(List<JsonValue> elements) implements JsonValue {
    /** Validates and copies the elements. */
    public JsonArray {
      elements = List.copyOf(elements);
    }

    @Override
    public String toString() {
      return elements.toString();
    }
  }

  /**
   * A JSON object; its map is unmodifiable and iterates in the order members were given or
   * read. Member order carries no meaning: two objects with the same members are equal.
   */
  record JsonObject(Map<String, JsonValue> members) implements JsonValue {
    /** Validates and copies the members, keeping their order. */
    public JsonObject {
      Objects.requireNonNull(members, "members");
      if (!members.isEmpty()) {
        // Always copied: an unmodifiable view handed in may still be changed by its owner.
        LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>(members.size() * 2);
        members.forEach(
            (k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, "value")));
        members = Collections.unmodifiableMap(copy);
      } else {
        members = Map.of();
      }
    }

    /** Returns the member named {@code name}, if present. */
    public java.util.Optional<JsonValue> get(String name) {
      return java.util.Optional.ofNullable(members.get(name));
    }

    @Override
    public String toString() {
      return members.toString();
    }
  }
}
