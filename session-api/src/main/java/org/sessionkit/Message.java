package org.sessionkit;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation: a {@link Role} and its content blocks, in order. Immutable.
 *
 * @param role who wrote it
 * @param content its blocks, in order; an unmodifiable list
 */
public record Message(Role role, List<ContentBlock> content) {

  /** Validates the fields and copies the content. */
  public Message {
    Objects.requireNonNull(role, "role");
    content = List.copyOf(content);
  }

  /** Returns a message of {@code role} with the given blocks. */
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
}
