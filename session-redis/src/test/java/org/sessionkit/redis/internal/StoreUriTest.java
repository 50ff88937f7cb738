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
        "redis://u:topsecret@h1,h2/3", "redis://u:topsecret@h:99999", "redis://u:topsecret@h1,h2?cluster=false",
        "redis://h?cluster=maybe", "redis://h?shards=0", "redis://h?shards=1025", "redis://h?waitReplicas=-1",
        "redis-sentinel://u:topsecret@s1:26379", "redis-sentinel://u:topsecret@s1?cluster=true#m", "redis://u:topsecret@h/x",
        "redis:h", "redis://u@h", "redis://h?timeout=0", "redis://h?timeout=soon", "redis://h?verifyPeer=false",
        "redis://h?prefix=a{b}"}) {
      assertThatThrownBy(() -> StoreUri.parse(bad).prefix().ifPresent(KeyLayout::checkPrefix))
          .as(bad)
          .isInstanceOf(StorageConfigurationException.class)
          .hasMessageNotContaining("topsecret");
    }
  }

  @Test
  void severalHostsAreTheSeedNodesOfACluster() {
    StoreUri u = StoreUri.parse("redis://:pw@h1:7001,h2,[::1]:7003?prefix=p&shards=32&waitReplicas=1");
    assertThat(u.topology()).isEqualTo(StoreUri.Topology.CLUSTER);
    assertThat(u.nodes()).extracting(n -> n.getHost() + ":" + n.getPort())
        .containsExactly("h1:7001", "h2:6379", "::1:7003");
    for (RedisURI n : u.nodes()) {
      assertThat(n.getCredentialsProvider().resolveCredentials().block().getPassword()).containsExactly("pw".toCharArray());
    }
    assertThat(u.shards()).contains(32);
    assertThat(u.waitReplicas()).contains(1);
    assertThat(u.redacted()).doesNotContain("pw");
    assertThat(StoreUri.parse("redis://h?cluster=true").cluster()).contains(true);
    assertThat(StoreUri.parse("redis://h").cluster()).isEmpty();
  }

  @Test
  void sentinelUrisNameTheSentinelsAndThePrimary() {
    StoreUri u = StoreUri.parse("redis-sentinel://:pw@s1,s2:26380/2?prefix=p#mymaster");
    assertThat(u.topology()).isEqualTo(StoreUri.Topology.SENTINEL);
    assertThat(u.nodes()).hasSize(1);
    RedisURI r = u.redisUri();
    assertThat(r.getSentinelMasterId()).isEqualTo("mymaster");
    assertThat(r.getSentinels()).extracting(n -> n.getHost() + ":" + n.getPort())
        .containsExactly("s1:26379", "s2:26380");
    assertThat(r.getDatabase()).isEqualTo(2);
    assertThat(u.prefix()).contains("p");
    assertThat(StoreUri.parse("redis-sentinel://s1?sentinelMaster=other").redisUri().getSentinelMasterId())
        .isEqualTo("other");
    assertThat(StoreUri.parse("rediss-sentinel://s1#m").redisUri().isSsl()).isTrue();
  }
}
