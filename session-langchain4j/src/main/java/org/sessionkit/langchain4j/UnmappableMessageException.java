package org.sessionkit.langchain4j;

import org.sessionkit.SessionStorageException;

/**
 * Thrown when a LangChain4j message can't be stored in a session without losing part of it, or
 * a stored message can't be turned into LangChain4j messages without losing part of it (for
 * example a LangChain4j {@code UserMessage} with a {@code name}, or a stored {@code Compaction}
 * block). Nothing was written. The message names the message index, its type and the part that
 * does not map; the module's README lists every such case.
 */
public class UnmappableMessageException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with {@code message}. */
  public UnmappableMessageException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} and its {@code cause}. */
  public UnmappableMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
