package org.sessionkit.springai.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sessionkit.ContentBlock;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.DocumentSource;
import org.sessionkit.ImageSource;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.JsonValue.JsonArray;
import org.sessionkit.JsonValue.JsonObject;
import org.sessionkit.JsonValue.JsonString;
import org.sessionkit.Message;
import org.sessionkit.Role;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.ToolResultItem;
import org.sessionkit.springai.MessageMappingException;
import org.sessionkit.springai.MetadataCodecs;
import org.springframework.ai.chat.messages.AbstractMessage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.ai.content.MediaContent;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeType;

/**
 * Maps messages both ways between Spring AI and the session model. The two directions are
 * inverse on everything this class writes: reading a message and mapping the result back gives
 * an equal message, which is what lets the repository recognise a list that extends what is
 * stored. Whatever has no place on the other side fails with {@link MessageMappingException};
 * nothing is dropped silently. Thread safe; no state besides the codecs.
 *
 * <p>What Spring AI has and the session model has no field for goes into the message's metadata
 * under the key {@value #KEY}: an object with the members {@code metadata} (Spring AI's message
 * metadata in the typed encoding of {@link TypedValues}, without {@code messageType}, which
 * Spring AI's constructors set), {@code toolNames}, {@code toolCalls} and {@code media}, each
 * only when needed; the key is absent when none is. Metadata values that are sessionkit {@link
 * JsonValue}s are stored as members of their own (this is also how metadata other programs
 * wrote reads back: as {@code JsonValue}s under their keys).
 *
 * <p>The shapes (blocks in this order; {@code ?} optional, {@code *} any number):
 *
 * <ul>
 *   <li>{@code SystemMessage} ↔ {@code System [Text]}
 *   <li>{@code UserMessage} ↔ {@code User [Text? media*]} (no text block when the text is
 *       empty); media are {@code Image} or {@code Document} blocks
 *   <li>{@code AssistantMessage} ↔ {@code Assistant [Text? ToolUse* media*]} (no text block
 *       when the text is {@code null}, an empty one when it is {@code ""})
 *   <li>{@code ToolResponseMessage} ↔ {@code User [ToolResult+]}, each with one text item and
 *       {@code is_error} false; the tool names are kept in the extra
 * </ul>
 */
public final class MessageMapper {

  /** The key of a message's metadata this adapter owns. */
  public static final String KEY = "spring-ai";

  private static final java.util.Set<String> MEMBERS = java.util.Set.of("metadata", "toolNames", "toolCalls", "media");

  /** The tool call type Spring AI's models use; stored only when a call has another one. */
  static final String FUNCTION = "function";

  private static final MimeType IMAGE_ANY = MimeType.valueOf("image/*");
  private static final MimeType PDF = MimeType.valueOf("application/pdf");
  private static final MimeType TEXT = MimeType.valueOf("text/plain");

  private final SessionCodec codec;
  private final TypedValues values;

  /**
   * Creates a mapper that converts tool arguments with {@code codec} and metadata values with
   * {@code codecs}.
   */
  public MessageMapper(SessionCodec codec, MetadataCodecs codecs) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.values = new TypedValues(codecs);
  }

  // ------------------------------------------------------------------ Spring AI → session

  /**
   * Maps a Spring AI message to a session-model message.
   *
   * @param where names the message in error messages ("conversation "c", message 3")
   * @throws MessageMappingException if the message holds something the session model can't
   */
  public Message toMessage(org.springframework.ai.chat.messages.Message m, String where) {
    Objects.requireNonNull(m, "message");
    MessageType type = m.getMessageType();
    if (type == null) {
      throw fail(where, "it has no message type");
    }
    return switch (type) {
      case SYSTEM -> system(m, where);
      case USER -> user(m, where);
      case ASSISTANT -> assistant(m, where);
      case TOOL -> toolResponse(m, where);
    };
  }

  private Message system(org.springframework.ai.chat.messages.Message m, String where) {
    if (m instanceof MediaContent mc && !mc.getMedia().isEmpty()) {
      throw fail(where, "a system message with media has no equivalent in the session format");
    }
    String text = m.getText();
    if (text == null) {
      throw fail(where, "the system message has no text");
    }
    return finish(m, Role.SYSTEM, List.of(ContentBlock.text(text)), new LinkedHashMap<>(), where);
  }

  private Message user(org.springframework.ai.chat.messages.Message m, String where) {
    String text = m.getText();
    if (text == null) {
      throw fail(where, "the user message has no text");
    }
    List<ContentBlock> blocks = new ArrayList<>();
    if (!text.isEmpty()) {
      blocks.add(ContentBlock.text(text));
    }
    Map<String, JsonValue> extra = new LinkedHashMap<>();
    addMedia(m, blocks, extra, where);
    return finish(m, Role.USER, blocks, extra, where);
  }

  private Message assistant(org.springframework.ai.chat.messages.Message m, String where) {
    List<ContentBlock> blocks = new ArrayList<>();
    if (m.getText() != null) {
      blocks.add(ContentBlock.text(m.getText()));
    }
    Map<String, JsonValue> extra = new LinkedHashMap<>();
    if (m instanceof AssistantMessage a) {
      List<JsonValue> callExtras = new ArrayList<>();
      boolean any = false;
      List<AssistantMessage.ToolCall> calls = a.getToolCalls();
      for (int k = 0; k < calls.size(); k++) {
        JsonObject callExtra = toolCall(calls.get(k), blocks, where + ", tool call " + k);
        any |= !callExtra.members().isEmpty();
        callExtras.add(callExtra);
      }
      if (any) {
        extra.put("toolCalls", JsonValue.array(callExtras));
      }
    }
    addMedia(m, blocks, extra, where);
    return finish(m, Role.ASSISTANT, blocks, extra, where);
  }

  private JsonObject toolCall(AssistantMessage.ToolCall call, List<ContentBlock> blocks, String where) {
    if (call == null) {
      throw fail(where, "the tool call is null");
    }
    if (call.id() == null) {
      throw fail(where, "the tool call has no id");
    }
    if (call.name() == null) {
      throw fail(where, "the tool call has no name");
    }
    if (call.arguments() == null) {
      throw fail(where, "the tool call has no arguments");
    }
    Map<String, JsonValue> extra = new LinkedHashMap<>();
    if (!FUNCTION.equals(call.type())) {
      extra.put("type", call.type() == null ? JsonValue.NULL : JsonValue.of(call.type()));
    }
    String arguments = call.arguments();
    JsonValue input;
    boolean exact;
    try {
      input = codec.decodeValue(arguments.getBytes(StandardCharsets.UTF_8), where + " arguments");
      exact = new String(codec.encodeValue(input), StandardCharsets.UTF_8).equals(arguments);
    } catch (CorruptDocumentException | InvalidSessionException notJson) {
      // Models do produce truncated or otherwise broken JSON; the turn must still be stored.
      // The input becomes the text as a JSON string and the extra marks it as verbatim.
      input = JsonValue.of(arguments);
      exact = false;
    }
    if (!exact) {
      // Keeps the arguments byte for byte (spacing, escapes, number spelling, or text that is
      // not JSON at all), while the ToolUse input stays the parsed value for other readers.
      extra.put("arguments", JsonValue.of(arguments));
    }
    blocks.add(new ContentBlock.ToolUse(call.id(), call.name(), input));
    return JsonValue.object(extra);
  }

  private Message toolResponse(org.springframework.ai.chat.messages.Message m, String where) {
    if (!(m instanceof ToolResponseMessage t)) {
      throw fail(where, "a TOOL message must be a ToolResponseMessage, not " + m.getClass().getName());
    }
    if (t.getResponses().isEmpty()) {
      throw fail(where, "a tool response message without responses has no equivalent in the session format");
    }
    List<ContentBlock> blocks = new ArrayList<>();
    List<JsonValue> names = new ArrayList<>();
    for (int k = 0; k < t.getResponses().size(); k++) {
      ToolResponseMessage.ToolResponse r = t.getResponses().get(k);
      String at = where + ", tool response " + k;
      if (r == null) {
        throw fail(at, "the tool response is null");
      }
      if (r.id() == null) {
        throw fail(at, "the tool response has no id");
      }
      if (r.responseData() == null) {
        throw fail(at, "the tool response has no response data");
      }
      blocks.add(ContentBlock.ToolResult.ofText(r.id(), r.responseData()));
      names.add(r.name() == null ? JsonValue.NULL : JsonValue.of(r.name()));
    }
    // All names empty is what a result written by another program reads as (it has no names):
    // storing nothing then keeps reading and writing such a session inverse of each other.
    boolean allEmpty = names.stream().allMatch(n -> n.equals(JsonValue.of("")));
    Map<String, JsonValue> extra = new LinkedHashMap<>();
    if (!allEmpty) {
      extra.put("toolNames", JsonValue.array(names));
    }
    return finish(m, Role.USER, blocks, extra, where);
  }

  /**
   * Returns the message with its metadata: Spring AI's metadata typed under {@code
   * extra.metadata}, {@code JsonValue}s as members of their own, and {@code extra} under {@value
   * #KEY} unless it is empty.
   */
  private Message finish(
      org.springframework.ai.chat.messages.Message m,
      Role role,
      List<ContentBlock> blocks,
      Map<String, JsonValue> extra,
      String where) {
    Map<String, Object> springMetadata = m.getMetadata();
    Map<String, JsonValue> metadata = new LinkedHashMap<>();
    if (springMetadata != null && !springMetadata.isEmpty()) {
      Map<String, JsonValue> typed = new java.util.TreeMap<>();
      for (Map.Entry<String, Object> e : springMetadata.entrySet()) {
        String key = e.getKey();
        Object value = e.getValue();
        if (key == null) {
          throw fail(where, "its metadata has a null key");
        }
        if (key.equals(AbstractMessage.MESSAGE_TYPE)) {
          // Spring AI's constructors put the message type there; reading sets it again.
          continue;
        }
        if (value instanceof JsonValue json && !key.equals(KEY)) {
          metadata.put(key, json);
          continue;
        }
        try {
          typed.put(key, values.encode(value));
        } catch (TypedValues.ValueException ex) {
          throw new MessageMappingException(
              where + ": the metadata \"" + key + "\" holds " + ex.getMessage(), ex.getCause());
        }
      }
      if (!typed.isEmpty()) {
        extra.put("metadata", JsonValue.object(typed));
      }
    }
    if (!extra.isEmpty()) {
      metadata.put(KEY, JsonValue.object(extra));
    }
    return new Message(role, blocks, metadata);
  }

  private void addMedia(
      org.springframework.ai.chat.messages.Message m,
      List<ContentBlock> blocks,
      Map<String, JsonValue> extra,
      String where) {
    if (!(m instanceof MediaContent mc) || mc.getMedia() == null || mc.getMedia().isEmpty()) {
      return;
    }
    List<JsonValue> extras = new ArrayList<>();
    boolean any = false;
    for (int i = 0; i < mc.getMedia().size(); i++) {
      JsonObject e = media(mc.getMedia().get(i), i, blocks, where + ", media " + i);
      any |= !e.members().isEmpty();
      extras.add(e);
    }
    if (any) {
      extra.put("media", JsonValue.array(extras));
    }
  }

  private JsonObject media(Media media, int index, List<ContentBlock> blocks, String where) {
    if (media == null) {
      throw fail(where, "the media is null");
    }
    MimeType mime = media.getMimeType();
    Object data = media.getData();
    Kind kind = Kind.of(mime);
    if (kind == Kind.OTHER) {
      throw fail(
          where,
          "media of type "
              + mime
              + " has no equivalent in the session format (images, PDF and plain-text documents only)");
    }
    ContentBlock block;
    MimeType readBack; // the mime type reading the block alone gives
    if (data instanceof byte[] bytes) {
      switch (kind) {
        case IMAGE -> {
          block = new ContentBlock.Image(new ImageSource.Base64(mime.toString(), base64(bytes)));
          readBack = mime;
        }
        case PDF -> {
          block = new ContentBlock.Document(new DocumentSource.Base64Pdf(base64(bytes)));
          readBack = PDF;
        }
        default -> {
          block = new ContentBlock.Document(new DocumentSource.PlainText(decodeText(bytes, mime, where)));
          readBack = TEXT;
        }
      }
    } else if (data instanceof String url) {
      if (kind == Kind.IMAGE) {
        block = new ContentBlock.Image(new ImageSource.Url(url));
        readBack = IMAGE_ANY;
      } else {
        block = new ContentBlock.Document(new DocumentSource.Url(url));
        readBack = PDF;
      }
    } else {
      throw fail(
          where,
          "media data of type "
              + data.getClass().getName()
              + " has no equivalent in the session format (bytes or a URL string only)");
    }
    blocks.add(block);
    Map<String, JsonValue> extra = new LinkedHashMap<>();
    if (!mime.toString().equals(readBack.toString())) {
      extra.put("mimeType", JsonValue.of(mime.toString()));
    }
    if (!media.getName().equals(defaultName(mime, index))) {
      extra.put("name", JsonValue.of(media.getName()));
    }
    if (media.getId() != null) {
      extra.put("id", JsonValue.of(media.getId()));
    }
    return JsonValue.object(extra);
  }

  // ------------------------------------------------------------------ session → Spring AI

  /**
   * Maps a session-model message to a Spring AI message.
   *
   * @param where names the message in error messages
   * @throws MessageMappingException if the stored message holds what Spring AI's messages can't
   */
  public org.springframework.ai.chat.messages.Message toSpring(Message message, String where) {
    List<ContentBlock> blocks = message.content();
    JsonObject extra = JsonValue.emptyObject();
    Map<String, Object> metadata = new HashMap<>();
    for (Map.Entry<String, JsonValue> e : message.metadata().entrySet()) {
      if (e.getKey().equals(KEY)) {
        if (!(e.getValue() instanceof JsonObject o)) {
          throw fail(where, "the metadata \"" + KEY + "\" is not an object");
        }
        extra = o;
      } else {
        metadata.put(e.getKey(), e.getValue());
      }
    }
    for (String member : extra.members().keySet()) {
      if (!MEMBERS.contains(member)) {
        throw fail(where, "the metadata \"" + KEY + "\" holds \"" + member
            + "\", which this version does not know (written by a newer sessionkit?)");
      }
    }
    Optional<JsonValue> typed = extra.get("metadata");
    if (typed.isPresent()) {
      if (!(typed.get() instanceof JsonObject o)) {
        throw fail(where, "the stored \"metadata\" is not an object");
      }
      for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
        Object value;
        try {
          value = values.decode(e.getValue());
        } catch (TypedValues.ValueException ex) {
          throw new MessageMappingException(
              where + ": the metadata \"" + e.getKey() + "\" can't be read: " + ex.getMessage(), ex.getCause());
        }
        if (metadata.containsKey(e.getKey())) {
          throw fail(where, "the metadata \"" + e.getKey() + "\" is stored twice");
        }
        metadata.put(e.getKey(), value);
      }
    }
    return switch (message.role()) {
      case SYSTEM -> {
        if (blocks.size() != 1 || !(blocks.get(0) instanceof ContentBlock.Text text)) {
          throw fail(where, "a system message must hold exactly one text block; this one holds " + kinds(blocks));
        }
        yield SystemMessage.builder().text(text.text()).metadata(metadata).build();
      }
      case USER -> {
        if (!blocks.isEmpty() && blocks.stream().allMatch(ContentBlock.ToolResult.class::isInstance)) {
          yield toolResponse(blocks, extra, metadata, where);
        }
        int i = 0;
        String text = "";
        if (!blocks.isEmpty() && blocks.get(0) instanceof ContentBlock.Text t) {
          text = t.text();
          i = 1;
        }
        List<Media> media = media(blocks, i, extra, "a user message", where);
        yield UserMessage.builder().text(text).media(media).metadata(metadata).build();
      }
      case ASSISTANT -> {
        int i = 0;
        String text = null;
        if (!blocks.isEmpty() && blocks.get(0) instanceof ContentBlock.Text t) {
          text = t.text();
          i = 1;
        }
        List<JsonObject> callExtras = list(extra, "toolCalls", where);
        List<AssistantMessage.ToolCall> calls = new ArrayList<>();
        while (i < blocks.size() && blocks.get(i) instanceof ContentBlock.ToolUse use) {
          JsonObject callExtra = at(callExtras, calls.size(), "toolCalls", where);
          calls.add(toolCall(use, callExtra, where + ", tool call " + calls.size()));
          i++;
        }
        if (!callExtras.isEmpty() && callExtras.size() != calls.size()) {
          throw malformedExtra(where, "toolCalls", callExtras.size(), calls.size());
        }
        List<Media> media = media(blocks, i, extra, "an assistant message", where);
        yield AssistantMessage.builder()
            .content(text)
            .properties(metadata)
            .toolCalls(List.copyOf(calls))
            .media(media)
            .build();
      }
    };
  }

  private AssistantMessage.ToolCall toolCall(ContentBlock.ToolUse use, JsonObject extra, String where) {
    String type = FUNCTION;
    Optional<JsonValue> storedType = extra.get("type");
    if (storedType.isPresent()) {
      type = nullableString(storedType.get(), "type", where);
    }
    String arguments;
    Optional<JsonValue> verbatim = extra.get("arguments");
    if (verbatim.isPresent()) {
      if (!(verbatim.get() instanceof JsonString s)) {
        throw fail(where, "the stored \"arguments\" is not a string");
      }
      arguments = s.value();
    } else {
      arguments = new String(codec.encodeValue(use.input()), StandardCharsets.UTF_8);
    }
    return new AssistantMessage.ToolCall(use.id(), type, use.name(), arguments);
  }

  private ToolResponseMessage toolResponse(
      List<ContentBlock> blocks, JsonObject extra, Map<String, Object> metadata, String where) {
    List<JsonValue> names = extra.get("toolNames").map(v -> array(v, "toolNames", where)).orElse(List.of());
    if (!names.isEmpty() && names.size() != blocks.size()) {
      throw malformedExtra(where, "toolNames", names.size(), blocks.size());
    }
    List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>();
    for (int k = 0; k < blocks.size(); k++) {
      ContentBlock.ToolResult result = (ContentBlock.ToolResult) blocks.get(k);
      String at = where + ", tool result " + k;
      if (result.isError()) {
        throw fail(at, "a tool result marked is_error has no equivalent in Spring AI's ToolResponse");
      }
      if (result.content().size() != 1 || !(result.content().get(0) instanceof ToolResultItem.Text text)) {
        throw fail(
            at,
            "Spring AI's ToolResponse holds one text; this tool result holds "
                + result.content().stream().map(c -> c.getClass().getSimpleName()).toList());
      }
      // A result written by another program has no stored name; it reads as the empty name.
      String name = names.isEmpty() ? "" : nullableString(names.get(k), "toolNames", at);
      responses.add(new ToolResponseMessage.ToolResponse(result.toolUseId(), name, text.text()));
    }
    return ToolResponseMessage.builder().responses(List.copyOf(responses)).metadata(metadata).build();
  }

  private List<Media> media(
      List<ContentBlock> blocks, int from, JsonObject extra, String what, String where) {
    List<JsonObject> extras = list(extra, "media", where);
    List<Media> media = new ArrayList<>();
    for (int i = from; i < blocks.size(); i++) {
      ContentBlock block = blocks.get(i);
      int index = media.size();
      String at = where + ", media " + index;
      JsonObject e = at(extras, index, "media", where);
      Optional<MimeType> stored = e.get("mimeType").map(v -> mime(string(v, "mimeType", at), at));
      MimeType mime;
      Object data;
      if (block instanceof ContentBlock.Image image) {
        if (image.source() instanceof ImageSource.Base64 b) {
          mime = stored.orElseGet(() -> mime(b.mediaType(), at));
          data = unbase64(b.data(), at);
        } else {
          mime = stored.orElse(IMAGE_ANY);
          data = ((ImageSource.Url) image.source()).url();
        }
      } else if (block instanceof ContentBlock.Document document) {
        if (document.source() instanceof DocumentSource.Base64Pdf pdf) {
          mime = stored.orElse(PDF);
          data = unbase64(pdf.data(), at);
        } else if (document.source() instanceof DocumentSource.PlainText text) {
          mime = stored.orElse(TEXT);
          data = text.data().getBytes(charset(mime));
        } else {
          mime = stored.orElse(PDF);
          data = ((DocumentSource.Url) document.source()).url();
        }
      } else {
        throw fail(
            where,
            what
                + " holds a "
                + block.getClass().getSimpleName()
                + " block at position "
                + i
                + ", which Spring AI's messages can't hold there; whole message: "
                + kinds(blocks));
      }
      Media.Builder builder =
          Media.builder()
              .mimeType(mime)
              .data(data)
              .name(e.get("name").map(v -> string(v, "name", at)).orElse(defaultName(mime, index)));
      e.get("id").ifPresent(v -> builder.id(string(v, "id", at)));
      media.add(builder.build());
    }
    if (!extras.isEmpty() && extras.size() != media.size()) {
      throw malformedExtra(where, "media", extras.size(), media.size());
    }
    return List.copyOf(media);
  }

  // ------------------------------------------------------------------ helpers

  private enum Kind {
    IMAGE,
    PDF,
    TEXT,
    OTHER;

    static Kind of(MimeType mime) {
      if ("image".equals(mime.getType())) {
        return IMAGE;
      }
      if ("application".equals(mime.getType()) && "pdf".equals(mime.getSubtype())) {
        return PDF;
      }
      if ("text".equals(mime.getType()) && "plain".equals(mime.getSubtype())) {
        return TEXT;
      }
      return OTHER;
    }
  }

  /**
   * The name a medium gets when none is stored. Spring AI's own default holds a random UUID, so
   * a name is stored unless it is this one.
   */
  static String defaultName(MimeType mime, int index) {
    return "media-" + mime.getSubtype() + "-" + index;
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] unbase64(String data, String where) {
    try {
      return Base64.getDecoder().decode(data);
    } catch (IllegalArgumentException e) {
      throw fail(where, "the stored base64 data can't be decoded: " + e.getMessage());
    }
  }

  private static Charset charset(MimeType mime) {
    Charset charset = mime.getCharset();
    return charset == null ? StandardCharsets.UTF_8 : charset;
  }

  private static String decodeText(byte[] bytes, MimeType mime, String where) {
    Charset charset = charset(mime);
    try {
      String text =
          charset
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      ByteBuffer again =
          charset
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(text));
      byte[] back = new byte[again.remaining()];
      again.get(back);
      if (Arrays.equals(back, bytes)) {
        return text;
      }
    } catch (CharacterCodingException e) {
      // falls through to the error below
    }
    throw fail(
        where,
        "the plain-text document is not valid "
            + charset.name()
            + " text, and the session format stores plain text as a string");
  }

  private static MimeType mime(String value, String where) {
    try {
      return MimeType.valueOf(value);
    } catch (InvalidMimeTypeException e) {
      throw fail(where, "the stored media type \"" + value + "\" is not a valid MIME type");
    }
  }

  private static List<JsonObject> list(JsonObject extra, String key, String where) {
    Optional<JsonValue> value = extra.get(key);
    if (value.isEmpty()) {
      return List.of();
    }
    List<JsonObject> result = new ArrayList<>();
    for (JsonValue v : array(value.get(), key, where)) {
      if (!(v instanceof JsonObject o)) {
        throw fail(where, "the stored \"" + key + "\" holds a non-object");
      }
      result.add(o);
    }
    return result;
  }

  private static JsonObject at(List<JsonObject> extras, int index, String key, String where) {
    if (extras.isEmpty()) {
      return JsonValue.emptyObject();
    }
    if (index >= extras.size()) {
      throw fail(where, "the stored \"" + key + "\" has fewer entries than the message has blocks for it");
    }
    return extras.get(index);
  }

  private static List<JsonValue> array(JsonValue value, String key, String where) {
    if (!(value instanceof JsonArray a)) {
      throw fail(where, "the stored \"" + key + "\" is not an array");
    }
    return a.elements();
  }

  private static String string(JsonValue value, String key, String where) {
    if (!(value instanceof JsonString s)) {
      throw fail(where, "the stored \"" + key + "\" is not a string");
    }
    return s.value();
  }

  private static String nullableString(JsonValue value, String key, String where) {
    return value instanceof JsonValue.JsonNull ? null : string(value, key, where);
  }

  private static MessageMappingException malformedExtra(String where, String key, int stored, int blocks) {
    return fail(
        where,
        "the stored \"" + key + "\" has " + stored + " entries but the message has " + blocks
            + " blocks for it (changed by another program?)");
  }

  private static String kinds(List<ContentBlock> blocks) {
    return blocks.stream().map(b -> b.getClass().getSimpleName()).toList().toString();
  }

  private static MessageMappingException fail(String where, String why) {
    return new MessageMappingException(where + ": " + why);
  }
}
