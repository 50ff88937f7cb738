package org.sessionkit.langchain4j;

import org.sessionkit.JsonValue;

/**
 * Stores values of one Java type that LangChain4j message attributes may hold and that are not
 * plain JSON-like values (strings, numbers, booleans, lists, maps, {@code byte[]}…, which {@link
 * AttributeCodecs} stores by itself): a provider module's own objects, or an application's.
 *
 * <p>A value written by a codec is stored as {@code {"$type": tag(), "value": encode(value)}} in
 * the message's metadata, and read back by the codec registered for that tag. The tag is part of
 * the stored data: keep it stable across releases of the application, or older sessions can't be
 * read back.
 *
 * <pre>{@code
 * record Citation(String url, int start, int end) {}
 *
 * AttributeCodec<Citation> citations = new AttributeCodec<>() {
 *   public String tag() { return "com.example.citation"; }
 *   public Class<Citation> type() { return Citation.class; }
 *   public JsonValue encode(Citation c, AttributeCodecs codecs) {
 *     return JsonValue.object(Map.of("url", JsonValue.of(c.url()),
 *         "start", JsonValue.of(c.start()), "end", JsonValue.of(c.end())));
 *   }
 *   public Citation decode(JsonValue json, AttributeCodecs codecs) {
 *     Map<String, JsonValue> m = ((JsonValue.JsonObject) json).members();
 *     return new Citation(((JsonValue.JsonString) m.get("url")).value(),
 *         ((JsonValue.JsonInteger) m.get("start")).value().intValueExact(),
 *         ((JsonValue.JsonInteger) m.get("end")).value().intValueExact());
 *   }
 * };
 * AttributeCodecs codecs = AttributeCodecs.defaults().with(citations);
 * }</pre>
 *
 * <p>Implementations must be thread safe (stateless is best) and must return, from {@link
 * #decode}, a value equal to the one {@link #encode} was given. A codec whose value nests other
 * attribute values (a list of arbitrary objects, say) encodes and decodes them with the {@code
 * codecs} it is handed, so that they keep their Java types too.
 *
 * @param <T> the type of the values
 */
public interface AttributeCodec<T> {

  /**
   * Returns the tag stored with every value this codec writes: 1 to 100 characters of {@code
   * A-Z a-z 0-9 . _ - : /}, not one of the tags {@link AttributeCodecs} uses itself. A name
   * under a domain of the application ({@code "com.example.citation"}) avoids clashes.
   */
  String tag();

  /**
   * Returns the class of the values this codec writes. It is chosen for values of exactly this
   * class, and for values of its subclasses or implementations when no codec is registered for
   * their own class.
   */
  Class<T> type();

  /**
   * Returns the JSON form of {@code value}.
   *
   * @param value the value; never null
   * @param codecs the registry, to encode nested values with {@link AttributeCodecs#encode}
   * @throws RuntimeException if the value can't be stored; it reaches the caller as an {@link
   *     UnmappableMessageException} naming the attribute
   */
  JsonValue encode(T value, AttributeCodecs codecs);

  /**
   * Returns the value whose JSON form {@code json} is.
   *
   * @param json what {@link #encode} returned, as read back from a store
   * @param codecs the registry, to decode nested values with {@link AttributeCodecs#decode}
   * @throws RuntimeException if {@code json} is not a form this codec writes; it reaches the
   *     caller as an {@link UnmappableMessageException} naming the attribute
   */
  T decode(JsonValue json, AttributeCodecs codecs);
}
