package org.sessionkit.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.sessionkit.ContentBlock;
import org.sessionkit.DocumentSource;
import org.sessionkit.Futures;
import org.sessionkit.ImageSource;
import org.sessionkit.IterationUsage;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.TokenUsage;
import org.sessionkit.ToolResultItem;

/** Sessions the tests store: deterministic, and together using every field of the format. */
final class Samples {

  /** A reference instant with every nanosecond digit used. */
  static final Instant T0 = Instant.parse("2026-02-24T15:04:05.123456789Z");

  private Samples() {}

  /** A session with every content block, role and optional field, and values that are easy to lose. */
  static Session rich(String id) {
    Map<String, JsonValue> input = new LinkedHashMap<>();
    input.put("path", JsonValue.of("Cargo.toml"));
    input.put("three", JsonValue.of(3));
    input.put("three_point_zero", new JsonValue.JsonDecimal(new BigDecimal("3.0")));
    input.put("big", JsonValue.of(new BigInteger("123456789012345678901234567890")));
    input.put("nothing", JsonValue.NULL);
    input.put("list", JsonValue.array(JsonValue.TRUE, JsonValue.of("ünï 😀"), JsonValue.emptyObject()));
    Map<String, JsonValue> custom = new LinkedHashMap<>();
    custom.put("ticket", JsonValue.of("OPS-17"));
    custom.put("ratio", new JsonValue.JsonDecimal(new BigDecimal("0.70")));
    custom.put("null", JsonValue.NULL);
    List<Message> messages = List.of(
        Message.system("You are a careful coding assistant."),
        Message.of(Role.USER,
            ContentBlock.text("What's in Cargo.toml?\nAnd the README?"),
            new ContentBlock.Image(new ImageSource.Base64("image/png", "iVBORw0KGgo=")),
            new ContentBlock.Image(new ImageSource.Url("https://example.com/a.png")),
            new ContentBlock.Document(new DocumentSource.Base64Pdf("JVBERi0xLjQK")),
            new ContentBlock.Document(new DocumentSource.PlainText("plain text\twith tab")),
            new ContentBlock.Document(new DocumentSource.Url("file:///tmp/r.pdf"))),
        Message.of(Role.ASSISTANT,
            new ContentBlock.Thinking("I should read the file rather than guess. ".repeat(10), "sig-1"),
            new ContentBlock.RedactedThinking("EmwKAhgBEgy3va3p"),
            ContentBlock.text("Let me read it."),
            new ContentBlock.ToolUse("toolu_01", "read_file", new JsonValue.JsonObject(input))),
        Message.of(Role.USER,
            new ContentBlock.ToolResult("toolu_01",
                List.of(ToolResultItem.text("[package]\nname = \"demo\"\n" + "x".repeat(400)),
                    new ToolResultItem.Image(new ImageSource.Url("https://example.com/shot.png"))),
                false),
            ContentBlock.ToolResult.ofError("toolu_02", "no such file: README")),
        Message.of(Role.ASSISTANT, new ContentBlock.Compaction("Earlier: the user asked about the crate.")),
        Message.of(Role.ASSISTANT));
    TokenUsage usage = new TokenUsage(3412, 587, OptionalLong.of(1024), OptionalLong.empty(),
        OptionalLong.of(132),
        Optional.of(List.of(new IterationUsage(3000, 500, OptionalLong.of(1024), OptionalLong.empty()),
            new IterationUsage(412, 87, OptionalLong.empty(), OptionalLong.of(7)))));
    SessionState state = new SessionState("/home/alice//demo", usage, -1L, custom);
    return new Session(id, messages, state, T0, T0.plusSeconds(156).plusNanos(1));
  }

  /** A small session: two text messages, updated {@code i} seconds after {@link #T0}. */
  static Session small(String id, int i) {
    return new Session(id,
        List.of(Message.user("question " + i), Message.assistant("answer " + i)),
        SessionState.initial("/w/" + i),
        T0.minusSeconds(3600),
        T0.plusSeconds(i));
  }

  /** Saves every session and waits. */
  static void saveAll(SessionStorage store, List<Session> sessions) {
    sessions.stream().map(store::save).toList().forEach(Futures::await);
  }

  /** Returns {@code n} small sessions {@code prefix0 … prefix(n-1)}. */
  static List<Session> smalls(String prefix, int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> small(prefix + i, i)).toList();
  }
}
