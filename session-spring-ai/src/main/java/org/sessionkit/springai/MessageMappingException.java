package org.sessionkit.springai;

import org.sessionkit.SessionStorageException;

/**
 * Thrown when a message can't be mapped losslessly between Spring AI and the session model:
 * on save, a Spring AI message holds something the session format has no place for (an audio
 * attachment, a tool call without an id); on read, a stored message holds something Spring AI's
 * messages can't hold (a thinking block, two text blocks in one user message). Nothing is
 * written or returned when it is thrown; the message names the conversation, the message's
 * position and what does not map.
 */
public class MessageMappingException extends SessionStorageException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what does not map. */
  public MessageMappingException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what does not map, and its cause. */
  public MessageMappingException(String message, Throwable cause) {
    super(message, cause);
  }
}
