package org.sessionkit.springai.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sessionkit.JsonValue;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.springai.MetadataCodec;

/**
 * The codecs for the provider types that Spring AI's model modules put into message metadata.
 * They reach the provider classes by reflection, so that this module needs none of the provider
 * modules to compile or run: a codec is registered only when its class is on the class path.
 * Which module puts which type under which key (read from Spring AI's sources):
 *
 * <ul>
 *   <li>Google GenAI (1.1 and 2.0): {@code finishReason} = {@code com.google.genai.types.FinishReason},
 *       a wrapper of the reason's name, built from that name;
 *   <li>OpenAI in Spring AI 1.1: {@code annotations} = a list of the records {@code
 *       OpenAiApi.ChatCompletionMessage.Annotation(type, UrlCitation(endIndex, startIndex, title,
 *       url))};
 *   <li>OpenAI in Spring AI 2.0 (OpenAI's Java SDK): {@code annotations} = a list of the SDK's
 *       {@code ChatCompletionMessage.Annotation}, which the SDK's own JSON mapper writes and reads
 *       exactly (including properties it does not know); {@code finishReason} = the SDK's {@code
 *       ChatCompletion.Choice.FinishReason.Value} enum when streaming.
 * </ul>
 */
public final class ProviderCodecs {

  static final String GOOGLE_FINISH_REASON = "com.google.genai.types.FinishReason";
  static final String OPENAI_ANNOTATION =
      "org.springframework.ai.openai.api.OpenAiApi$ChatCompletionMessage$Annotation";
  static final String OPENAI_URL_CITATION =
      "org.springframework.ai.openai.api.OpenAiApi$ChatCompletionMessage$Annotation$UrlCitation";
  static final String OPENAI_SDK_ANNOTATION = "com.openai.models.chat.completions.ChatCompletionMessage$Annotation";
  static final String OPENAI_SDK_FINISH_REASON =
      "com.openai.models.chat.completions.ChatCompletion$Choice$FinishReason$Value";
  static final String OPENAI_SDK_MAPPERS = "com.openai.core.ObjectMappers";
  static final String MESSAGE_TYPE = "org.springframework.ai.chat.messages.MessageType";

  private ProviderCodecs() {}

  /** Returns the codecs whose classes are on the class path. */
  public static List<MetadataCodec<?>> present() {
    List<MetadataCodec<?>> codecs = new ArrayList<>();
    load(MESSAGE_TYPE).ifPresent(c -> codecs.add(enumCodec("spring-ai.MessageType", c)));
    load(GOOGLE_FINISH_REASON).flatMap(c -> StringWrapper.of("google-genai.FinishReason", c)).ifPresent(codecs::add);
    load(OPENAI_ANNOTATION).filter(Class::isRecord).ifPresent(c -> codecs.add(recordCodec("openai.Annotation", c)));
    load(OPENAI_URL_CITATION).filter(Class::isRecord).ifPresent(c -> codecs.add(recordCodec("openai.UrlCitation", c)));
    load(OPENAI_SDK_ANNOTATION).flatMap(c -> SdkJson.of("openai-sdk.Annotation", c)).ifPresent(codecs::add);
    load(OPENAI_SDK_FINISH_REASON).filter(Class::isEnum).ifPresent(c -> codecs.add(enumCodec("openai-sdk.FinishReason", c)));
    return List.copyOf(codecs);
  }

  private static Optional<Class<?>> load(String name) {
    try {
      return Optional.of(Class.forName(name, false, ProviderCodecs.class.getClassLoader()));
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.empty();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static MetadataCodec<?> enumCodec(String name, Class<?> type) {
    return new EnumCodec(name, type);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static MetadataCodec<?> recordCodec(String name, Class<?> type) {
    return new RecordCodec(name, type);
  }

  /** A type whose {@code toString()} is its whole value and that has a constructor taking it. */
  static final class StringWrapper implements MetadataCodec<Object> {
    private final String name;
    private final Class<Object> type;
    private final Constructor<?> constructor;

    @SuppressWarnings("unchecked")
    private StringWrapper(String name, Class<?> type, Constructor<?> constructor) {
      this.name = name;
      this.type = (Class<Object>) type;
      this.constructor = constructor;
    }

    static Optional<MetadataCodec<?>> of(String name, Class<?> type) {
      try {
        return Optional.of(new StringWrapper(name, type, type.getConstructor(String.class)));
      } catch (NoSuchMethodException e) {
        return Optional.empty();
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Class<Object> type() {
      return type;
    }

    @Override
    public JsonValue encode(Object value, Values values) {
      return JsonValue.of(value.toString());
    }

    @Override
    public Object decode(JsonValue stored, Values values) {
      if (!(stored instanceof JsonValue.JsonString s)) {
        throw new IllegalArgumentException("stored as a string, not " + stored);
      }
      try {
        return constructor.newInstance(s.value());
      } catch (InvocationTargetException e) {
        throw new IllegalArgumentException(type.getName() + " refused \"" + s.value() + "\": " + e.getCause(), e);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("could not construct " + type.getName(), e);
      }
    }

    @Override
    public String toString() {
      return "MetadataCodec[" + name + ", " + type.getName() + "]";
    }
  }

  /** A type of OpenAI's Java SDK, stored as the JSON the SDK's own mapper writes. */
  static final class SdkJson implements MetadataCodec<Object> {
    private static final SessionCodec JSON = SessionCodec.defaults();
    private final String name;
    private final Class<Object> type;
    private final Object mapper;
    private final Method write;
    private final Method read;

    @SuppressWarnings("unchecked")
    private SdkJson(String name, Class<?> type, Object mapper, Method write, Method read) {
      this.name = name;
      this.type = (Class<Object>) type;
      this.mapper = mapper;
      this.write = write;
      this.read = read;
    }

    static Optional<MetadataCodec<?>> of(String name, Class<?> type) {
      try {
        Class<?> mappers = Class.forName(OPENAI_SDK_MAPPERS, true, type.getClassLoader());
        Object mapper = Objects.requireNonNull(mappers.getMethod("jsonMapper").invoke(null));
        Method write = mapper.getClass().getMethod("writeValueAsString", Object.class);
        Method read = mapper.getClass().getMethod("readValue", String.class, Class.class);
        return Optional.of(new SdkJson(name, type, mapper, write, read));
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return Optional.empty();
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Class<Object> type() {
      return type;
    }

    @Override
    public JsonValue encode(Object value, Values values) {
      String json;
      try {
        json = (String) write.invoke(mapper, value);
      } catch (InvocationTargetException e) {
        throw new IllegalArgumentException("OpenAI's mapper could not write the " + type.getName() + ": " + e.getCause(), e);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
      return JSON.decodeValue(json.getBytes(StandardCharsets.UTF_8), name);
    }

    @Override
    public Object decode(JsonValue stored, Values values) {
      String json = new String(JSON.encodeValue(stored), StandardCharsets.UTF_8);
      try {
        return read.invoke(mapper, json, type);
      } catch (InvocationTargetException e) {
        throw new IllegalArgumentException("OpenAI's mapper could not read a " + type.getName() + ": " + e.getCause(), e);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String toString() {
      return "MetadataCodec[" + name + ", " + type.getName() + " as OpenAI's JSON]";
    }
  }
}
