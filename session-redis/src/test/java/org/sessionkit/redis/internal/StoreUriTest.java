package org.sessionkit.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sessionkit.StorageConfigurationException;

class StoreUriTest {

  @Test
  void hostPortDatabaseCredentialsAndOptionsAreRead() {
    StoreUri u = StoreUri.parse("redis://alice:s%40cret@cache.example:6380/3?prefix=app&timeout=2s&retention=PT1H&clientName=agent");
    RedisURI r = u.redisUri();
    assertThat(r.getHost()).isEqualTo("cache.example");
    assertThat(r.getPort()).isEqualTo(6380);
    assertThat(r.getDatabase()).isEqualTo(3);
    assertThat(r.getClientName()).isEqualTo("agent");
    assertThat(r.isSsl()).isFalse();
    assertThat(u.password()).contains("s@cret");
    assertThat(u.prefix()).contains("app");
    assertThat(u.timeout()).contains(Duration.ofSeconds(2));
    assertThat(u.retention()).contains(Duration.ofHours(1));
    assertThat(u.redacted()).doesNotContain("cret").contains("alice");
  }

  @Test
  void defaultsAndTls() {
    StoreUri plain = StoreUri.parse("redis://");
    assertThat(plain.redisUri().getHost()).isEqualTo("127.0.0.1");
    assertThat(plain.redisUri().getPort()).isEqualTo(6379);
    assertThat(plain.redisUri().getDatabase()).isZero();
    StoreUri tls = StoreUri.parse("rediss://:pw@[::1]:7000?verifyPeer=false");
    assertThat(tls.redisUri().isSsl()).isTrue();
    assertThat(tls.redisUri().isVerifyPeer()).isFalse();
    assertThat(tls.redisUri().getHost()).isEqualTo("::1");
    assertThat(tls.redisUri().getPort()).isEqualTo(7000);
    assertThat(tls.password()).contains("pw");
  }

  @Test
  void unknownOptionsAndMalformedUrisAreConfigurationErrorsWithoutThePassword() {
    assertThatThrownBy(() -> StoreUri.parse("redis://u:topsecret@h/0?fsync=false"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("fsync")
        .hasMessageContaining("prefix")
        .hasMessageNotContaining("topsecret");
    for (String bad : new String[] {
        "redis://u:topsecret@h1,h2/0", "redis://u:topsecret@h:99999", "redis://u:topsecret@h/x",
        "redis:h", "redis://u@h", "redis://h?timeout=0", "redis://h?timeout=soon", "redis://h?verifyPeer=false",
        "redis://h?prefix=a{b}"}) {
      assertThatThrownBy(() -> StoreUri.parse(bad).prefix().ifPresent(KeyLayout::of))
          .as(bad)
          .isInstanceOf(StorageConfigurationException.class)
          .hasMessageNotContaining("topsecret");
    }
    assertThatThrownBy(() -> StoreUri.parse("redis://h1:6379,h2:6379"))
        .hasMessageContaining("Cluster");
  }
}
