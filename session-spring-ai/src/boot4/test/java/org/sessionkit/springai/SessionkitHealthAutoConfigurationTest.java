package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/** The Actuator health indicator of this Spring Boot line, built on ping() and kind(). */
class SessionkitHealthAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(SessionkitChatMemoryAutoConfiguration.class, SessionkitHealthAutoConfiguration.class));

  @Test
  void theStoreIsUpWithItsKindAndDownOnceClosed() {
    runner.withPropertyValues("sessionkit.store-uri=memory:").run(context -> {
      assertThat(context).hasNotFailed();
      HealthIndicator indicator = context.getBean("sessionkitHealthIndicator", HealthIndicator.class);
      Health health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).isEqualTo(Map.of("kind", "memory"));
      context.getBean(SessionStorage.class).close();
      Health down = indicator.health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails()).containsEntry("kind", "memory").containsKey("error");
    });
  }

  @Test
  void severalStoresAreReportedEachByBeanName() {
    // Only the health auto-configuration: with two stores, the repository would need a primary one.
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SessionkitHealthAutoConfiguration.class))
        .withBean("archive", SessionStorage.class, () -> SessionStorages.open("memory:"))
        .withBean("live", SessionStorage.class, () -> SessionStorages.open("memory:"))
        .run(context -> {
          HealthIndicator indicator = context.getBean("sessionkitHealthIndicator", HealthIndicator.class);
          context.getBean("archive", SessionStorage.class).close();
          Health health = indicator.health();
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.getDetails()).containsOnlyKeys("archive", "live");
          assertThat(details(health, "live")).containsEntry("status", "UP").containsEntry("kind", "memory");
          assertThat(details(health, "archive")).containsEntry("status", "DOWN");
          context.getBean("live", SessionStorage.class).close();
        });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> details(Health health, String store) {
    return (Map<String, Object>) health.getDetails().get(store);
  }

  @Test
  void itCanBeSwitchedOffAndIsAbsentWithoutAStore() {
    runner
        .withPropertyValues("sessionkit.store-uri=memory:", "management.health.sessionkit.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("sessionkitHealthIndicator"));
    runner.run(context -> assertThat(context).doesNotHaveBean("sessionkitHealthIndicator"));
  }
}
