package org.sessionkit.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import java.io.IOException;

/**
 * The layout of serde_json's {@code PrettyFormatter}, which neuron's file store writes: two
 * spaces per level, {@code "key": value}, every element and member on its own line, empty
 * arrays and objects as {@code []} and {@code {}}, no newline at the end. Jackson's default
 * pretty printer differs ({@code "key" : value}, {@code [ ]}). Stateful: one per generator.
 */
public final class SerdePrettyPrinter implements PrettyPrinter {

  private static final int MAX_CACHED = 64;
  private static final String[] NEWLINE_INDENTS = new String[MAX_CACHED];

  static {
    StringBuilder b = new StringBuilder("\n");
    for (int i = 0; i < MAX_CACHED; i++) {
      NEWLINE_INDENTS[i] = b.toString();
      b.append("  ");
    }
  }

  private int level;

  /** Creates a printer for one document. */
  public SerdePrettyPrinter() {}

  private void newline(JsonGenerator g) throws IOException {
    if (level < MAX_CACHED) {
      g.writeRaw(NEWLINE_INDENTS[level]);
    } else {
      g.writeRaw(NEWLINE_INDENTS[MAX_CACHED - 1]);
      for (int i = MAX_CACHED - 1; i < level; i++) {
        g.writeRaw("  ");
      }
    }
  }

  @Override
  public void writeRootValueSeparator(JsonGenerator g) {
    // A document has one root value.
  }

  @Override
  public void writeStartObject(JsonGenerator g) throws IOException {
    g.writeRaw('{');
    level++;
  }

  @Override
  public void beforeObjectEntries(JsonGenerator g) throws IOException {
    newline(g);
  }

  @Override
  public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
    g.writeRaw(": ");
  }

  @Override
  public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
    g.writeRaw(',');
    newline(g);
  }

  @Override
  public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
    level--;
    if (nrOfEntries > 0) {
      newline(g);
    }
    g.writeRaw('}');
  }

  @Override
  public void writeStartArray(JsonGenerator g) throws IOException {
    g.writeRaw('[');
    level++;
  }

  @Override
  public void beforeArrayValues(JsonGenerator g) throws IOException {
    newline(g);
  }

  @Override
  public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
    g.writeRaw(',');
    newline(g);
  }

  @Override
  public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
    level--;
    if (nrOfValues > 0) {
      newline(g);
    }
    g.writeRaw(']');
  }
}
