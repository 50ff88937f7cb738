package org.sessionkit.postgres;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PgBouncer of the test's own, in transaction pooling mode, on a free port in front of the
 * test server (Debian's {@code pgbouncer}; it refuses to run as root, so as root it runs as the
 * {@code postgres} user). Without the binary the test is skipped with the reason, or fails when
 * {@code CI} is set. {@link #close()} stops it and removes its directory.
 */
final class PrivatePgBouncer implements AutoCloseable {

  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private final Path dir;
  private final int port;

  private PrivatePgBouncer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts PgBouncer in transaction pooling mode, serving the database {@code database} of the
   * server at {@code host:serverPort} under the same name.
   */
  static PrivatePgBouncer start(String host, int serverPort, String database) throws IOException, InterruptedException {
    Optional<Path> binary = Stream.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer")
        .map(Path::of).filter(Files::isExecutable).findFirst();
    if (binary.isEmpty()) {
      String message = "no pgbouncer binary for the PgBouncer tests: install the pgbouncer package"
          + " (apt-get install -y pgbouncer)";
      if (System.getenv("CI") != null) {
        fail(message + " (CI is set, so this is an error)");
      }
      Assumptions.abort(message);
    }
    Path dir = Files.createTempDirectory("sessionkit-pgbouncer-");
    int port = freePort();
    PrivatePgBouncer bouncer = new PrivatePgBouncer(dir, port);
    try {
      Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"\"\n", StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
          "[databases]",
          database + " = host=" + host + " port=" + serverPort + " dbname=" + database,
          "[pgbouncer]",
          "listen_addr = 127.0.0.1",
          "listen_port = " + port,
          "unix_socket_dir = " + dir,
          "auth_type = trust",
          "auth_file = " + dir.resolve("users.txt"),
          "pool_mode = transaction",
          // pgjdbc sends extra_float_digits at startup; PgBouncer refuses unknown parameters.
          "ignore_startup_parameters = extra_float_digits",
          "max_client_conn = 400",
          "default_pool_size = 12",
          "pidfile = " + dir.resolve("pgbouncer.pid"),
          "logfile = " + dir.resolve("pgbouncer.log"),
          ""), StandardCharsets.UTF_8);
      if (ROOT) {
        run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
      }
      List<String> command = new ArrayList<>();
      if (ROOT) {
        command.addAll(List.of("runuser", "-u", "postgres", "--"));
      }
      command.addAll(List.of(binary.get().toString(), "-d", dir.resolve("pgbouncer.ini").toString()));
      run(command);
      bouncer.awaitListening();
      return bouncer;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      bouncer.close();
      throw e;
    }
  }

  /** The port PgBouncer listens on (127.0.0.1). */
  int port() {
    return port;
  }

  private void awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        if (s.isConnected()) {
          return;
        }
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    fail("pgbouncer did not listen on " + port + ": " + log());
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("pgbouncer.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() {
    try {
      Path pidFile = dir.resolve("pgbouncer.pid");
      if (Files.exists(pidFile)) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).ifPresent(p -> {
          p.destroy();
          try {
            p.onExit().get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            p.destroyForcibly();
          }
        });
      }
    } catch (IOException | NumberFormatException e) {
      System.getLogger(PrivatePgBouncer.class.getName())
          .log(System.Logger.Level.WARNING, "could not stop the private pgbouncer in " + dir, e);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // A temporary directory left behind is harmless.
      }
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    // To a file, not a pipe: a daemon that kept the pipe open would block a reader forever.
    Path output = Files.createTempFile("sessionkit-pgbouncer-", ".out");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    boolean exited = p.waitFor(30, TimeUnit.SECONDS);
    String out = Files.readString(output);
    Files.deleteIfExists(output);
    if (!exited) {
      p.destroyForcibly();
      fail("timed out: " + command);
    }
    if (p.exitValue() != 0) {
      fail(command + " failed with " + p.exitValue() + ":\n" + out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
