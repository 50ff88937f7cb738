package org.sessionkit.cli.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.sessionkit.ContentBlock;
import org.sessionkit.DocumentSource;
import org.sessionkit.ImageSource;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionState;
import org.sessionkit.spi.Timestamps;
import org.sessionkit.TokenUsage;
import org.sessionkit.ToolResultItem;

/**
 * Renders a session as a person reads it: a header with its times, working directory, token
 * usage and custom state, then each message with its role, its text in full, and the rest
 * (reasoning, tool calls and results, images, documents) on one shortened line each. Stateless.
 */
final class Conversation {

  /** How many characters of a tool call, tool result or reasoning are shown by default. */
  static final int SHORT = 160;

  private static final String INDENT = "    ";

  private Conversation() {}

  /**
   * Returns the lines of {@code session}.
   *
   * @param full show tool calls, results and reasoning whole (still one line each)
   */
  static List<String> render(Session session, boolean full) {
    int max = full ? 0 : SHORT;
    List<String> out = new ArrayList<>();
    SessionState st = session.state();
    out.add("session   " + Text.id(session.id()));
    out.add("created   " + Timestamps.format(session.createdAt()));
    out.add("updated   " + Timestamps.format(session.updatedAt()));
    out.add("cwd       " + Text.oneLine(st.cwd(), 0));
    out.add("messages  " + Text.count(session.messages().size()));
    out.add("tokens    " + tokens(st.tokenUsage()));
    out.add("events    " + Text.unsigned(st.eventCount()));
    if (!st.custom().isEmpty()) {
      out.add("custom    " + Text.oneLine(json(new JsonValue.JsonObject(st.custom())), full ? 0 : 400));
    }
    Map<String, String> toolNames = new HashMap<>();
    int n = 0;
    for (Message m : session.messages()) {
      n++;
      out.add("");
      out.add("[" + n + "] " + m.role().wireName());
      if (m.content().isEmpty()) {
        out.add(INDENT + "(no content)");
      }
      for (ContentBlock b : m.content()) {
        block(b, max, toolNames, out);
      }
    }
    return out;
  }

  private static void block(ContentBlock b, int max, Map<String, String> toolNames, List<String> out) {
    if (b instanceof ContentBlock.Text t) {
      if (t.text().isEmpty()) {
        out.add(INDENT + "(empty text)");
        return;
      }
      for (String line : Text.safe(t.text()).split("\r?\n", -1)) {
        out.add(INDENT + line);
      }
    } else if (b instanceof ContentBlock.Thinking t) {
      out.add(INDENT + "(thinking) " + Text.oneLine(t.thinking(), max));
    } else if (b instanceof ContentBlock.RedactedThinking r) {
      out.add(INDENT + "(redacted thinking, " + Text.bytes(r.data().length()) + ")");
    } else if (b instanceof ContentBlock.ToolUse u) {
      toolNames.put(u.id(), u.name());
      out.add(INDENT + "\u2192 tool call " + Text.oneLine(u.name(), 80) + " "
          + Text.oneLine(json(u.input()), max) + "  [" + Text.oneLine(u.id(), 80) + "]");
    } else if (b instanceof ContentBlock.ToolResult r) {
      String name = toolNames.get(r.toolUseId());
      StringBuilder items = new StringBuilder();
      for (ToolResultItem item : r.content()) {
        if (items.length() > 0) {
          items.append(" | ");
        }
        if (item instanceof ToolResultItem.Text t) {
          items.append(t.text());
        } else if (item instanceof ToolResultItem.Image i) {
          items.append(image(i.source()));
        }
      }
      out.add(INDENT + "\u2190 tool " + (r.isError() ? "error" : "result")
          + (name != null ? " of " + Text.oneLine(name, 80) : "")
          + " [" + Text.oneLine(r.toolUseId(), 80) + "]: "
          + (r.content().isEmpty() ? "(empty)" : Text.oneLine(items.toString(), max)));
    } else if (b instanceof ContentBlock.Image i) {
      out.add(INDENT + image(i.source()));
    } else if (b instanceof ContentBlock.Document d) {
      out.add(INDENT + document(d.source(), max));
    } else if (b instanceof ContentBlock.Compaction c) {
      out.add(INDENT + "(summary of earlier turns) " + Text.oneLine(c.content(), max));
    }
  }

  private static String image(ImageSource source) {
    if (source instanceof ImageSource.Base64 b) {
      return "[image " + Text.oneLine(b.mediaType(), 40) + ", " + Text.bytes(b.data().length() * 3L / 4) + "]";
    }
    return "[image " + Text.oneLine(((ImageSource.Url) source).url(), 200) + "]";
  }

  private static String document(DocumentSource source, int max) {
    if (source instanceof DocumentSource.Base64Pdf p) {
      return "[document: PDF, " + Text.bytes(p.data().length() * 3L / 4) + "]";
    }
    if (source instanceof DocumentSource.PlainText t) {
      return "[document: text] " + Text.oneLine(t.data(), max);
    }
    return "[document " + Text.oneLine(((DocumentSource.Url) source).url(), 200) + "]";
  }

  private static String tokens(TokenUsage u) {
    StringBuilder b = new StringBuilder()
        .append(Text.unsigned(u.inputTokens())).append(" input \u00b7 ")
        .append(Text.unsigned(u.outputTokens())).append(" output");
    optional(b, u.cacheReadTokens(), "cache read");
    optional(b, u.cacheCreationTokens(), "cache creation");
    optional(b, u.reasoningTokens(), "reasoning");
    u.iterations().ifPresent(its -> b.append(" (").append(Text.plural(its.size(), "iteration")).append(')'));
    return b.toString();
  }

  private static void optional(StringBuilder b, OptionalLong v, String what) {
    if (v.isPresent()) {
      b.append(" \u00b7 ").append(Text.unsigned(v.getAsLong())).append(' ').append(what);
    }
  }

  private static String json(JsonValue v) {
    return new String(SessionCodec.defaults().encodeValue(v), StandardCharsets.UTF_8);
  }
}
