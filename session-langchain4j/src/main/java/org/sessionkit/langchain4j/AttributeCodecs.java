package org.sessionkit.langchain4j;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.sessionkit.JsonValue;
import org.sessionkit.langchain4j.internal.AnthropicServerToolResultCodec;
import org.sessionkit.langchain4j.internal.ImageCodec;

/**
 * Turns the values of LangChain4j message attributes into JSON values for a message's metadata
 * and back, so that each comes back as the same Java type: an {@code Integer} stays an {@code
 * Integer}, a {@code Long} a {@code Long}, a {@code byte[]} a {@code byte[]}, a provider's object
 * the same object. Immutable and thread safe.
 *
 * <h2>The stored form</h2>
 *
 * Where plain JSON already says what the value was, it is stored as plain JSON; otherwise as a
 * <em>typed value</em>, an object with exactly two members, {@code {"$type": tag, "value": v}}:
 *
 * <table>
 *   <caption>How each Java type is stored</caption>
 *   <tr><th>Java value</th><th>stored as</th><th>read back as</th></tr>
 *   <tr><td>{@code null}</td><td>{@code null}</td><td>{@code null}</td></tr>
 *   <tr><td>{@code String}, {@code Boolean}</td><td>a JSON string, {@code true}/{@code false}</td>
 *       <td>the same</td></tr>
 *   <tr><td>{@code Integer}</td><td>a JSON integer</td><td>{@code Integer}</td></tr>
 *   <tr><td>{@code Long} outside the {@code int} range; {@code BigInteger} outside the {@code
 *       long} range</td><td>a JSON integer</td><td>the same type (a plain JSON integer is read as
 *       the smallest of {@code Integer}, {@code Long}, {@code BigInteger} that holds it, as
 *       Jackson does)</td></tr>
 *   <tr><td>other {@code Long}s and {@code BigInteger}s, {@code Short}, {@code Byte}</td><td>tags
 *       {@code long}, {@code biginteger}, {@code short}, {@code byte} with a JSON integer</td>
 *       <td>the same type</td></tr>
 *   <tr><td>{@code Double}, finite and not {@code -0.0}</td><td>a JSON decimal, its shortest
 *       exact form</td><td>{@code Double} (a plain decimal that a {@code double} can't hold
 *       exactly is read as a {@code BigDecimal})</td></tr>
 *   <tr><td>other {@code Double}s, {@code Float}</td><td>tags {@code double}, {@code float} with
 *       {@code Double.toString}/{@code Float.toString} as a string ({@code "NaN"}, {@code
 *       "-0.0"}…)</td><td>the same type and value</td></tr>
 *   <tr><td>{@code BigDecimal}</td><td>tag {@code bigdecimal} with its string (scale kept)</td>
 *       <td>an equal {@code BigDecimal}</td></tr>
 *   <tr><td>{@code Character}</td><td>tag {@code char}, a one-character string</td><td>{@code
 *       Character}</td></tr>
 *   <tr><td>{@code byte[]}</td><td>tag {@code bytes}, standard base64</td><td>{@code byte[]}</td></tr>
 *   <tr><td>{@code Instant}, {@code UUID}, {@code URI}</td><td>tags {@code instant} (ISO-8601,
 *       nanoseconds kept), {@code uuid}, {@code uri}, as strings</td><td>the same type</td></tr>
 *   <tr><td>{@code List}</td><td>a JSON array of the stored elements</td><td>an unmodifiable
 *       {@code List} (it may hold {@code null}s)</td></tr>
 *   <tr><td>{@code Set}</td><td>tag {@code set}, an array of the elements</td><td>an unmodifiable
 *       {@code Set}, iteration order kept</td></tr>
 *   <tr><td>{@code Map} with {@code String} keys, none of them {@code "$type"}</td><td>a JSON
 *       object</td><td>an unmodifiable {@code Map}, iteration order kept</td></tr>
 *   <tr><td>any other {@code Map}</td><td>tag {@code map}, an array of {@code [key, value]}
 *       pairs</td><td>an unmodifiable {@code Map}</td></tr>
 *   <tr><td>a value with a codec</td><td>the codec's tag with what it writes</td><td>what it
 *       reads</td></tr>
 * </table>
 *
 * Every JSON object with a {@code "$type"} member is a typed value (a map that has such a key is
 * stored with the {@code map} tag), so the two never meet. Built in are codecs for LangChain4j's
 * {@code Image} (tag {@code langchain4j.image}; Gemini's {@code generated_images}) and, when
 * {@code dev.langchain4j:langchain4j-anthropic} is on the class path, for its {@code
 * AnthropicServerToolResult} (tag {@code langchain4j.anthropic.server_tool_result}; {@code
 * server_tool_results}). Provider codecs are registered by class name and created only when a
 * value of that class, or its tag, is met, so that this module needs none of the provider modules
 * at run time.
 *
 * <h2>What is refused</h2>
 *
 * A value of a type that is none of the above and has no codec (an enum, a record of the
 * application, an array other than {@code byte[]}, a {@code Collection} that is neither a {@code
 * List} nor a {@code Set}…), a string with a lone surrogate, a {@code char} that is a surrogate,
 * nesting deeper than {@value #MAX_DEPTH} levels (or a value that contains itself): the mapping
 * fails with {@link UnmappableMessageException} naming the attribute, the place inside it and the
 * Java type. Reading a typed value whose tag has no codec here fails the same way, naming the
 * tag. Register a codec with {@link #with}.
 */
public final class AttributeCodecs {

  /** The member of a typed value that holds its tag. */
  public static final String TYPE_MEMBER = "$type";

  /** The member of a typed value that holds its stored form. */
  public static final String VALUE_MEMBER = "value";

  /**
   * How deeply values may nest (lists, maps, sets and codec values inside one another). Within
   * it, every stored form stays within the session format's 128 levels of JSON nesting.
   */
  public static final int MAX_DEPTH = 40;

  /** The tags this class uses itself; no codec may take them. */
  public static final Set<String> BUILT_IN_TAGS =
      Set.of(
          "long", "short", "byte", "char", "float", "double", "biginteger", "bigdecimal", "bytes",
          "set", "map", "instant", "uuid", "uri");

  private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  // Representatives of what encode() handles itself: a codec whose type could hold one of them
  // (Object, Number, CharSequence, Collection, List…) would change how built-in values are stored.
  private static final List<Class<?>> BUILT_IN_CLASSES =
      List.of(
          String.class, Boolean.class, Integer.class, Long.class, Short.class, Byte.class,
          Character.class, Float.class, Double.class, BigInteger.class, BigDecimal.class,
          byte[].class, Instant.class, UUID.class, URI.class, ArrayList.class, HashSet.class,
          HashMap.class);

  private static final AttributeCodecs DEFAULTS =
      new AttributeCodecs(
          List.of(
              Registered.lazy(
                  ImageCodec.TAG, ImageCodec.CLASS_NAME, "dev.langchain4j:langchain4j-core",
                  () -> new ImageCodec()),
              Registered.lazy(
                  AnthropicServerToolResultCodec.TAG,
                  AnthropicServerToolResultCodec.CLASS_NAME,
                  "dev.langchain4j:langchain4j-anthropic",
                  () -> new AnthropicServerToolResultCodec())));

  // The depth at which a codec runs, on this thread, so that values it nests count from there.
  private static final ThreadLocal<int[]> CODEC_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private final List<Registered> registered;
  private final Map<String, Registered> byClassName = new HashMap<>();
  private final Map<String, Registered> byTag = new HashMap<>();
  // Which registered codec (if any) serves a class through one of its supertypes.
  private final Map<Class<?>, Optional<Registered>> bySupertype = new ConcurrentHashMap<>();

  private AttributeCodecs(List<Registered> registered) {
    this.registered = List.copyOf(registered);
    for (Registered r : this.registered) {
      byClassName.put(r.className, r);
      byTag.put(r.tag, r);
    }
  }

  /**
   * Returns the codecs every mapping uses unless told otherwise: the built-in forms and the
   * built-in provider codecs (see the class documentation).
   */
  public static AttributeCodecs defaults() {
    return DEFAULTS;
  }

  /**
   * Returns these codecs with {@code codec} added.
   *
   * @throws IllegalArgumentException if the tag is malformed, built in or already taken, if a
   *     codec is already registered for the type, or if the type could hold values this class
   *     stores by itself ({@code Object}, {@code Number}, {@code List}…)
   * @throws NullPointerException if {@code codec}, its tag or its type is null
   */
  public AttributeCodecs with(AttributeCodec<?> codec) {
    Objects.requireNonNull(codec, "codec");
    String tag = Objects.requireNonNull(codec.tag(), "tag");
    Class<?> type = Objects.requireNonNull(codec.type(), "type");
    if (!isWellFormedTag(tag)) {
      throw new IllegalArgumentException(
          "an attribute codec's tag has 1 to 100 characters of A-Z a-z 0-9 . _ - : /, not \""
              + tag + "\"");
    }
    if (BUILT_IN_TAGS.contains(tag) || byTag.containsKey(tag)) {
      throw new IllegalArgumentException("the tag \"" + tag + "\" is already taken");
    }
    if (byClassName.containsKey(type.getName())) {
      throw new IllegalArgumentException("a codec for " + type.getName() + " is already registered");
    }
    for (Class<?> builtIn : BUILT_IN_CLASSES) {
      if (type.isAssignableFrom(builtIn)) {
        throw new IllegalArgumentException(
            "a codec for " + type.getName() + " would also take " + builtIn.getSimpleName()
                + " values, which are stored without one");
      }
    }
    List<Registered> all = new ArrayList<>(registered);
    all.add(Registered.of(codec));
    return new AttributeCodecs(all);
  }

  /**
   * Returns the stored form of {@code value}; codecs use it for the values they nest.
   *
   * @throws UnmappableMessageException if the value, or a value inside it, can't be stored; the
   *     message names where inside the value and the Java type
   */
  public JsonValue encode(Object value) {
    try {
      // Called by a codec for its nested values: continue from the codec's depth.
      return encode(value, CODEC_DEPTH.get()[0]);
    } catch (AttributeException e) {
      throw new UnmappableMessageException(e.describe("the value"), e.getCause());
    }
  }

  /**
   * Returns the value whose stored form {@code json} is; codecs use it for the values they nest.
   *
   * @throws UnmappableMessageException if {@code json} holds a typed value whose tag has no codec
   *     here, or a malformed one
   */
  public Object decode(JsonValue json) {
    Objects.requireNonNull(json, "json");
    try {
      return decode(json, 0);
    } catch (AttributeException e) {
      throw new UnmappableMessageException(e.describe("the value"), e.getCause());
    }
  }

  // ---------------------------------------------------------------- encoding

  JsonValue encode(Object value, int depth) {
    if (value == null) {
      return JsonValue.NULL;
    }
    if (value instanceof String s) {
      return JsonValue.of(checkedString(s));
    }
    if (value instanceof Boolean b) {
      return JsonValue.of(b);
    }
    Class<?> type = value.getClass();
    Registered byName = byClassName.get(type.getName());
    if (byName != null && (byName.type == null || byName.type == type)) {
      return typed(byName, value, depth);
    }
    if (type == Integer.class) {
      return JsonValue.of((Integer) value);
    }
    if (type == Long.class) {
      long l = (Long) value;
      return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE
          ? typed("long", JsonValue.of(l))
          : JsonValue.of(l);
    }
    if (type == BigInteger.class) {
      BigInteger b = (BigInteger) value;
      return b.bitLength() < 64 ? typed("biginteger", JsonValue.of(b)) : JsonValue.of(b);
    }
    if (type == Short.class) {
      return typed("short", JsonValue.of((Short) value));
    }
    if (type == Byte.class) {
      return typed("byte", JsonValue.of((Byte) value));
    }
    if (type == Double.class) {
      double d = (Double) value;
      boolean plain = Double.isFinite(d) && !(d == 0.0 && 1.0 / d < 0);
      return plain ? new JsonValue.JsonDecimal(BigDecimal.valueOf(d)) : typed("double", JsonValue.of(Double.toString(d)));
    }
    if (type == Float.class) {
      return typed("float", JsonValue.of(Float.toString((Float) value)));
    }
    if (type == BigDecimal.class) {
      return typed("bigdecimal", JsonValue.of(value.toString()));
    }
    if (type == Character.class) {
      char c = (Character) value;
      if (Character.isSurrogate(c)) {
        throw new AttributeException("a Character that is a lone surrogate can't be stored");
      }
      return typed("char", JsonValue.of(String.valueOf(c)));
    }
    if (type == byte[].class) {
      return typed("bytes", JsonValue.of(Base64.getEncoder().encodeToString((byte[]) value)));
    }
    if (type == Instant.class) {
      return typed("instant", JsonValue.of(value.toString()));
    }
    if (type == UUID.class) {
      return typed("uuid", JsonValue.of(value.toString()));
    }
    if (type == URI.class) {
      return typed("uri", JsonValue.of(checkedString(value.toString())));
    }
    Optional<Registered> bySupertype = bySupertype(type);
    if (bySupertype.isPresent()) {
      return typed(bySupertype.get(), value, depth);
    }
    if (value instanceof List<?> list) {
      return JsonValue.array(elements(list, depth));
    }
    if (value instanceof Set<?> set) {
      return typed("set", JsonValue.array(elements(set, depth)));
    }
    if (value instanceof Map<?, ?> map) {
      return map(map, depth);
    }
    throw new AttributeException("a value of type " + type.getName() + " has no attribute codec");
  }

  private List<JsonValue> elements(Iterable<?> values, int depth) {
    checkDepth(depth);
    List<JsonValue> out = new ArrayList<>();
    int i = 0;
    for (Object element : values) {
      try {
        out.add(encode(element, depth + 1));
      } catch (AttributeException e) {
        throw e.at("[" + i + "]");
      }
      i++;
    }
    return out;
  }

  private JsonValue map(Map<?, ?> map, int depth) {
    checkDepth(depth);
    boolean plain = true;
    for (Object key : map.keySet()) {
      if (!(key instanceof String) || TYPE_MEMBER.equals(key)) {
        plain = false;
        break;
      }
    }
    if (plain) {
      Map<String, JsonValue> members = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = (String) e.getKey();
        try {
          members.put(checkedString(key), encode(e.getValue(), depth + 1));
        } catch (AttributeException x) {
          throw x.at("." + key);
        }
      }
      return JsonValue.object(members);
    }
    List<JsonValue> pairs = new ArrayList<>(map.size());
    int i = 0;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      try {
        pairs.add(JsonValue.array(encode(e.getKey(), depth + 1), encode(e.getValue(), depth + 1)));
      } catch (AttributeException x) {
        throw x.at("{entry " + i + "}");
      }
      i++;
    }
    return typed("map", JsonValue.array(pairs));
  }

  private JsonValue typed(Registered r, Object value, int depth) {
    checkDepth(depth);
    AttributeCodec<Object> codec = r.codec();
    JsonValue json;
    int[] codecDepth = CODEC_DEPTH.get();
    int saved = codecDepth[0];
    codecDepth[0] = depth + 1;
    try {
      json = codec.encode(value, this);
    } catch (AttributeException e) {
      throw e;
    } catch (LinkageError e) {
      throw r.missing(e);
    } catch (UnmappableMessageException e) {
      // A nested value the codec handed back to the registry; its message says where and why.
      throw new AttributeException("inside a " + r.tag + " value, " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new AttributeException(
          "the codec for " + value.getClass().getName() + " (tag " + r.tag + ") failed: " + e.getMessage(), e);
    } finally {
      codecDepth[0] = saved;
    }
    if (json == null) {
      throw new AttributeException("the codec for tag " + r.tag + " returned null");
    }
    return typed(r.tag, json);
  }

  private static JsonValue typed(String tag, JsonValue value) {
    Map<String, JsonValue> members = new LinkedHashMap<>(4);
    members.put(TYPE_MEMBER, JsonValue.of(tag));
    members.put(VALUE_MEMBER, value);
    return JsonValue.object(members);
  }

  private Optional<Registered> bySupertype(Class<?> type) {
    return bySupertype.computeIfAbsent(
        type,
        t -> {
          for (Registered r : registered) {
            if (r.type != null && r.type.isAssignableFrom(t)) {
              return Optional.of(r);
            }
          }
          return Optional.empty();
        });
  }

  private static void checkDepth(int depth) {
    if (depth >= MAX_DEPTH) {
      throw new AttributeException(
          "values nest deeper than " + MAX_DEPTH + " levels (or a value contains itself)");
    }
  }

  private static String checkedString(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new AttributeException("a string with a lone surrogate (at index " + i + ") can't be stored");
      }
    }
    return s;
  }

  // ---------------------------------------------------------------- decoding

  Object decode(JsonValue json, int depth) {
    if (json instanceof JsonValue.JsonNull) {
      return null;
    }
    if (json instanceof JsonValue.JsonString s) {
      return s.value();
    }
    if (json instanceof JsonValue.JsonBoolean b) {
      return b.value();
    }
    if (json instanceof JsonValue.JsonInteger i) {
      BigInteger v = i.value();
      if (v.compareTo(INT_MIN) >= 0 && v.compareTo(INT_MAX) <= 0) {
        return v.intValue();
      }
      if (v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0) {
        return v.longValue();
      }
      return v;
    }
    if (json instanceof JsonValue.JsonDecimal d) {
      double asDouble = d.value().doubleValue();
      return Double.isFinite(asDouble) && BigDecimal.valueOf(asDouble).compareTo(d.value()) == 0
          ? (Object) asDouble
          : d.value();
    }
    if (json instanceof JsonValue.JsonArray a) {
      return Collections.unmodifiableList(decodeElements(a, depth));
    }
    JsonValue.JsonObject o = (JsonValue.JsonObject) json;
    if (o.members().containsKey(TYPE_MEMBER)) {
      return decodeTyped(o, depth);
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
      try {
        map.put(e.getKey(), decode(e.getValue(), depth + 1));
      } catch (AttributeException x) {
        throw x.at("." + e.getKey());
      }
    }
    return Collections.unmodifiableMap(map);
  }

  private List<Object> decodeElements(JsonValue.JsonArray a, int depth) {
    List<Object> out = new ArrayList<>(a.elements().size());
    for (int i = 0; i < a.elements().size(); i++) {
      try {
        out.add(decode(a.elements().get(i), depth + 1));
      } catch (AttributeException e) {
        throw e.at("[" + i + "]");
      }
    }
    return out;
  }

  private Object decodeTyped(JsonValue.JsonObject o, int depth) {
    if (o.members().size() != 2
        || !(o.members().get(TYPE_MEMBER) instanceof JsonValue.JsonString tagValue)
        || !o.members().containsKey(VALUE_MEMBER)) {
      throw new AttributeException(
          "an object with a \"" + TYPE_MEMBER + "\" member must have exactly a string \""
              + TYPE_MEMBER + "\" and a \"" + VALUE_MEMBER + "\"; this one has " + o.members().keySet());
    }
    String tag = tagValue.value();
    JsonValue value = o.members().get(VALUE_MEMBER);
    try {
      switch (tag) {
        case "long":
          return integer(tag, value).longValueExact();
        case "biginteger":
          return integer(tag, value);
        case "short":
          return integer(tag, value).shortValueExact();
        case "byte":
          return integer(tag, value).byteValueExact();
        case "double":
          return Double.valueOf(string(tag, value));
        case "float":
          return Float.valueOf(string(tag, value));
        case "bigdecimal":
          return new BigDecimal(string(tag, value));
        case "char": {
          String s = string(tag, value);
          if (s.length() != 1) {
            throw new AttributeException("a \"char\" value must be one character");
          }
          return s.charAt(0);
        }
        case "bytes":
          return Base64.getDecoder().decode(string(tag, value));
        case "instant":
          return Instant.parse(string(tag, value));
        case "uuid":
          return UUID.fromString(string(tag, value));
        case "uri":
          return new URI(string(tag, value));
        case "set": {
          if (!(value instanceof JsonValue.JsonArray a)) {
            throw new AttributeException("a \"set\" value must be an array");
          }
          return Collections.unmodifiableSet(new LinkedHashSet<>(decodeElements(a, depth)));
        }
        case "map":
          return decodeMap(value, depth);
        default:
          return decodeWithCodec(tag, value);
      }
    } catch (ArithmeticException | IllegalArgumentException | DateTimeParseException | URISyntaxException e) {
      // NumberFormatException is an IllegalArgumentException.
      throw new AttributeException("a malformed \"" + tag + "\" value: " + e.getMessage(), e);
    }
  }

  private Map<Object, Object> decodeMap(JsonValue value, int depth) {
    if (!(value instanceof JsonValue.JsonArray pairs)) {
      throw new AttributeException("a \"map\" value must be an array of [key, value] pairs");
    }
    Map<Object, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.elements().size(); i++) {
      if (!(pairs.elements().get(i) instanceof JsonValue.JsonArray pair) || pair.elements().size() != 2) {
        throw new AttributeException("a \"map\" value must be an array of [key, value] pairs");
      }
      try {
        map.put(decode(pair.elements().get(0), depth + 1), decode(pair.elements().get(1), depth + 1));
      } catch (AttributeException e) {
        throw e.at("{entry " + i + "}");
      }
    }
    return Collections.unmodifiableMap(map);
  }

  private Object decodeWithCodec(String tag, JsonValue value) {
    Registered r = byTag.get(tag);
    if (r == null) {
      throw new AttributeException(
          "no attribute codec is registered for the type tag \"" + tag
              + "\" (register one with AttributeCodecs.with)");
    }
    AttributeCodec<Object> codec = r.codec();
    Object decoded;
    try {
      decoded = codec.decode(value, this);
    } catch (AttributeException e) {
      throw e;
    } catch (LinkageError e) {
      throw r.missing(e);
    } catch (RuntimeException e) {
      throw new AttributeException("the codec for tag \"" + tag + "\" failed: " + e, e);
    }
    if (decoded == null) {
      throw new AttributeException("the codec for tag \"" + tag + "\" returned null");
    }
    return decoded;
  }

  private static BigInteger integer(String tag, JsonValue value) {
    if (value instanceof JsonValue.JsonInteger i) {
      return i.value();
    }
    throw new AttributeException("a \"" + tag + "\" value must be a JSON integer");
  }

  private static String string(String tag, JsonValue value) {
    if (value instanceof JsonValue.JsonString s) {
      return s.value();
    }
    throw new AttributeException("a \"" + tag + "\" value must be a JSON string");
  }

  private static boolean isWellFormedTag(String tag) {
    if (tag.isEmpty() || tag.length() > 100) {
      return false;
    }
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-' || c == ':' || c == '/';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- registrations

  /**
   * A codec and what it serves. Built-in provider codecs are known by class name and tag only,
   * and created on first use, so that their classes (and the provider classes they name) are
   * loaded only when a value of that class, or a stored value with that tag, is met.
   */
  private static final class Registered {
    final String tag;
    final String className;
    final Class<?> type; // null for a built-in provider codec (matched by exact class name)
    final String artifact;
    private final Supplier<AttributeCodec<?>> factory;
    private volatile AttributeCodec<Object> codec;

    private Registered(String tag, String className, Class<?> type, String artifact, Supplier<AttributeCodec<?>> factory) {
      this.tag = tag;
      this.className = className;
      this.type = type;
      this.artifact = artifact;
      this.factory = factory;
    }

    static Registered lazy(String tag, String className, String artifact, Supplier<AttributeCodec<?>> factory) {
      return new Registered(tag, className, null, artifact, factory);
    }

    static Registered of(AttributeCodec<?> codec) {
      return new Registered(codec.tag(), codec.type().getName(), codec.type(), null, () -> codec);
    }

    @SuppressWarnings("unchecked")
    AttributeCodec<Object> codec() {
      AttributeCodec<Object> c = codec;
      if (c == null) {
        try {
          c = (AttributeCodec<Object>) factory.get();
        } catch (LinkageError e) {
          throw missing(e);
        }
        codec = c;
      }
      return c;
    }

    /** The failure when the codec's classes (a provider module) are not on the class path. */
    AttributeException missing(LinkageError e) {
      return new AttributeException(
          artifact == null
              ? "the codec for tag \"" + tag + "\" failed: " + e
              : "values with the type tag \"" + tag + "\" need " + artifact + " on the class path ("
                  + className + " is missing)",
          e);
    }
  }

  /**
   * Why a value can't be stored or read, with where inside the attribute value; the mapping turns
   * it into an {@link UnmappableMessageException} that names the message and the attribute.
   */
  static final class AttributeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String detail;
    private String path = "";

    AttributeException(String detail) {
      this(detail, null);
    }

    AttributeException(String detail, Throwable cause) {
      super(detail, cause, false, false);
      this.detail = detail;
    }

    AttributeException at(String segment) {
      path = segment + path;
      return this;
    }

    /** Describes the failure for a value called {@code what} (e.g. an attribute's name). */
    String describe(String what) {
      return (path.isEmpty() ? what : what + " at " + path) + ": " + detail;
    }
  }
}
