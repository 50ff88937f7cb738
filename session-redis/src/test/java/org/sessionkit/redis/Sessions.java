package org.sessionkit.redis;

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

/** Sessions for the tests: plain ones, and one that exercises every exactness rule. */
final class Sessions {

  static final Instant T0 = Instant.parse("2026-02-24T15:04:05.123456789Z");

  private Sessions() {}

  /** A session with {@code n} short messages, created and updated at {@code at}. */
  static Session plain(String id, int n, Instant at) {
    List<Message> messages = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      messages.add(i % 2 == 0 ? Message.user("message " + i) : Message.assistant("answer " + i));
    }
    return new Session(id, messages, SessionState.initial("/work"), at, at);
  }

  /**
   * A session holding every kind of content block and JSON value: nanosecond timestamps, 3 and
   * 3.0, big integers and long decimals, control characters, emoji, a JSON null, empty and
   * absent optional counters.
   */
  static Session rich(String id) {
    Map<String, JsonValue> custom = new LinkedHashMap<>();
    custom.put("three", JsonValue.of(3));
    custom.put("threePointZero", new JsonValue.JsonDecimal(new BigDecimal("3.0")));
    custom.put("big", JsonValue.of(BigInteger.TWO.pow(200).negate()));
    custom.put("precise", new JsonValue.JsonDecimal(new BigDecimal("0.1000000000000000000000000000000001")));
    custom.put("exponent", new JsonValue.JsonDecimal(new BigDecimal("1E+400")));
    custom.put("null", JsonValue.NULL);
    custom.put("controls", JsonValue.of("\u0000\u0001\u001f\u007f\t\n\r\"\\ é 😀"));
    custom.put(
        "nested",
        JsonValue.array(JsonValue.emptyObject(), JsonValue.array(), JsonValue.TRUE, JsonValue.FALSE));
    TokenUsage usage =
        new TokenUsage(
            -1L, // unsigned 2^64-1
            42,
            OptionalLong.of(7),
            OptionalLong.empty(),
            OptionalLong.of(0),
            Optional.of(List.of(IterationUsage.of(1, 2))));
    SessionState state = new SessionState("/home/ünïcødé/😀 dir", usage, Long.MIN_VALUE, custom);
    JsonValue input =
        JsonValue.object(Map.of("path", JsonValue.of("Cargo.toml"), "n", JsonValue.of(1.5)));
    List<Message> messages =
        List.of(
            Message.system("you are \u0007 helpful"),
            Message.user("line1\nline2\u0000end 😀"),
            Message.of(
                Role.ASSISTANT,
                new ContentBlock.Thinking("hmm", "sig=="),
                new ContentBlock.RedactedThinking("opaque"),
                new ContentBlock.ToolUse("tu_1", "read", input),
                ContentBlock.text("")),
            Message.of(
                Role.USER,
                new ContentBlock.ToolResult(
                    "tu_1",
                    List.of(
                        ToolResultItem.text("[package]"),
                        new ToolResultItem.Image(new ImageSource.Base64("image/png", "iVBORw0KGgo="))),
                    false),
                ContentBlock.ToolResult.ofError("tu_2", "no such file"),
                new ContentBlock.Image(new ImageSource.Url("https://example.com/x.png")),
                new ContentBlock.Document(new DocumentSource.PlainText("plain")),
                new ContentBlock.Document(new DocumentSource.Base64Pdf("JVBERi0=")),
                new ContentBlock.Compaction("summary so far")));
    return new Session(id, messages, state, Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"));
  }
}
