package org.sessionkit.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.sessionkit.ContentBlock;
import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.spi.WriteLog;
import org.sessionkit.DocumentSource;
import org.sessionkit.ImageSource;
import org.sessionkit.IterationUsage;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.TokenUsage;
import org.sessionkit.ToolResultItem;

/**
 * Writes the model to a Jackson generator in the session format, checking on the way what
 * the format can't hold: lone surrogates in any string, instants outside years 0000–9999 and
 * nesting deeper than {@link #MAX_DEPTH} levels (document depth, the root object being level 1;
 * parts are counted at the depth they have inside a document). A problem is thrown as a {@link
 * WriteProblem} naming the field; the caller discards whatever was written. One per call.
 */
public final class DocumentWriter {

  /**
   * The deepest nesting the format allows, as docs/format.md specifies it (root object = level 1).
   *
   * <p>Caution: serde_json 1.x itself starts its recursion budget at 128 and fails when it
   * reaches 0, so it reads at most 127 levels (its own {@code test_stack_overflow} parses 127
   * brackets and fails on the 128th). A document written at exactly 128 levels therefore does
   * not load in neuron; lowering this constant to 127 would close that gap.
   */
  public static final int MAX_DEPTH = 128;

  /** Document depth of a value in {@code state.custom}. */
  public static final int CUSTOM_VALUE_DEPTH = 4;

  /** Document depth of a value in a message's {@code metadata}. */
  public static final int MESSAGE_METADATA_VALUE_DEPTH = 5;

  /** Document depth of a tool call's {@code input}. */
  public static final int TOOL_INPUT_DEPTH = 7;

  private static final SerializableString SESSIONKIT = name(Fields.SESSIONKIT);
  private static final SerializableString FORMAT = name(Fields.FORMAT);
  private static final SerializableString REVISION = name(Fields.REVISION);
  private static final SerializableString MESSAGE_COUNT = name(Fields.MESSAGE_COUNT);
  private static final SerializableString WRITTEN_AT = name(Fields.WRITTEN_AT);
  private static final SerializableString WRITE_LOG = name(Fields.WRITE_LOG);
  private static final SerializableString KEY = name(Fields.KEY);
  private static final SerializableString ID = name(Fields.ID);
  private static final SerializableString MESSAGES = name(Fields.MESSAGES);
  private static final SerializableString STATE = name(Fields.STATE);
  private static final SerializableString CREATED_AT = name(Fields.CREATED_AT);
  private static final SerializableString UPDATED_AT = name(Fields.UPDATED_AT);
  private static final SerializableString CWD = name(Fields.CWD);
  private static final SerializableString TOKEN_USAGE = name(Fields.TOKEN_USAGE);
  private static final SerializableString EVENT_COUNT = name(Fields.EVENT_COUNT);
  private static final SerializableString CUSTOM = name(Fields.CUSTOM);
  private static final SerializableString INPUT_TOKENS = name(Fields.INPUT_TOKENS);
  private static final SerializableString OUTPUT_TOKENS = name(Fields.OUTPUT_TOKENS);
  private static final SerializableString CACHE_READ_TOKENS = name(Fields.CACHE_READ_TOKENS);
  private static final SerializableString CACHE_CREATION_TOKENS =
      name(Fields.CACHE_CREATION_TOKENS);
  private static final SerializableString REASONING_TOKENS = name(Fields.REASONING_TOKENS);
  private static final SerializableString ITERATIONS = name(Fields.ITERATIONS);
  private static final SerializableString ROLE = name(Fields.ROLE);
  private static final SerializableString CONTENT = name(Fields.CONTENT);
  private static final SerializableString METADATA = name(Fields.METADATA);
  private static final SerializableString TEXT = name(Fields.TEXT);
  private static final SerializableString THINKING = name(Fields.THINKING);
  private static final SerializableString THINKING_FIELD = name(Fields.THINKING_FIELD);
  private static final SerializableString SIGNATURE = name(Fields.SIGNATURE);
  private static final SerializableString REDACTED_THINKING = name(Fields.REDACTED_THINKING);
  private static final SerializableString DATA = name(Fields.DATA);
  private static final SerializableString TOOL_USE = name(Fields.TOOL_USE);
  private static final SerializableString NAME = name(Fields.NAME);
  private static final SerializableString INPUT = name(Fields.INPUT);
  private static final SerializableString TOOL_RESULT = name(Fields.TOOL_RESULT);
  private static final SerializableString TOOL_USE_ID = name(Fields.TOOL_USE_ID);
  private static final SerializableString IS_ERROR = name(Fields.IS_ERROR);
  private static final SerializableString IMAGE = name(Fields.IMAGE);
  private static final SerializableString DOCUMENT = name(Fields.DOCUMENT);
  private static final SerializableString COMPACTION = name(Fields.COMPACTION);
  private static final SerializableString SOURCE = name(Fields.SOURCE);
  private static final SerializableString BASE64 = name(Fields.BASE64);
  private static final SerializableString MEDIA_TYPE = name(Fields.MEDIA_TYPE);
  private static final SerializableString URL = name(Fields.URL);
  private static final SerializableString URL_FIELD = name(Fields.URL_FIELD);
  private static final SerializableString BASE64_PDF = name(Fields.BASE64_PDF);
  private static final SerializableString PLAIN_TEXT = name(Fields.PLAIN_TEXT);

  private final JsonGenerator g;

  /** Creates a writer onto {@code g}. */
  public DocumentWriter(JsonGenerator g) {
    this.g = g;
  }

  private static SerializableString name(String name) {
    return new SerializedString(name);
  }

  /**
   * Writes a whole document. Without metadata, the fields come in neuron's order (id,
   * messages, state, created_at, updated_at); with it, {@code sessionkit} comes first and
   * messages last, so a listing can stop reading early.
   */
  public void session(Session s, DocumentMetadata metadata) throws IOException {
    g.writeStartObject();
    if (metadata != null) {
      metadata(metadata);
      string(ID, s.id());
      instant(CREATED_AT, s.createdAt());
      instant(UPDATED_AT, s.updatedAt());
      g.writeFieldName(STATE);
      state(s.state());
      messages(s.messages());
    } else {
      string(ID, s.id());
      messages(s.messages());
      g.writeFieldName(STATE);
      state(s.state());
      instant(CREATED_AT, s.createdAt());
      instant(UPDATED_AT, s.updatedAt());
    }
    g.writeEndObject();
  }

  private void metadata(DocumentMetadata m) throws IOException {
    g.writeFieldName(SESSIONKIT);
    metadataObject(m);
  }

  /**
   * Writes the {@code sessionkit} metadata object: {@code format}, {@code revision}, {@code
   * message_count}, then {@code written_at} if present and {@code write_log} if not empty.
   */
  public void metadataObject(DocumentMetadata m) throws IOException {
    g.writeStartObject();
    g.writeFieldName(FORMAT);
    g.writeNumber(m.format());
    try {
      string(REVISION, m.revision().value());
    } catch (WriteProblem p) {
      throw p.field(Fields.SESSIONKIT);
    }
    g.writeFieldName(MESSAGE_COUNT);
    g.writeNumber(m.messageCount());
    try {
      if (m.writtenAt().isPresent()) {
        instant(WRITTEN_AT, m.writtenAt().get());
      }
      if (!m.writeLog().isEmpty()) {
        g.writeFieldName(WRITE_LOG);
        g.writeStartArray();
        for (WriteLog.Entry e : m.writeLog().entries()) {
          g.writeStartObject();
          string(KEY, e.key().value());
          string(REVISION, e.revision().value());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
    } catch (WriteProblem p) {
      throw p.field(Fields.SESSIONKIT);
    }
    g.writeEndObject();
  }

  /**
   * Writes a session as a sessionkit document without its metadata: {@code id}, {@code
   * created_at}, {@code updated_at}, {@code state}, {@code messages}, the order in which they
   * follow the metadata in a document (see {@code SessionCodec.prepare}).
   */
  public void sessionWithoutMetadata(Session s) throws IOException {
    g.writeStartObject();
    string(ID, s.id());
    instant(CREATED_AT, s.createdAt());
    instant(UPDATED_AT, s.updatedAt());
    g.writeFieldName(STATE);
    state(s.state());
    messages(s.messages());
    g.writeEndObject();
  }

  private void messages(List<Message> messages) throws IOException {
    g.writeFieldName(MESSAGES);
    g.writeStartArray();
    for (int i = 0, n = messages.size(); i < n; i++) {
      try {
        message(messages.get(i));
      } catch (WriteProblem p) {
        throw p.index(i).field(Fields.MESSAGES);
      }
    }
    g.writeEndArray();
  }

  /** Writes a message (document depth 3). */
  public void message(Message m) throws IOException {
    g.writeStartObject();
    g.writeFieldName(ROLE);
    g.writeString(m.role().wireName());
    g.writeFieldName(CONTENT);
    g.writeStartArray();
    List<ContentBlock> content = m.content();
    for (int i = 0, n = content.size(); i < n; i++) {
      try {
        block(content.get(i));
      } catch (WriteProblem p) {
        throw p.index(i).field(Fields.CONTENT);
      }
    }
    g.writeEndArray();
    Map<String, JsonValue> metadata = m.metadata();
    if (!metadata.isEmpty()) {
      // Only when non-empty: a message without metadata stays byte-identical to neuron's.
      g.writeFieldName(METADATA);
      g.writeStartObject();
      for (Map.Entry<String, JsonValue> e : metadata.entrySet()) {
        String key = e.getKey();
        try {
          fieldName(key);
          value(e.getValue(), MESSAGE_METADATA_VALUE_DEPTH);
        } catch (WriteProblem p) {
          throw p.field(key).field(Fields.METADATA);
        }
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private void block(ContentBlock b) throws IOException {
    g.writeStartObject();
    if (b instanceof ContentBlock.Text t) {
      string(TEXT, t.text());
    } else if (b instanceof ContentBlock.ToolUse u) {
      variant(TOOL_USE, () -> {
        string(ID, u.id());
        string(NAME, u.name());
        g.writeFieldName(INPUT);
        try {
          value(u.input(), TOOL_INPUT_DEPTH);
        } catch (WriteProblem p) {
          throw p.field(Fields.INPUT);
        }
      });
    } else if (b instanceof ContentBlock.ToolResult r) {
      variant(TOOL_RESULT, () -> {
        string(TOOL_USE_ID, r.toolUseId());
        g.writeFieldName(CONTENT);
        g.writeStartArray();
        List<ToolResultItem> items = r.content();
        for (int i = 0, n = items.size(); i < n; i++) {
          try {
            item(items.get(i));
          } catch (WriteProblem p) {
            throw p.index(i).field(Fields.CONTENT);
          }
        }
        g.writeEndArray();
        g.writeFieldName(IS_ERROR);
        g.writeBoolean(r.isError());
      });
    } else if (b instanceof ContentBlock.Thinking t) {
      variant(THINKING, () -> {
        string(THINKING_FIELD, t.thinking());
        string(SIGNATURE, t.signature());
      });
    } else if (b instanceof ContentBlock.RedactedThinking t) {
      variant(REDACTED_THINKING, () -> string(DATA, t.data()));
    } else if (b instanceof ContentBlock.Image i) {
      variant(IMAGE, () -> {
        g.writeFieldName(SOURCE);
        imageSource(i.source());
      });
    } else if (b instanceof ContentBlock.Document d) {
      variant(DOCUMENT, () -> {
        g.writeFieldName(SOURCE);
        documentSource(d.source());
      });
    } else if (b instanceof ContentBlock.Compaction c) {
      variant(COMPACTION, () -> string(CONTENT, c.content()));
    } else {
      // Unreachable: ContentBlock is sealed and every permitted record is handled above.
      throw new IllegalStateException("unknown content block " + b.getClass());
    }
    g.writeEndObject();
  }

  private void item(ToolResultItem item) throws IOException {
    g.writeStartObject();
    if (item instanceof ToolResultItem.Text t) {
      string(TEXT, t.text());
    } else if (item instanceof ToolResultItem.Image i) {
      variant(IMAGE, () -> {
        g.writeFieldName(SOURCE);
        imageSource(i.source());
      });
    } else {
      throw new IllegalStateException("unknown tool result item " + item.getClass());
    }
    g.writeEndObject();
  }

  private void imageSource(ImageSource source) throws IOException {
    g.writeStartObject();
    try {
      if (source instanceof ImageSource.Base64 b) {
        variant(BASE64, () -> {
          string(MEDIA_TYPE, b.mediaType());
          string(DATA, b.data());
        });
      } else if (source instanceof ImageSource.Url u) {
        variant(URL, () -> string(URL_FIELD, u.url()));
      } else {
        throw new IllegalStateException("unknown image source " + source.getClass());
      }
    } catch (WriteProblem p) {
      throw p.field(Fields.SOURCE);
    }
    g.writeEndObject();
  }

  private void documentSource(DocumentSource source) throws IOException {
    g.writeStartObject();
    try {
      if (source instanceof DocumentSource.Base64Pdf b) {
        variant(BASE64_PDF, () -> string(DATA, b.data()));
      } else if (source instanceof DocumentSource.PlainText t) {
        variant(PLAIN_TEXT, () -> string(DATA, t.data()));
      } else if (source instanceof DocumentSource.Url u) {
        variant(URL, () -> string(URL_FIELD, u.url()));
      } else {
        throw new IllegalStateException("unknown document source " + source.getClass());
      }
    } catch (WriteProblem p) {
      throw p.field(Fields.SOURCE);
    }
    g.writeEndObject();
  }

  /** Writes the state (document depth 2). */
  public void state(SessionState s) throws IOException {
    try {
      g.writeStartObject();
      string(CWD, s.cwd());
      g.writeFieldName(TOKEN_USAGE);
      tokenUsage(s.tokenUsage());
      g.writeFieldName(EVENT_COUNT);
      unsigned(s.eventCount());
      g.writeFieldName(CUSTOM);
      g.writeStartObject();
      for (Map.Entry<String, JsonValue> e : s.custom().entrySet()) {
        String key = e.getKey();
        try {
          fieldName(key);
          value(e.getValue(), CUSTOM_VALUE_DEPTH);
        } catch (WriteProblem p) {
          throw p.field(key).field(Fields.CUSTOM);
        }
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (WriteProblem p) {
      throw p.field(Fields.STATE);
    }
  }

  private void tokenUsage(TokenUsage u) throws IOException {
    g.writeStartObject();
    g.writeFieldName(INPUT_TOKENS);
    unsigned(u.inputTokens());
    g.writeFieldName(OUTPUT_TOKENS);
    unsigned(u.outputTokens());
    g.writeFieldName(CACHE_READ_TOKENS);
    optionalUnsigned(u.cacheReadTokens());
    g.writeFieldName(CACHE_CREATION_TOKENS);
    optionalUnsigned(u.cacheCreationTokens());
    g.writeFieldName(REASONING_TOKENS);
    optionalUnsigned(u.reasoningTokens());
    g.writeFieldName(ITERATIONS);
    if (u.iterations().isEmpty()) {
      g.writeNull();
    } else {
      g.writeStartArray();
      for (IterationUsage it : u.iterations().get()) {
        g.writeStartObject();
        g.writeFieldName(INPUT_TOKENS);
        unsigned(it.inputTokens());
        g.writeFieldName(OUTPUT_TOKENS);
        unsigned(it.outputTokens());
        g.writeFieldName(CACHE_READ_TOKENS);
        optionalUnsigned(it.cacheReadTokens());
        g.writeFieldName(CACHE_CREATION_TOKENS);
        optionalUnsigned(it.cacheCreationTokens());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private void unsigned(long v) throws IOException {
    if (v >= 0) {
      g.writeNumber(v);
    } else {
      g.writeNumber(Long.toUnsignedString(v));
    }
  }

  private void optionalUnsigned(OptionalLong v) throws IOException {
    if (v.isPresent()) {
      unsigned(v.getAsLong());
    } else {
      g.writeNull();
    }
  }

  /**
   * Writes a JSON value whose own level, if it is an array or object, is {@code depth} in the
   * document.
   */
  public void value(JsonValue v, int depth) throws IOException {
    if (v instanceof JsonValue.JsonString s) {
      checked(s.value());
      g.writeString(s.value());
    } else if (v instanceof JsonValue.JsonObject o) {
      if (depth > MAX_DEPTH) {
        throw tooDeep();
      }
      g.writeStartObject();
      for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
        String key = e.getKey();
        try {
          fieldName(key);
          value(e.getValue(), depth + 1);
        } catch (WriteProblem p) {
          throw p.field(key);
        }
      }
      g.writeEndObject();
    } else if (v instanceof JsonValue.JsonArray a) {
      if (depth > MAX_DEPTH) {
        throw tooDeep();
      }
      g.writeStartArray();
      List<JsonValue> elements = a.elements();
      for (int i = 0, n = elements.size(); i < n; i++) {
        try {
          value(elements.get(i), depth + 1);
        } catch (WriteProblem p) {
          throw p.index(i);
        }
      }
      g.writeEndArray();
    } else if (v instanceof JsonValue.JsonInteger i) {
      g.writeNumber(i.value());
    } else if (v instanceof JsonValue.JsonDecimal d) {
      // BigDecimal.toString(): exact, and never without a '.' or exponent (JsonDecimal keeps a
      // scale of at least 1), so it reads back as a decimal, not an integer.
      g.writeNumber(d.value().toString());
    } else if (v instanceof JsonValue.JsonBoolean b) {
      g.writeBoolean(b.value());
    } else if (v instanceof JsonValue.JsonNull) {
      g.writeNull();
    } else {
      throw new IllegalStateException("unknown JSON value " + v.getClass());
    }
  }

  private static WriteProblem tooDeep() {
    return new WriteProblem("JSON nesting deeper than " + MAX_DEPTH + " levels");
  }

  private void fieldName(String name) throws IOException {
    checked(name);
    g.writeFieldName(name);
  }

  private void string(SerializableString name, String value) throws IOException {
    int bad = Utf16.loneSurrogate(value);
    if (bad >= 0) {
      throw loneSurrogate(bad).field(name.getValue());
    }
    g.writeFieldName(name);
    g.writeString(value);
  }

  private static void checked(String s) {
    int bad = Utf16.loneSurrogate(s);
    if (bad >= 0) {
      throw loneSurrogate(bad);
    }
  }

  private static WriteProblem loneSurrogate(int index) {
    return new WriteProblem(
        "lone surrogate at index " + index + " (a string must be valid Unicode to be stored)");
  }

  private void instant(SerializableString name, Instant t) throws IOException {
    if (!Rfc3339.inRange(t)) {
      throw new WriteProblem("the instant " + t + " is outside years 0000-9999")
          .field(name.getValue());
    }
    g.writeFieldName(name);
    g.writeString(Rfc3339.format(t));
  }

  /**
   * Writes {@code "tag": { … }} with {@code body} writing the members; a problem inside is
   * reported under the tag's name, so that its path names the variant.
   */
  private void variant(SerializableString tag, Members body) throws IOException {
    g.writeFieldName(tag);
    g.writeStartObject();
    try {
      body.write();
    } catch (WriteProblem p) {
      throw p.field(tag.getValue());
    }
    g.writeEndObject();
  }

  /** Writes the members of an object. */
  @FunctionalInterface
  private interface Members {
    void write() throws IOException;
  }
}
