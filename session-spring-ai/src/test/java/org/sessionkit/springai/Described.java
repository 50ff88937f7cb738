package org.sessionkit.springai;

import java.util.Arrays;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.content.Media;
import org.springframework.ai.content.MediaContent;

/**
 * Everything a Spring AI message holds except its metadata, as a comparable value: Spring AI's
 * {@code Media} has no {@code equals}, so messages with media can't be compared directly.
 */
record Described(
    String type,
    String text,
    List<AssistantMessage.ToolCall> toolCalls,
    List<ToolResponseMessage.ToolResponse> responses,
    List<String> media,
    String javaClass) {

  static Described of(Message m) {
    List<String> media =
        m instanceof MediaContent mc ? mc.getMedia().stream().map(Described::media).toList() : List.of();
    return new Described(
        m.getMessageType().name(),
        String.valueOf(m.getText()) + (m.getText() == null ? "<null>" : ""),
        m instanceof AssistantMessage a ? a.getToolCalls() : List.of(),
        m instanceof ToolResponseMessage t ? t.getResponses() : List.of(),
        media,
        m.getClass().getName());
  }

  static List<Described> all(List<? extends Message> messages) {
    return messages.stream().map(Described::of).toList();
  }

  private static String media(Media m) {
    Object data = m.getData();
    String shown = data instanceof byte[] b ? "bytes" + Arrays.toString(b) : "url:" + data;
    return m.getMimeType() + "|" + m.getName() + "|" + m.getId() + "|" + shown;
  }
}
