package org.sessionkit.springai.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.sessionkit.JsonValue;
import org.sessionkit.JsonValue.JsonObject;
import org.sessionkit.springai.MetadataCodec;

/**
 * Stores a record as a JSON object of its components, each in the typed encoding, and reads it
 * back through the canonical constructor. A component that is absent from the stored object is
 * read as {@code null} (or fails for a primitive), so a record that gains a component still reads
 * values stored before. Thread safe.
 *
 * @param <R> the record type
 */
public final class RecordCodec<R extends Record> implements MetadataCodec<R> {

  private final String name;
  private final Class<R> type;
  private final RecordComponent[] components;
  private final Method[] accessors;
  private final Constructor<R> constructor;

  /**
   * Creates the codec named {@code name} for {@code type}.
   *
   * @throws IllegalArgumentException if the record or its canonical constructor is not public
   */
  public RecordCodec(String name, Class<R> type) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
    if (!Modifier.isPublic(type.getModifiers())) {
      throw new IllegalArgumentException("the record " + type.getName() + " is not public");
    }
    components = type.getRecordComponents();
    accessors = new Method[components.length];
    Class<?>[] parameterTypes = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      accessors[i] = components[i].getAccessor();
      parameterTypes[i] = components[i].getType();
    }
    try {
      constructor = type.getConstructor(parameterTypes);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("the canonical constructor of " + type.getName() + " is not public", e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Class<R> type() {
    return type;
  }

  @Override
  public JsonValue encode(R value, Values values) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    for (int i = 0; i < components.length; i++) {
      Object component;
      try {
        component = accessors[i].invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(
            "could not read the component " + components[i].getName() + " of " + type.getName(), e);
      }
      members.put(components[i].getName(), values.encode(component));
    }
    return JsonValue.object(members);
  }

  @Override
  public R decode(JsonValue stored, Values values) {
    if (!(stored instanceof JsonObject object)) {
      throw new IllegalArgumentException("a record is stored as an object, not " + stored);
    }
    for (String key : object.members().keySet()) {
      if (indexOf(key) < 0) {
        throw new IllegalArgumentException(type.getName() + " has no component \"" + key + "\"");
      }
    }
    Object[] arguments = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      JsonValue member = object.members().get(components[i].getName());
      Object value = member == null ? null : values.decode(member);
      Class<?> expected = components[i].getType();
      if (value == null && expected.isPrimitive()) {
        throw new IllegalArgumentException("the component " + components[i].getName() + " is missing");
      }
      if (value != null && !wrap(expected).isInstance(value)) {
        throw new IllegalArgumentException(
            "the component " + components[i].getName() + " holds a " + value.getClass().getName()
                + ", not a " + expected.getName());
      }
      arguments[i] = value;
    }
    try {
      return constructor.newInstance(arguments);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          "the constructor of " + type.getName() + " refused the stored components: " + e.getCause(), e.getCause());
    } catch (InstantiationException | IllegalAccessException e) {
      throw new IllegalStateException("could not construct " + type.getName(), e);
    }
  }

  private int indexOf(String component) {
    for (int i = 0; i < components.length; i++) {
      if (components[i].getName().equals(component)) {
        return i;
      }
    }
    return -1;
  }

  private static Class<?> wrap(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return switch (type.getName()) {
      case "int" -> Integer.class;
      case "long" -> Long.class;
      case "boolean" -> Boolean.class;
      case "double" -> Double.class;
      case "float" -> Float.class;
      case "short" -> Short.class;
      case "byte" -> Byte.class;
      default -> Character.class;
    };
  }

  @Override
  public String toString() {
    return "MetadataCodec[" + name + ", record " + type.getName() + "]";
  }
}
