package org.sessionkit.spi;

import org.sessionkit.CorruptDocumentException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionState;
import org.sessionkit.TokenUsage;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.sessionkit.internal.codec.ByteSink;
import org.sessionkit.internal.codec.DocumentReader;
import org.sessionkit.internal.codec.DocumentWriter;
import org.sessionkit.internal.codec.Fields;
import org.sessionkit.internal.codec.Names;
import org.sessionkit.internal.codec.SerdePrettyPrinter;
import org.sessionkit.internal.codec.ValidatedMessages;
import org.sessionkit.internal.codec.WriteProblem;

/**
 * The <a href="https://github.com/sessionkit/sessionkit/blob/main/docs/format.md">session
 * document format</a> — neuron 0.3's JSON, plus sessionkit's optional {@code "sessionkit"}
 * metadata and per-message {@code metadata} — shared by every store. Immutable and thread safe;
 * reuse one instance (it holds a configured Jackson factory and a few reusable buffers).
 *
 * <h2>Writing</h2>
 * Output is compact UTF-8 JSON (or serde_json's pretty layout for {@link #encodePretty}):
 * only {@code "}, {@code \} and control characters are escaped, everything else is written as
 * UTF-8. A session that can't be written faithfully fails with {@link InvalidSessionException},
 * whose message names the field, before any byte reaches a caller's stream: a lone surrogate in
 * any string (ids, text, keys and values of {@code custom}, {@code cwd}…), an instant outside
 * years 0000–9999, JSON nesting deeper than {@value #MAX_NESTING_DEPTH} levels in the resulting
 * document (the root object is level 1), or a result larger than {@link #maxDocumentBytes()}.
 * Ids are <em>not</em> checked against {@link SessionIds}' rule here; stores do that.
 *
 * <h2>Reading</h2>
 * Reading is strict and fails with {@link CorruptDocumentException}, whose message names the
 * {@code source} given by the caller, what is wrong, and where (JSON pointer, line and column):
 * a missing required field, a wrong JSON type ({@code "120"}, {@code 6.0} or {@code -1} for an
 * unsigned count), an unknown role or variant, a variant object with zero or two keys,
 * duplicate fields, content after the root value, a byte-order mark or any encoding but UTF-8,
 * invalid UTF-8, a lone surrogate in any string, nesting deeper than {@value
 * #MAX_NESTING_DEPTH}, a document larger than {@link #maxDocumentBytes()}, a timestamp without
 * an offset or outside years 0000–9999, or metadata of a newer format. Unknown fields are
 * ignored, except as variant tags. Nothing is half-built: either the whole value is returned or
 * the exception is thrown. Methods reading an {@link InputStream} throw {@link IOException} only
 * when the stream itself fails; they never close it.
 *
 * <h2>Values</h2>
 * Unsigned 64-bit counts ({@code event_count}, token counts) are {@code long}s holding the
 * unsigned value (see {@link TokenUsage}). JSON numbers in {@code custom} and tool input keep
 * their kind and exact value ({@link JsonValue.JsonInteger} of any size, {@link
 * JsonValue.JsonDecimal} with its digits), and object members keep their order.
 */
public final class SessionCodec {

  /** The deepest JSON nesting read or written; the root object of a document is level 1. */
  public static final int MAX_NESTING_DEPTH = DocumentWriter.MAX_DEPTH;

  /** The default {@link #maxDocumentBytes()}: 256 MiB. */
  public static final long DEFAULT_MAX_DOCUMENT_BYTES = 256L * 1024 * 1024;

  /** The longest number read, in characters: integers of thousands of digits still load. */
  private static final int MAX_NUMBER_LENGTH = 10_000;

  private static final SessionCodec DEFAULTS = builder().build();

  private final long maxDocumentBytes;
  /** The shortest string value, in bytes, decoded from a document in memory without Jackson. */
  /** The smallest document held in memory whose long strings are decoded without Jackson. */
  private static final int DEFAULT_LONG_STRING_DOCUMENT_BYTES = 4 << 20;

  private final int longStringBytes;
  private final int longStringDocumentBytes;
  private final JsonFactory factory;
  private final ByteSink.Pool pool = new ByteSink.Pool();
  private final ValidatedMessages validated = new ValidatedMessages();

  private SessionCodec(long maxDocumentBytes, int longStringBytes, int longStringDocumentBytes) {
    this.maxDocumentBytes = maxDocumentBytes;
    this.longStringBytes = longStringBytes;
    this.longStringDocumentBytes = longStringDocumentBytes;
    int maxString = (int) Math.min(maxDocumentBytes, Integer.MAX_VALUE);
    this.factory =
        JsonFactory.builder()
            // Strict where Jackson is lenient.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Error messages carry no document content.
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // The caller owns the streams.
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            // Never complete a document that failed half-way.
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            // Canonicalised names are enough; user keys of custom must not fill the JVM's
            // string table.
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            // Non-ASCII as UTF-8, supplementary characters as 4 bytes (not \\u escapes),
            // control characters as serde_json writes them (lower-case hex).
            .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxDocumentLength(maxDocumentBytes)
                    .maxStringLength(maxString)
                    .maxNameLength(maxString)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .build();
  }

  /** Returns the codec with the default limits (shared; codecs are immutable). */
  public static SessionCodec defaults() {
    return DEFAULTS;
  }

  /** Returns a builder, to set limits other than the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the largest document, in bytes, that this codec writes or reads. Also the longest
   * string it reads, so multi-megabyte base64 images load.
   */
  public long maxDocumentBytes() {
    return maxDocumentBytes;
  }

  // ------------------------------------------------------------------ whole documents

  /**
   * Encodes {@code session} as a plain neuron document, compact, fields in neuron's order
   * ({@code id, messages, state, created_at, updated_at}): the bytes serde_json writes.
   *
   * @throws InvalidSessionException if the session can't be stored faithfully (see the class
   *     documentation)
   */
  public byte[] encode(Session session) {
    return toBytes(write(session, null, false));
  }

  /**
   * Encodes {@code session} as a sessionkit document, compact: {@code "sessionkit"} (the
   * metadata) first, then {@code id, created_at, updated_at, state}, and {@code messages} last,
   * so that {@link #readHead(InputStream, String)} stops reading early.
   *
   * @throws InvalidSessionException if the session can't be stored faithfully
   * @throws IllegalArgumentException if {@code metadata} is not in the {@linkplain
   *     DocumentMetadata#CURRENT_FORMAT current format} or its message count is not the
   *     session's
   */
  public byte[] encode(Session session, DocumentMetadata metadata) {
    return toBytes(write(session, checked(session, Objects.requireNonNull(metadata, "metadata")), false));
  }

  /**
   * Encodes {@code session} to {@code out}: as {@link #encode(Session, DocumentMetadata)} when
   * {@code metadata} is present, else as {@link #encode(Session)}. The document is built and
   * checked in memory first, then written with one call, so a session that can't be stored
   * writes nothing. {@code out} is neither flushed nor closed.
   *
   * @throws InvalidSessionException if the session can't be stored faithfully (nothing written)
   * @throws IllegalArgumentException as {@link #encode(Session, DocumentMetadata)}
   * @throws IOException if writing to {@code out} fails
   */
  public void encode(Session session, Optional<DocumentMetadata> metadata, OutputStream out)
      throws IOException {
    Objects.requireNonNull(out, "out");
    DocumentMetadata m = metadata.isPresent() ? checked(session, metadata.get()) : null;
    ByteSink sink = write(session, m, false);
    try {
      sink.writeTo(out);
    } finally {
      sink.release(pool);
    }
  }

  /**
   * Encodes {@code session} as a plain neuron document in exactly serde_json's pretty layout,
   * as neuron's file store writes it: 2-space indent, {@code "key": value}, empty arrays and
   * objects as {@code []} and {@code {}}, no final newline; fields in neuron's order. For
   * exports and for files people read.
   *
   * @throws InvalidSessionException if the session can't be stored faithfully
   */
  public byte[] encodePretty(Session session) {
    return toBytes(write(session, null, true));
  }

  /**
   * Decodes a whole document into a session, ignoring its store metadata.
   *
   * @param source names the document (id or file) in error messages
   * @throws CorruptDocumentException if the document can't be read (see the class documentation)
   */
  public Session decode(byte[] document, String source) {
    return decodeDocument(document, source).session();
  }

  /**
   * Decodes a whole document: the session and the {@code "sessionkit"} metadata, which may
   * appear anywhere in the document. A document whose metadata's {@code message_count} differs
   * from its number of messages contradicts itself and is corrupt.
   *
   * @param source names the document (id or file) in error messages
   * @throws CorruptDocumentException if the document can't be read
   */
  public StoredDocument decodeDocument(byte[] document, String source) {
    return readInMemory(document, source, 0, DocumentReader::document);
  }


  /**
   * Decodes a whole document read from {@code in}, to its end; see {@link
   * #decodeDocument(byte[], String)}. Reads at most {@link #maxDocumentBytes()} (plus one
   * buffer) before failing on an oversized document. Does not close {@code in}.
   *
   * @throws CorruptDocumentException if the document can't be read
   * @throws IOException only if reading {@code in} fails
   */
  public StoredDocument decodeDocument(InputStream in, String source) throws IOException {
    return read(open(in, source), source, 0, DocumentReader::document);
  }


  /**
   * Reads the head of a document from {@code in}: id, timestamps, message count and metadata.
   *
   * <p>For a document whose first field is {@code "sessionkit"} (sessionkit wrote it), reading
   * stops as soon as {@code id}, {@code created_at} and {@code updated_at} have been read and
   * the next field is {@code state} or {@code messages}: the rest is neither read (beyond the
   * parser's buffer of about 8 KB) nor checked, and the count is the metadata's {@code
   * message_count}. Any other document (neuron wrote it) is streamed through to its end,
   * counting the messages without parsing them; it must have all of {@code id}, {@code
   * created_at}, {@code updated_at}, {@code state} and {@code messages}. Does not close {@code
   * in}.
   *
   * @throws CorruptDocumentException if the head can't be read: a missing or malformed id or
   *     timestamp, a malformed document up to the point where reading stops, metadata of a
   *     newer format
   * @throws IOException only if reading {@code in} fails
   */
  public DocumentHead readHead(InputStream in, String source) throws IOException {
    return readHead(in, source, false);
  }

  /**
   * Reads the head of a document from {@code in}, as {@link #readHead(InputStream, String)}
   * does, and with {@code withState} the session's state too ({@link DocumentHead#state()}):
   * a sessionkit document is then read up to its {@code messages}, which follow the state.
   *
   * @throws CorruptDocumentException if the head (or the state) can't be read
   * @throws IOException only if reading {@code in} fails
   */
  public DocumentHead readHead(InputStream in, String source, boolean withState) throws IOException {
    return read(open(in, source), source, 0, r -> r.head(withState));
  }


  /**
   * Reads the head of a document held in memory; see {@link #readHead(InputStream, String)}.
   *
   * @throws CorruptDocumentException if the head can't be read
   */
  public DocumentHead readHead(byte[] document, String source) {
    return readHead(document, source, false);
  }

  /**
   * Reads the head of a document held in memory, with the state if {@code withState}; see
   * {@link #readHead(InputStream, String, boolean)}.
   *
   * @throws CorruptDocumentException if the head can't be read
   */
  public DocumentHead readHead(byte[] document, String source, boolean withState) {
    // Without looking for long strings: that takes a pass over the whole document, and a head
    // is read from its start.
    try {
      return read(open(document, source), source, 0, r -> r.head(withState));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // unreachable: reading from memory
    }
  }

  /**
   * Reads a document from {@code in} to its end but builds only the messages of a slice: up to
   * {@code count} messages ending at {@code end} (exclusive; the end of the session when empty;
   * an end beyond the last message means the end). The messages outside the slice are skipped
   * by the streaming parser, never built, so reading the last few messages of a long session
   * costs a scan of its bytes, not a model of its history. The slice must be known when the
   * parser reaches the messages: a sessionkit document says its message count in its metadata,
   * first; for another document pass the count read before ({@code knownMessageCount}, e.g.
   * from {@link #readHead}). Without either, and without an {@code end}, the last {@code count}
   * messages are kept while reading, building and dropping the earlier ones. The document is
   * checked as {@link #decodeDocument(InputStream, String)} checks it, except that skipped
   * messages are only checked to be JSON objects. Does not close {@code in}.
   *
   * @throws CorruptDocumentException if the document can't be read, or holds another number of
   *     messages than its metadata (or {@code knownMessageCount}) says
   * @throws IOException only if reading {@code in} fails
   */
  public StoredSlice decodeSlice(
      InputStream in, String source, OptionalLong end, int count, OptionalLong knownMessageCount)
      throws IOException {
    checkSlice(end, count);
    return read(open(in, source), source, 0, r -> r.slice(end, count, knownMessageCount));
  }

  /**
   * Reads a slice of a document held in memory; see {@link #decodeSlice(InputStream, String,
   * OptionalLong, int, OptionalLong)}.
   *
   * @throws CorruptDocumentException if the document can't be read
   */
  public StoredSlice decodeSlice(
      byte[] document, String source, OptionalLong end, int count, OptionalLong knownMessageCount) {
    checkSlice(end, count);
    return readInMemory(document, source, 0, r -> r.slice(end, count, knownMessageCount));
  }

  private static void checkSlice(OptionalLong end, int count) {
    if (count < 0 || (end.isPresent() && end.getAsLong() < 0)) {
      throw new IllegalArgumentException("a slice needs count >= 0 and end >= 0");
    }
  }

  /**
   * Encodes {@code session} for a sessionkit document whose metadata is chosen later: see
   * {@link PreparedDocument}. Makes the same checks as {@link #encode(Session, DocumentMetadata)}.
   *
   * @throws InvalidSessionException if the session can't be stored faithfully
   */
  public PreparedDocument prepare(Session session) {
    Objects.requireNonNull(session, "session");
    ByteSink sink = write(
        ByteSink.storing(pool, maxDocumentBytes),
        "session " + Names.quote(session.id()),
        false,
        w -> w.sessionWithoutMetadata(session));
    try {
      // The object without its opening brace: what follows "{"sessionkit":{…}," in a document.
      return new PreparedDocument(this, session.id(), session.messages().size(), sink.toByteArray(1));
    } finally {
      sink.release(pool);
    }
  }

  /** Encodes {@code {"sessionkit":{…},} for {@link PreparedDocument#head}. */
  byte[] documentHead(String id, DocumentMetadata metadata, long bodyBytes) {
    String what = "session " + Names.quote(id);
    ByteSink sink = write(ByteSink.storing(pool, maxDocumentBytes), what, false, w -> w.metadataObject(metadata));
    try {
      if (sink.size() + bodyBytes + HEAD_FRAME.length + 1 > maxDocumentBytes) {
        throw tooLarge(what);
      }
      byte[] meta = sink.toByteArray();
      byte[] head = new byte[HEAD_FRAME.length + meta.length + 1];
      System.arraycopy(HEAD_FRAME, 0, head, 0, HEAD_FRAME.length);
      System.arraycopy(meta, 0, head, HEAD_FRAME.length, meta.length);
      head[head.length - 1] = ',';
      return head;
    } finally {
      sink.release(pool);
    }
  }

  private static final byte[] HEAD_FRAME =
      ("{\"" + Fields.SESSIONKIT + "\":").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * Checks that {@code session} can be stored, with the same checks {@link #encode(Session)}
   * makes (including the size of the plain document), without keeping the bytes.
   *
   * @throws InvalidSessionException if it can't; the message names the field
   */
  public void validate(Session session) {
    Objects.requireNonNull(session, "session");
    String what = "session " + Names.quote(session.id());
    // The document is its frame (id, state, timestamps, an empty message array) plus each
    // message and a comma between two: compact JSON puts nothing else between them. Messages
    // (and whole message lists) seen before are not encoded again (see ValidatedMessages).
    Session frame = new Session(session.id(), List.of(), session.state(), session.createdAt(), session.updatedAt());
    long total = write(ByteSink.counting(maxDocumentBytes), what, false, w -> w.session(frame, null)).size();
    List<Message> messages = session.messages();
    OptionalLong whole = validated.listSize(messages);
    if (whole.isPresent()) {
      if (total + whole.getAsLong() > maxDocumentBytes) {
        throw tooLarge(what);
      }
      return;
    }
    long frameBytes = total;
    for (int i = 0, n = messages.size(); i < n; i++) {
      Message m = messages.get(i);
      OptionalLong known = validated.size(m);
      long size;
      if (known.isPresent()) {
        size = known.getAsLong();
      } else {
        size = messageSize(m, i, what);
        validated.remember(m, size);
      }
      total += size + (i > 0 ? 1 : 0);
      if (total > maxDocumentBytes) {
        throw tooLarge(what);
      }
    }
    validated.rememberList(messages, total - frameBytes);
  }

  private InvalidSessionException tooLarge(String what) {
    return new InvalidSessionException(
        what + " can't be stored: the document would be larger than the limit of " + maxDocumentBytes + " bytes");
  }

  /** Encodes message {@code index} only to count its bytes; a problem names its place. */
  private long messageSize(Message m, int index, String what) {
    ByteSink sink = ByteSink.counting(maxDocumentBytes);
    try (JsonGenerator g = factory.createGenerator(sink, JsonEncoding.UTF8)) {
      new DocumentWriter(g).message(m);
    } catch (WriteProblem problem) {
      throw invalid(what, problem.index(index).field(Fields.MESSAGES));
    } catch (IOException e) {
      throw new InvalidSessionException(what + " can't be stored: " + e.getMessage(), e);
    }
    return sink.size();
  }


  // ------------------------------------------------------------------ parts

  /**
   * Encodes one message, compact, as it appears in a document's {@code messages}. Its nesting
   * is counted from where a message sits in a document (level 3).
   *
   * @throws InvalidSessionException if the message can't be stored faithfully
   */
  public byte[] encodeMessage(Message message) {
    Objects.requireNonNull(message, "message");
    return toBytes(write(ByteSink.storing(pool, maxDocumentBytes), "message", false, w -> w.message(message)));
  }


  /**
   * Decodes one message written by {@link #encodeMessage}. Strict as a document is; nesting is
   * counted from where a message sits in a document.
   *
   * @throws CorruptDocumentException if it can't be read; the message names {@code source}
   */
  public Message decodeMessage(byte[] json, String source) {
    return readInMemory(json, source, 2, DocumentReader::messagePart);
  }


  /**
   * Encodes a session state, compact, as it appears in a document's {@code state}. Its nesting
   * is counted from where the state sits in a document (level 2).
   *
   * @throws InvalidSessionException if the state can't be stored faithfully
   */
  public byte[] encodeState(SessionState state) {
    Objects.requireNonNull(state, "state");
    return toBytes(write(ByteSink.storing(pool, maxDocumentBytes), "state", false, w -> w.state(state)));
  }


  /**
   * Decodes a session state written by {@link #encodeState}.
   *
   * @throws CorruptDocumentException if it can't be read; the message names {@code source}
   */
  public SessionState decodeState(byte[] json, String source) {
    return readInMemory(json, source, 1, DocumentReader::statePart);
  }


  /**
   * Encodes a JSON value, compact. Its nesting is counted from the value itself (level 1); note
   * that a value of {@code custom} sits at level 4 of a document and a tool input at level 7.
   *
   * @throws InvalidSessionException if the value can't be stored faithfully
   */
  public byte[] encodeValue(JsonValue value) {
    Objects.requireNonNull(value, "value");
    return toBytes(write(ByteSink.storing(pool, maxDocumentBytes), "value", false, w -> w.value(value, 1)));
  }


  /**
   * Decodes any JSON value (object, array, string, number, boolean or null), keeping integers
   * and decimals apart and object members in order.
   *
   * @throws CorruptDocumentException if it can't be read; the message names {@code source}
   */
  public JsonValue decodeValue(byte[] json, String source) {
    return readInMemory(json, source, 0, DocumentReader::valuePart);
  }


  // ------------------------------------------------------------------ helpers

  private static DocumentMetadata checked(Session session, DocumentMetadata metadata) {
    if (metadata.format() != DocumentMetadata.CURRENT_FORMAT) {
      throw new IllegalArgumentException(
          "this version writes format " + DocumentMetadata.CURRENT_FORMAT + ", not " + metadata.format());
    }
    if (metadata.messageCount() != session.messages().size()) {
      throw new IllegalArgumentException(
          "metadata says "
              + metadata.messageCount()
              + " messages but the session has "
              + session.messages().size());
    }
    return metadata;
  }

  private ByteSink write(Session session, DocumentMetadata metadata, boolean pretty) {
    Objects.requireNonNull(session, "session");
    return write(
        ByteSink.storing(pool, maxDocumentBytes),
        "session " + Names.quote(session.id()),
        pretty,
        w -> w.session(session, metadata));
  }

  /** Writes one thing through a {@link DocumentWriter} into {@code sink}; releases it on failure. */
  private ByteSink write(ByteSink sink, String what, boolean pretty, Writing writing) {
    try {
      try (JsonGenerator g = factory.createGenerator(sink, JsonEncoding.UTF8)) {
        if (pretty) {
          g.setPrettyPrinter(new SerdePrettyPrinter());
        }
        writing.to(new DocumentWriter(g));
      }
      return sink;
    } catch (WriteProblem problem) {
      sink.release(pool);
      throw invalid(what, problem);
    } catch (IOException e) {
      sink.release(pool);
      throw new InvalidSessionException(what + " can't be stored: " + e.getMessage(), e);
    }
  }

  /** Reads one thing from a document held in memory, where reading can't fail with I/O. */
  private <T> T readInMemory(byte[] json, String source, int level, Reading<T> reading) {
    try {
      JsonParser p = open(json, source);
      // Finding long strings costs a pass over the document (about 15% of decoding a 1.3 MB
      // session of 1,000 messages); below a few MiB, Jackson's extra copies of a long string
      // cost less heap than that is worth.
      DocumentReader reader = json.length >= longStringDocumentBytes
          ? new DocumentReader(p, source, level, json, longStringBytes)
          : new DocumentReader(p, source, level);
      return read(p, source, reading, reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // unreachable: reading from memory
    }
  }

  /**
   * Reads one thing from {@code p}, whose nesting starts at {@code level}, turning what Jackson
   * and the number parsers throw into {@link CorruptDocumentException}s naming {@code source}.
   * Closes the parser, never the source.
   */
  private <T> T read(JsonParser p, String source, int level, Reading<T> reading) throws IOException {
    return read(p, source, reading, new DocumentReader(p, source, level));
  }

  /** Reads one thing through {@code reader}, which reads {@code p}; see {@link #read(JsonParser, String, int, Reading)}. */
  private <T> T read(JsonParser p, String source, Reading<T> reading, DocumentReader reader) throws IOException {
    try {
      return reading.from(reader);
    } catch (JsonProcessingException e) {
      throw DocumentReader.corrupt(source, p, e, maxDocumentBytes);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw numberProblem(source, e);
    } finally {
      closeQuietly(p);
    }
  }

  /** A step that writes through a {@link DocumentWriter}. */
  @FunctionalInterface
  private interface Writing {
    void to(DocumentWriter writer) throws IOException;
  }

  /** A step that reads through a {@link DocumentReader}. */
  @FunctionalInterface
  private interface Reading<T> {
    T from(DocumentReader reader) throws IOException;
  }


  private byte[] toBytes(ByteSink sink) {
    try {
      return sink.toByteArray();
    } finally {
      sink.release(pool);
    }
  }

  private static InvalidSessionException invalid(String what, WriteProblem problem) {
    return new InvalidSessionException(what + " can't be stored: " + problem.getMessage());
  }

  private JsonParser open(byte[] document, String source) {
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(source, "source");
    if (document.length > maxDocumentBytes) {
      throw DocumentReader.corrupt(
          source,
          "the document is "
              + document.length
              + " bytes, larger than the limit of "
              + maxDocumentBytes
              + " bytes");
    }
    checkStart(document, Math.min(4, document.length), source);
    try {
      return factory.createParser(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // unreachable: reading from memory
    }
  }

  private JsonParser open(InputStream in, String source) throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(source, "source");
    PushbackInputStream pin = new PushbackInputStream(in, 4);
    byte[] start = new byte[4];
    int n = 0;
    while (n < 4) {
      int r = pin.read(start, n, 4 - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    checkStart(start, n, source);
    pin.unread(start, 0, n);
    return factory.createParser(pin);
  }

  /**
   * Refuses what Jackson would silently accept at the start: a byte-order mark (skipped by
   * Jackson) and UTF-16/32 (auto-detected by Jackson from NUL bytes). A NUL byte can't occur in
   * UTF-8 JSON text, and no JSON document starts with a byte of 0x80 or more.
   */
  private static void checkStart(byte[] b, int n, String source) {
    if (n == 0) {
      throw DocumentReader.corrupt(source, "the document is empty");
    }
    int first = b[0] & 0xff;
    if (n >= 3 && first == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
      throw DocumentReader.corrupt(source, "it starts with a UTF-8 byte-order mark, which JSON documents must not have");
    }
    if (first == 0xFE || first == 0xFF) {
      throw DocumentReader.corrupt(source, "it starts with a UTF-16 byte-order mark; documents must be UTF-8");
    }
    for (int i = 0; i < n; i++) {
      if (b[i] == 0) {
        throw DocumentReader.corrupt(source, "it is not UTF-8 (NUL bytes at the start suggest UTF-16 or UTF-32)");
      }
    }
    if (first >= 0x80) {
      throw DocumentReader.corrupt(source, String.format("invalid first byte 0x%02x", first));
    }
  }

  private static CorruptDocumentException numberProblem(String source, RuntimeException e) {
    return new CorruptDocumentException(
        "corrupt session document " + Names.quote(source) + ": unreadable value: " + e.getMessage(), e);
  }

  private static void closeQuietly(JsonParser p) {
    try {
      p.close();
    } catch (IOException ignored) {
      // Nothing to release beyond Jackson's buffers; the source is not closed.
    }
  }

  /** Builds a {@link SessionCodec} with limits other than the defaults. Not thread safe. */
  public static final class Builder {
    private long maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES;
    private int longStringBytes = DocumentReader.DEFAULT_LONG_STRING_BYTES;
    private int longStringDocumentBytes = DEFAULT_LONG_STRING_DOCUMENT_BYTES;

    private Builder() {}

    /**
     * Sets the shortest string value, in bytes, that decoding a document held in memory decodes
     * itself rather than through Jackson, in documents of at least as many bytes (tests set it
     * low, so that small documents take that path too). By default, strings of 64 KiB in
     * documents of 4 MiB.
     */
    Builder longStringBytes(int longStringBytes) {
      if (longStringBytes < 0) {
        throw new IllegalArgumentException("longStringBytes must not be negative: " + longStringBytes);
      }
      this.longStringBytes = longStringBytes;
      this.longStringDocumentBytes = longStringBytes;
      return this;
    }

    /**
     * Sets the largest document, in bytes, written or read; also the longest string read.
     * Default {@link SessionCodec#DEFAULT_MAX_DOCUMENT_BYTES}.
     *
     * @throws IllegalArgumentException if {@code maxDocumentBytes} is not positive
     */
    public Builder maxDocumentBytes(long maxDocumentBytes) {
      if (maxDocumentBytes <= 0) {
        throw new IllegalArgumentException("maxDocumentBytes must be positive: " + maxDocumentBytes);
      }
      this.maxDocumentBytes = maxDocumentBytes;
      return this;
    }

    /** Returns a codec with these limits. */
    public SessionCodec build() {
      return new SessionCodec(maxDocumentBytes, longStringBytes, longStringDocumentBytes);
    }
  }
}
