package org.sessionkit.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.CustomMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.pdf.PdfFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.sessionkit.ContentBlock;
import org.sessionkit.DocumentSource;
import org.sessionkit.ImageSource;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Role;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionStorageException;
import org.sessionkit.ToolResultItem;

/**
 * Maps messages both ways between LangChain4j ({@code dev.langchain4j.data.message}) and the
 * session model, losslessly where the two models overlap. What does not map fails with {@link
 * UnmappableMessageException}; nothing is ever dropped or changed silently. The module's README
 * has the full table; in short:
 *
 * <ul>
 *   <li>{@code SystemMessage} ↔ a {@code System} message with one {@code Text} block.
 *   <li>{@code UserMessage} ↔ a {@code User} message with a block per content: {@code
 *       TextContent} ↔ {@code Text}, {@code ImageContent} ↔ {@code Image} (URL or base64 with its
 *       media type, detail level {@code LOW} only), {@code PdfFileContent} ↔ {@code Document}
 *       (URL or base64 PDF). A {@code name} or attributes are refused.
 *   <li>{@code AiMessage} ↔ an {@code Assistant} message with the blocks {@code Thinking} (text
 *       and the {@value #THINKING_SIGNATURE_ATTRIBUTE} attribute as its signature), one {@code
 *       RedactedThinking} per entry of the {@value #REDACTED_THINKING_ATTRIBUTE} attribute, {@code
 *       Text}, then one {@code ToolUse} per tool execution request, in that order. Tool arguments
 *       that are valid JSON are stored as the JSON value; other arguments (and {@code null}) are
 *       kept verbatim in an object with the single member {@value #RAW_ARGUMENTS_KEY}.
 *   <li>{@code ToolExecutionResultMessage} ↔ a {@code User} message with one {@code ToolResult}
 *       block. Its tool name is stored only where it breaks the rule that reads it back: the name
 *       of the last tool request with the same id before it.
 *   <li>{@code CustomMessage} ↔ a {@code User} message without content blocks whose metadata
 *       says {@value #MESSAGE_TYPE_KEY}: {@code "custom"}.
 * </ul>
 *
 * <h2>Attributes</h2>
 *
 * The attributes of every message type (what providers keep on an {@code AiMessage}: thought
 * signatures, encrypted reasoning, server tool results, generated images…; what applications and
 * LangChain4j's tool machinery keep on user and tool result messages) are stored in the session
 * message's {@linkplain Message#metadata() metadata}, one member per attribute under the
 * attribute's own name, each value in the form {@link AttributeCodecs} gives it, so that it reads
 * back as the same Java type. The exceptions, kept where neuron reads them: {@value
 * #THINKING_SIGNATURE_ATTRIBUTE} (a non-empty string, with thinking) is the {@code Thinking}
 * block's signature, and {@value #REDACTED_THINKING_ATTRIBUTE} (a non-empty list of strings) is
 * one {@code RedactedThinking} block per entry. Metadata keys starting with {@value
 * #METADATA_PREFIX} are this adapter's own ({@value #NAME_KEY}, {@value #TOOL_NAME_KEY}, {@value
 * #MESSAGE_TYPE_KEY}); an attribute whose name starts so is stored under {@value
 * #ESCAPED_ATTRIBUTE_PREFIX} + its name. LangChain4j 1.19 messages carry no id and no timestamp,
 * so there are none to store.
 *
 * <p>This class has no state and is thread safe.
 */
public final class LangChain4jMessages {

  /** The {@code AiMessage} attribute holding the signature of its thinking (as LangChain4j's Anthropic module names it). */
  public static final String THINKING_SIGNATURE_ATTRIBUTE = "thinking_signature";

  /** The {@code AiMessage} attribute holding its redacted thinking, a list of strings. */
  public static final String REDACTED_THINKING_ATTRIBUTE = "redacted_thinking";

  /**
   * The only member of the tool input object that keeps tool arguments which are not valid JSON
   * (or {@code null}) verbatim.
   */
  public static final String RAW_ARGUMENTS_KEY = "sessionkit:raw_arguments";

  /** Metadata keys starting with this are the adapter's own (see the class documentation). */
  public static final String METADATA_PREFIX = "langchain4j:";

  /** The metadata key of a {@code UserMessage}'s name. */
  public static final String NAME_KEY = METADATA_PREFIX + "name";

  /**
   * The metadata key of a tool result's tool name, present only when the name is not the one the
   * rule reads back (the name of the last tool request with the same id before it); a JSON {@code
   * null} stands for no name.
   */
  public static final String TOOL_NAME_KEY = METADATA_PREFIX + "tool_name";

  /** The metadata key that marks a stored {@code CustomMessage}, with the value {@code "custom"}. */
  public static final String MESSAGE_TYPE_KEY = METADATA_PREFIX + "type";

  /** The prefix under which an attribute whose own name starts with {@value #METADATA_PREFIX} is stored. */
  public static final String ESCAPED_ATTRIBUTE_PREFIX = METADATA_PREFIX + "attribute:";

  private static final String CUSTOM = "custom";

  private static final SessionCodec CODEC = SessionCodec.defaults();

  private LangChain4jMessages() {}

  /**
   * Maps LangChain4j messages to session messages, one session message per LangChain4j message.
   *
   * @param messages the messages, in conversation order (the tool name rule looks back over them)
   * @return the session messages, in the same order; an unmodifiable list
   * @throws UnmappableMessageException if a message can't be stored without loss; the message
   *     names its index, its type and the part that does not map
   * @throws NullPointerException if {@code messages} or one of its elements is null
   */
  public static List<Message> toSessionMessages(List<? extends ChatMessage> messages) {
    return toSessionMessages(messages, AttributeCodecs.defaults());
  }

  /**
   * Maps LangChain4j messages to session messages as {@link #toSessionMessages(List)} does,
   * storing attribute values with {@code codecs}.
   *
   * @throws UnmappableMessageException as {@link #toSessionMessages(List)}; also for an attribute
   *     value of a type {@code codecs} can't store (the message names the attribute and the type)
   * @throws NullPointerException if an argument or a message is null
   */
  public static List<Message> toSessionMessages(
      List<? extends ChatMessage> messages, AttributeCodecs codecs) {
    return toSessionMessages(messages, codecs, new ToolNames());
  }

  /**
   * The mapping with the tool names of the messages before {@code messages} in {@code toolNames}
   * (learned from a tail that was read), which it updates.
   */
  static List<Message> toSessionMessages(
      List<? extends ChatMessage> messages, AttributeCodecs codecs, ToolNames toolNames) {
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(codecs, "codecs");
    List<Message> out = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      Objects.requireNonNull(m, () -> "messages[" + out.size() + "]");
      Message mapped;
      if (m instanceof SystemMessage s) {
        mapped = Message.system(s.text());
      } else if (m instanceof UserMessage u) {
        mapped = user(i, u, codecs);
      } else if (m instanceof AiMessage a) {
        mapped = assistant(i, a, codecs);
      } else if (m instanceof ToolExecutionResultMessage t) {
        mapped = toolResult(i, t, toolNames, codecs);
      } else if (m instanceof CustomMessage c) {
        Map<String, JsonValue> metadata = new LinkedHashMap<>();
        metadata.put(MESSAGE_TYPE_KEY, JsonValue.of(CUSTOM));
        putAttributes(i, c, c.attributes(), Set.of(), codecs, metadata);
        mapped = new Message(Role.USER, List.of(), metadata);
      } else {
        throw unmappable(i, m, "this message type has no counterpart in a session");
      }
      toolNames.learn(mapped);
      out.add(mapped);
    }
    return List.copyOf(out);
  }

  /**
   * Maps session messages to LangChain4j messages. Usually one LangChain4j message per session
   * message; a {@code User} message holding tool results (as other agents write them, several
   * results or results mixed with text in one message) becomes one {@code
   * ToolExecutionResultMessage} per result and one {@code UserMessage} per run of other blocks,
   * in block order.
   *
   * @param messages the session messages, in conversation order
   * @return new LangChain4j messages, in order; a new mutable list
   * @throws UnmappableMessageException if a stored message can't be represented without loss; the
   *     message names its index, role and the block that does not map
   * @throws NullPointerException if {@code messages} is null
   */
  public static List<ChatMessage> toChatMessages(List<Message> messages) {
    return toChatMessages(messages, AttributeCodecs.defaults());
  }

  /**
   * Maps session messages to LangChain4j messages as {@link #toChatMessages(List)} does, reading
   * attribute values with {@code codecs}.
   *
   * @throws UnmappableMessageException as {@link #toChatMessages(List)}; also for a stored
   *     attribute value whose type tag has no codec in {@code codecs} (the message names the
   *     attribute and the tag)
   * @throws NullPointerException if an argument is null
   */
  public static List<ChatMessage> toChatMessages(List<Message> messages, AttributeCodecs codecs) {
    return toChatMessages(messages, codecs, new ToolNames());
  }

  /** The mapping with the tool names of earlier messages in {@code toolNames}, which it updates. */
  static List<ChatMessage> toChatMessages(
      List<Message> messages, AttributeCodecs codecs, ToolNames toolNames) {
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(codecs, "codecs");
    List<ChatMessage> out = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      switch (m.role()) {
        case SYSTEM -> out.add(system(i, m));
        case USER -> userOrToolResults(i, m, toolNames, codecs, out);
        case ASSISTANT -> out.add(aiMessage(i, m, codecs));
      }
      toolNames.learn(m);
    }
    return out;
  }

  // ---------------------------------------------------------------- LangChain4j → session

  private static Message user(int i, UserMessage u, AttributeCodecs codecs) {
    Map<String, JsonValue> metadata = new LinkedHashMap<>();
    if (u.name() != null) {
      metadata.put(NAME_KEY, JsonValue.of(checkedString(i, u, "the user name", u.name())));
    }
    putAttributes(i, u, u.attributes(), Set.of(), codecs, metadata);
    List<ContentBlock> blocks = new ArrayList<>(u.contents().size());
    for (Content c : u.contents()) {
      if (c instanceof TextContent t) {
        blocks.add(ContentBlock.text(t.text()));
      } else if (c instanceof ImageContent img) {
        blocks.add(new ContentBlock.Image(imageSource(i, u, img)));
      } else if (c instanceof PdfFileContent pdf) {
        blocks.add(new ContentBlock.Document(documentSource(i, u, pdf.pdfFile())));
      } else {
        throw unmappable(i, u, contentName(c) + " has no counterpart in a session");
      }
    }
    if (blocks.isEmpty()) {
      // An empty User message is how a CustomMessage is stored; LangChain4j refuses an empty
      // UserMessage anyway.
      throw unmappable(i, u, "an empty UserMessage can't be stored");
    }
    return new Message(Role.USER, blocks, metadata);
  }

  private static ImageSource imageSource(int i, ChatMessage owner, ImageContent content) {
    if (content.detailLevel() != ImageContent.DetailLevel.LOW) {
      throw unmappable(
          i,
          owner,
          "an image's detail level "
              + content.detailLevel()
              + " has no place in a session (only the default, LOW, maps)");
    }
    Image image = content.image();
    if (image.revisedPrompt() != null) {
      throw unmappable(i, owner, "an image's revised prompt has no place in a session");
    }
    if (image.url() != null) {
      if (image.base64Data() != null || image.mimeType() != null) {
        throw unmappable(
            i,
            owner,
            "an image with a URL and also base64 data or a MIME type has no counterpart in a"
                + " session (a URL image there has neither)");
      }
      return new ImageSource.Url(image.url().toString());
    }
    if (image.base64Data() == null || image.mimeType() == null) {
      throw unmappable(
          i, owner, "an image needs a URL, or base64 data with its MIME type, to be stored");
    }
    return new ImageSource.Base64(image.mimeType(), image.base64Data());
  }

  private static DocumentSource documentSource(int i, ChatMessage owner, PdfFile pdf) {
    if (!PdfFile.DEFAULT_MIME_TYPE.equals(pdf.mimeType())) {
      throw unmappable(
          i,
          owner,
          "a PDF with MIME type "
              + quote(pdf.mimeType())
              + " has no counterpart in a session (only "
              + PdfFile.DEFAULT_MIME_TYPE
              + ")");
    }
    if (pdf.url() != null) {
      if (pdf.base64Data() != null) {
        throw unmappable(i, owner, "a PDF with both a URL and base64 data has no counterpart");
      }
      return new DocumentSource.Url(pdf.url().toString());
    }
    if (pdf.base64Data() == null) {
      throw unmappable(i, owner, "a PDF needs a URL or base64 data to be stored");
    }
    return new DocumentSource.Base64Pdf(pdf.base64Data());
  }

  private static Message assistant(int i, AiMessage a, AttributeCodecs codecs) {
    // The signature and redacted thinking go into the blocks neuron reads when they fit them;
    // in any other shape (a signature without thinking, as Gemini sends with function calls; an
    // empty one; a list that is empty or not of strings) they are attributes like any other.
    String signature = null;
    Object signatureValue = a.attributes().get(THINKING_SIGNATURE_ATTRIBUTE);
    if (a.thinking() != null && signatureValue instanceof String s && !s.isEmpty()) {
      signature = checkedString(i, a, "attribute " + THINKING_SIGNATURE_ATTRIBUTE, s);
    }
    List<String> redacted = redactedThinking(i, a, a.attributes().get(REDACTED_THINKING_ATTRIBUTE));
    Set<String> inBlocks = new java.util.HashSet<>();
    if (signature != null) {
      inBlocks.add(THINKING_SIGNATURE_ATTRIBUTE);
    }
    if (!redacted.isEmpty()) {
      inBlocks.add(REDACTED_THINKING_ATTRIBUTE);
    }
    Map<String, JsonValue> metadata = new LinkedHashMap<>();
    putAttributes(i, a, a.attributes(), inBlocks, codecs, metadata);
    List<ContentBlock> blocks = new ArrayList<>();
    if (a.thinking() != null) {
      // The session format requires a signature; an absent one is stored as "" (a "" signature
      // attribute is stored in the metadata, so the two never meet).
      blocks.add(new ContentBlock.Thinking(a.thinking(), signature == null ? "" : signature));
    }
    for (String data : redacted) {
      blocks.add(new ContentBlock.RedactedThinking(data));
    }
    if (a.text() != null) {
      blocks.add(ContentBlock.text(a.text()));
    }
    for (ToolExecutionRequest r : a.toolExecutionRequests()) {
      if (r.name() == null) {
        throw unmappable(i, a, "a tool execution request without a name can't be stored");
      }
      blocks.add(new ContentBlock.ToolUse(storedToolId(i, a, r.id()), r.name(), toolInput(i, a, r)));
    }
    return new Message(Role.ASSISTANT, blocks, metadata);
  }

  /** The redacted thinking as blocks, or an empty list if the attribute does not fit them. */
  private static List<String> redactedThinking(int i, AiMessage a, Object value) {
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof String s)) {
        return List.of();
      }
      out.add(checkedString(i, a, "attribute " + REDACTED_THINKING_ATTRIBUTE, s));
    }
    return out;
  }

  private static Message toolResult(
      int i, ToolExecutionResultMessage t, ToolNames toolNames, AttributeCodecs codecs) {
    Map<String, JsonValue> metadata = new LinkedHashMap<>();
    String toolUseId = storedToolId(i, t, t.id());
    String derived = toolNames.nameFor(toolUseId);
    if (!Objects.equals(derived, t.toolName())) {
      // Stored only where the rule would not read it back (its request was removed from the
      // list, or another request with the same id came between).
      metadata.put(
          TOOL_NAME_KEY,
          t.toolName() == null ? JsonValue.NULL : JsonValue.of(checkedString(i, t, "the tool name", t.toolName())));
    }
    putAttributes(i, t, t.attributes(), Set.of(), codecs, metadata);
    List<ToolResultItem> items = new ArrayList<>(t.contents().size());
    for (Content c : t.contents()) {
      if (c instanceof TextContent text) {
        items.add(ToolResultItem.text(text.text()));
      } else if (c instanceof ImageContent img) {
        items.add(new ToolResultItem.Image(imageSource(i, t, img)));
      } else {
        throw unmappable(i, t, contentName(c) + " has no counterpart in a stored tool result");
      }
    }
    // null and FALSE both mean "not an error" to LangChain4j; the session keeps a boolean.
    boolean isError = Boolean.TRUE.equals(t.isError());
    return new Message(Role.USER, List.of(new ContentBlock.ToolResult(toolUseId, items, isError)), metadata);
  }

  /** Stores each attribute not in {@code skip} as a metadata member (see the class documentation). */
  private static void putAttributes(
      int i,
      ChatMessage owner,
      Map<String, Object> attributes,
      Set<String> skip,
      AttributeCodecs codecs,
      Map<String, JsonValue> metadata) {
    for (Map.Entry<String, Object> e : attributes.entrySet()) {
      String name = e.getKey();
      if (name == null) {
        throw unmappable(i, owner, "an attribute without a name (null key) can't be stored");
      }
      if (skip.contains(name)) {
        continue;
      }
      checkedString(i, owner, "the name of attribute " + quote(name), name);
      String key = name.startsWith(METADATA_PREFIX) ? ESCAPED_ATTRIBUTE_PREFIX + name : name;
      try {
        metadata.put(key, codecs.encode(e.getValue(), 0));
      } catch (AttributeCodecs.AttributeException x) {
        throw unmappable(i, owner, x.describe("attribute " + quote(name)));
      }
    }
  }

  private static String checkedString(int i, ChatMessage owner, String what, String s) {
    if (!isWellFormedUtf16(s)) {
      throw unmappable(i, owner, what + " holds a lone surrogate, which can't be stored");
    }
    return s;
  }

  // A null tool call id (some providers send none) is stored as "", so a real "" can't be told
  // apart from it and is refused.
  private static String storedToolId(int i, ChatMessage owner, String id) {
    if (id == null) {
      return "";
    }
    if (id.isEmpty()) {
      throw unmappable(i, owner, "an empty tool call id can't be stored (\"\" stands for no id)");
    }
    return id;
  }

  private static JsonValue toolInput(int i, AiMessage owner, ToolExecutionRequest r) {
    String arguments = r.arguments();
    if (arguments == null) {
      return rawArguments(JsonValue.NULL);
    }
    if (!isWellFormedUtf16(arguments)) {
      throw unmappable(i, owner, "tool arguments with a lone surrogate can't be stored");
    }
    JsonValue value;
    try {
      value = CODEC.decodeValue(arguments.getBytes(StandardCharsets.UTF_8), "tool arguments");
    } catch (SessionStorageException notJson) {
      return rawArguments(JsonValue.of(arguments));
    }
    // A valid value that looks like our wrapper is wrapped itself, so reading can't mistake it;
    // a negative zero is kept verbatim because exact decimals have no sign for zero.
    return isRawWrapper(value) || hasNegativeZero(arguments)
        ? rawArguments(JsonValue.of(arguments))
        : value;
  }

  /** Whether valid JSON text holds a number token equal to zero with a minus sign. */
  static boolean hasNegativeZero(String json) {
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '-') {
        boolean nonZero = false;
        int j = i + 1;
        // The mantissa: digits, optionally a fraction; the exponent does not matter.
        while (j < json.length() && (Character.isDigit(json.charAt(j)) || json.charAt(j) == '.')) {
          nonZero |= json.charAt(j) >= '1' && json.charAt(j) <= '9';
          j++;
        }
        if (!nonZero) {
          return true;
        }
        i = j - 1;
      }
    }
    return false;
  }

  private static JsonValue rawArguments(JsonValue raw) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    members.put(RAW_ARGUMENTS_KEY, raw);
    return JsonValue.object(members);
  }

  private static boolean isRawWrapper(JsonValue value) {
    return value instanceof JsonValue.JsonObject o
        && o.members().size() == 1
        && o.members().containsKey(RAW_ARGUMENTS_KEY);
  }

  // ---------------------------------------------------------------- session → LangChain4j

  private static ChatMessage system(int i, Message m) {
    if (!m.metadata().isEmpty()) {
      throw unmappable(
          i, m, "LangChain4j's SystemMessage has no attributes; this one has metadata " + m.metadata().keySet());
    }
    if (m.content().size() == 1
        && m.content().get(0) instanceof ContentBlock.Text t
        && !t.text().isBlank()) {
      return SystemMessage.from(t.text());
    }
    throw unmappable(
        i, m, "LangChain4j's SystemMessage holds exactly one non-blank text; this one holds " + describe(m));
  }

  private static void userOrToolResults(
      int i, Message m, ToolNames toolNames, AttributeCodecs codecs, List<ChatMessage> out) {
    StoredMetadata meta = StoredMetadata.read(i, m, codecs);
    if (CUSTOM.equals(meta.type)) {
      if (!m.content().isEmpty() || meta.name != null || meta.toolName != null) {
        throw unmappable(i, m, "a stored CustomMessage has only attributes");
      }
      out.add(new CustomMessage(meta.attributes));
      return;
    }
    if (meta.type != null) {
      throw unmappable(i, m, "metadata " + MESSAGE_TYPE_KEY + " must be \"" + CUSTOM + "\"");
    }
    if (m.content().isEmpty()) {
      throw unmappable(i, m, "LangChain4j's UserMessage can't be empty");
    }
    boolean single = m.content().size() == 1 || m.content().stream().noneMatch(b -> b instanceof ContentBlock.ToolResult);
    if (!single && !m.metadata().isEmpty()) {
      throw unmappable(
          i, m, "it maps to several LangChain4j messages, so its metadata " + m.metadata().keySet()
              + " belongs to none of them");
    }
    boolean isToolResult = m.content().size() == 1 && m.content().get(0) instanceof ContentBlock.ToolResult;
    if (meta.name != null && isToolResult) {
      throw unmappable(i, m, "a tool result has no user name (" + NAME_KEY + ")");
    }
    if (meta.hasToolName && !isToolResult) {
      throw unmappable(i, m, "only a tool result has a tool name (" + TOOL_NAME_KEY + ")");
    }
    List<Content> run = new ArrayList<>();
    for (ContentBlock b : m.content()) {
      if (b instanceof ContentBlock.ToolResult r) {
        flushUser(run, out, null, Map.of());
        String name = meta.hasToolName ? meta.toolName : toolNames.nameFor(r.toolUseId());
        out.add(toolResultMessage(i, m, r, name, meta.attributes));
      } else {
        run.add(userContent(i, m, b));
      }
    }
    flushUser(run, out, meta.name, meta.attributes);
  }

  private static void flushUser(
      List<Content> run, List<ChatMessage> out, String name, Map<String, Object> attributes) {
    if (!run.isEmpty()) {
      out.add(UserMessage.builder().name(name).contents(List.copyOf(run)).attributes(attributes).build());
      run.clear();
    }
  }

  /** What a stored message's metadata says, read with the attribute codecs. */
  private static final class StoredMetadata {
    final Map<String, Object> attributes = new LinkedHashMap<>();
    String name;
    String toolName;
    boolean hasToolName;
    String type;

    static StoredMetadata read(int i, Message m, AttributeCodecs codecs) {
      StoredMetadata meta = new StoredMetadata();
      for (Map.Entry<String, JsonValue> e : m.metadata().entrySet()) {
        String key = e.getKey();
        JsonValue value = e.getValue();
        if (key.startsWith(ESCAPED_ATTRIBUTE_PREFIX)) {
          meta.attribute(i, m, key.substring(ESCAPED_ATTRIBUTE_PREFIX.length()), value, codecs);
        } else if (key.equals(NAME_KEY)) {
          meta.name = string(i, m, key, value, false);
        } else if (key.equals(TOOL_NAME_KEY)) {
          meta.toolName = string(i, m, key, value, true);
          meta.hasToolName = true;
        } else if (key.equals(MESSAGE_TYPE_KEY)) {
          meta.type = string(i, m, key, value, false);
        } else if (key.startsWith(METADATA_PREFIX)) {
          throw unmappable(i, m, "metadata " + quote(key) + " was not written by this adapter");
        } else {
          meta.attribute(i, m, key, value, codecs);
        }
      }
      return meta;
    }

    private void attribute(int i, Message m, String name, JsonValue value, AttributeCodecs codecs) {
      try {
        attributes.put(name, codecs.decode(value, 0));
      } catch (AttributeCodecs.AttributeException x) {
        throw unmappable(i, m, x.describe("attribute " + quote(name)));
      }
    }

    private static String string(int i, Message m, String key, JsonValue value, boolean nullable) {
      if (value instanceof JsonValue.JsonString s) {
        return s.value();
      }
      if (nullable && value instanceof JsonValue.JsonNull) {
        return null;
      }
      throw unmappable(i, m, "metadata " + quote(key) + " must be a string" + (nullable ? " or null" : ""));
    }
  }

  private static Content userContent(int i, Message m, ContentBlock b) {
    if (b instanceof ContentBlock.Text t) {
      return TextContent.from(t.text());
    }
    if (b instanceof ContentBlock.Image img) {
      return imageContent(i, m, img.source());
    }
    if (b instanceof ContentBlock.Document d) {
      if (d.source() instanceof DocumentSource.Url u) {
        return new PdfFileContent(PdfFile.builder().url(uri(i, m, u.url())).build());
      }
      if (d.source() instanceof DocumentSource.Base64Pdf pdf) {
        return new PdfFileContent(PdfFile.builder().base64Data(pdf.data()).build());
      }
      throw unmappable(i, m, "a plain-text Document block has no counterpart in LangChain4j");
    }
    throw unmappable(i, m, "a " + blockName(b) + " block has no counterpart in a LangChain4j UserMessage");
  }

  private static ImageContent imageContent(int i, Message m, ImageSource source) {
    Image image;
    if (source instanceof ImageSource.Url u) {
      image = Image.builder().url(uri(i, m, u.url())).build();
    } else {
      ImageSource.Base64 b = (ImageSource.Base64) source;
      image = Image.builder().base64Data(b.data()).mimeType(b.mediaType()).build();
    }
    return ImageContent.from(image, ImageContent.DetailLevel.LOW);
  }

  private static URI uri(int i, Message m, String url) {
    try {
      return new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw unmappable(i, m, "the URL " + quote(url) + " is not a URI LangChain4j accepts", e);
    }
  }

  private static ToolExecutionResultMessage toolResultMessage(
      int i, Message m, ContentBlock.ToolResult r, String toolName, Map<String, Object> attributes) {
    if (r.content().isEmpty()) {
      throw unmappable(i, m, "LangChain4j's ToolExecutionResultMessage can't be empty");
    }
    List<Content> contents = new ArrayList<>(r.content().size());
    for (ToolResultItem item : r.content()) {
      if (item instanceof ToolResultItem.Text t) {
        contents.add(TextContent.from(t.text()));
      } else {
        contents.add(imageContent(i, m, ((ToolResultItem.Image) item).source()));
      }
    }
    return ToolExecutionResultMessage.builder()
        .id(r.toolUseId().isEmpty() ? null : r.toolUseId())
        .toolName(toolName)
        .contents(contents)
        .isError(r.isError())
        .attributes(attributes)
        .build();
  }

  private static AiMessage aiMessage(int i, Message m, AttributeCodecs codecs) {
    StoredMetadata meta = StoredMetadata.read(i, m, codecs);
    if (meta.name != null || meta.hasToolName || meta.type != null) {
      throw unmappable(i, m, "an AiMessage has no user name, tool name or message type in its metadata");
    }
    // Only the order this class writes is read: Thinking?, RedactedThinking*, Text?, ToolUse*.
    // Any other shape would come back in another order or merged, so it is refused.
    List<ContentBlock> blocks = m.content();
    int k = 0;
    String thinking = null;
    String signature = "";
    if (k < blocks.size() && blocks.get(k) instanceof ContentBlock.Thinking t) {
      thinking = t.thinking();
      signature = t.signature();
      k++;
    }
    List<String> redacted = new ArrayList<>();
    while (k < blocks.size() && blocks.get(k) instanceof ContentBlock.RedactedThinking r) {
      redacted.add(r.data());
      k++;
    }
    String text = null;
    if (k < blocks.size() && blocks.get(k) instanceof ContentBlock.Text t) {
      text = t.text();
      k++;
    }
    List<ToolExecutionRequest> requests = new ArrayList<>();
    while (k < blocks.size() && blocks.get(k) instanceof ContentBlock.ToolUse u) {
      requests.add(
          ToolExecutionRequest.builder()
              .id(u.id().isEmpty() ? null : u.id())
              .name(u.name())
              .arguments(arguments(i, m, u.input()))
              .build());
      k++;
    }
    if (k < blocks.size()) {
      throw unmappable(
          i,
          m,
          "LangChain4j's AiMessage holds at most one thinking, redacted thinking, at most one text"
              + " and tool requests, in that order; this one holds "
              + describe(m));
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    if (!signature.isEmpty()) {
      attributes.put(THINKING_SIGNATURE_ATTRIBUTE, signature);
    }
    if (!redacted.isEmpty()) {
      attributes.put(REDACTED_THINKING_ATTRIBUTE, List.copyOf(redacted));
    }
    for (Map.Entry<String, Object> e : meta.attributes.entrySet()) {
      if (attributes.containsKey(e.getKey())) {
        throw unmappable(
            i, m, "attribute " + quote(e.getKey()) + " is both in its blocks and in its metadata");
      }
      attributes.put(e.getKey(), e.getValue());
    }
    return AiMessage.builder()
        .text(text)
        .thinking(thinking)
        .toolExecutionRequests(requests)
        .attributes(attributes)
        .build();
  }

  private static String arguments(int i, Message m, JsonValue input) {
    if (isRawWrapper(input)) {
      JsonValue raw = ((JsonValue.JsonObject) input).members().get(RAW_ARGUMENTS_KEY);
      if (raw instanceof JsonValue.JsonString s) {
        return s.value();
      }
      if (raw instanceof JsonValue.JsonNull) {
        return null;
      }
      throw unmappable(i, m, "member " + RAW_ARGUMENTS_KEY + " of a tool input must be a string or null");
    }
    return new String(CODEC.encodeValue(input), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- shared

  /**
   * The tool name rule: a tool result's name is that of the last tool request with the same id
   * before it. Applied the same way when writing (to check) and reading (to restore).
   */
  static final class ToolNames {
    private final Map<String, String> lastNameById = new HashMap<>();

    /** Returns an independent copy. */
    ToolNames copy() {
      ToolNames c = new ToolNames();
      c.lastNameById.putAll(lastNameById);
      return c;
    }

    /** Learns the requests of every message of {@code messages}, in order. */
    void learnAll(List<Message> messages) {
      for (Message m : messages) {
        learn(m);
      }
    }

    void learn(Message m) {
      if (m.role() == Role.ASSISTANT) {
        for (ContentBlock b : m.content()) {
          if (b instanceof ContentBlock.ToolUse u) {
            lastNameById.put(u.id(), u.name());
          }
        }
      }
    }

    String nameFor(String toolUseId) {
      return lastNameById.get(toolUseId);
    }
  }

  private static boolean isWellFormedUtf16(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static String contentName(Content c) {
    return c == null ? "a null content" : "content of type " + c.getClass().getSimpleName();
  }

  private static String blockName(ContentBlock b) {
    return b.getClass().getSimpleName();
  }

  private static String describe(Message m) {
    List<String> names = new ArrayList<>(m.content().size());
    for (ContentBlock b : m.content()) {
      names.add(blockName(b));
    }
    return names.toString();
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    return '"' + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + '"';
  }

  private static UnmappableMessageException unmappable(int i, ChatMessage m, String why) {
    return new UnmappableMessageException(
        "message " + i + " (" + m.getClass().getSimpleName() + ") can't be stored in a session: " + why);
  }

  private static UnmappableMessageException unmappable(int i, Message m, String why) {
    return unmappable(i, m, why, null);
  }

  private static UnmappableMessageException unmappable(
      int i, Message m, String why, Throwable cause) {
    return new UnmappableMessageException(
        "stored message "
            + i
            + " ("
            + m.role().wireName()
            + ") can't be read as LangChain4j messages: "
            + why,
        cause);
  }
}
