package org.sessionkit;

import org.sessionkit.spi.StorageOptions;
import org.sessionkit.spi.StorageUri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StorageUriTest {

  @Test
  void splitsSchemeBodyAndDecodedOptions() {
    StorageUri uri = StorageUri.parse("file:./x%20y?fsync=false&name=a%26b", "file");
    assertThat(uri.scheme()).isEqualTo("file");
    assertThat(uri.body()).isEqualTo("./x%20y");
    assertThat(uri.options()).containsExactly(
        java.util.Map.entry("fsync", "false"), java.util.Map.entry("name", "a&b"));
  }

  @Test
  void acceptsSchemesThatJavaNetUriRejects() {
    assertThat(StorageUri.parse("memory:", "memory").body()).isEmpty();
  }

  @Test
  void aRepeatedOptionIsAConfigurationError() {
    assertThatThrownBy(() -> StorageUri.parse("file:x?a=1&a=2", "file"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("'a' twice");
  }

  @Test
  void redactsUserInfoPasswordsAndSecretOptions() {
    assertThat(StorageUri.redact("postgresql://bob:pw@h:5432/db?password=x&ssl=true"))
        .isEqualTo("postgresql://bob:***@h:5432/db?password=***&ssl=true");
    assertThat(StorageUri.redact("redis://:pw@h:6379/0")).isEqualTo("redis://:***@h:6379/0");
    assertThat(StorageUri.redact("file:/a/b")).isEqualTo("file:/a/b");
    assertThat(StorageUri.parse("redis://u:pw@h", "redis").toString()).doesNotContain("pw@");
  }

  @Test
  void optionReaderChecksTypesAndRanges() {
    StorageOptions o = StorageUri.parse("x:?b=true&i=5&d=250ms&s=2s&p=PT1M", "x").optionReader();
    assertThat(o.bool("b", false)).isTrue();
    assertThat(o.integer("i", 1, 1, 10)).isEqualTo(5);
    assertThat(o.duration("d", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
    assertThat(o.duration("s", Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
    assertThat(o.duration("p", Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
    assertThat(o.bool("absent", true)).isTrue();
    o.finish();
  }

  @Test
  void optionReaderRejectsBadValues() {
    StorageOptions o = StorageUri.parse("x:?b=yes&i=50&d=soon", "x").optionReader();
    assertThatThrownBy(() -> o.bool("b", false)).hasMessageContaining("must be true or false");
    assertThatThrownBy(() -> o.integer("i", 1, 1, 10)).hasMessageContaining("between 1 and 10");
    assertThatThrownBy(() -> o.duration("d", Duration.ZERO)).hasMessageContaining("duration");
  }

  @Test
  void finishRejectsOptionsNobodyRead() {
    StorageOptions o = StorageUri.parse("x:?known=1&typo=2", "x").optionReader();
    o.string("known");
    assertThatThrownBy(o::finish)
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("unknown option [typo]")
        .hasMessageContaining("[known]");
  }

  @Test
  void serverSplitsUserPasswordHostsAndPathAndHidesThePassword() {
    StorageUri.Server server =
        StorageUri.parse("postgresql://app%40corp:p%2Fw@db1:5432,db2/agents?x=1", "postgresql").server("form");
    assertThat(server.user()).contains("app@corp");
    assertThat(server.password()).contains("p/w");
    assertThat(server.hosts()).isEqualTo("db1:5432,db2");
    assertThat(server.path()).isEqualTo("agents");
    assertThat(server.toString()).doesNotContain("p/w").contains("***");
    StorageUri.Server bare = StorageUri.parse("redis://cache", "redis").server("form");
    assertThat(bare.user()).isEmpty();
    assertThat(bare.password()).isEmpty();
    assertThat(bare.path()).isEmpty();
  }

  @Test
  void serverOfABodyWithoutSlashesNamesTheExpectedForm() {
    assertThatThrownBy(() -> StorageUri.parse("redis:cache", "redis").server("redis://host[:port]"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("must name a server: redis://host[:port]");
    assertThatThrownBy(() -> StorageUri.parse("redis://u:%zz@h", "redis").server("f"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("malformed percent-escape")
        .hasMessageNotContaining("%zz");
  }
}
