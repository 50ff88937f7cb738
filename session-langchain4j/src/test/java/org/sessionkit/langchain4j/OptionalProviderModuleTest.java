package org.sessionkit.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;

/**
 * {@code langchain4j-anthropic} is an optional dependency: without it on the class path the
 * mapping works (its codec is never loaded), and only a stored value with its tag fails, naming
 * the artifact. Run in a class loader that has this module, session-api and langchain4j-core with
 * their dependencies, and refuses every class of the Anthropic module.
 */
class OptionalProviderModuleTest {

  @Test
  void withoutTheAnthropicModuleAttributesStillMapAndItsTagIsAClearError() throws Exception {
    URL[] urls = {
      location(AttributeCodecs.class), location(Probe.class), location(Message.class),
      location(JsonFactory.class), location(AiMessage.class),
      // langchain4j-core's own dependencies
      location(org.slf4j.LoggerFactory.class), location(com.fasterxml.jackson.databind.ObjectMapper.class),
      location(com.fasterxml.jackson.annotation.JsonProperty.class)
    };
    try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("dev.langchain4j.model.anthropic.")) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }
    }) {
      Class<?> probe = Class.forName(Probe.class.getName(), true, loader);
      assertThat(probe.getClassLoader()).isSameAs(loader);
      @SuppressWarnings("unchecked")
      List<String> results = (List<String>) probe.getMethod("run").invoke(null);
      assertThat(results.get(0)).isEqualTo("anthropic absent");
      assertThat(results.get(1)).isEqualTo("round trip equal");
      assertThat(results.get(2))
          .contains("attribute \"server_tool_results\"")
          .contains("need dev.langchain4j:langchain4j-anthropic on the class path");
    }
  }

  private static URL location(Class<?> c) {
    return c.getProtectionDomain().getCodeSource().getLocation();
  }

  /** Runs inside the restricted class loader. */
  public static final class Probe {
    private Probe() {}

    /** Returns what happened, step by step. */
    public static List<String> run() {
      String absent;
      try {
        Class.forName("dev.langchain4j.model.anthropic.AnthropicServerToolResult");
        absent = "anthropic present";
      } catch (ClassNotFoundException expected) {
        absent = "anthropic absent";
      }
      List<ChatMessage> original =
          List.of(AiMessage.builder().text("x").attributes(Map.of("n", 1L, "bytes", "b", "m", Map.of("k", List.of(1, 2.5)))).build());
      String roundTrip =
          LangChain4jMessages.toChatMessages(LangChain4jMessages.toSessionMessages(original)).equals(original)
              ? "round trip equal"
              : "round trip differs";
      String tagError;
      try {
        LangChain4jMessages.toChatMessages(
            List.of(
                Message.assistant("y")
                    .withMetadata(
                        "server_tool_results",
                        JsonValue.array(
                            JsonValue.object(
                                Map.of(
                                    "$type", JsonValue.of("langchain4j.anthropic.server_tool_result"),
                                    "value", JsonValue.object(Map.of("content", JsonValue.NULL))))))));
        tagError = "no error";
      } catch (UnmappableMessageException e) {
        tagError = e.getMessage();
      }
      return List.of(absent, roundTrip, tagError);
    }
  }
}
