package org.sessionkit;

import java.util.List;
import java.util.Objects;

/**
 * One block of a {@link Message}'s content. Every variant of the neuron session format has a
 * record here; the set is closed (sealed) so that a {@code switch} over it is checked by the
 * compiler, and a store can never silently drop a variant it does not know.
 */
public sealed interface ContentBlock
    permits ContentBlock.Text,
        ContentBlock.Thinking,
        ContentBlock.RedactedThinking,
        ContentBlock.ToolUse,
        ContentBlock.ToolResult,
        ContentBlock.Image,
        ContentBlock.Document,
        ContentBlock.Compaction {

  /** Returns a text block. */
  static Text text(String text) {
    return new Text(text);
  }

  /** Plain text. */
  record Text(String text) implements ContentBlock {
    /** Validates the field. */
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** The model's visible reasoning, with the signature that lets it be sent back. */
  record Thinking(String thinking, String signature) implements ContentBlock {
    /** Validates the fields. */
    public Thinking {
      Objects.requireNonNull(thinking, "thinking");
      Objects.requireNonNull(signature, "signature");
    }
  }

  /** Reasoning the provider returned encrypted. */
  record RedactedThinking(String data) implements ContentBlock {
    /** Validates the field. */
    public RedactedThinking {
      Objects.requireNonNull(data, "data");
    }
  }

  /** A tool call requested by the model; {@code input} is any JSON value. */
  record ToolUse(String id, String name, JsonValue input) implements ContentBlock {
    /** Validates the fields. */
    public ToolUse {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(input, "input");
    }
  }

  /** The result of a tool call, answering the {@link ToolUse} with id {@code toolUseId}. */
  record ToolResult(String toolUseId, List<ToolResultItem> content, boolean isError)
      implements ContentBlock {
    /** Validates the fields and copies the content. */
    public ToolResult {
      Objects.requireNonNull(toolUseId, "toolUseId");
      content = List.copyOf(content);
    }

    /** Returns a successful result holding one text item. */
    public static ToolResult ofText(String toolUseId, String text) {
      return new ToolResult(toolUseId, List.of(new ToolResultItem.Text(text)), false);
    }

    /** Returns a failed result holding one text item (the error message). */
    public static ToolResult ofError(String toolUseId, String text) {
      return new ToolResult(toolUseId, List.of(new ToolResultItem.Text(text)), true);
    }
  }

  /** An image. */
  record Image(ImageSource source) implements ContentBlock {
    /** Validates the field. */
    public Image {
      Objects.requireNonNull(source, "source");
    }
  }

  /** A document (PDF, plain text or URL). */
  record Document(DocumentSource source) implements ContentBlock {
    /** Validates the field. */
    public Document {
      Objects.requireNonNull(source, "source");
    }
  }

  /** A summary that replaced earlier turns of the conversation. */
  record Compaction(String content) implements ContentBlock {
    /** Validates the field. */
    public Compaction {
      Objects.requireNonNull(content, "content");
    }
  }
}
