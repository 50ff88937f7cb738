package org.sessionkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.testproviders.TestProviders;

class SessionStoragesTest {

  @AfterEach
  void clearProperty() {
    System.clearProperty(SessionStorages.PROPERTY);
  }

  @Test
  void opensTheStoreOfADiscoveredScheme() {
    try (SessionStorage s = SessionStorages.open("echo:some/where?")) {
      assertThat(s.toString()).contains("echo:some/where");
      assertThat(TestProviders.Echo.last.scheme()).isEqualTo("echo");
      assertThat(TestProviders.Echo.last.body()).isEqualTo("some/where");
    }
  }

  @Test
  void schemeMatchingIgnoresCase() {
    try (SessionStorage s = SessionStorages.open("ECHO:x")) {
      assertThat(s).isNotNull();
      assertThat(TestProviders.Echo.last.body()).isEqualTo("x");
    }
  }

  @Test
  void theLongestMatchingSchemeWins() {
    try (SessionStorage s = SessionStorages.open("echo:deep:inside")) {
      assertThat(s.toString()).contains("deep echo:deep:inside");
    }
  }

  @Test
  void theProviderOfAUriIsFoundWithoutOpeningAStore() {
    assertThat(SessionStorages.provider("echo:x")).isInstanceOf(TestProviders.Echo.class);
    assertThat(SessionStorages.provider("ECHO:deep:inside")).isInstanceOf(TestProviders.DeepEcho.class);
    // a provider offers no location and no benchmark support unless it says so
    assertThat(SessionStorages.provider("echo:x").localLocation("echo:x")).isEmpty();
    assertThat(SessionStorages.provider("echo:x").benchmarkSupport()).isEmpty();
    assertThatThrownBy(() -> SessionStorages.provider("nosuch:thing"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("available schemes: dup:, echo:, echo:deep:");
    assertThatThrownBy(() -> SessionStorages.provider("dup:x"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("two providers claim the scheme 'dup:'");
  }

  @Test
  void unknownSchemeListsTheAvailableOnes() {
    assertThatThrownBy(() -> SessionStorages.open("nosuch:thing"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("no sessionkit store serves nosuch:thing")
        .hasMessageContaining("available schemes: dup:, echo:, echo:deep:");
  }

  @Test
  void knownSchemeWithoutItsModuleNamesTheArtifact() {
    assertThatThrownBy(() -> SessionStorages.open("postgresql://u:secret@db/x"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("org.sessionkit:session-postgres")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> SessionStorages.open("jdbc:postgresql://db/x"))
        .hasMessageContaining("org.sessionkit:session-postgres");
    assertThatThrownBy(() -> SessionStorages.open("rediss://db:6379"))
        .hasMessageContaining("org.sessionkit:session-redis");
    assertThatThrownBy(() -> SessionStorages.open("redis-sentinel://u:secret@s1:26379#mymaster"))
        .hasMessageContaining("org.sessionkit:session-redis")
        .hasMessageNotContaining("secret");
    for (String mysql : new String[] {"mysql://u:secret@db/x", "mariadb://db/x", "jdbc:mysql://db/x", "jdbc:mariadb://db/x"}) {
      assertThatThrownBy(() -> SessionStorages.open(mysql))
          .hasMessageContaining("org.sessionkit:session-mysql")
          .hasMessageNotContaining("secret");
    }
  }

  @Test
  void aUriWithoutSchemeIsAConfigurationError() {
    assertThatThrownBy(() -> SessionStorages.open("just-a-path"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("has no scheme");
  }

  @Test
  void twoProvidersOfOneSchemeAreAConfigurationErrorNamingBoth() {
    assertThatThrownBy(() -> SessionStorages.open("dup:x"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("two providers claim the scheme 'dup:'")
        .hasMessageContaining("DupA")
        .hasMessageContaining("DupB");
  }

  @Test
  void aBrokenProviderDoesNotHideTheOthersAndIsNamedWhenItsSchemeIsMissing() {
    assertThat(SessionStorages.availableSchemes()).contains("echo:", "dup:").doesNotContain("broken:");
    assertThatThrownBy(() -> SessionStorages.open("broken:x"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("providers that failed to load")
        .hasMessageContaining("Broken");
  }

  @Test
  void unknownOptionIsAConfigurationErrorNamingIt() {
    assertThatThrownBy(() -> SessionStorages.open("echo:x?colour=blue"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("unknown option [colour]");
  }

  @Test
  void openWithoutArgumentReadsTheSystemProperty() {
    System.setProperty(SessionStorages.PROPERTY, "echo:from-property");
    try (SessionStorage s = SessionStorages.open()) {
      assertThat(s).isNotNull();
      assertThat(TestProviders.Echo.last.body()).isEqualTo("from-property");
    }
  }

  @Test
  void explicitProvidersWorkWithoutDiscovery() {
    try (SessionStorage s =
        SessionStorages.open("dup:x", List.of(new TestProviders.DupB()))) {
      assertThat(s.toString()).contains("[b]");
    }
  }

  @Test
  void passwordsNeverAppearInErrors() {
    assertThatThrownBy(() -> SessionStorages.open("echo://user:hunter2@host/db?password=hunter3&x=1"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("hunter3")
        .hasMessageContaining("user:***@host");
  }
}
