package org.sessionkit.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
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
 *       block. Its tool name is not stored: it is, by rule, the name of the last tool request with
 *       the same id before it; a result whose tool name breaks that rule is refused.
 * </ul>
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
    Objects.requireNonNull(messages, "messages");
    List<Message> out = new ArrayList<>(messages.size());
    ToolNames toolNames = new ToolNames();
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      Objects.requireNonNull(m, () -> "messages[" + out.size() + "]");
      Message mapped;
      if (m instanceof SystemMessage s) {
        mapped = Message.system(s.text());
      } else if (m instanceof UserMessage u) {
        mapped = user(i, u);
      } else if (m instanceof AiMessage a) {
        mapped = assistant(i, a);
      } else if (m instanceof ToolExecutionResultMessage t) {
        mapped = toolResult(i, t, toolNames);
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
    Objects.requireNonNull(messages, "messages");
    List<ChatMessage> out = new ArrayList<>(messages.size());
    ToolNames toolNames = new ToolNames();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      switch (m.role()) {
        case SYSTEM -> out.add(system(i, m));
        case USER -> userOrToolResults(i, m, toolNames, out);
        case ASSISTANT -> out.add(aiMessage(i, m));
      }
      toolNames.learn(m);
    }
    return out;
  }

  // ---------------------------------------------------------------- LangChain4j → session

  private static Message user(int i, UserMessage u) {
    if (u.name() != null) {
      throw unmappable(
          i, u, "a user name (" + quote(u.name()) + ") has no place in a session; leave it unset");
    }
    if (!u.attributes().isEmpty()) {
      throw unmappable(i, u, "attributes " + u.attributes().keySet() + " have no place in a session");
    }
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
    return new Message(Role.USER, blocks);
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

  private static Message assistant(int i, AiMessage a) {
    String signature = null;
    List<String> redacted = List.of();
    for (Map.Entry<String, Object> e : a.attributes().entrySet()) {
      Object value = e.getValue();
      if (THINKING_SIGNATURE_ATTRIBUTE.equals(e.getKey())) {
        if (!(value instanceof String s) || s.isEmpty()) {
          throw unmappable(
              i, a, "attribute " + THINKING_SIGNATURE_ATTRIBUTE + " must be a non-empty string");
        }
        signature = s;
      } else if (REDACTED_THINKING_ATTRIBUTE.equals(e.getKey())) {
        redacted = redactedThinking(i, a, value);
      } else {
        throw unmappable(
            i,
            a,
            "attribute "
                + quote(e.getKey())
                + " has no place in a session (only "
                + THINKING_SIGNATURE_ATTRIBUTE
                + " and "
                + REDACTED_THINKING_ATTRIBUTE
                + " map)");
      }
    }
    List<ContentBlock> blocks = new ArrayList<>();
    if (a.thinking() != null) {
      // The session format requires a signature; an absent one is stored as "" (and a
      // signature attribute may not be "", so the two never meet).
      blocks.add(new ContentBlock.Thinking(a.thinking(), signature == null ? "" : signature));
    } else if (signature != null) {
      throw unmappable(i, a, "a thinking signature without thinking has no place in a session");
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
    return new Message(Role.ASSISTANT, blocks);
  }

  private static List<String> redactedThinking(int i, AiMessage a, Object value) {
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      throw unmappable(
          i, a, "attribute " + REDACTED_THINKING_ATTRIBUTE + " must be a non-empty list of strings");
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw unmappable(
            i, a, "attribute " + REDACTED_THINKING_ATTRIBUTE + " must hold only strings");
      }
      out.add(s);
    }
    return out;
  }

  private static Message toolResult(int i, ToolExecutionResultMessage t, ToolNames toolNames) {
    if (!t.attributes().isEmpty()) {
      throw unmappable(i, t, "attributes " + t.attributes().keySet() + " have no place in a session");
    }
    String toolUseId = storedToolId(i, t, t.id());
    String derived = toolNames.nameFor(toolUseId);
    if (!Objects.equals(derived, t.toolName())) {
      throw unmappable(
          i,
          t,
          "its tool name "
              + quote(t.toolName())
              + " is not stored in a session; it is read back as the name of the last tool"
              + " request with id "
              + quote(t.id())
              + " before it, which is "
              + (derived == null ? "absent" : quote(derived)));
    }
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
    return Message.of(Role.USER, new ContentBlock.ToolResult(toolUseId, items, isError));
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
    if (m.content().size() == 1
        && m.content().get(0) instanceof ContentBlock.Text t
        && !t.text().isBlank()) {
      return SystemMessage.from(t.text());
    }
    throw unmappable(
        i, m, "LangChain4j's SystemMessage holds exactly one non-blank text; this one holds " + describe(m));
  }

  private static void userOrToolResults(
      int i, Message m, ToolNames toolNames, List<ChatMessage> out) {
    if (m.content().isEmpty()) {
      throw unmappable(i, m, "LangChain4j's UserMessage can't be empty");
    }
    List<Content> run = new ArrayList<>();
    for (ContentBlock b : m.content()) {
      if (b instanceof ContentBlock.ToolResult r) {
        flushUser(run, out);
        out.add(toolResultMessage(i, m, r, toolNames));
      } else {
        run.add(userContent(i, m, b));
      }
    }
    flushUser(run, out);
  }

  private static void flushUser(List<Content> run, List<ChatMessage> out) {
    if (!run.isEmpty()) {
      out.add(UserMessage.from(List.copyOf(run)));
      run.clear();
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
      int i, Message m, ContentBlock.ToolResult r, ToolNames toolNames) {
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
        .toolName(toolNames.nameFor(r.toolUseId()))
        .contents(contents)
        .isError(r.isError())
        .build();
  }

  private static AiMessage aiMessage(int i, Message m) {
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
  private static final class ToolNames {
    private final Map<String, String> lastNameById = new HashMap<>();

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
