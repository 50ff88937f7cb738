package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.memory.MemorySessionStorage;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class SessionkitChatMemoryAutoConfigurationTest {

  // Both auto-configurations, as an application with Spring AI's starter and ours has them; the
  // order given here is deliberately the wrong one, so that only @AutoConfiguration ordering can
  // make ours win.
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(ChatMemoryAutoConfiguration.class, SessionkitChatMemoryAutoConfiguration.class));

  @Test
  void withTheStorePropertyOurRepositoryReplacesSpringAisInMemoryOne() {
    runner
        .withPropertyValues("sessionkit.store=memory:")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(SessionStorage.class);
              assertThat(context).hasSingleBean(ChatMemoryRepository.class);
              assertThat(context.getBean(ChatMemoryRepository.class)).isInstanceOf(SessionChatMemoryRepository.class);
              assertThat(context).doesNotHaveBean(InMemoryChatMemoryRepository.class);
              SessionChatMemoryRepository repository = context.getBean(SessionChatMemoryRepository.class);
              assertThat(repository.storage()).isSameAs(context.getBean(SessionStorage.class));
              // Spring AI's ChatMemory bean writes through it.
              context.getBean(ChatMemory.class).add("c", new UserMessage("hi"));
              assertThat(repository.findConversationIds()).containsExactly("c");
            });
  }

  /** An application's own metadata type. */
  public record Ticket(String system, long number) {}

  @Configuration(proxyBeanMethods = false)
  static class TicketCodec {
    @Bean
    MetadataCodec<Ticket> ticketCodec() {
      return MetadataCodec.forRecord("acme.Ticket", Ticket.class);
    }
  }

  @Test
  void metadataCodecBeansAreAddedToTheDefaults() {
    runner
        .withPropertyValues("sessionkit.store=memory:")
        .withUserConfiguration(TicketCodec.class)
        .run(
            context -> {
              ChatMemoryRepository repository = context.getBean(ChatMemoryRepository.class);
              repository.saveAll(
                  "c",
                  java.util.List.of(
                      org.springframework.ai.chat.messages.AssistantMessage.builder()
                          .content("filed")
                          .properties(java.util.Map.of("ticket", new Ticket("JIRA", 42)))
                          .build()));
              assertThat(repository.findByConversationId("c").get(0).getMetadata())
                  .containsEntry("ticket", new Ticket("JIRA", 42));
            });
  }

  @Test
  void theStorageIsClosedWithTheContext() {
    AtomicReference<SessionStorage> storage = new AtomicReference<>();
    runner
        .withPropertyValues("sessionkit.store=memory:")
        .run(context -> storage.set(context.getBean(SessionStorage.class)));
    assertThat(storage.get().list()).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(Exception.class)
        .havingRootCause()
        .isInstanceOf(StorageClosedException.class);
  }

  @Test
  void propertiesConfigureTheRepository() {
    runner
        .withPropertyValues(
            "sessionkit.store=memory:",
            "sessionkit.chat-memory.conversation-id-prefix=chat/",
            "sessionkit.chat-memory.timeout=5s")
        .run(
            context -> {
              SessionChatMemoryRepository repository = context.getBean(SessionChatMemoryRepository.class);
              assertThat(repository.sessionId("x")).isEqualTo("chat/x");
            });
  }

  @Test
  void withoutThePropertyNothingOfOursIsCreatedAndSpringAisDefaultStays() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(SessionStorage.class);
          assertThat(context).doesNotHaveBean(SessionChatMemoryRepository.class);
          assertThat(context.getBean(ChatMemoryRepository.class)).isInstanceOf(InMemoryChatMemoryRepository.class);
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserStorage {
    static final SessionStorage STORAGE = new MemorySessionStorage();

    @Bean
    SessionStorage myStorage() {
      return STORAGE;
    }
  }

  @Test
  void aUserStorageBeanIsUsedInsteadOfOpeningOne() {
    runner
        .withUserConfiguration(UserStorage.class)
        .withPropertyValues("sessionkit.store=memory:")
        .run(
            context -> {
              assertThat(context).hasSingleBean(SessionStorage.class);
              assertThat(context.getBean(SessionChatMemoryRepository.class).storage()).isSameAs(UserStorage.STORAGE);
            });
    // Without the property too: the application's storage is enough.
    runner
        .withUserConfiguration(UserStorage.class)
        .run(
            context ->
                assertThat(context.getBean(SessionChatMemoryRepository.class).storage()).isSameAs(UserStorage.STORAGE));
  }

  @Configuration(proxyBeanMethods = false)
  static class UserRepository {
    @Bean
    ChatMemoryRepository myRepository() {
      return new InMemoryChatMemoryRepository();
    }
  }

  @Test
  void aUserRepositoryBeanMakesOursBackOff() {
    runner
        .withUserConfiguration(UserRepository.class)
        .withPropertyValues("sessionkit.store=memory:")
        .run(
            context -> {
              assertThat(context).hasSingleBean(ChatMemoryRepository.class);
              assertThat(context).doesNotHaveBean(SessionChatMemoryRepository.class);
              assertThat(context).hasBean("myRepository");
              assertThat(context).hasSingleBean(SessionStorage.class);
            });
  }

  @Test
  void anUnknownStoreFailsTheContextNamingWhatIsAvailable() {
    runner
        .withPropertyValues("sessionkit.store=nosuch:x")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(StorageConfigurationException.class)
                  .hasMessageContaining("memory:");
            });
  }

  @Test
  void theAutoConfigurationIsRegisteredForSpringBoot() {
    assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates())
        .contains(SessionkitChatMemoryAutoConfiguration.class.getName());
  }

  @Test
  void itIsOrderedBeforeSpringAisChatMemoryAutoConfiguration() {
    // Alphabetical order alone would put ours first today; the explicit ordering keeps it so
    // whatever names or orders Spring AI uses. This checks the name refers to the real class.
    AutoConfiguration annotation =
        SessionkitChatMemoryAutoConfiguration.class.getAnnotation(AutoConfiguration.class);
    assertThat(annotation.beforeName()).containsExactly(ChatMemoryAutoConfiguration.class.getName());
  }
}
