package org.sessionkit.internal.codec;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Why a session can't be written, with the path of the offending field. Thrown while writing
 * and turned into an {@link org.sessionkit.InvalidSessionException} by the codec; frames add
 * their path segment as it propagates, so the successful path pays nothing for paths.
 */
public final class WriteProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Path segments, outermost first: a {@code String} field name or an {@code Integer} index. */
  private final transient Deque<Object> path = new ArrayDeque<>();

  /** Creates a problem described by {@code message}. */
  public WriteProblem(String message) {
    super(message, null, false, false);
  }

  /** Prepends a field name to the path and returns this problem, to rethrow. */
  public WriteProblem field(String name) {
    path.addFirst(name);
    return this;
  }

  /** Prepends an array index to the path and returns this problem, to rethrow. */
  public WriteProblem index(int index) {
    path.addFirst(index);
    return this;
  }

  /** Returns the path of the field, like {@code messages[3].content[0].ToolUse.input.x}. */
  public String path() {
    StringBuilder b = new StringBuilder();
    for (Object segment : path) {
      if (segment instanceof Integer) {
        b.append('[').append(segment).append(']');
      } else {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(Names.escape((String) segment));
      }
    }
    return b.toString();
  }

  /** Returns the problem without its path. */
  public String problem() {
    return super.getMessage();
  }

  @Override
  public String getMessage() {
    String p = path();
    return p.isEmpty() ? problem() : p + ": " + problem();
  }
}
