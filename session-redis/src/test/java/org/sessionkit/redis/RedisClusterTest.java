package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.SessionSummary;

/**
 * The store on a Redis Cluster of the tests' own (3 primaries with a replica each, {@link
 * PrivateCluster#shared()}): opening by seed nodes or by one node, sessions spread over every primary, and a
 * primary killed during a stream of appends from two clients — with and without {@code
 * waitReplicas=1}. Errors are typed, nothing is half-applied, the stream recovers within 30 s,
 * and the acknowledged appends the failover lost are reported (and asserted to be none where
 * {@code WAIT} promises it).
 */
class RedisClusterTest {

  @Test
  void aClusterIsFoundFromSeedsOrFromOneNodeAndSessionsSpreadOverEveryPrimary() throws Exception {
    PrivateCluster cluster = PrivateCluster.shared();
    try (RedisSessionStorage seeds = RedisSessionStorage.open(cluster.uri("prefix=spread&timeout=5s"))) {
      assertThat(seeds.topology()).isEqualTo("cluster");
      assertThat(seeds.shards()).isEqualTo(16);
      List<CompletableFuture<?>> saves = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        saves.add(seeds.save(Sessions.plain("user-" + i, 2, Sessions.T0.plusSeconds(i))));
      }
      saves.forEach(f -> Futures.await(f, 30, SECONDS));
    }
    for (PrivateCluster.Node primary : cluster.primaries()) {
      long keys = cluster.admin(primary, r -> r.dbsize());
      assertThat(keys).as("keys on primary %d", primary.port).isGreaterThan(100);
    }
    try (RedisSessionStorage one = RedisSessionStorage.open(cluster.singleNodeUri("prefix=spread&timeout=5s"))) {
      assertThat(one.topology()).as("cluster mode detected from cluster_enabled").isEqualTo("cluster");
      assertThat(one.shards()).isEqualTo(16);
      List<SessionSummary> all = Futures.await(one.list(), 30, SECONDS);
      assertThat(all).hasSize(300);
      assertThat(all.get(0).id()).isEqualTo("user-299");
      assertThat(Futures.await(one.list(ListQuery.withPrefix("user-1").limit(5)), 30, SECONDS).summaries())
          .extracting(SessionSummary::id)
          .containsExactly("user-199", "user-198", "user-197", "user-196", "user-195");
      assertThat(Futures.await(one.problems(), 60, SECONDS)).isEmpty();
      assertThat(Futures.await(one.deleteMatching(org.sessionkit.DeleteFilter.all()), 60, SECONDS)).isEqualTo(300L);
    }
  }

  @Test
  void aPrimaryKilledDuringAppendsFailsOverWithTypedErrorsAndNothingHalfApplied() throws Exception {
    Failover.Report report = killAPrimary(0);
    System.out.println(report.line("cluster failover, waitReplicas=0"));
    assertInvariants(report);
  }

  @Test
  void withWaitReplicasAnAcknowledgedAppendSurvivesTheFailover() throws Exception {
    Failover.Report report = killAPrimary(1);
    System.out.println(report.line("cluster failover, waitReplicas=1"));
    assertInvariants(report);
    assertThat(report.acknowledgedLost()).as("WAIT 1 with one replica: the promoted replica holds every acknowledged append").isZero();
  }

  static void assertInvariants(Failover.Report report) {
    assertThat(report.other()).as("only typed errors: %s", report.otherErrors()).isZero();
    assertThat(report.duplicates()).as("no append stored twice").isZero();
    assertThat(report.notAppliedButThere()).as("a call refused as not applied was not applied").isZero();
    assertThat(report.acknowledged()).isPositive();
    assertThat(report.recoveryMillis()).as("recovery after the fault").isLessThan(30_000);
  }

  /**
   * Kills the primary of the slot of most sessions while two clients append, restarts it once
   * its replica has taken over (it rejoins as a replica, so that {@code WAIT 1} can be answered
   * again), and reports.
   */
  private static Failover.Report killAPrimary(int waitReplicas) throws Exception {
    PrivateCluster cluster = PrivateCluster.shared();
    cluster.awaitHealthy(3);
    String prefix = "failover-" + waitReplicas;
    String options = "prefix=" + prefix + "&timeout=1s&connectTimeout=2s&waitReplicas=" + waitReplicas;
    try (RedisSessionStorage a = RedisSessionStorage.open(cluster.uri(options));
        RedisSessionStorage b = RedisSessionStorage.open(cluster.uri(options));
        RedisSessionStorage verifier = RedisSessionStorage.open(cluster.uri("prefix=" + prefix + "&timeout=5s"))) {
      PrivateCluster.Node victim = cluster.primaries().get(0);
      Map<Integer, String> before = cluster.roles();
      Thread[] restarter = new Thread[1];
      Failover.Report report = Failover.run(List.of(a, b), verifier, 12, Duration.ofSeconds(1), () -> {
        cluster.kill(victim);
        // Back as a replica once a replica has taken over its slots.
        restarter[0] = new Thread(() -> {
          try {
            cluster.awaitHealthy(3);
            cluster.restart(victim);
            cluster.awaitInSync(victim);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, "restart-killed-primary");
        restarter[0].setDaemon(true);
        restarter[0].start();
      }, Duration.ofSeconds(2), Duration.ofSeconds(40));
      // Leave the shared cluster healthy: every primary with an in-sync replica.
      restarter[0].join(60_000);
      cluster.awaitHealthy(3);
      Futures.await(verifier.deleteMatching(org.sessionkit.DeleteFilter.all()), 60, SECONDS);
      System.out.println("roles before " + before + ", after " + cluster.roles() + " (killed " + victim.port + ")");
      return report;
    }
  }
}
