package org.sessionkit.springai;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.sessionkit.springai.internal.ProviderCodecs;

/**
 * An immutable set of {@link MetadataCodec}s: how the adapters store the values of Spring AI
 * message metadata whose types are not built into the typed encoding. Thread safe.
 *
 * <p>{@link #defaults()} holds codecs for the provider types that Spring AI's model modules put in
 * {@code AssistantMessage} metadata, each registered only when its class is on the class path:
 *
 * <ul>
 *   <li>{@code google-genai.FinishReason}: {@code com.google.genai.types.FinishReason} (Google
 *       GenAI, key {@code finishReason});
 *   <li>{@code openai.Annotation}, {@code openai.UrlCitation}: Spring AI 1.1's {@code
 *       OpenAiApi.ChatCompletionMessage.Annotation} records (OpenAI, key {@code annotations});
 *   <li>{@code openai-sdk.Annotation}: the OpenAI Java SDK's {@code ChatCompletionMessage.Annotation}
 *       (Spring AI 2.0's OpenAI model, key {@code annotations}), stored as the SDK's own JSON;
 *   <li>{@code openai-sdk.FinishReason}: the SDK's {@code ChatCompletion.Choice.FinishReason.Value}
 *       enum (Spring AI 2.0's OpenAI model when streaming, key {@code finishReason});
 *   <li>{@code spring-ai.MessageType}: Spring AI's {@code MessageType}.
 * </ul>
 *
 * Everything else Spring AI's Anthropic, Google GenAI and OpenAI models put there (thinking
 * signatures, redacted thinking data, thought signatures as {@code List<byte[]>}, ids, indexes,
 * refusals, reasoning content, tool-call properties) is built into the typed encoding.
 *
 * <p>To encode a value, the built-in types are tried first, then the registered codecs, the most
 * recently registered first, by {@link Class#isInstance}; then lists, sets and maps. Registering a
 * codec for a type that another codec covers makes the new one encode it; values stored by the
 * other still decode by its name.
 */
public final class MetadataCodecs {

  /** The names the typed encoding uses for its built-in types; no codec may take one. */
  public static final Set<String> BUILT_IN_NAMES =
      Set.of("int", "long", "short", "byte", "float", "double", "bigint", "decimal", "char", "bytes",
          "list", "set", "map", "instant", "json");

  private static final MetadataCodecs EMPTY = new MetadataCodecs(List.of());
  private static final MetadataCodecs DEFAULTS = EMPTY.with(ProviderCodecs.present());

  private final List<MetadataCodec<?>> codecs;
  private final Map<String, MetadataCodec<?>> byName;

  private MetadataCodecs(List<MetadataCodec<?>> codecs) {
    this.codecs = List.copyOf(codecs);
    Map<String, MetadataCodec<?>> names = new LinkedHashMap<>();
    for (MetadataCodec<?> c : this.codecs) {
      names.put(c.name(), c);
    }
    this.byName = Collections.unmodifiableMap(names);
  }

  /** Returns the codecs for the provider types of Spring AI's model modules (see the class doc). */
  public static MetadataCodecs defaults() {
    return DEFAULTS;
  }

  /** Returns a set without any codec: only the built-in types can be stored. */
  public static MetadataCodecs none() {
    return EMPTY;
  }

  /**
   * Returns these codecs and {@code more}.
   *
   * @throws IllegalArgumentException if a name is invalid, built in, or taken by another codec
   */
  public MetadataCodecs with(MetadataCodec<?>... more) {
    return with(List.of(more));
  }

  /**
   * Returns these codecs and {@code more}.
   *
   * @throws IllegalArgumentException if a name is invalid, built in, or taken by another codec
   */
  public MetadataCodecs with(Collection<? extends MetadataCodec<?>> more) {
    List<MetadataCodec<?>> all = new ArrayList<>(codecs);
    Map<String, MetadataCodec<?>> names = new LinkedHashMap<>(byName);
    for (MetadataCodec<?> codec : more) {
      Objects.requireNonNull(codec, "codec");
      String name = Objects.requireNonNull(codec.name(), "name");
      Objects.requireNonNull(codec.type(), "type");
      if (name.isEmpty() || name.length() > 100) {
        throw new IllegalArgumentException("a codec name has 1 to 100 characters: \"" + name + "\"");
      }
      if (BUILT_IN_NAMES.contains(name)) {
        throw new IllegalArgumentException("\"" + name + "\" is the name of a built-in type of the typed encoding");
      }
      MetadataCodec<?> taken = names.putIfAbsent(name, codec);
      if (taken != null) {
        throw new IllegalArgumentException("two codecs are named \"" + name + "\": " + taken + " and " + codec);
      }
      all.add(codec);
    }
    return new MetadataCodecs(all);
  }

  /** Returns the codecs, in registration order. */
  public List<MetadataCodec<?>> codecs() {
    return codecs;
  }

  /** Returns the codec named {@code name}, if registered. */
  public Optional<MetadataCodec<?>> named(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Returns the codec that encodes {@code value}: the most recently registered whose type it is. */
  public Optional<MetadataCodec<?>> forValue(Object value) {
    Objects.requireNonNull(value, "value");
    for (int i = codecs.size() - 1; i >= 0; i--) {
      if (codecs.get(i).type().isInstance(value)) {
        return Optional.of(codecs.get(i));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "MetadataCodecs" + byName.keySet();
  }
}
