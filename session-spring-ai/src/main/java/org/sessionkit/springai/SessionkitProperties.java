package org.sessionkit.springai;

import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code sessionkit.*} configuration properties of the Spring Boot auto-configuration
 * ({@link SessionkitChatMemoryAutoConfiguration}):
 *
 * <pre>
 * sessionkit.store=file:/var/lib/agent/sessions      # opens the SessionStorage bean
 * sessionkit.chat-memory.conversation-id-prefix=chat/ # optional, default empty
 * sessionkit.chat-memory.timeout=10s                   # optional, default 30s
 * </pre>
 *
 * A mutable bean for Spring's binder; not thread safe while it is being bound.
 */
@ConfigurationProperties(prefix = "sessionkit")
public class SessionkitProperties {

  private String store = "";
  private final ChatMemory chatMemory = new ChatMemory();

  /** Returns the store URI ({@code memory:}, {@code file:…}, …); empty if not set. */
  public String getStore() {
    return store;
  }

  /** Sets the store URI. */
  public void setStore(String store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Returns the settings of the chat memory repository. */
  public ChatMemory getChatMemory() {
    return chatMemory;
  }

  /** The {@code sessionkit.chat-memory.*} settings of {@link SessionChatMemoryRepository}. */
  public static class ChatMemory {
    private String conversationIdPrefix = "";
    private Duration timeout = SessionChatMemoryRepository.DEFAULT_TIMEOUT;

    /** Returns the prefix put before conversation ids to form session ids; empty by default. */
    public String getConversationIdPrefix() {
      return conversationIdPrefix;
    }

    /** Sets the prefix put before conversation ids to form session ids. */
    public void setConversationIdPrefix(String conversationIdPrefix) {
      this.conversationIdPrefix = Objects.requireNonNull(conversationIdPrefix, "conversationIdPrefix");
    }

    /** Returns how long one store call may take; 30 seconds by default. */
    public Duration getTimeout() {
      return timeout;
    }

    /** Sets how long one store call may take. */
    public void setTimeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
    }
  }
}
