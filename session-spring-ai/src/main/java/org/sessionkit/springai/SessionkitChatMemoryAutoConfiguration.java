package org.sessionkit.springai;

import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration: with the property {@code sessionkit.store} set (a store URI
 * such as {@code file:/var/lib/agent/sessions}), opens that {@link SessionStorage} with {@link
 * SessionStorages#open(String)} (closed with the context) and provides a {@link
 * SessionChatMemoryRepository} over it as the application's {@link ChatMemoryRepository}.
 *
 * <p>Each bean backs off when the application defines its own: a {@code SessionStorage} bean of
 * the application is used instead of the property (the repository is then created over it even
 * without the property), and any {@code ChatMemoryRepository} bean of the application (JDBC,
 * Redis…) replaces the repository. It runs before Spring AI's own chat-memory
 * auto-configuration, whose in-memory repository then backs off, and whose {@code ChatMemory}
 * bean uses this repository.
 */
@AutoConfiguration(
    beforeName = "org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration")
@ConditionalOnClass({ChatMemoryRepository.class, SessionStorage.class})
@EnableConfigurationProperties(SessionkitProperties.class)
public class SessionkitChatMemoryAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public SessionkitChatMemoryAutoConfiguration() {}

  /**
   * Opens the store named by {@code sessionkit.store}.
   *
   * @throws org.sessionkit.StorageConfigurationException if no store module serves the URI or an
   *     option is wrong (the context fails to start, naming what is available)
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "sessionkit", name = "store")
  public SessionStorage sessionkitStorage(SessionkitProperties properties) {
    return SessionStorages.open(properties.getStore().trim());
  }

  /**
   * Creates the chat memory repository over the application's {@link SessionStorage}, storing
   * metadata with {@link MetadataCodecs#defaults()} and every {@link MetadataCodec} bean of the
   * application.
   */
  @Bean
  @ConditionalOnMissingBean(ChatMemoryRepository.class)
  @ConditionalOnBean(SessionStorage.class)
  public SessionChatMemoryRepository sessionkitChatMemoryRepository(
      SessionStorage storage, SessionkitProperties properties, ObjectProvider<MetadataCodec<?>> codecs) {
    return SessionChatMemoryRepository.builder(storage)
        .conversationIdPrefix(properties.getChatMemory().getConversationIdPrefix())
        .timeout(properties.getChatMemory().getTimeout())
        .metadataCodecs(MetadataCodecs.defaults().with(codecs.orderedStream().toList()))
        .build();
  }
}
