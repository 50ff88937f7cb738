package org.sessionkit.springai.internal;

import java.util.Objects;
import org.sessionkit.JsonValue;
import org.sessionkit.springai.MetadataCodec;

/**
 * Stores an enum constant as its name. Thread safe.
 *
 * @param <E> the enum type
 */
public final class EnumCodec<E extends Enum<E>> implements MetadataCodec<E> {

  private final String name;
  private final Class<E> type;

  /** Creates the codec named {@code name} for {@code type}. */
  public EnumCodec(String name, Class<E> type) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    if (!type.isEnum()) {
      throw new IllegalArgumentException(type.getName() + " is not an enum");
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Class<E> type() {
    return type;
  }

  @Override
  public JsonValue encode(E value, Values values) {
    return JsonValue.of(value.name());
  }

  @Override
  public E decode(JsonValue stored, Values values) {
    if (!(stored instanceof JsonValue.JsonString s)) {
      throw new IllegalArgumentException("an enum constant is stored as a string, not " + stored);
    }
    return Enum.valueOf(type, s.value());
  }

  @Override
  public String toString() {
    return "MetadataCodec[" + name + ", enum " + type.getName() + "]";
  }
}
