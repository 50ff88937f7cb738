package org.sessionkit.internal.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.sessionkit.ContentBlock;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.spi.DocumentHead;
import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.DocumentSource;
import org.sessionkit.ImageSource;
import org.sessionkit.IterationUsage;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.spi.StoredDocument;
import org.sessionkit.TokenUsage;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.spi.StoredSlice;
import org.sessionkit.spi.WriteLog;
import org.sessionkit.ToolResultItem;

/**
 * Reads the session format strictly from a Jackson parser: required fields, exact JSON types,
 * known roles and variants, unsigned integers, RFC 3339 timestamps, well-formed strings and the
 * nesting limit; unknown fields are skipped (checked, so a lone surrogate or too deep nesting
 * there is still found), except inside a variant tag. Every problem is a {@link
 * CorruptDocumentException} naming the source, the JSON pointer and the line and column; the
 * model is built only once everything has been read. One per call.
 */
public final class DocumentReader {

  private static final BigInteger U64_MAX = new BigInteger("18446744073709551615");

  private final JsonParser p;
  private final String source;
  private final int offset;
  /** The long strings of the document {@code p} reads, when it is in memory, decoded from its bytes. */
  private final @Nullable LongStrings longStrings;

  /**
   * Creates a reader.
   *
   * @param p the parser, before its first token
   * @param source names the document in error messages
   * @param offset the document depth of the part's root minus one (0 for whole documents and
   *     values, 1 for a state, 2 for a message), so that nesting is limited as in a document
   */
  public DocumentReader(JsonParser p, String source, int offset) {
    this.p = p;
    this.source = source;
    this.offset = offset;
    this.longStrings = null;
  }

  /**
   * Creates a reader of a document held in memory, whose string values of at least {@code
   * longStringBytes} bytes are decoded straight from {@code document}, at the cost of about one
   * copy of each (Jackson's own decoding costs several).
   *
   * @param p the parser of {@code document} (from its first byte), before its first token
   * @param document the bytes {@code p} reads; not modified
   * @param longStringBytes the shortest string value, in bytes, decoded so
   */
  public DocumentReader(JsonParser p, String source, int offset, byte[] document, int longStringBytes) {
    this.p = p;
    this.source = source;
    this.offset = offset;
    this.longStrings = new LongStrings(document, longStringBytes);
  }

  /** The default shortest string value, in bytes, that a reader of a document in memory decodes itself. */
  public static final int DEFAULT_LONG_STRING_BYTES = LongStrings.DEFAULT_MIN_BYTES;

  // ---------------------------------------------------------------- entry points

  /** Reads a whole document, then requires the end of input. */
  public StoredDocument document() throws IOException {
    first(JsonToken.START_OBJECT, "a session document");
    Envelope e = new Envelope();
    List<Message> messages = null;
    while (next() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      next();
      if (name.equals(Fields.MESSAGES)) {
        messages = messages();
      } else if (!e.read(name)) {
        skip();
      }
    }
    e.complete(messages);
    e.checkCount(messages.size());
    return new StoredDocument(
        new Session(e.id, messages, e.state, e.createdAt, e.updatedAt), Optional.ofNullable(e.metadata));
  }

  /**
   * Reads the head of a document. When the first field is {@code sessionkit}, stops as soon as
   * {@code id}, {@code created_at} and {@code updated_at} have been read and the next field is
   * {@code state} or {@code messages} (with {@code withState}: {@code messages}, after reading the
   * state), without reading further; otherwise streams through the whole document, counting
   * messages without parsing them.
   */
  public DocumentHead head(boolean withState) throws IOException {
    first(JsonToken.START_OBJECT, "a session document");
    DocumentMetadata metadata = null;
    boolean early = false;
    JsonToken t = next();
    if (t == JsonToken.FIELD_NAME && Fields.SESSIONKIT.equals(p.currentName())) {
      next();
      metadata = metadata();
      early = true;
      t = next();
    }
    String id = null;
    Instant createdAt = null;
    Instant updatedAt = null;
    SessionState state = null;
    long counted = -1;
    boolean stateSeen = false;
    while (t == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (early
          && id != null
          && createdAt != null
          && updatedAt != null
          && (name.equals(Fields.MESSAGES) || (name.equals(Fields.STATE) && !withState))) {
        return new DocumentHead(
            id, createdAt, updatedAt, metadata.messageCount(), Optional.of(metadata), Optional.ofNullable(state));
      }
      next();
      switch (name) {
        case Fields.ID:
          id = string();
          break;
        case Fields.CREATED_AT:
          createdAt = instant();
          break;
        case Fields.UPDATED_AT:
          updatedAt = instant();
          break;
        case Fields.MESSAGES:
          counted = countMessages();
          break;
        case Fields.STATE:
          if (withState) {
            state = state();
          } else {
            if (p.currentToken() != JsonToken.START_OBJECT) {
              throw mistyped("an object");
            }
            p.skipChildren();
          }
          stateSeen = true;
          break;
        case Fields.SESSIONKIT:
          metadata = metadata();
          break;
        default:
          p.skipChildren();
      }
      t = next();
    }
    require(id, Fields.ID);
    require(createdAt, Fields.CREATED_AT);
    require(updatedAt, Fields.UPDATED_AT);
    if (counted < 0) {
      throw missing(Fields.MESSAGES);
    }
    if (!stateSeen) {
      throw missing(Fields.STATE);
    }
    end();
    long count = metadata != null ? metadata.messageCount() : counted;
    return new DocumentHead(id, createdAt, updatedAt, count, Optional.ofNullable(metadata), Optional.ofNullable(state));
  }

  /** Reads the head of a document without its state; see {@link #head(boolean)}. */
  public DocumentHead head() throws IOException {
    return head(false);
  }

  /**
   * Reads a whole document but builds only the messages of a slice: up to {@code count}
   * messages ending at {@code end} (exclusive; the end of the session when empty, clamped to
   * it). The other messages are skipped by the parser, never built. Which messages belong to
   * the slice must be known when the messages are reached: from the document's metadata (a
   * sessionkit document has it first), or from {@code knownTotal} (a count the caller read
   * before, e.g. with {@link #head()}). When neither is known and {@code end} is empty, the
   * last {@code count} messages are kept in a ring as they are read, which builds and drops the
   * earlier ones. Checks the whole document as {@link #document()} does, except that skipped
   * messages are only checked to be JSON objects.
   */
  public StoredSlice slice(OptionalLong end, int count, OptionalLong knownTotal) throws IOException {
    first(JsonToken.START_OBJECT, "a session document");
    Envelope e = new Envelope();
    List<Message> slice = null;
    long total = -1;
    long from = 0;
    while (next() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      next();
      switch (name) {
        case Fields.MESSAGES:
          {
            OptionalLong known = knownTotal.isPresent() ? knownTotal
                : e.metadata != null ? OptionalLong.of(e.metadata.messageCount()) : OptionalLong.empty();
            startArray();
            long n = 0;
            if (known.isPresent()) {
              long to = Math.min(known.getAsLong(), end.orElse(known.getAsLong()));
              from = Math.max(0, to - count);
              slice = new ArrayList<>((int) Math.max(0, to - from));
              while (next() != JsonToken.END_ARRAY) {
                if (n >= from && n < to) {
                  slice.add(message());
                } else {
                  skipMessage();
                }
                n++;
              }
              if (n != known.getAsLong()) {
                String says = knownTotal.isPresent() ? "it held " + knownTotal.getAsLong() + " messages when it was counted"
                    : "its sessionkit metadata says " + e.metadata.messageCount() + " messages";
                throw corrupt(says + " but it holds " + n);
              }
            } else {
              long limit = end.orElse(Long.MAX_VALUE);
              java.util.ArrayDeque<Message> ring = new java.util.ArrayDeque<>();
              while (next() != JsonToken.END_ARRAY) {
                if (n < limit && count > 0) {
                  ring.addLast(message());
                  if (ring.size() > count) {
                    ring.removeFirst();
                  }
                } else {
                  skipMessage();
                }
                n++;
              }
              slice = new ArrayList<>(ring);
              from = Math.min(n, limit) - slice.size();
            }
            total = n;
            break;
          }
        default:
          if (!e.read(name)) {
            skip();
          }
      }
    }
    e.complete(slice);
    e.checkCount(total);
    return new StoredSlice(
        e.id, slice, from, total, e.state, e.createdAt, e.updatedAt, Optional.ofNullable(e.metadata));
  }

  /**
   * The members of a session document other than its messages, as {@link #document()} and
   * {@link #slice} read them (each reads the messages its own way).
   */
  private final class Envelope {
    @Nullable String id;
    @Nullable SessionState state;
    @Nullable Instant createdAt;
    @Nullable Instant updatedAt;
    @Nullable DocumentMetadata metadata;

    /**
     * Reads the value of the member {@code name} if it is one of these, at its first token;
     * returns false, reading nothing, for {@code messages} and members it does not know.
     */
    boolean read(String name) throws IOException {
      switch (name) {
        case Fields.ID:
          id = string();
          return true;
        case Fields.STATE:
          state = state();
          return true;
        case Fields.CREATED_AT:
          createdAt = instant();
          return true;
        case Fields.UPDATED_AT:
          updatedAt = instant();
          return true;
        case Fields.SESSIONKIT:
          metadata = metadata();
          return true;
        default:
          return false;
      }
    }

    /** Requires every member, in the order a missing one is reported, then the end of input. */
    void complete(@Nullable Object messages) throws IOException {
      require(id, Fields.ID);
      require(messages, Fields.MESSAGES);
      require(state, Fields.STATE);
      require(createdAt, Fields.CREATED_AT);
      require(updatedAt, Fields.UPDATED_AT);
      end();
    }

    /** Requires the metadata's message count, if any, to be {@code messages}. */
    void checkCount(long messages) {
      if (metadata != null && metadata.messageCount() != messages) {
        throw corrupt("its sessionkit metadata says " + metadata.messageCount() + " messages but it holds " + messages);
      }
    }
  }

  private void skipMessage() throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw mistyped("an object (a message)");
    }
    p.skipChildren();
  }

  /** Reads one message as its whole input. */
  public Message messagePart() throws IOException {
    first(JsonToken.START_OBJECT, "a message");
    Message m = message();
    end();
    return m;
  }

  /** Reads one session state as its whole input. */
  public SessionState statePart() throws IOException {
    first(JsonToken.START_OBJECT, "a session state");
    SessionState s = state();
    end();
    return s;
  }

  /** Reads one JSON value as its whole input. */
  public JsonValue valuePart() throws IOException {
    if (p.nextToken() == null) {
      throw corrupt("the document is empty");
    }
    JsonValue v = value();
    end();
    return v;
  }

  // ---------------------------------------------------------------- structure

  private DocumentMetadata metadata() throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw mistyped("an object");
    }
    // Read generically, so that a newer format is reported as such even if it changed the
    // types of the other fields.
    JsonValue.JsonObject o = (JsonValue.JsonObject) value();
    JsonValue format = o.members().get(Fields.FORMAT);
    if (format == null) {
      throw corrupt("the sessionkit metadata has no \"format\"");
    }
    if (!(format instanceof JsonValue.JsonInteger f) || f.value().signum() <= 0) {
      throw corrupt("the sessionkit metadata's \"format\" must be a positive integer");
    }
    if (f.value().compareTo(BigInteger.valueOf(DocumentMetadata.CURRENT_FORMAT)) > 0) {
      throw corrupt(
          "its format "
              + f.value()
              + " is newer than this version of sessionkit knows (up to "
              + DocumentMetadata.CURRENT_FORMAT
              + "); upgrade sessionkit to read it");
    }
    JsonValue revision = o.members().get(Fields.REVISION);
    if (!(revision instanceof JsonValue.JsonString r) || r.value().isEmpty()) {
      throw corrupt("the sessionkit metadata's \"revision\" must be a non-empty string");
    }
    JsonValue count = o.members().get(Fields.MESSAGE_COUNT);
    if (!(count instanceof JsonValue.JsonInteger c)
        || c.value().signum() < 0
        || c.value().bitLength() > 63) {
      throw corrupt("the sessionkit metadata's \"message_count\" must be a non-negative integer");
    }
    WriteLog log = WriteLog.empty();
    JsonValue entries = o.members().get(Fields.WRITE_LOG);
    if (entries != null) {
      if (!(entries instanceof JsonValue.JsonArray a)) {
        throw corrupt("the sessionkit metadata's \"write_log\" must be an array");
      }
      for (JsonValue e : a.elements()) {
        JsonValue key = e instanceof JsonValue.JsonObject eo ? eo.members().get(Fields.KEY) : null;
        JsonValue rev = e instanceof JsonValue.JsonObject eo ? eo.members().get(Fields.REVISION) : null;
        if (!(key instanceof JsonValue.JsonString k) || !(rev instanceof JsonValue.JsonString kr) || kr.value().isEmpty()) {
          throw corrupt("each entry of the sessionkit metadata's \"write_log\" must be an object with a string"
              + " \"key\" and a non-empty string \"revision\"");
        }
        IdempotencyKey ik;
        try {
          ik = IdempotencyKey.of(k.value());
        } catch (RuntimeException bad) {
          throw corrupt("the sessionkit metadata's \"write_log\" holds an invalid key: " + bad.getMessage());
        }
        log = log.record(ik, Revision.of(kr.value()));
      }
    }
    Optional<Instant> writtenAt = Optional.empty();
    JsonValue written = o.members().get(Fields.WRITTEN_AT);
    if (written != null) {
      if (!(written instanceof JsonValue.JsonString w)) {
        throw corrupt("the sessionkit metadata's \"written_at\" must be a timestamp string");
      }
      try {
        writtenAt = Optional.of(Rfc3339.parse(w.value()));
      } catch (IllegalArgumentException bad) {
        throw corrupt(bad.getMessage());
      }
    }
    return new DocumentMetadata(
        f.value().intValue(), Revision.of(r.value()), c.value().longValue(), log, writtenAt);
  }

  private List<Message> messages() throws IOException {
    startArray();
    List<Message> messages = new ArrayList<>();
    while (next() != JsonToken.END_ARRAY) {
      messages.add(message());
    }
    return messages;
  }

  private long countMessages() throws IOException {
    startArray();
    long count = 0;
    while (next() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw mistyped("an object (a message)");
      }
      p.skipChildren();
      count++;
    }
    return count;
  }

  private Message message() throws IOException {
    startObject();
    Role role = null;
    List<ContentBlock> content = null;
    Map<String, JsonValue> metadata = Map.of();
    while (next() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      next();
      switch (name) {
        case Fields.ROLE:
          role = role();
          break;
        case Fields.CONTENT:
          content = blocks();
          break;
        case Fields.METADATA:
          if (p.currentToken() != JsonToken.START_OBJECT) {
            throw mistyped("an object");
          }
          metadata = ((JsonValue.JsonObject) value()).members();
          break;
        default:
          skip();
      }
    }
    require(role, Fields.ROLE);
    require(content, Fields.CONTENT);
    return new Message(role, content, metadata);
  }

  private Role role() throws IOException {
    String s = string();
    switch (s) {
      case "User":
        return Role.USER;
      case "Assistant":
        return Role.ASSISTANT;
      case "System":
        return Role.SYSTEM;
      default:
        throw corrupt(
            "unknown role " + Names.quote(s) + " (expected \"User\", \"Assistant\" or \"System\")");
    }
  }

  private List<ContentBlock> blocks() throws IOException {
    startArray();
    List<ContentBlock> blocks = new ArrayList<>();
    while (next() != JsonToken.END_ARRAY) {
      blocks.add(block());
    }
    return blocks;
  }

  /** Positions on the variant's value and returns its tag. */
  private String tag(String what) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw mistyped("an object (" + what + ")");
    }
    if (next() != JsonToken.FIELD_NAME) {
      throw corrupt(what + " must be an object with exactly one key, its variant; found none");
    }
    String tag = p.currentName();
    next();
    return tag;
  }

  private void endTag(String what) throws IOException {
    if (next() != JsonToken.END_OBJECT) {
      throw corrupt(
          what
              + " must be an object with exactly one key, its variant; found a second key "
              + Names.quote(p.currentName()));
    }
  }

  private CorruptDocumentException unknownVariant(String what, String tag) {
    return corrupt("unknown " + what + " variant " + Names.quote(tag));
  }

  private ContentBlock block() throws IOException {
    String what = "a content block";
    String tag = tag(what);
    ContentBlock block;
    switch (tag) {
      case Fields.TEXT:
        block = new ContentBlock.Text(string());
        break;
      case Fields.TOOL_USE:
        block = toolUse();
        break;
      case Fields.TOOL_RESULT:
        block = toolResult();
        break;
      case Fields.THINKING:
        {
          String[] f = requiredStrings(Fields.THINKING_FIELD, Fields.SIGNATURE);
          block = new ContentBlock.Thinking(f[0], f[1]);
          break;
        }
      case Fields.REDACTED_THINKING:
        block = new ContentBlock.RedactedThinking(singleString(Fields.DATA));
        break;
      case Fields.IMAGE:
        block = new ContentBlock.Image(withSource(true).image);
        break;
      case Fields.DOCUMENT:
        block = new ContentBlock.Document(withSource(false).document);
        break;
      case Fields.COMPACTION:
        block = new ContentBlock.Compaction(singleString(Fields.CONTENT));
        break;
      default:
        throw unknownVariant("content block", tag);
    }
    endTag(what);
    return block;
  }

  private ContentBlock.ToolUse toolUse() throws IOException {
    startObject();
    String id = null;
    String name = null;
    JsonValue input = null;
    while (next() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      next();
      switch (field) {
        case Fields.ID:
          id = string();
          break;
        case Fields.NAME:
          name = string();
          break;
        case Fields.INPUT:
          input = value();
          break;
        default:
          skip();
      }
    }
    require(id, Fields.ID);
    require(name, Fields.NAME);
    require(input, Fields.INPUT);
    return new ContentBlock.ToolUse(id, name, input);
  }

  private ContentBlock.ToolResult toolResult() throws IOException {
    startObject();
    String toolUseId = null;
    List<ToolResultItem> items = null;
    Boolean isError = null;
    while (next() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      next();
      switch (field) {
        case Fields.TOOL_USE_ID:
          toolUseId = string();
          break;
        case Fields.CONTENT:
          startArray();
          items = new ArrayList<>();
          while (next() != JsonToken.END_ARRAY) {
            items.add(item());
          }
          break;
        case Fields.IS_ERROR:
          isError = bool();
          break;
        default:
          skip();
      }
    }
    require(toolUseId, Fields.TOOL_USE_ID);
    require(items, Fields.CONTENT);
    require(isError, Fields.IS_ERROR);
    return new ContentBlock.ToolResult(toolUseId, items, isError);
  }

  private ToolResultItem item() throws IOException {
    String what = "a tool result item";
    String tag = tag(what);
    ToolResultItem item;
    switch (tag) {
      case Fields.TEXT:
        item = new ToolResultItem.Text(string());
        break;
      case Fields.IMAGE:
        item = new ToolResultItem.Image(withSource(true).image);
        break;
      default:
        throw unknownVariant("tool result item", tag);
    }
    endTag(what);
    return item;
  }

  /** The source of an image or a document. */
  private static final class Source {
    ImageSource image;
    DocumentSource document;
  }

  /** Reads {@code {"source": …}} (plus ignored unknown fields). */
  private Source withSource(boolean image) throws IOException {
    startObject();
    Source s = null;
    while (next() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      next();
      if (field.equals(Fields.SOURCE)) {
        s = new Source();
        if (image) {
          s.image = imageSource();
        } else {
          s.document = documentSource();
        }
      } else {
        skip();
      }
    }
    require(s, Fields.SOURCE);
    return s;
  }

  private ImageSource imageSource() throws IOException {
    String what = "an image source";
    String tag = tag(what);
    ImageSource source;
    switch (tag) {
      case Fields.BASE64:
        {
          String[] f = requiredStrings(Fields.MEDIA_TYPE, Fields.DATA);
          source = new ImageSource.Base64(f[0], f[1]);
          break;
        }
      case Fields.URL:
        source = new ImageSource.Url(singleString(Fields.URL_FIELD));
        break;
      default:
        throw unknownVariant("image source", tag);
    }
    endTag(what);
    return source;
  }

  private DocumentSource documentSource() throws IOException {
    String what = "a document source";
    String tag = tag(what);
    DocumentSource source;
    switch (tag) {
      case Fields.BASE64_PDF:
        source = new DocumentSource.Base64Pdf(singleString(Fields.DATA));
        break;
      case Fields.PLAIN_TEXT:
        source = new DocumentSource.PlainText(singleString(Fields.DATA));
        break;
      case Fields.URL:
        source = new DocumentSource.Url(singleString(Fields.URL_FIELD));
        break;
      default:
        throw unknownVariant("document source", tag);
    }
    endTag(what);
    return source;
  }

  /** Reads an object with one required string field {@code name} (others ignored). */
  private String singleString(String name) throws IOException {
    return requiredStrings(name)[0];
  }

  /**
   * Reads an object that must hold a string under each of {@code names}, in any order, and
   * ignores other fields; returns the strings in the order of {@code names}.
   */
  private String[] requiredStrings(String... names) throws IOException {
    startObject();
    String[] values = new String[names.length];
    while (next() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      next();
      int i = indexOf(names, field);
      if (i >= 0) {
        values[i] = string();
      } else {
        skip();
      }
    }
    for (int i = 0; i < names.length; i++) {
      require(values[i], names[i]);
    }
    return values;
  }

  private static int indexOf(String[] names, String field) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(field)) {
        return i;
      }
    }
    return -1;
  }

  private SessionState state() throws IOException {
    startObject();
    String cwd = null;
    TokenUsage usage = null;
    Long eventCount = null;
    Map<String, JsonValue> custom = null;
    while (next() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      next();
      switch (field) {
        case Fields.CWD:
          cwd = string();
          break;
        case Fields.TOKEN_USAGE:
          usage = tokenUsage();
          break;
        case Fields.EVENT_COUNT:
          eventCount = unsigned();
          break;
        case Fields.CUSTOM:
          if (p.currentToken() != JsonToken.START_OBJECT) {
            throw mistyped("an object");
          }
          custom = ((JsonValue.JsonObject) value()).members();
          break;
        default:
          skip();
      }
    }
    require(cwd, Fields.CWD);
    require(usage, Fields.TOKEN_USAGE);
    require(eventCount, Fields.EVENT_COUNT);
    require(custom, Fields.CUSTOM);
    return new SessionState(cwd, usage, eventCount, custom);
  }

  private TokenUsage tokenUsage() throws IOException {
    startObject();
    Counters c = new Counters();
    OptionalLong reasoning = OptionalLong.empty();
    Optional<List<IterationUsage>> iterations = Optional.empty();
    while (next() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      next();
      if (c.read(field)) {
        continue;
      }
      switch (field) {
        case Fields.REASONING_TOKENS:
          reasoning = optionalUnsigned();
          break;
        case Fields.ITERATIONS:
          if (p.currentToken() == JsonToken.VALUE_NULL) {
            iterations = Optional.empty();
          } else {
            startArray();
            List<IterationUsage> list = new ArrayList<>();
            while (next() != JsonToken.END_ARRAY) {
              list.add(iteration());
            }
            iterations = Optional.of(list);
          }
          break;
        default:
          skip();
      }
    }
    c.requireAll();
    return new TokenUsage(c.input, c.output, c.cacheRead, c.cacheCreation, reasoning, iterations);
  }

  private IterationUsage iteration() throws IOException {
    startObject();
    Counters c = new Counters();
    while (next() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      next();
      if (!c.read(field)) {
        skip();
      }
    }
    c.requireAll();
    return new IterationUsage(c.input, c.output, c.cacheRead, c.cacheCreation);
  }

  /** The token counters that a token usage and each of its iterations have in common. */
  private final class Counters {
    Long input;
    Long output;
    OptionalLong cacheRead = OptionalLong.empty();
    OptionalLong cacheCreation = OptionalLong.empty();

    /** Reads the value of {@code field} if it is one of the four counters; says whether it was. */
    boolean read(String field) throws IOException {
      switch (field) {
        case Fields.INPUT_TOKENS:
          input = unsigned();
          return true;
        case Fields.OUTPUT_TOKENS:
          output = unsigned();
          return true;
        case Fields.CACHE_READ_TOKENS:
          cacheRead = optionalUnsigned();
          return true;
        case Fields.CACHE_CREATION_TOKENS:
          cacheCreation = optionalUnsigned();
          return true;
        default:
          return false;
      }
    }

    void requireAll() {
      require(input, Fields.INPUT_TOKENS);
      require(output, Fields.OUTPUT_TOKENS);
    }
  }

  // ---------------------------------------------------------------- values

  /** Reads the JSON value at the current token. */
  private JsonValue value() throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT:
        {
          checkDepth();
          Map<String, JsonValue> members = new LinkedHashMap<>();
          while (next() == JsonToken.FIELD_NAME) {
            String key = checked(p.currentName());
            next();
            members.put(key, value());
          }
          return new JsonValue.JsonObject(members);
        }
      case START_ARRAY:
        {
          checkDepth();
          List<JsonValue> elements = new ArrayList<>();
          while (next() != JsonToken.END_ARRAY) {
            elements.add(value());
          }
          return new JsonValue.JsonArray(elements);
        }
      case VALUE_STRING:
        return new JsonValue.JsonString(checked(text()));
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
          case LONG:
            return new JsonValue.JsonInteger(BigInteger.valueOf(p.getLongValue()));
          default:
            return new JsonValue.JsonInteger(p.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        // From the number's text: exact, "3.0" keeps its scale and 1e400 does not overflow.
        return new JsonValue.JsonDecimal(p.getDecimalValue());
      case VALUE_TRUE:
        return JsonValue.TRUE;
      case VALUE_FALSE:
        return JsonValue.FALSE;
      case VALUE_NULL:
        return JsonValue.NULL;
      default:
        throw corrupt("unexpected " + p.currentToken());
    }
  }

  /** Skips the value at the current token, still checking its strings and nesting. */
  private void skip() throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      checked(text());
    } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      checkDepth();
      int open = 1;
      while (open > 0) {
        switch (next()) {
          case START_OBJECT:
          case START_ARRAY:
            checkDepth();
            open++;
            break;
          case END_OBJECT:
          case END_ARRAY:
            open--;
            break;
          case FIELD_NAME:
            checked(p.currentName());
            break;
          case VALUE_STRING:
            checked(text());
            break;
          default:
            break;
        }
      }
    }
  }

  private void checkDepth() {
    if (offset > 0 && p.getParsingContext().getNestingDepth() + offset > DocumentWriter.MAX_DEPTH) {
      throw corrupt("JSON nesting deeper than " + DocumentWriter.MAX_DEPTH + " levels");
    }
  }

  // ---------------------------------------------------------------- scalars

  private String string() throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw mistyped("a string");
    }
    return checked(text());
  }

  /** The text of the current string token: long ones decoded from the document's bytes. */
  private String text() throws IOException {
    if (longStrings != null) {
      String s = longStrings.read(p);
      if (s != null) {
        return s;
      }
    }
    return p.getText();
  }

  private String checked(String s) {
    int bad = Utf16.loneSurrogate(s);
    if (bad >= 0) {
      throw corrupt("a string holds a lone surrogate at index " + bad + " (not valid Unicode)");
    }
    return s;
  }

  private boolean bool() throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (t == JsonToken.VALUE_FALSE) {
      return false;
    }
    throw mistyped("a boolean");
  }

  private long unsigned() throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw mistyped("an unsigned integer");
    }
    switch (p.getNumberType()) {
      case INT:
      case LONG:
        long v = p.getLongValue();
        if (v < 0) {
          throw corrupt("expected an unsigned integer, found the negative number " + v);
        }
        return v;
      default:
        BigInteger b = p.getBigIntegerValue();
        if (b.signum() < 0) {
          throw corrupt("expected an unsigned integer, found a negative number");
        }
        if (b.compareTo(U64_MAX) > 0) {
          throw corrupt("the integer is larger than 18446744073709551615 (unsigned 64-bit)");
        }
        return b.longValue();
    }
  }

  private OptionalLong optionalUnsigned() throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(unsigned());
  }

  private Instant instant() throws IOException {
    String text = string();
    try {
      return Rfc3339.parse(text);
    } catch (IllegalArgumentException e) {
      throw corrupt(e.getMessage());
    }
  }

  // ---------------------------------------------------------------- tokens and errors

  private JsonToken next() throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw corrupt("unexpected end of input");
    }
    return t;
  }

  private void first(JsonToken expected, String what) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw corrupt("the document is empty");
    }
    if (t != expected) {
      throw corrupt(what + " must be a JSON object, found " + describe(t));
    }
  }

  private void startObject() {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw mistyped("an object");
    }
  }

  private void startArray() {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw mistyped("an array");
    }
  }

  private void end() throws IOException {
    JsonToken t = p.nextToken();
    if (t != null) {
      throw corrupt("unexpected content after the end of the JSON value: " + describe(t));
    }
  }

  private void require(Object value, String field) {
    if (value == null) {
      throw missing(field);
    }
  }

  private CorruptDocumentException missing(String field) {
    return corrupt("missing required field \"" + field + "\"");
  }

  private CorruptDocumentException mistyped(String expected) {
    return corrupt("expected " + expected + ", found " + describe(p.currentToken()));
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "the end of input";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
        return "an integer";
      case VALUE_NUMBER_FLOAT:
        return "a decimal number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      case FIELD_NAME:
        return "a field name";
      default:
        return t.toString();
    }
  }

  private CorruptDocumentException corrupt(String problem) {
    return new CorruptDocumentException(message(source, problem, p, p.currentTokenLocation()));
  }

  /** Turns a Jackson exception raised while reading into a corrupt-document error. */
  public static CorruptDocumentException corrupt(
      String source, JsonParser p, JsonProcessingException e, long maxDocumentBytes) {
    String problem = e.getOriginalMessage();
    if (e instanceof StreamConstraintsException) {
      if (problem.contains("nesting depth")) {
        problem = "JSON nesting deeper than " + DocumentWriter.MAX_DEPTH + " levels";
      } else if (problem.contains("ocument length")) {
        problem = "the document is larger than the limit of " + maxDocumentBytes + " bytes";
      }
    } else if (e instanceof JsonEOFException) {
      problem = "truncated document: " + problem;
    }
    JsonLocation location = e.getLocation() != null ? e.getLocation() : p.currentLocation();
    return new CorruptDocumentException(message(source, problem, p, location), e);
  }

  /** Returns a corrupt-document error about the whole input (no position). */
  public static CorruptDocumentException corrupt(String source, String problem) {
    return new CorruptDocumentException(prefix(source) + problem);
  }

  private static String prefix(String source) {
    return "corrupt session document " + Names.quote(source) + ": ";
  }

  private static String message(String source, String problem, JsonParser p, JsonLocation at) {
    StringBuilder b = new StringBuilder(prefix(source)).append(problem);
    String pointer = "";
    if (p != null) {
      JsonPointer ptr = p.getParsingContext().pathAsPointer();
      pointer = ptr.toString();
    }
    boolean hasLocation = at != null && at.getLineNr() > 0;
    if (!pointer.isEmpty() || hasLocation) {
      b.append(" (");
      if (!pointer.isEmpty()) {
        b.append("at ").append(Names.escape(pointer));
        if (hasLocation) {
          b.append(", ");
        }
      }
      if (hasLocation) {
        b.append("line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr());
      }
      b.append(')');
    }
    return b.toString();
  }
}
