package org.sessionkit.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A Redis Cluster of the test's own: 3 primaries with a replica each, plain {@code redis-server
 * --cluster-enabled yes} processes on free ports (data and cluster-bus ports chosen explicitly)
 * joined by {@code redis-cli --cluster create}, node timeout 2 s. {@link #close()} kills every
 * node and removes their directories (also from a shutdown hook, should the test JVM end
 * first). Skipped (failed with {@code CI} set) without the {@code redis-server} and {@code
 * redis-cli} binaries.
 */
final class PrivateCluster implements AutoCloseable {

  static final int NODES = 6;

  private final Path dir;
  private final String server;
  private final List<Node> nodes = new ArrayList<>();
  /** One client for every admin call (creating a client per call costs more than the call). */
  private final RedisClient adminClient = RedisClient.create();
  private final Thread hook = new Thread(this::killAll, "private-cluster-cleanup");

  /** One node: its ports and process. */
  static final class Node {
    final int port;
    final int busPort;
    final Path dir;
    Process process;

    Node(int port, int busPort, Path dir) {
      this.port = port;
      this.busPort = busPort;
      this.dir = dir;
    }

    boolean alive() {
      return process != null && process.isAlive();
    }
  }

  private PrivateCluster(Path dir, String server) {
    this.dir = dir;
    this.server = server;
  }

  private static PrivateCluster shared;

  /**
   * Returns the cluster the test classes of this JVM share, starting it on first use; it stops
   * when the JVM ends (a shutdown hook). A test that kills nodes must leave it healthy (the
   * killed node restarted and in sync).
   */
  static synchronized PrivateCluster shared() throws IOException {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  /** Starts the nodes and forms the cluster; waits until every node reports {@code cluster_state:ok}. */
  static PrivateCluster start() throws IOException {
    String server = binary("redis-server");
    String cli = binary("redis-cli");
    PrivateCluster c = new PrivateCluster(Files.createTempDirectory("sessionkit-cluster"), server);
    Runtime.getRuntime().addShutdownHook(c.hook);
    try {
      List<Integer> ports = freePorts(2 * NODES);
      for (int i = 0; i < NODES; i++) {
        Node n = new Node(ports.get(2 * i), ports.get(2 * i + 1), c.dir.resolve("n" + i));
        Files.createDirectories(n.dir);
        c.nodes.add(n);
        c.startNode(n);
      }
      for (Node n : c.nodes) {
        c.waitFor(n, r -> "PONG".equals(r.ping()), "answers PING");
      }
      List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
      c.nodes.forEach(n -> create.add("127.0.0.1:" + n.port));
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      Process p = new ProcessBuilder(create).redirectErrorStream(true)
          .redirectOutput(c.dir.resolve("create.log").toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(c.dir.resolve("create.log")));
      }
      for (Node n : c.nodes) {
        c.waitFor(n, r -> r.clusterInfo().contains("cluster_state:ok"), "cluster_state:ok");
      }
      // Every node knows the full topology, and every replica has synced with its primary.
      for (Node n : c.nodes) {
        c.waitFor(n, r -> r.clusterNodes().lines().filter(l -> !l.contains("fail")).count() == NODES, "sees all nodes");
      }
      for (Node n : c.nodes) {
        c.waitFor(n, r -> !r.info("replication").contains("role:slave")
            || r.info("replication").contains("master_link_status:up"), "replica in sync");
      }
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      c.close();
      throw new IllegalStateException(e);
    }
  }

  private static String binary(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    String message = "no " + name + " binary on the PATH: the cluster tests need redis-server and redis-cli"
        + " (apt-get install redis-server)";
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
      while (out.size() < n) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        // The cluster bus defaults to port + 10000; we set it explicitly, but keep ports low
        // enough that a default would still be valid.
        if (s.getLocalPort() < 55_000) {
          out.add(s.getLocalPort());
        }
      }
      return out;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  private void startNode(Node n) throws IOException {
    List<String> cmd = List.of(server, "--port", Integer.toString(n.port), "--cluster-port", Integer.toString(n.busPort),
        "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", n.dir.resolve("nodes.conf").toString(),
        "--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no", "--dir", n.dir.toString(),
        "--daemonize", "no", "--enable-debug-command", "local");
    n.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(n.dir.resolve("log").toFile()).start();
  }

  private void waitFor(Node n, Function<RedisCommands<String, String>, Boolean> condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (Boolean.TRUE.equals(admin(n, condition))) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      PrivateRedis.sleep(50);
    }
    throw new IllegalStateException("node " + n.port + " did not get to '" + what + "' in 30 s", last);
  }

  /** Runs {@code action} on a fresh connection to {@code n}. */
  <T> T admin(Node n, Function<RedisCommands<String, String>, T> action) {
    try (StatefulRedisConnection<String, String> c =
        adminClient.connect(RedisURI.Builder.redis("127.0.0.1", n.port).withTimeout(Duration.ofSeconds(5)).build())) {
      return action.apply(c.sync());
    }
  }

  /** The store URI with every node as a seed and {@code options}. */
  String uri(String options) {
    return "redis://" + nodes.stream().map(n -> "127.0.0.1:" + n.port).collect(Collectors.joining(",")) + "?" + options;
  }

  /** The store URI naming a single node (cluster mode detected) and {@code options}. */
  String singleNodeUri(String options) {
    return "redis://127.0.0.1:" + nodes.get(0).port + "?" + options;
  }

  /** The nodes that are primaries now, by their own account. */
  List<Node> primaries() {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.alive()) {
        try {
          if (admin(n, r -> r.info("replication")).contains("role:master")) {
            out.add(n);
          }
        } catch (RuntimeException e) {
          // not answering: not a primary we can use
        }
      }
    }
    return out;
  }

  /** Kills {@code n} at once (SIGKILL), as a crash. */
  void kill(Node n) {
    n.process.destroyForcibly();
    try {
      n.process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts a killed node again on its ports and directory: it keeps its identity (nodes.conf)
   * and rejoins, as a replica of the node that took over its slots, with empty data it then
   * copies from that node.
   */
  void restart(Node n) throws IOException {
    startNode(n);
    waitFor(n, r -> r.clusterInfo().contains("cluster_state:ok"), "cluster_state:ok after restart");
  }

  /** Waits until {@code n} is a replica whose link to its primary is up. */
  void awaitInSync(Node n) {
    waitFor(n, r -> r.info("replication").contains("role:slave")
        && r.info("replication").contains("master_link_status:up"), "replica in sync");
  }

  /** Waits until every live node reports {@code cluster_state:ok} and {@code count} primaries. */
  void awaitHealthy(int primaries) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (primaries().size() == primaries && nodes.stream().filter(Node::alive).allMatch(n -> {
        try {
          return admin(n, r -> r.clusterInfo()).contains("cluster_state:ok");
        } catch (RuntimeException e) {
          return false;
        }
      })) {
        return;
      }
      PrivateRedis.sleep(100);
    }
    throw new IllegalStateException("the cluster did not become healthy within 30 s");
  }

  /** The replication role of each live node, for reports. */
  Map<Integer, String> roles() {
    return nodes.stream().filter(Node::alive).collect(Collectors.toMap(n -> n.port, n -> {
      try {
        return admin(n, r -> r.info("replication")).contains("role:master") ? "primary" : "replica";
      } catch (RuntimeException e) {
        return "?";
      }
    }));
  }

  List<Node> nodes() {
    return nodes;
  }

  private void killAll() {
    adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    for (Node n : nodes) {
      if (n.process != null) {
        n.process.destroyForcibly();
      }
    }
    for (Node n : nodes) {
      if (n.process != null) {
        try {
          n.process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
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
