package org.sessionkit.tck;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.sessionkit.ContentBlock;
import org.sessionkit.DocumentSource;
import org.sessionkit.ImageSource;
import org.sessionkit.IterationUsage;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.TokenUsage;
import org.sessionkit.ToolResultItem;

/** The sessions, values and ids the kit stores. Deterministic: every run stores the same data. */
final class Samples {

  /** A reference instant with every nanosecond digit used. */
  static final Instant T0 = Instant.parse("2026-02-24T15:04:05.123456789Z");

  /** u64::MAX, held in a {@code long} as the unsigned value the API documents. */
  static final long U64_MAX = -1L;

  /** Suffixes whose String.compareTo order differs from their code-point order. */
  static final List<String> TIE_SUFFIXES =
      List.of("a", "\u00e9", "\uE000", "\uFFFD", "\uFFFF", "\uD800\uDC00", "\uD83D\uDE00", "\uDBFF\uDFFF");

  /** The instant shared by the tie cluster of {@link #pagingSessions}. */
  static final Instant TIE_TIME = T0.plusSeconds(5);

  private Samples() {}

  /** A session with no messages and the initial state. */
  static Session empty(String id) {
    return new Session(id, List.of(), SessionState.initial("/work"), T0, T0);
  }

  /** A small session with {@code messages} text messages labelled {@code label#i}. */
  static Session small(String id, Instant updatedAt, int messages, String label) {
    List<Message> ms = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      ms.add(i % 2 == 0 ? Message.user(label + "#" + i) : Message.assistant(label + "#" + i));
    }
    return new Session(id, ms, SessionState.initial("/w/" + label), T0.minusSeconds(3600), updatedAt);
  }

  /** A session holding every content block variant, every source and every role. */
  static Session everyBlock(String id) {
    JsonValue input = new JsonValue.JsonObject(everyJsonValue());
    List<Message> ms =
        List.of(
            Message.system("You are a careful assistant."),
            Message.of(
                Role.USER,
                ContentBlock.text("Look at these:"),
                ContentBlock.text(""),
                new ContentBlock.Image(new ImageSource.Base64("image/png", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")),
                new ContentBlock.Image(new ImageSource.Url("https://example.com/a%20b.png?x=1&y=2")),
                new ContentBlock.Document(new DocumentSource.Base64Pdf("JVBERi0xLjQKJcfsj6IKNSAwIG9iago=")),
                new ContentBlock.Document(new DocumentSource.PlainText("plain\ntext\twith \"quotes\" and ünïcödé 😀")),
                new ContentBlock.Document(new DocumentSource.Url("file:///tmp/report.pdf"))),
            Message.of(
                Role.ASSISTANT,
                new ContentBlock.Thinking("Let me think… step 1\nstep 2", "sig-EqQBCkYIBRgCKkD"),
                new ContentBlock.RedactedThinking("EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw"),
                ContentBlock.text("I'll read the file."),
                new ContentBlock.ToolUse("toolu_01", "read_file", input),
                new ContentBlock.ToolUse("toolu_02", "no_input", JsonValue.emptyObject()),
                new ContentBlock.ToolUse("toolu_03", "scalar_input", JsonValue.of(3)),
                new ContentBlock.ToolUse("toolu_04", "null_input", JsonValue.NULL),
                new ContentBlock.ToolUse("toolu_05", "array_input",
                    new JsonValue.JsonArray(List.of(JsonValue.of(1), new JsonValue.JsonDecimal(new BigDecimal("1.0")))))),
            Message.of(
                Role.USER,
                new ContentBlock.ToolResult(
                    "toolu_01",
                    List.of(
                        ToolResultItem.text("[package]\nname = \"x\""),
                        new ToolResultItem.Image(new ImageSource.Base64("image/jpeg", "/9j/4AAQSkZJRg==")),
                        new ToolResultItem.Image(new ImageSource.Url("https://example.com/r.gif"))),
                    false),
                new ContentBlock.ToolResult("toolu_02", List.of(), true),
                ContentBlock.ToolResult.ofError("toolu_03", "permission denied"),
                ContentBlock.ToolResult.ofText("toolu_04", "")),
            Message.of(Role.ASSISTANT, new ContentBlock.Compaction("Summary of the earlier turns.")),
            new Message(Role.ASSISTANT, List.of()),
            Message.of(Role.SYSTEM, new ContentBlock.Compaction("")));
    TokenUsage usage =
        new TokenUsage(
            3412,
            587,
            OptionalLong.of(1024),
            OptionalLong.empty(),
            OptionalLong.of(132),
            Optional.of(
                List.of(
                    new IterationUsage(1000, 200, OptionalLong.of(10), OptionalLong.of(0)),
                    IterationUsage.of(2412, 387))));
    SessionState state =
        new SessionState("/home/alice/project", usage, 17, Map.of("mode", new JsonValue.JsonString("plan")));
    return new Session(id, ms, state, T0, T0.plusSeconds(90).plusNanos(876_543_211));
  }

  /** One {@code custom} member of every JSON type and of the values that are easy to get wrong. */
  static Map<String, JsonValue> everyJsonValue() {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("null", JsonValue.NULL);
    m.put("true", JsonValue.TRUE);
    m.put("false", JsonValue.FALSE);
    m.put("integer 3", JsonValue.of(3));
    m.put("decimal 3.0", new JsonValue.JsonDecimal(new BigDecimal("3.0")));
    m.put("decimal 3.00", new JsonValue.JsonDecimal(new BigDecimal("3.00")));
    m.put("zero", JsonValue.of(0));
    m.put("decimal 0.0", new JsonValue.JsonDecimal(new BigDecimal("0.0")));
    m.put("negative", JsonValue.of(-42));
    m.put("small decimal", new JsonValue.JsonDecimal(new BigDecimal("-0.000125")));
    m.put("double 0.1", JsonValue.of(0.1));
    m.put("long max", JsonValue.of(Long.MAX_VALUE));
    m.put("long min", JsonValue.of(Long.MIN_VALUE));
    m.put("u64 max", JsonValue.of(new BigInteger("18446744073709551615")));
    m.put("u64 max + 1", JsonValue.of(new BigInteger("18446744073709551616")));
    BigInteger hundredDigits = new BigInteger("1234567890".repeat(10));
    m.put("100-digit integer", JsonValue.of(hundredDigits));
    m.put("negative 100-digit integer", JsonValue.of(hundredDigits.negate()));
    m.put("long decimal", new JsonValue.JsonDecimal(new BigDecimal("3.14159265358979323846264338327950288419716939937510")));
    m.put("exponent", new JsonValue.JsonDecimal(new BigDecimal("6.02214076E+23")));
    m.put("tiny exponent", new JsonValue.JsonDecimal(new BigDecimal("1E-300")));
    m.put("empty string", new JsonValue.JsonString(""));
    m.put("escapes", new JsonValue.JsonString("quote \" backslash \\ slash / "));
    m.put("control characters", new JsonValue.JsonString("\u0000\u0001\b\f\n\r\t\u001f\u007f\u0085"));
    m.put("unicode", new JsonValue.JsonString("é ü ß 日本語 😀 \u2028\u2029 \uFEFF \uE000 \uFFFD \uFFFF \uDBFF\uDFFF"));
    m.put("nfc", new JsonValue.JsonString("caf\u00e9"));
    m.put("nfd", new JsonValue.JsonString("cafe\u0301"));
    m.put("numeric string", new JsonValue.JsonString("3.0"));
    m.put("empty array", new JsonValue.JsonArray(List.of()));
    m.put("empty object", JsonValue.emptyObject());
    m.put(
        "mixed array",
        new JsonValue.JsonArray(
            List.of(
                JsonValue.of(1),
                new JsonValue.JsonDecimal(new BigDecimal("1.0")),
                new JsonValue.JsonString("1"),
                JsonValue.NULL,
                JsonValue.TRUE,
                new JsonValue.JsonArray(List.of()),
                JsonValue.emptyObject(),
                new JsonValue.JsonArray(List.of(JsonValue.NULL)))));
    Map<String, JsonValue> keys = new LinkedHashMap<>();
    keys.put("", JsonValue.of(1));
    keys.put("é", JsonValue.of(2));
    keys.put("😀", JsonValue.of(3));
    keys.put("with space", JsonValue.of(4));
    keys.put("ctl\u0001key", JsonValue.of(5));
    keys.put("null", JsonValue.NULL);
    keys.put("Null", new JsonValue.JsonString("null"));
    m.put("tricky keys", new JsonValue.JsonObject(keys));
    m.put(
        "nested",
        new JsonValue.JsonObject(
            Map.of(
                "a",
                new JsonValue.JsonObject(
                    Map.of(
                        "b",
                        new JsonValue.JsonArray(
                            List.of(
                                new JsonValue.JsonObject(Map.of("c", JsonValue.NULL)),
                                new JsonValue.JsonObject(Map.of("d", new JsonValue.JsonDecimal(new BigDecimal("2.50")))))))))));
    m.put("deep", nested(40, JsonValue.of(7)));
    m.put("", new JsonValue.JsonString("empty key"));
    return m;
  }

  /**
   * A session whose messages carry metadata of every kind: every JSON value (3 vs 3.0, big
   * integers, null, nesting, tricky keys) on one message, a provider's fields on others, messages
   * equal but for their metadata, and messages without any.
   */
  static Session withMetadata(String id) {
    List<Message> base = everyBlock(id).messages();
    List<Message> ms = new ArrayList<>();
    ms.add(base.get(0).withMetadata(everyJsonValue()));
    ms.add(base.get(1));
    ms.add(base.get(2).withMetadata(Map.of(
        "thoughtSignature", new JsonValue.JsonString("CsYBAdHtim9" + "x".repeat(300)),
        "providerMessageId", new JsonValue.JsonString("msg_01XFDUDYJgAACzvnptvVoYEL"),
        "finishReason", new JsonValue.JsonString("tool_use"),
        "index", JsonValue.of(2))));
    ms.add(base.get(3).withMetadata("toolCallIds", new JsonValue.JsonArray(List.of(
        new JsonValue.JsonString("toolu_01"), JsonValue.NULL, new JsonValue.JsonDecimal(new BigDecimal("1.50"))))));
    ms.add(Message.user("same text").withMetadata("turn", JsonValue.of(1)));
    ms.add(Message.user("same text").withMetadata("turn", new JsonValue.JsonDecimal(new BigDecimal("1.0"))));
    ms.add(Message.user("same text").withMetadata("turn", JsonValue.NULL));
    ms.add(Message.user("same text"));
    ms.add(Message.assistant("deep").withMetadata(Map.of("deep", nested(40, JsonValue.of(new BigInteger("1".repeat(60)))),
        "", new JsonValue.JsonString("empty key"), "ctl\u0001key", new JsonValue.JsonString("\u0000\uFFFF"))));
    return new Session(id, ms, everyBlock(id).state(), T0, T0.plusSeconds(7));
  }

  /** {@code leaf} wrapped in {@code depth} levels of alternating arrays and objects. */
  static JsonValue nested(int depth, JsonValue leaf) {
    JsonValue v = leaf;
    for (int i = 0; i < depth; i++) {
      v = i % 2 == 0 ? new JsonValue.JsonArray(List.of(v)) : new JsonValue.JsonObject(Map.of("k", v));
    }
    return v;
  }

  /** A session of {@code messages} messages of mixed blocks plus one inline image of {@code bigChars}. */
  static Session large(String id, int messages, int bigChars) {
    List<Message> ms = new ArrayList<>(messages + 1);
    StringBuilder big = new StringBuilder(bigChars);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < bigChars; i++) {
      big.append(alphabet.charAt((i * 31 + i / 64) % 64));
    }
    ms.add(Message.of(Role.USER, ContentBlock.text("see the image"),
        new ContentBlock.Image(new ImageSource.Base64("image/png", big.toString()))));
    for (int i = 1; i < messages; i++) {
      switch (i % 4) {
        case 0:
          ms.add(Message.user("turn " + i + ": " + "lorem ipsum dolor sit amet ".repeat(1 + i % 7)));
          break;
        case 1:
          ms.add(Message.of(Role.ASSISTANT,
              new ContentBlock.Thinking("thinking about turn " + i, "sig" + i),
              new ContentBlock.ToolUse("toolu_" + i, "grep",
                  new JsonValue.JsonObject(Map.of("pattern", new JsonValue.JsonString("x" + i), "n", JsonValue.of(i))))));
          break;
        case 2:
          ms.add(Message.of(Role.USER, ContentBlock.ToolResult.ofText("toolu_" + (i - 1), "match " + i + " 😀")));
          break;
        default:
          ms.add(Message.assistant("answer " + i + " ünïcödé"));
          break;
      }
    }
    SessionState state = new SessionState("/big", TokenUsage.of(123_456_789L, 987_654L), messages,
        Map.of("size", JsonValue.of(messages)));
    return new Session(id, ms, state, T0, T0.plusSeconds(1));
  }

  /** Valid ids that stores get wrong: separators, dots, escapes, case, normal forms, long ones. */
  static List<String> trickyIds() {
    List<String> ids = new ArrayList<>(List.of(
        "a/b", "a\\b", "a:b", "a%2Fb", "a%2fb", "a_b", "..x", "x..", "...", ".hidden", "%2e%2e",
        "%2E%2E%2Fescape", "%", "%00", "a b", " lead", "trail ", "  ", "emoji 😀", "日本語/セッション",
        "caf\u00e9", "cafe\u0301", "A", "a", "ß", "ss", "SS", "CON", "nul", "aux.json", "x.json",
        "x.json.tmp", "x.tmp", ".x.json.lock", "-", "_", "~", "*?<>|\"", "../escape", "../../etc/passwd",
        "/absolute", "C:\\windows\\system32", "a\u2028b", "\uFEFFbom", "\u00a0nbsp", "\u200b",
        "\uE000", "\uFFFD", "\uFFFF", "\uD800\uDC00", "\uDBFF\uDFFF", "İ", "i\u0307", "null",
        "\\u0000", "a\u0300\u0301\u0302", "user-42/chat-1", "x".repeat(256), "😀".repeat(256),
        "é".repeat(256), "x".repeat(255) + "😀", "/".repeat(256), ".".repeat(256)));
    return ids;
  }

  /** Ids every store must refuse, with why. */
  static Map<String, String> invalidIds() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("", "empty");
    m.put(".", "dot");
    m.put("..", "dot dot");
    m.put("x".repeat(257), "257 code points");
    m.put("😀".repeat(257), "257 supplementary code points");
    m.put("é".repeat(200) + "😀".repeat(57), "257 mixed code points");
    m.put("\u0000", "NUL");
    m.put("a\u0000b", "embedded NUL");
    m.put("a\nb", "newline");
    m.put("\t", "tab");
    m.put("a\r", "carriage return");
    m.put("\u001f", "U+001F");
    m.put("\u007f", "DEL");
    m.put("\u0085", "NEL (C1 control)");
    m.put("\u009f", "U+009F (C1 control)");
    m.put("\uD800", "lone high surrogate");
    m.put("\uDC00", "lone low surrogate");
    m.put("a\uD83D", "high surrogate at the end");
    m.put("\uDE00\uD83D", "surrogates in the wrong order");
    m.put("\uD83Dx", "high surrogate before a letter");
    return m;
  }

  /**
   * {@code n} small sessions for the paging checks: a cluster of ids sharing one {@code
   * updatedAt} whose code-point order differs from {@code String.compareTo} order, a family of
   * ids that are prefixes of each other ({@code p}, {@code p/1}, {@code p/10}…), and namespaced
   * ids ({@code user-1/…}, {@code user-10/…}) spread over 22 instants a nanosecond or a second
   * apart, so that ties fall on page boundaries.
   */
  static List<Session> pagingSessions(int n) {
    List<Session> out = new ArrayList<>(n);
    for (String s : TIE_SUFFIXES) {
      for (int k = 1; k <= 2; k++) {
        out.add(small("tie/" + s + "/" + k, TIE_TIME, k, "tie"));
      }
    }
    for (String p : List.of("p", "p/1", "p/10", "p/2", "pq", "p\uD83D\uDE00", "p\uE000")) {
      out.add(small(p, TIE_TIME, 1, "p"));
    }
    int i = 0;
    while (out.size() < n) {
      String id;
      switch (i % 5) {
        case 0:
          id = "user-" + (i % 13) + "/chat-" + i;
          break;
        case 1:
          id = "user-1/x" + i;
          break;
        case 2:
          id = "t\uD83D\uDE00/" + i;
          break;
        case 3:
          id = "t\uE000/" + i;
          break;
        default:
          id = "s/" + TIE_SUFFIXES.get(i % TIE_SUFFIXES.size()) + i;
          break;
      }
      out.add(small(id, T0.plusSeconds(i % 11).plusNanos((i / 11) % 2), i % 4, "g" + i));
      i++;
    }
    return out;
  }

  /** Returns the text of the first text block of {@code m}, or an empty string. */
  static String label(Message m) {
    for (ContentBlock b : m.content()) {
      if (b instanceof ContentBlock.Text t) {
        return t.text();
      }
    }
    return "";
  }

  /** Shows a string with everything that is not printable ASCII escaped, for messages. */
  static String show(String s) {
    StringBuilder b = new StringBuilder("\"");
    int shown = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (++shown > 120) {
        b.append("…(").append(s.length()).append(" chars)");
        break;
      }
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        b.append(c);
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.append('"').toString();
  }
}
