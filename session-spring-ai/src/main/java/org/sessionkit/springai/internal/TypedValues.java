package org.sessionkit.springai.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.sessionkit.JsonValue;
import org.sessionkit.JsonValue.JsonArray;
import org.sessionkit.JsonValue.JsonBoolean;
import org.sessionkit.JsonValue.JsonDecimal;
import org.sessionkit.JsonValue.JsonInteger;
import org.sessionkit.JsonValue.JsonNull;
import org.sessionkit.JsonValue.JsonObject;
import org.sessionkit.JsonValue.JsonString;
import org.sessionkit.springai.MetadataCodec;
import org.sessionkit.springai.MetadataCodecs;

/**
 * The typed encoding of metadata values: every value becomes a JSON value from which the same
 * Java type is read back. Strings, booleans and null are stored as themselves; every other value
 * as a one-member object {@code {"<type name>": <payload>}}:
 *
 * <table>
 *   <caption>Built-in types</caption>
 *   <tr><th>Java</th><th>stored</th></tr>
 *   <tr><td>{@code String}, {@code Boolean}, {@code null}</td><td>{@code "text"}, {@code true}, {@code null}</td></tr>
 *   <tr><td>{@code Integer}, {@code Long}, {@code Short}, {@code Byte}</td><td>{@code {"int": 3}}, {@code {"long": 3}}, {@code {"short": 3}}, {@code {"byte": 3}}</td></tr>
 *   <tr><td>{@code Double}, {@code Float}</td><td>{@code {"double": 0.5}}, {@code {"float": 0.5}}; NaN, infinities and
 *       negative zero as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, {@code "-0.0"}</td></tr>
 *   <tr><td>{@code BigInteger}, {@code BigDecimal}</td><td>{@code {"bigint": 12345678901234567890}}, {@code {"decimal": "1.50"}}</td></tr>
 *   <tr><td>{@code Character}</td><td>{@code {"char": "x"}}</td></tr>
 *   <tr><td>{@code byte[]}</td><td>{@code {"bytes": "<base64>"}}</td></tr>
 *   <tr><td>{@code Instant}</td><td>{@code {"instant": "2026-01-01T00:00:00Z"}}</td></tr>
 *   <tr><td>{@code List}, {@code Set}</td><td>{@code {"list": [...]}}, {@code {"set": [...]}}, elements typed; read as
 *       {@code ArrayList}, {@code LinkedHashSet}</td></tr>
 *   <tr><td>{@code Map} with string keys</td><td>{@code {"map": {...}}}, values typed; read as {@code LinkedHashMap}</td></tr>
 *   <tr><td>sessionkit's {@code JsonValue}</td><td>{@code {"json": <the value>}}</td></tr>
 *   <tr><td>a type with a {@link MetadataCodec}</td><td>{@code {"<codec name>": <what the codec wrote>}}</td></tr>
 * </table>
 *
 * Thread safe.
 */
public final class TypedValues implements MetadataCodec.Values {

  private final MetadataCodecs codecs;

  /** Creates the encoding with {@code codecs} for the types that are not built in. */
  public TypedValues(MetadataCodecs codecs) {
    this.codecs = Objects.requireNonNull(codecs, "codecs");
  }

  /** Thrown when a value can't be encoded or a stored value can't be decoded; says why. */
  public static final class ValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ValueException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public JsonValue encode(Object value) {
    if (value == null) {
      return JsonValue.NULL;
    }
    if (value instanceof String s) {
      return JsonValue.of(s);
    }
    if (value instanceof Boolean b) {
      return JsonValue.of(b);
    }
    if (value instanceof Integer i) {
      return tagged("int", JsonValue.of(i));
    }
    if (value instanceof Long l) {
      return tagged("long", JsonValue.of(l));
    }
    if (value instanceof Short s) {
      return tagged("short", JsonValue.of(s));
    }
    if (value instanceof Byte b) {
      return tagged("byte", JsonValue.of(b));
    }
    if (value instanceof Double d) {
      return tagged("double", floating(d, Double.toString(d)));
    }
    if (value instanceof Float f) {
      return tagged("float", floating(f, Float.toString(f)));
    }
    if (value instanceof BigInteger b) {
      return tagged("bigint", JsonValue.of(b));
    }
    if (value instanceof BigDecimal d) {
      return tagged("decimal", JsonValue.of(d.toString()));
    }
    if (value instanceof Character c) {
      return tagged("char", JsonValue.of(c.toString()));
    }
    if (value instanceof byte[] bytes) {
      return tagged("bytes", JsonValue.of(Base64.getEncoder().encodeToString(bytes)));
    }
    if (value instanceof Instant instant) {
      return tagged("instant", JsonValue.of(instant.toString()));
    }
    if (value instanceof JsonValue json) {
      return tagged("json", json);
    }
    var codec = codecs.forValue(value);
    if (codec.isPresent()) {
      return tagged(codec.get().name(), encodeWith(codec.get(), value));
    }
    if (value instanceof List<?> list) {
      return tagged("list", elements(list));
    }
    if (value instanceof Set<?> set) {
      return tagged("set", elements(set));
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, JsonValue> members = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new ValueException(
              "a map with a key of type "
                  + (e.getKey() == null ? "null" : e.getKey().getClass().getName())
                  + " (only string keys can be stored)",
              null);
        }
        members.put(key, encode(e.getValue()));
      }
      return tagged("map", JsonValue.object(members));
    }
    throw new ValueException(
        "a " + value.getClass().getName() + ", a type without a codec (register a MetadataCodec for it)", null);
  }

  @SuppressWarnings("unchecked")
  private JsonValue encodeWith(MetadataCodec<?> codec, Object value) {
    try {
      return Objects.requireNonNull(((MetadataCodec<Object>) codec).encode(value, this), "encoded as null");
    } catch (ValueException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ValueException("a " + value.getClass().getName() + " that its codec " + codec.name()
          + " could not encode: " + e.getMessage(), e);
    }
  }

  private JsonArray elements(Collection<?> values) {
    List<JsonValue> elements = new ArrayList<>(values.size());
    for (Object v : values) {
      elements.add(encode(v));
    }
    return JsonValue.array(elements);
  }

  private static JsonValue floating(double value, String text) {
    if (Double.isNaN(value) || Double.isInfinite(value) || (value == 0 && 1 / value < 0)) {
      return JsonValue.of(Double.isNaN(value) ? "NaN" : text);
    }
    return new JsonDecimal(new BigDecimal(text));
  }

  private static JsonObject tagged(String name, JsonValue payload) {
    return new JsonObject(Map.of(name, payload));
  }

  @Override
  public Object decode(JsonValue stored) {
    Objects.requireNonNull(stored, "stored");
    if (stored instanceof JsonNull) {
      return null;
    }
    if (stored instanceof JsonString s) {
      return s.value();
    }
    if (stored instanceof JsonBoolean b) {
      return b.value();
    }
    if (!(stored instanceof JsonObject object) || object.members().size() != 1) {
      throw new ValueException("the stored value " + abbreviate(stored)
          + " is not in the typed encoding (a string, a boolean, null or {\"<type>\": value})", null);
    }
    Map.Entry<String, JsonValue> only = object.members().entrySet().iterator().next();
    String name = only.getKey();
    JsonValue payload = only.getValue();
    try {
      return switch (name) {
        case "int" -> integer(payload).intValueExact();
        case "long" -> integer(payload).longValueExact();
        case "short" -> integer(payload).shortValueExact();
        case "byte" -> integer(payload).byteValueExact();
        case "bigint" -> integer(payload);
        case "double" -> payload instanceof JsonString s ? Double.parseDouble(s.value()) : decimal(payload).doubleValue();
        case "float" -> payload instanceof JsonString s ? Float.parseFloat(s.value()) : decimal(payload).floatValue();
        case "decimal" -> new BigDecimal(string(payload));
        case "char" -> character(string(payload));
        case "bytes" -> Base64.getDecoder().decode(string(payload));
        case "instant" -> Instant.parse(string(payload));
        case "json" -> payload;
        case "list" -> new ArrayList<>(decodeAll(payload));
        case "set" -> new LinkedHashSet<>(decodeAll(payload));
        case "map" -> map(payload);
        default -> custom(name, payload);
      };
    } catch (ValueException e) {
      throw e;
    } catch (ArithmeticException | IllegalArgumentException | DateTimeParseException e) {
      throw new ValueException("the stored " + name + " " + abbreviate(payload) + " is malformed: " + e.getMessage(), e);
    }
  }

  private Object custom(String name, JsonValue payload) {
    MetadataCodec<?> codec =
        codecs
            .named(name)
            .orElseThrow(
                () -> new ValueException("a value stored by the codec \"" + name + "\", which is not registered", null));
    Object value;
    try {
      value = codec.decode(payload, this);
    } catch (ValueException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ValueException("the codec \"" + name + "\" could not read " + abbreviate(payload) + ": " + e.getMessage(), e);
    }
    if (value == null || !codec.type().isInstance(value)) {
      throw new ValueException("the codec \"" + name + "\" read " + abbreviate(payload) + " as "
          + (value == null ? "null" : "a " + value.getClass().getName()) + ", not a " + codec.type().getName(), null);
    }
    return value;
  }

  private List<Object> decodeAll(JsonValue payload) {
    if (!(payload instanceof JsonArray array)) {
      throw new IllegalArgumentException("not an array");
    }
    List<Object> values = new ArrayList<>(array.elements().size());
    for (JsonValue element : array.elements()) {
      values.add(decode(element));
    }
    return values;
  }

  private Map<String, Object> map(JsonValue payload) {
    if (!(payload instanceof JsonObject object)) {
      throw new IllegalArgumentException("not an object");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> e : object.members().entrySet()) {
      map.put(e.getKey(), decode(e.getValue()));
    }
    return map;
  }

  private static BigInteger integer(JsonValue payload) {
    if (!(payload instanceof JsonInteger i)) {
      throw new IllegalArgumentException("not an integer");
    }
    return i.value();
  }

  private static BigDecimal decimal(JsonValue payload) {
    if (payload instanceof JsonDecimal d) {
      return d.value();
    }
    throw new IllegalArgumentException("not a decimal number");
  }

  private static String string(JsonValue payload) {
    if (!(payload instanceof JsonString s)) {
      throw new IllegalArgumentException("not a string");
    }
    return s.value();
  }

  private static Character character(String s) {
    if (s.length() != 1) {
      throw new IllegalArgumentException("not one character");
    }
    return s.charAt(0);
  }

  private static String abbreviate(JsonValue value) {
    String text = value.toString();
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
