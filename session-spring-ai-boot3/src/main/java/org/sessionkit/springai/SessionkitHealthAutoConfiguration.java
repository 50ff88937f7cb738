package org.sessionkit.springai;

import java.util.Map;
import org.sessionkit.SessionStorage;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration (Spring Boot 3.5): with Actuator's health support on the class path and a
 * {@link SessionStorage} bean, the health indicator {@code sessionkit} ({@link
 * SessionStorageHealthIndicator}) over every {@code SessionStorage} bean. Off with {@code
 * management.health.sessionkit.enabled=false}; replaced by a bean of the application named {@code
 * sessionkitHealthIndicator}.
 */
@AutoConfiguration(after = SessionkitChatMemoryAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(SessionStorage.class)
@ConditionalOnProperty(prefix = "management.health.sessionkit", name = "enabled", matchIfMissing = true)
public class SessionkitHealthAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public SessionkitHealthAutoConfiguration() {}

  /** The health indicator over every {@link SessionStorage} bean, by bean name. */
  @Bean
  @ConditionalOnMissingBean(name = "sessionkitHealthIndicator")
  public SessionStorageHealthIndicator sessionkitHealthIndicator(Map<String, SessionStorage> stores) {
    return new SessionStorageHealthIndicator(stores);
  }
}
