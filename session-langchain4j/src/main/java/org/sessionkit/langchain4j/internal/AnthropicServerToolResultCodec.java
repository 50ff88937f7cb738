package org.sessionkit.langchain4j.internal;

import dev.langchain4j.model.anthropic.AnthropicServerToolResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sessionkit.JsonValue;
import org.sessionkit.langchain4j.AttributeCodec;
import org.sessionkit.langchain4j.AttributeCodecs;

/**
 * {@code AnthropicServerToolResult} of {@code langchain4j-anthropic} (kept as {@code
 * List<AnthropicServerToolResult>} under {@code server_tool_results}): an object with {@code
 * type} and {@code tool_use_id} (present only when set) and {@code content}, the raw content as
 * an attribute value (usually maps and lists from the API's JSON, so its numbers keep their
 * Java types). Loaded only when that module is on the class path.
 */
public final class AnthropicServerToolResultCodec implements AttributeCodec<AnthropicServerToolResult> {

  /** The stored tag. */
  public static final String TAG = "langchain4j.anthropic.server_tool_result";

  /** The class it serves. */
  public static final String CLASS_NAME = "dev.langchain4j.model.anthropic.AnthropicServerToolResult";

  @Override
  public String tag() {
    return TAG;
  }

  @Override
  public Class<AnthropicServerToolResult> type() {
    return AnthropicServerToolResult.class;
  }

  @Override
  public JsonValue encode(AnthropicServerToolResult result, AttributeCodecs codecs) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    if (result.type() != null) {
      members.put("type", JsonValue.of(result.type()));
    }
    if (result.toolUseId() != null) {
      members.put("tool_use_id", JsonValue.of(result.toolUseId()));
    }
    members.put("content", codecs.encode(result.content()));
    return JsonValue.object(members);
  }

  @Override
  public AnthropicServerToolResult decode(JsonValue json, AttributeCodecs codecs) {
    Map<String, JsonValue> m = Json.object(json, "a server tool result");
    JsonValue content = m.get("content");
    if (content == null) {
      throw new IllegalArgumentException("a server tool result without \"content\"");
    }
    return AnthropicServerToolResult.builder()
        .type(Json.optionalString(m, "type"))
        .toolUseId(Json.optionalString(m, "tool_use_id"))
        .content(codecs.decode(content))
        .build();
  }
}
