package org.sessionkit.bench;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Session;

/**
 * The Redis store on a Redis Cluster in the benchmark, as the variant {@code redis-cluster}: a
 * private cluster of 3 primaries + 3 replicas started with {@code scripts/redis-cluster.sh} on
 * free ports (and stopped afterwards) holds each trial's namespace, spread over the primaries and
 * gone after the trial; the raw Lettuce cluster baseline round-trips sessions on it; a run
 * measures the store and its baseline there next to the single server. Needs {@code
 * redis-server} and {@code redis-cli}; without them the tests are skipped, or fail when {@code
 * CI} is set.
 */
class RedisClusterBenchTest {

  private static final Path SCRIPT = Paths.get("scripts", "redis-cluster.sh");

  private static int base;
  private static String uri;

  @TempDir Path out;

  @BeforeAll
  static void startCluster() throws Exception {
    for (String tool : List.of("redis-server", "redis-cli")) {
      if (!onPath(tool)) {
        String message = "Redis Cluster benchmark tests skipped: " + tool + " is not on the PATH";
        if (System.getenv("CI") != null) {
          Assertions.fail(message + " (CI is set, so a missing tool is an error)");
        }
        Assumptions.abort(message);
      }
    }
    assertThat(SCRIPT).exists();
    base = freeBasePort();
    Process p = new ProcessBuilder("bash", SCRIPT.toString(), "start", String.valueOf(base))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as("redis-cluster.sh start " + base).isZero();
    uri = printed.substring(printed.lastIndexOf('\n') + 1);
    assertThat(uri).isEqualTo("redis://127.0.0.1:" + base + ",127.0.0.1:" + (base + 1) + ",127.0.0.1:" + (base + 2));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (base != 0) {
      Process p = new ProcessBuilder("bash", SCRIPT.toString(), "stop", String.valueOf(base)).inheritIO().start();
      assertThat(p.waitFor()).isZero();
      assertThat(Paths.get(System.getProperty("java.io.tmpdir"), "sessionkit-redis-cluster-" + base)).doesNotExist();
    }
  }

  @AfterEach
  void clearUri() {
    System.clearProperty(StoreFactories.URI_PROPERTY_PREFIX + "redis-cluster");
  }

  @Test
  void theStoreSpreadsATrialsSessionsOverThePrimariesAndTheTrialLeavesNothing() throws Exception {
    System.setProperty(StoreFactories.URI_PROPERTY_PREFIX + "redis-cluster", uri);
    StoreFactory.Server server = StoreFactories.forName("redis-cluster").server().orElseThrow();
    assertThat(server.store().probe(uri)).isEmpty();
    String namespace;
    try (StoreHandle h = StoreHandle.fresh("redis-cluster")) {
      namespace = h.location();
      StoreHandle.fill(h.storage(), 300, i -> SessionFixtures.populationSession(i, 2));
      assertThat(Futures.await(h.storage().list(ListQuery.firstPage().limit(20)), 30, SECONDS).summaries())
          .hasSize(20);
      Session s = SessionFixtures.session("user-7/c", 12);
      Futures.await(h.storage().save(s), 30, SECONDS);
      assertThat(Futures.await(h.storage().load("user-7/c"), 30, SECONDS)).isEqualTo(s);
      // 16 shards over three primaries: each primary holds some of the trial's keys
      for (int port = base; port < base + 3; port++) {
        assertThat(keys(port, namespace)).as("keys of the trial on " + port).isPositive();
      }
    }
    for (int port = base; port < base + 3; port++) {
      assertThat(keys(port, namespace)).as("keys left on " + port).isZero();
    }
  }

  @Test
  void theRawLettuceBaselineWorksOnTheCluster() throws Exception {
    System.setProperty(StoreFactories.URI_PROPERTY_PREFIX + "redis-cluster", uri);
    String namespace;
    try (StoreHandle h = StoreHandle.fresh("raw-redis-cluster")) {
      namespace = h.location();
      for (int i = 0; i < 30; i++) {
        // ids whose keys fall on every primary (without hash tags they spread by slot)
        Session s = SessionFixtures.session("user-" + i + "/raw", 3);
        Futures.await(h.storage().save(s), 30, SECONDS);
        assertThat(Futures.await(h.storage().load(s.id()), 30, SECONDS)).isEqualTo(s);
        Futures.await(h.storage().append(s.id(), Append.of(List.of(SessionFixtures.message(3)),
            SessionFixtures.state(4), SessionFixtures.updatedAt(4))), 30, SECONDS);
      }
      for (int port = base; port < base + 3; port++) {
        assertThat(keys(port, namespace)).as("baseline keys on " + port).isPositive();
      }
    }
    for (int port = base; port < base + 3; port++) {
      assertThat(keys(port, namespace)).as("keys left on " + port).isZero();
    }
  }

  @Test
  void aRunComparesTheSingleServerAndTheClusterAndLeavesNothingBehind() throws Exception {
    StoreFactory.Server single = StoreFactories.forName("redis").server().orElseThrow();
    boolean withSingle = single.store().probe(single.uri()).isEmpty();
    System.setProperty(StoreFactories.URI_PROPERTY_PREFIX + "redis-cluster", uri);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    int status = Main.run(
        new String[] {"--smoke", "-p", "store=" + (withSingle ? "redis," : "") + "redis-cluster",
            "--include", "AppendBenchmark.append$|FirstPageBenchmark", "-p", "turn=10",
            "--out", out.toString()},
        new PrintStream(console, true, StandardCharsets.UTF_8));
    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(status).as(printed).isZero();
    String md = Files.readString(out.resolve("results.md"));
    assertThat(md).containsPattern("\\| redis-cluster \\| append 1 message \\| turn 10 \\| 1 \\| [^|]+ \\| [^|]+ \\| [^|]+ \\| [0-9.,]+×")
        .contains("| raw-redis-cluster | append 1 message | turn 10 | 1 |")
        .contains("| redis-cluster | first page (20) | 200 sessions | 1 |")
        .contains("| redis-cluster | first page (20), prefix | 200 sessions | 1 |")
        .doesNotContain("| raw-redis-cluster | first page");
    if (withSingle) {
      assertThat(md).contains("| redis | append 1 message | turn 10 | 1 |")
          .contains("| raw-redis | append 1 message | turn 10 | 1 |")
          .contains("| redis | first page (20) | 200 sessions | 1 |");
    }
    Matcher run = Pattern.compile("run ([0-9a-f]{8})").matcher(printed);
    assertThat(run.find()).as(printed).isTrue();
    String prefix = "skbench_" + run.group(1) + "_";
    StoreFactory.Server cluster = StoreFactories.forName("redis-cluster").server().orElseThrow();
    assertThat(cluster.store().sweep(cluster.uri(), prefix)).isZero();
    if (withSingle) {
      assertThat(single.store().sweep(single.uri(), prefix)).isZero();
    }
  }

  /** How many keys of {@code namespace} the node on {@code port} holds (its own, via redis-cli). */
  private static int keys(int port, String namespace) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "--scan", "--pattern",
        "sessionkit-bench:" + namespace + ":*").redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as(printed).isZero();
    return printed.isEmpty() ? 0 : printed.split("\n").length;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Paths.get(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /** A base port whose six data ports and six cluster-bus ports (+10,000) are free now. */
  private static int freeBasePort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int candidate = ThreadLocalRandom.current().nextInt(20_000, 30_000);
      if (free(candidate)) {
        return candidate;
      }
    }
    throw new IOException("no free range of ports found for a private Redis Cluster");
  }

  private static boolean free(int base) {
    for (int p = base; p < base + 6; p++) {
      for (int port : new int[] {p, p + 10_000}) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          return false;
        }
      }
    }
    return true;
  }
}
