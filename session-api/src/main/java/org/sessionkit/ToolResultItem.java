package org.sessionkit;

import java.util.Objects;

/** One item of a {@link ContentBlock.ToolResult}'s content: text or an image. */
public sealed interface ToolResultItem permits ToolResultItem.Text, ToolResultItem.Image {

  /** Returns a text item. */
  static Text text(String text) {
    return new Text(text);
  }

  /** A text item. */
  record Text(String text) implements ToolResultItem {
    /** Validates the field. */
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** An image item. */
  record Image(ImageSource source) implements ToolResultItem {
    /** Validates the field. */
    public Image {
      Objects.requireNonNull(source, "source");
    }
  }
}
