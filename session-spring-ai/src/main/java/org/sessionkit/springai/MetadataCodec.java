package org.sessionkit.springai;

import java.util.Objects;
import java.util.function.Function;
import org.sessionkit.JsonValue;
import org.sessionkit.springai.internal.EnumCodec;
import org.sessionkit.springai.internal.RecordCodec;

/**
 * Stores the values of one Java type found in Spring AI message metadata as JSON, and reads them
 * back as the same type. The adapters store message metadata with a typed encoding (see the
 * module's README): strings, booleans, numbers of every boxed type, {@code byte[]}, lists, sets,
 * maps, {@link java.time.Instant} and sessionkit's {@link JsonValue} are built in, as are the
 * provider types that Spring AI's Anthropic, Google GenAI and OpenAI models put there ({@link
 * MetadataCodecs#defaults()}). A value of any other type needs a codec, registered with {@link
 * MetadataCodecs#with}; without one, saving the message fails with {@link
 * MessageMappingException} naming the metadata key and the type.
 *
 * <p>A stored value is written as {@code {"<name>": <what encode returned>}}, so the name is part
 * of the stored data: keep it stable, and register the codec wherever such conversations are
 * read. Implementations must be thread safe and inverse: {@code decode(encode(v))} equals {@code
 * v}.
 *
 * <pre>{@code
 * record Citation(String url, int start, int end) {}
 * MetadataCodecs codecs = MetadataCodecs.defaults().with(MetadataCodec.forRecord("acme.Citation", Citation.class));
 * }</pre>
 *
 * @param <T> the type of the values
 */
public interface MetadataCodec<T> {

  /**
   * Returns the name written with each stored value: 1 to 100 characters, not one of the
   * built-in names ({@link MetadataCodecs#BUILT_IN_NAMES}); by convention qualified, such as
   * {@code "acme.Citation"}.
   */
  String name();

  /** Returns the type of the values: a value is encoded by this codec when it is an instance. */
  Class<T> type();

  /**
   * Returns the JSON form of {@code value}.
   *
   * @param values encodes nested values (the elements of a container) by the same typed rules
   * @throws MessageMappingException if the value can't be stored (a nested value without codec)
   */
  JsonValue encode(T value, Values values);

  /**
   * Returns the value that {@link #encode} turned into {@code stored}.
   *
   * @param values decodes nested values written with {@link Values#encode}
   * @throws RuntimeException if {@code stored} is not what {@link #encode} writes; the adapter
   *     reports it as a {@link MessageMappingException} naming the message and the key
   */
  T decode(JsonValue stored, Values values);

  /** The typed encoding, for codecs of containers: encodes and decodes nested values. */
  interface Values {
    /**
     * Returns the typed JSON form of {@code value} (which may be {@code null}).
     *
     * @throws MessageMappingException if no codec stores its type
     */
    JsonValue encode(Object value);

    /**
     * Returns the value whose typed JSON form is {@code stored} ({@code null} for JSON null).
     *
     * @throws MessageMappingException if {@code stored} is not in the typed encoding
     */
    Object decode(JsonValue stored);
  }

  /**
   * Returns a codec from two functions.
   *
   * @param name the stored name (see {@link #name()})
   * @param type the type of the values
   * @param encode turns a value into JSON
   * @param decode turns that JSON back into an equal value
   */
  static <T> MetadataCodec<T> of(
      String name,
      Class<T> type,
      Function<? super T, ? extends JsonValue> encode,
      Function<? super JsonValue, ? extends T> decode) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(encode, "encode");
    Objects.requireNonNull(decode, "decode");
    return new MetadataCodec<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Class<T> type() {
        return type;
      }

      @Override
      public JsonValue encode(T value, Values values) {
        return Objects.requireNonNull(encode.apply(value), "the codec " + name + " encoded a value as null");
      }

      @Override
      public T decode(JsonValue stored, Values values) {
        return decode.apply(stored);
      }

      @Override
      public String toString() {
        return "MetadataCodec[" + name + ", " + type.getName() + "]";
      }
    };
  }

  /**
   * Returns a codec for a public record type: stored as a JSON object of its components, each in
   * the typed encoding (so a component of another type with a codec, or a list of them, works),
   * read back through the canonical constructor.
   *
   * @throws IllegalArgumentException if the type or its canonical constructor is not public
   */
  static <R extends Record> MetadataCodec<R> forRecord(String name, Class<R> type) {
    return new RecordCodec<>(name, type);
  }

  /** Returns a codec for an enum type: stored as the constant's name. */
  static <E extends Enum<E>> MetadataCodec<E> forEnum(String name, Class<E> type) {
    return new EnumCodec<>(name, type);
  }
}
