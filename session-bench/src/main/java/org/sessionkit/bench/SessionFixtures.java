package org.sessionkit.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.sessionkit.ContentBlock;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionState;
import org.sessionkit.TokenUsage;
import org.sessionkit.ToolResultItem;

/**
 * Builds the sessions the benchmarks store: deterministic, realistic agent conversations.
 *
 * <p>One endless conversation is generated message by message from fixed seeds, so the same
 * index always yields the same message on every machine and in every JVM, and the session of
 * {@code n} messages is a prefix of the session of {@code n + 1} (appending "turn n + 1" adds
 * exactly the message a full save would also contain). The conversation repeats a four-message
 * turn: a user's request (prose, sometimes with non-ASCII text), an assistant's reply with a
 * {@code tool_use} whose input is a nested JSON object, the user's {@code tool_result} of a few
 * KB (code search output, sometimes an error), and the assistant's answer, sometimes after a
 * thinking block. The state carries token usage, an event count and {@code custom} values.
 *
 * <p>Thread safe. Message lists are built once per size and shared: sessions are immutable, so
 * a population of thousands of sessions costs little memory beyond one list per size.
 */
public final class SessionFixtures {

  /** The instant every fixture session was created at. */
  public static final Instant CREATED_AT = Instant.parse("2026-01-01T08:00:00Z");

  /** Number of distinct id prefixes ({@code user-000/} … {@code user-099/}) in a population. */
  public static final int USERS = 100;

  private static final long SEED = 0x5E55_10C1_7L;

  private static final String[] WORDS = {
    "the", "session", "store", "agent", "file", "index", "list", "page", "cursor", "revision",
    "append", "message", "tool", "result", "error", "retry", "config", "build", "test", "module",
    "schema", "latency", "throughput", "lock", "rename", "directory", "document", "summary",
    "and", "of", "to", "in", "for", "with", "when", "then", "because", "so", "it", "we", "please",
    "check", "why", "does", "fail", "after", "before", "update", "concurrent", "writer", "reader",
    "café", "naïve", "déjà", "Grüße", "日本語", "проверка", "🙂", "size", "cost", "fast", "slow"
  };

  private static final String[] TOOLS = {"grep", "read_file", "list_dir", "run_tests", "edit_file"};

  private static final String[] PATHS = {
    "src/main/java/org/example/store/FileStore.java",
    "src/main/java/org/example/store/Index.java",
    "src/test/java/org/example/store/FileStoreTest.java",
    "docs/design/listing.md",
    "build/reports/tests/index.html"
  };

  private static final ConcurrentHashMap<Integer, List<Message>> PREFIXES = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<Integer, Integer> ENCODED_SIZES = new ConcurrentHashMap<>();

  private SessionFixtures() {}

  /**
   * Returns the first {@code count} messages of the conversation, as a shared immutable list.
   *
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public static List<Message> messages(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count < 0: " + count);
    }
    return PREFIXES.computeIfAbsent(
        count,
        n -> {
          List<Message> all = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            all.add(message(i));
          }
          return List.copyOf(all);
        });
  }

  /** Returns message number {@code index} (from 0) of the conversation; the same on every call. */
  public static Message message(int index) {
    SplittableRandom r = new SplittableRandom(SEED + 0x9E37_79B9_7F4A_7C15L * index);
    int turn = index / 4;
    switch (index % 4) {
      case 0:
        return Message.user(prose(r, 15, 70));
      case 1:
        return Message.of(
            Role.ASSISTANT,
            ContentBlock.text(prose(r, 10, 50)),
            new ContentBlock.ToolUse(toolUseId(turn), TOOLS[turn % TOOLS.length], toolInput(r, turn)));
      case 2:
        {
          String output = toolOutput(r, 1_500 + r.nextInt(4_500));
          boolean failed = r.nextInt(10) == 0;
          return Message.of(
              Role.USER,
              new ContentBlock.ToolResult(
                  toolUseId(turn), List.of(ToolResultItem.text(output)), failed));
        }
      default:
        if (r.nextInt(3) == 0) {
          return Message.of(
              Role.ASSISTANT,
              new ContentBlock.Thinking(prose(r, 40, 120), signature(r)),
              ContentBlock.text(prose(r, 20, 100)));
        }
        return Message.assistant(prose(r, 20, 100));
    }
  }

  /**
   * Returns a session of {@code messages} messages with the given id, created at {@link
   * #CREATED_AT} and updated one second per message later.
   */
  public static Session session(String id, int messages) {
    return new Session(id, messages(messages), state(messages), CREATED_AT, updatedAt(messages));
  }

  /** Returns the state of a session after {@code messages} messages (token usage grows with them). */
  public static SessionState state(int messages) {
    long turns = messages / 4 + 1;
    TokenUsage usage =
        new TokenUsage(
            1_200 * turns + 17L * messages,
            300 * turns,
            OptionalLong.of(900 * turns),
            OptionalLong.of(40 * turns),
            OptionalLong.empty(),
            Optional.empty());
    Map<String, JsonValue> custom = new LinkedHashMap<>();
    custom.put("agent", JsonValue.of("sessionkit-bench"));
    custom.put("model", JsonValue.of("claude-sonnet-4-5"));
    custom.put("temperature", JsonValue.of(0.7));
    custom.put("tags", JsonValue.array(JsonValue.of("bench"), JsonValue.of("fixture")));
    return new SessionState("/home/dev/project", usage, messages, custom);
  }

  /** Returns the {@code updatedAt} of a fixture session of {@code messages} messages. */
  public static Instant updatedAt(int messages) {
    return CREATED_AT.plusSeconds(messages).plusNanos(123_456_789L);
  }

  /**
   * Returns the id of session number {@code index} of a population: {@code
   * user-NNN/session-NNNNNN}, spread over {@link #USERS} users so that a prefix such as {@code
   * user-042/} selects one session in a hundred.
   */
  public static String populationId(int index) {
    return String.format("user-%03d/session-%06d", index % USERS, index);
  }

  /**
   * Returns session number {@code index} of a population of sessions of {@code messages}
   * messages: id {@link #populationId}, updated at distinct-but-paired instants (sessions {@code
   * 2k} and {@code 2k + 1} tie, so listings exercise the id tie-break).
   */
  public static Session populationSession(int index, int messages) {
    return new Session(
        populationId(index),
        messages(messages),
        state(messages),
        CREATED_AT,
        CREATED_AT.plusMillis(index / 2).plusNanos(index % 1000));
  }

  /** Returns the size in bytes of the plain encoded document of a fixture session. */
  public static int encodedSize(int messages) {
    return ENCODED_SIZES.computeIfAbsent(
        messages, n -> SessionCodec.defaults().encode(session("session-000000", n)).length);
  }

  private static String toolUseId(int turn) {
    return String.format("toolu_%08x", turn * 2_654_435_761L & 0xFFFF_FFFFL);
  }

  private static JsonValue toolInput(SplittableRandom r, int turn) {
    Map<String, JsonValue> options = new LinkedHashMap<>();
    options.put("recursive", JsonValue.of(r.nextBoolean()));
    options.put("max_results", JsonValue.of(10 + r.nextInt(90)));
    options.put("context_lines", JsonValue.of(r.nextInt(4)));
    options.put("glob", JsonValue.of(r.nextBoolean() ? "*.java" : "**/*.md"));
    Map<String, JsonValue> input = new LinkedHashMap<>();
    input.put("path", JsonValue.of(PATHS[turn % PATHS.length]));
    input.put("pattern", JsonValue.of(WORDS[r.nextInt(WORDS.length)] + "\\s+\\w+"));
    input.put("options", JsonValue.object(options));
    input.put("lines", JsonValue.array(JsonValue.of(r.nextInt(100)), JsonValue.of(100 + r.nextInt(400))));
    input.put("threshold", JsonValue.of(0.25 + r.nextInt(50) / 100.0));
    input.put("note", JsonValue.NULL);
    return JsonValue.object(input);
  }

  private static String toolOutput(SplittableRandom r, int approxChars) {
    StringBuilder b = new StringBuilder(approxChars + 120);
    while (b.length() < approxChars) {
      b.append(PATHS[r.nextInt(PATHS.length)])
          .append(':')
          .append(1 + r.nextInt(900))
          .append(":    ")
          .append(r.nextInt(4) == 0 ? "// " : "")
          .append(prose(r, 4, 14))
          .append(r.nextBoolean() ? ";" : " {")
          .append('\n');
    }
    return b.toString();
  }

  private static String prose(SplittableRandom r, int minWords, int maxWords) {
    int n = minWords + r.nextInt(maxWords - minWords + 1);
    StringBuilder b = new StringBuilder(n * 7);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(r.nextInt(12) == 0 ? ", " : " ");
      }
      b.append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.append('.').toString();
  }

  private static String signature(SplittableRandom r) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    StringBuilder b = new StringBuilder(88);
    for (int i = 0; i < 88; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
