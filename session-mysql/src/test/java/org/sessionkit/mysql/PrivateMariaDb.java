package org.sessionkit.mysql;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A MariaDB server of the test's own, on a free port in a temporary directory, for tests that
 * crash it (the shared server is never touched): {@code mariadb-install-db}, then {@code
 * mariadbd}; {@link #crash()} is a SIGKILL. As root, {@code --user=root}.
 *
 * <p>Without the binaries the test is skipped with the reason, or fails when {@code CI} is set.
 * {@link #close()} kills the server and removes its directory, also after a failure.
 */
final class PrivateMariaDb implements AutoCloseable {

  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private final Path server;
  private final Path dir;
  private final int port;
  private Process process;

  private PrivateMariaDb(Path server, Path dir, int port) {
    this.server = server;
    this.dir = dir;
    this.port = port;
  }

  /** Creates and starts a server, or skips (under CI: fails) the test without binaries. */
  static PrivateMariaDb start() throws IOException, InterruptedException, SQLException {
    Optional<Path> server = find("mariadbd", "/usr/sbin", "/usr/bin", "/usr/local/bin");
    Optional<Path> install = find("mariadb-install-db", "/usr/bin", "/usr/local/bin", "/usr/sbin");
    if (server.isEmpty() || install.isEmpty()) {
      String message = "no MariaDB server binaries (mariadbd, mariadb-install-db) for the fault tests:"
          + " install the mariadb-server package";
      if (System.getenv("CI") != null) {
        fail(message + " (CI is set, so this is an error)");
      }
      Assumptions.abort(message);
    }
    Path dir = Files.createTempDirectory("sessionkit-mariadb-");
    PrivateMariaDb db = new PrivateMariaDb(server.get(), dir, freePort());
    try {
      List<String> command = new ArrayList<>(List.of(install.get().toString(), "--no-defaults",
          "--datadir=" + dir.resolve("data"), "--auth-root-authentication-method=normal", "--skip-test-db"));
      if (ROOT) {
        command.add("--user=root");
      }
      run(command);
      db.startServer();
      return db;
    } catch (IOException | InterruptedException | SQLException | RuntimeException | AssertionError e) {
      db.close();
      throw e;
    }
  }

  /** The store URI of database {@code test} (created by {@link #startServer} if missing). */
  String storeUrl(String prefix, String options) {
    return "mariadb://root@127.0.0.1:" + port + "/test?tablePrefix=" + prefix + (options.isEmpty() ? "" : "&" + options);
  }

  /** The port the server listens on. */
  int port() {
    return port;
  }

  /** An admin connection to database {@code test}. */
  Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "root");
    p.setProperty("connectTimeout", "2000");
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/test", p);
  }

  /** Starts the (stopped) server on the same port and data, and waits until it answers. */
  void startServer() throws IOException, InterruptedException, SQLException {
    List<String> command = new ArrayList<>(List.of(server.toString(), "--no-defaults",
        "--datadir=" + dir.resolve("data"), "--port=" + port, "--bind-address=127.0.0.1",
        "--socket=" + dir.resolve("sock"), "--pid-file=" + dir.resolve("pid"),
        "--log-error=" + dir.resolve("err.log"), "--innodb-buffer-pool-size=32M", "--max-connections=60"));
    if (ROOT) {
      command.add("--user=root");
    }
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("mariadbd exited with " + process.exitValue() + ": " + log());
      }
      try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=root&connectTimeout=1000")) {
        c.createStatement().execute("CREATE DATABASE IF NOT EXISTS test");
        return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new SQLException("the private MariaDB did not start within 60 s: " + log(), last);
  }

  /** Starts the server again if it is not running. */
  void ensureRunning() throws IOException, InterruptedException, SQLException {
    if (process == null || !process.isAlive()) {
      startServer();
    }
  }

  /** Kills the server the way a crash does (SIGKILL) and waits until it is gone. */
  void crash() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    try {
      crash();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // A temporary directory left behind is harmless.
      }
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("err.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // The output is only for the failure message.
      }
    });
    reader.setDaemon(true);
    reader.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + command);
    }
    reader.join(5_000);
    if (p.exitValue() != 0) {
      fail(command + " failed with " + p.exitValue() + ":\n" + out);
    }
  }

  private static Optional<Path> find(String name, String... dirs) {
    for (String d : dirs) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
