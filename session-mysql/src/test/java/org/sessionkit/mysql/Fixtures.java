package org.sessionkit.mysql;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.TokenUsage;

/** Sessions and helpers shared by this module's tests. */
final class Fixtures {

  private Fixtures() {}

  static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 60, SECONDS);
  }

  /** A session of {@code messages} short messages, updated at {@code updated}. */
  static Session session(String id, Instant updated, int messages) {
    List<Message> ms = IntStream.range(0, messages)
        .mapToObj(i -> i % 2 == 0 ? Message.user("question " + i) : Message.assistant("answer " + i))
        .collect(Collectors.toList());
    return new Session(id, ms, SessionState.initial("/work"), updated.minusSeconds(60), updated);
  }

  /** A session with every kind of value the format must keep exactly. */
  static Session rich(String id) {
    Map<String, JsonValue> input = new LinkedHashMap<>();
    input.put("int", JsonValue.of(3));
    input.put("decimal", new JsonValue.JsonDecimal(new BigDecimal("3.0")));
    input.put("exponent", new JsonValue.JsonDecimal(new BigDecimal("1.5E+300")));
    input.put("big", JsonValue.of(new BigInteger("123456789012345678901234567890")));
    input.put("negativeBig", JsonValue.of(new BigInteger("-98765432109876543210")));
    input.put("nul", JsonValue.of("a\u0000b"));
    input.put("controls", JsonValue.of("\u0001\u001f\u007f\t\n\"\\'"));
    input.put("null", JsonValue.NULL);
    input.put("emoji", JsonValue.of("😀 e\u0301 \uFFFD 𝄞"));
    input.put("nested", JsonValue.array(JsonValue.emptyObject(), JsonValue.array(), JsonValue.TRUE));
    Message tool = Message.of(Role.ASSISTANT,
        new ContentBlock.Thinking("hmm\u0000", "sig"),
        new ContentBlock.ToolUse("tu_1", "read", JsonValue.object(input)));
    Message result = Message.of(Role.USER,
        ContentBlock.ToolResult.ofText("tu_1", "line1\nline2\u0000"),
        new ContentBlock.Compaction("summary"));
    Message withMetadata = new Message(Role.ASSISTANT, List.of(new ContentBlock.Text("meta 🐬")),
        Map.of("model", JsonValue.of("x-1"), "tokens", JsonValue.of(12), "ratio", new JsonValue.JsonDecimal(new BigDecimal("0.50"))));
    TokenUsage usage = new TokenUsage(-1L, 42, OptionalLong.of(0), OptionalLong.empty(),
        OptionalLong.of(Long.MIN_VALUE), Optional.of(List.of()));
    SessionState state = new SessionState("C:\\work\\dir\u0000", usage, -2L, input);
    return new Session(id, List.of(Message.system("sys"), Message.user("hi\u0000"), tool, result, withMetadata),
        state, Instant.parse("2024-02-29T23:59:59.999999999Z"), Instant.parse("2024-03-01T00:00:00.000000001Z"));
  }
}
