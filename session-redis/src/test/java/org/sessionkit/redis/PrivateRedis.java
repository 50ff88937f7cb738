package org.sessionkit.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A redis-server of the test's own, on a free port, for tests that pause, starve, kill or
 * restart a server (never the shared one). Started as a child process with {@code DEBUG}
 * allowed from loopback; {@link #close()} kills it and removes its directory.
 */
final class PrivateRedis implements AutoCloseable {

  private final String binary;
  private final int port;
  private final Path dir;
  private final List<String> extra;
  private final boolean tls;
  private Process process;

  private PrivateRedis(String binary, int port, Path dir, List<String> extra, boolean tls) {
    this.binary = binary;
    this.port = port;
    this.dir = dir;
    this.extra = extra;
    this.tls = tls;
  }

  /**
   * Starts a server without persistence, or with {@code extra} settings (e.g. {@code
   * --appendonly yes}). Skips the test (fails it with {@code CI} set) when there is no
   * redis-server binary.
   */
  static PrivateRedis start(String... extra) throws IOException {
    return start(false, extra);
  }

  /**
   * Starts a server that speaks only TLS, with a self-signed certificate made by {@code
   * openssl}; skipped (failed with {@code CI}) without openssl.
   */
  static PrivateRedis startTls() throws IOException {
    if (findBinary("openssl") == null) {
      unavailable("no openssl binary on the PATH: the TLS test makes its certificate with it");
    }
    return start(true);
  }

  private static void unavailable(String message) {
    if (System.getenv("CI") != null) {
      Assertions.fail(message + " (CI is set, so this fails instead of skipping)");
    }
    Assumptions.abort(message);
  }

  private static PrivateRedis start(boolean tls, String... extra) throws IOException {
    String binary = findBinary("redis-server");
    if (binary == null) {
      unavailable("no redis-server binary on the PATH: the fault tests need one (apt-get install redis-server)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("sessionkit-redis");
    List<String> args = new ArrayList<>(List.of(extra));
    if (tls) {
      Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
              "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
              "-days", "1", "-subj", "/CN=localhost")
          .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
      try {
        if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
          throw new IllegalStateException("openssl failed: " + Files.readString(dir.resolve("openssl.log")));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      args.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port),
          "--tls-cert-file", dir.resolve("cert.pem").toString(), "--tls-key-file", dir.resolve("key.pem").toString(),
          "--tls-ca-cert-file", dir.resolve("cert.pem").toString(), "--tls-auth-clients", "no"));
    }
    PrivateRedis r = new PrivateRedis(binary, port, dir, args, tls);
    r.startProcess();
    return r;
  }

  private static String findBinary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** Returns the store URI of this server with {@code options} ({@code rediss} for TLS). */
  String uri(String options) {
    return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port + "/0?" + options;
  }

  private void startProcess() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", dir.toString(), "--enable-debug-command", "local", "--daemonize", "no"));
    cmd.addAll(extra);
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        admin(RedisCommands::ping);
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          throw new IllegalStateException("the private redis-server did not start: " + Files.readString(dir.resolve("log")), e);
        }
        sleep(50);
      }
    }
  }

  /** Kills the server at once (as a crash) and starts it again on the same port and directory. */
  void restart() throws IOException {
    kill();
    startProcess();
  }

  /** Kills the server at once, as a crash would. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the server again after {@link #kill()}. */
  void startAgain() throws IOException {
    startProcess();
  }

  /** Runs {@code action} on a fresh admin connection. */
  void admin(Consumer<RedisCommands<String, String>> action) {
    RedisClient client =
        RedisClient.create(RedisURI.Builder.redis("127.0.0.1", port).withSsl(tls).withVerifyPeer(!tls).build());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.setTimeout(Duration.ofSeconds(10));
      action.accept(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Sends one command, e.g. {@code command(CommandType.CLIENT, "PAUSE", "3000", "WRITE")}. */
  void command(CommandType type, String... args) {
    CommandArgs<String, String> a = new CommandArgs<>(StringCodec.UTF8);
    for (String arg : args) {
      a.add(arg);
    }
    admin(r -> r.dispatch(type, new StatusOutput<>(StringCodec.UTF8), a));
  }

  /** Sends {@code DEBUG SLEEP seconds} from another thread, which ends when the server wakes. */
  Thread sleepServer(int seconds) {
    Thread t = new Thread(() -> command(CommandType.DEBUG, "SLEEP", Integer.toString(seconds)), "debug-sleep");
    t.start();
    return t;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process != null) {
      kill();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; nothing else to do
    }
  }
}
