package org.sessionkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The store through Sentinel ({@code redis-sentinel://s1,s2,s3#mymaster}): a primary and its
 * replica with three sentinels of the test's own, and two failovers forced with {@code SENTINEL
 * FAILOVER} during streams of appends from two clients — the first without, the second with
 * {@code waitReplicas=1}. Errors are typed, nothing is half-applied, each stream recovers on the
 * new primary within 30 s, and the acknowledged appends lost are reported (asserted none with
 * {@code WAIT}).
 */
class RedisSentinelTest {

  @Test
  void forcedFailoversDuringAppendsRecoverOnTheNewPrimaryAndWaitKeepsAcknowledgedAppends() throws Exception {
    try (PrivateSentinel sentinel = PrivateSentinel.start()) {
      Failover.Report plain = failover(sentinel, 0);
      System.out.println(plain.line("sentinel failover, waitReplicas=0"));
      RedisClusterTest.assertInvariants(plain);

      Failover.Report waiting = failover(sentinel, 1);
      System.out.println(waiting.line("sentinel failover, waitReplicas=1"));
      RedisClusterTest.assertInvariants(waiting);
      assertThat(waiting.acknowledgedLost()).as("WAIT 1: the promoted replica held every acknowledged append").isZero();
    }
  }

  private static Failover.Report failover(PrivateSentinel sentinel, int waitReplicas) throws Exception {
    String prefix = "sentinel-" + waitReplicas;
    String options = "prefix=" + prefix + "&timeout=1s&connectTimeout=2s&waitReplicas=" + waitReplicas;
    try (RedisSessionStorage a = RedisSessionStorage.open(sentinel.uri(options));
        RedisSessionStorage b = RedisSessionStorage.open(sentinel.uri(options));
        RedisSessionStorage verifier = RedisSessionStorage.open(sentinel.uri("prefix=" + prefix + "&timeout=5s"))) {
      assertThat(a.topology()).isEqualTo("sentinel");
      int before = sentinel.primary();
      Failover.Report report = Failover.run(List.of(a, b), verifier, 8, Duration.ofSeconds(1), sentinel::failover,
          Duration.ofSeconds(2), Duration.ofSeconds(40));
      assertThat(sentinel.primary()).isNotEqualTo(before);
      return report;
    }
  }
}
