package org.sessionkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation: a {@link Role}, its content blocks in order, and per-message
 * metadata. Immutable and safe to share between threads.
 *
 * <p>{@code metadata} holds what frameworks and model providers attach to a message (a thought
 * signature, encrypted reasoning, a provider's message id, a timestamp…) as JSON values, kept
 * exactly like {@link SessionState#custom()} (3 stays 3, 3.0 stays 3.0, big integers stay
 * exact). It is part of equality. In the stored document it is the message's {@code "metadata"}
 * member, written only when non-empty, so a message without metadata is stored exactly as
 * neuron writes it; neuron reads such documents but drops the member when it rewrites them.
 *
 * @param role who wrote it
 * @param content its blocks, in order; an unmodifiable list
 * @param metadata its metadata; an unmodifiable map, empty when there is none
 */
public record Message(Role role, List<ContentBlock> content, Map<String, JsonValue> metadata) {

  /** Validates the fields and copies the content and the metadata. */
  public Message {
    Objects.requireNonNull(role, "role");
    content = List.copyOf(content);
    metadata = metadata.isEmpty() ? Map.of() : new JsonValue.JsonObject(metadata).members();
  }

  /** Returns a message of {@code role} with the given blocks and no metadata. */
  public Message(Role role, List<ContentBlock> content) {
    this(role, content, Map.of());
  }

  /** Returns a message of {@code role} with the given blocks and no metadata. */
  public static Message of(Role role, ContentBlock... content) {
    return new Message(role, List.of(content));
  }

  /** Returns a user message holding one text block. */
  public static Message user(String text) {
    return of(Role.USER, ContentBlock.text(text));
  }

  /** Returns an assistant message holding one text block. */
  public static Message assistant(String text) {
    return of(Role.ASSISTANT, ContentBlock.text(text));
  }

  /** Returns a system message holding one text block. */
  public static Message system(String text) {
    return of(Role.SYSTEM, ContentBlock.text(text));
  }

  /** Returns a copy with {@code metadata} replaced (an empty map removes it). */
  public Message withMetadata(Map<String, ? extends JsonValue> metadata) {
    return new Message(role, content, new LinkedHashMap<>(metadata));
  }

  /** Returns a copy with the metadata entry {@code key} set to {@code value}. */
  public Message withMetadata(String key, JsonValue value) {
    Map<String, JsonValue> copy = new LinkedHashMap<>(metadata);
    copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return new Message(role, content, copy);
  }
}
