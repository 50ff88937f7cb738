package org.sessionkit.langchain4j.internal;

import dev.langchain4j.data.image.Image;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sessionkit.JsonValue;
import org.sessionkit.langchain4j.AttributeCodec;
import org.sessionkit.langchain4j.AttributeCodecs;

/**
 * LangChain4j's {@code Image} as an attribute value (Gemini keeps generated images as {@code
 * List<Image>} under {@code generated_images}): an object with the members {@code url}, {@code
 * base64_data}, {@code mime_type}, {@code revised_prompt}, each present only when set.
 */
public final class ImageCodec implements AttributeCodec<Image> {

  /** The stored tag. */
  public static final String TAG = "langchain4j.image";

  /** The class it serves. */
  public static final String CLASS_NAME = "dev.langchain4j.data.image.Image";

  @Override
  public String tag() {
    return TAG;
  }

  @Override
  public Class<Image> type() {
    return Image.class;
  }

  @Override
  public JsonValue encode(Image image, AttributeCodecs codecs) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    if (image.url() != null) {
      members.put("url", JsonValue.of(image.url().toString()));
    }
    putIfSet(members, "base64_data", image.base64Data());
    putIfSet(members, "mime_type", image.mimeType());
    putIfSet(members, "revised_prompt", image.revisedPrompt());
    return JsonValue.object(members);
  }

  @Override
  public Image decode(JsonValue json, AttributeCodecs codecs) {
    Map<String, JsonValue> m = Json.object(json, "an image");
    Image.Builder b = Image.builder();
    String url = Json.optionalString(m, "url");
    if (url != null) {
      try {
        b.url(new URI(url));
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("an image URL that is not a URI: " + e.getMessage(), e);
      }
    }
    return b.base64Data(Json.optionalString(m, "base64_data"))
        .mimeType(Json.optionalString(m, "mime_type"))
        .revisedPrompt(Json.optionalString(m, "revised_prompt"))
        .build();
  }

  private static void putIfSet(Map<String, JsonValue> members, String name, String value) {
    if (value != null) {
      members.put(name, JsonValue.of(value));
    }
  }
}
