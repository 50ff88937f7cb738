package org.sessionkit.springai.internal;

import java.util.Objects;
import org.sessionkit.JsonValue.JsonObject;
import org.sessionkit.Message;

/**
 * One message as this adapter stores it: the session-model message and the few facts Spring
 * AI has that the session model has no field for (tool response names, media names…), kept in
 * the session state's {@code custom}. Two entries are equal when both parts are, which is how
 * the repository decides whether a list handed to it extends what is stored.
 *
 * @param message the message as the session model holds it
 * @param extra what Spring AI needs beyond it; an empty object when nothing
 */
public record Entry(Message message, JsonObject extra) {

  /** Validates the fields. */
  public Entry {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(extra, "extra");
  }
}
