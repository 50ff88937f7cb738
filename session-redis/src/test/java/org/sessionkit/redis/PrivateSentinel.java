package org.sessionkit.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A primary, its replica and three sentinels of the test's own ({@code redis-server CONF
 * --sentinel}, each with its own config file, since sentinels rewrite them), on free ports,
 * monitoring the primary as {@value #MASTER} with a 1 s down-after and a 3 s failover timeout.
 * {@link #close()} kills every process and removes the directory (also from a shutdown hook).
 */
final class PrivateSentinel implements AutoCloseable {

  static final String MASTER = "mymaster";

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final RedisClient adminClient = RedisClient.create();
  private final Thread hook = new Thread(this::killAll, "private-sentinel-cleanup");
  private int primaryPort;
  private int replicaPort;
  private final List<Integer> sentinelPorts = new ArrayList<>();

  private PrivateSentinel(Path dir) {
    this.dir = dir;
  }

  /** Starts everything and waits until the sentinels know the replica and each other. */
  static PrivateSentinel start() throws IOException {
    String server = binary("redis-server");
    PrivateSentinel s = new PrivateSentinel(Files.createTempDirectory("sessionkit-sentinel"));
    Runtime.getRuntime().addShutdownHook(s.hook);
    try {
      List<Integer> ports = freePorts(5);
      s.primaryPort = ports.get(0);
      s.replicaPort = ports.get(1);
      s.sentinelPorts.addAll(ports.subList(2, 5));
      s.startData(server, s.primaryPort, List.of());
      s.startData(server, s.replicaPort, List.of("--replicaof", "127.0.0.1", Integer.toString(s.primaryPort)));
      s.waitFor(() -> s.data(s.replicaPort, r -> r.info("replication")).contains("master_link_status:up"), "replica in sync");
      for (int port : s.sentinelPorts) {
        Path conf = s.dir.resolve("sentinel-" + port + ".conf");
        Files.writeString(conf, String.join("\n",
            "port " + port,
            "bind 127.0.0.1",
            "dir " + s.dir,
            "sentinel monitor " + MASTER + " 127.0.0.1 " + s.primaryPort + " 2",
            "sentinel down-after-milliseconds " + MASTER + " 1000",
            "sentinel failover-timeout " + MASTER + " 3000",
            ""));
        s.processes.add(new ProcessBuilder(server, conf.toString(), "--sentinel").redirectErrorStream(true)
            .redirectOutput(s.dir.resolve("sentinel-" + port + ".log").toFile()).start());
      }
      for (int port : s.sentinelPorts) {
        s.waitFor(() -> s.sentinel(port, c -> "1".equals(c.master(MASTER).get("num-slaves")) && "2".equals(c.master(MASTER).get("num-other-sentinels"))),
            "sentinel " + port + " knows the replica and the other sentinels");
      }
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private static String binary(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    String message = "no " + name + " binary on the PATH: the Sentinel test needs redis-server (apt-get install redis-server)";
    if (System.getenv("CI") != null) {
      Assertions.fail(message + " (CI is set, so this fails instead of skipping)");
    }
    Assumptions.abort(message);
    throw new IllegalStateException("unreachable");
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        held.add(s);
        out.add(s.getLocalPort());
      }
      return out;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  private void startData(String server, int port, List<String> extra) throws IOException {
    Path d = dir.resolve("data-" + port);
    Files.createDirectories(d);
    List<String> cmd = new ArrayList<>(List.of(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", d.toString(), "--daemonize", "no"));
    cmd.addAll(extra);
    processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(d.resolve("log").toFile()).start());
    waitFor(() -> "PONG".equals(data(port, RedisCommands::ping)), "server " + port + " answers");
  }

  private void waitFor(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      PrivateRedis.sleep(50);
    }
    throw new IllegalStateException("not reached in 30 s: " + what, last);
  }

  <T> T data(int port, Function<RedisCommands<String, String>, T> action) {
    try (StatefulRedisConnection<String, String> c =
        adminClient.connect(RedisURI.Builder.redis("127.0.0.1", port).withTimeout(Duration.ofSeconds(5)).build())) {
      return action.apply(c.sync());
    }
  }

  <T> T sentinel(int port, Function<RedisSentinelCommands<String, String>, T> action) {
    try (StatefulRedisSentinelConnection<String, String> c =
        adminClient.connectSentinel(RedisURI.Builder.redis("127.0.0.1", port).withTimeout(Duration.ofSeconds(5)).build())) {
      return action.apply(c.sync());
    }
  }

  /** The store URI through the three sentinels, with {@code options}. */
  String uri(String options) {
    return "redis-sentinel://" + sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","))
        + "?" + options + "#" + MASTER;
  }

  /** The port of the primary as the sentinels name it now. */
  int primary() {
    return sentinel(sentinelPorts.get(0), c -> ((InetSocketAddress) c.getMasterAddrByName(MASTER)).getPort());
  }

  /**
   * Forces a failover ({@code SENTINEL FAILOVER}) and waits until the sentinels name the other
   * server as primary and the old one replicates from it.
   */
  void failover() {
    int before = primary();
    int after = before == primaryPort ? replicaPort : primaryPort;
    sentinel(sentinelPorts.get(0), c -> c.failover(MASTER));
    waitFor(() -> sentinelPorts.stream().allMatch(p -> sentinel(p, c -> ((InetSocketAddress) c.getMasterAddrByName(MASTER)).getPort()) == after),
        "every sentinel names " + after + " as primary");
    waitFor(() -> data(before, r -> r.info("replication")).contains("master_link_status:up"),
        "the old primary " + before + " replicates from the new one");
  }

  private void killAll() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; nothing else to do
    }
  }

  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }
}
