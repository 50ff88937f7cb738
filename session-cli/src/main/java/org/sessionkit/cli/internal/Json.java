package org.sessionkit.cli.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.util.Optional;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionSummary;
import org.sessionkit.spi.Timestamps;

/** JSON output for scripts ({@code --json}): summaries and problems in the format's field names. */
final class Json {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private Json() {}

  /** Returns a generator writing to {@code w}, pretty-printed, not closing {@code w}. */
  static JsonGenerator generator(Writer w) throws IOException {
    JsonGenerator g = FACTORY.createGenerator(w);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.useDefaultPrettyPrinter();
    return g;
  }

  /** Writes a summary as an object with the document's field names. */
  static void summary(JsonGenerator g, SessionSummary s) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", s.id());
    g.writeStringField("created_at", Timestamps.format(s.createdAt()));
    g.writeStringField("updated_at", Timestamps.format(s.updatedAt()));
    g.writeNumberField("message_count", s.messageCount());
    g.writeStringField("revision", s.revision().value());
    g.writeEndObject();
  }

  /** Writes a problem: {@code location}, {@code id} (or null) and {@code reason}. */
  static void problem(JsonGenerator g, String location, Optional<String> id, String reason) throws IOException {
    g.writeStartObject();
    g.writeStringField("location", location);
    if (id.isPresent()) {
      g.writeStringField("id", id.get());
    } else {
      g.writeNullField("id");
    }
    g.writeStringField("reason", reason);
    g.writeEndObject();
  }

  /** Writes a listing problem. */
  static void problem(JsonGenerator g, ListingProblem p) throws IOException {
    problem(g, p.location(), p.id(), p.reason());
  }
}
