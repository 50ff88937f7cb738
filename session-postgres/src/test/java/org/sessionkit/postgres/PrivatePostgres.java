package org.sessionkit.postgres;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
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
 * A PostgreSQL server of the test's own, on a free port in a temporary directory, for tests
 * that stop, crash or starve it (the shared server is never touched). PostgreSQL refuses to run
 * as root, so as root its tools run as the {@code postgres} user through {@code runuser}.
 *
 * <p>Without the server binaries the test is skipped with the reason, or fails when {@code CI}
 * is set. {@link #close()} stops the server and removes its directory, also after a failure.
 */
final class PrivatePostgres implements AutoCloseable {

  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final String extraOptions;

  private PrivatePostgres(Path bin, Path dir, int port, String extraOptions) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.extraOptions = extraOptions;
  }

  /** Creates and starts a server, or skips (under CI: fails) the test without binaries. */
  static PrivatePostgres start() throws IOException, InterruptedException {
    return start("");
  }

  /**
   * Creates and starts a server with extra server options ({@code -c name=value …}), or skips
   * (under CI: fails) the test without binaries.
   */
  static PrivatePostgres start(String extraOptions) throws IOException, InterruptedException {
    Path bin = requireBinaries();
    Path dir = Files.createTempDirectory("sessionkit-pg-");
    PrivatePostgres pg = new PrivatePostgres(bin, dir, freePort(), extraOptions);
    try {
      if (ROOT) {
        run(List.of("chown", "postgres:postgres", dir.toString()));
      }
      pg.tool("initdb", "-D", pg.data.toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8",
          "--locale=C", "-N");
      pg.startServer();
      return pg;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      pg.close();
      throw e;
    }
  }

  /**
   * Makes a streaming replica of this server ({@code pg_basebackup -R -X stream}) and starts it
   * on a free port with {@code cluster_name=replica} and the extra options.
   */
  PrivatePostgres replica(String extraOptions) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("sessionkit-pg-replica-");
    PrivatePostgres r = new PrivatePostgres(bin, dir, freePort(), "-c cluster_name=replica " + extraOptions);
    try {
      if (ROOT) {
        run(List.of("chown", "postgres:postgres", dir.toString()));
      }
      r.tool("pg_basebackup", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres",
          "-D", r.data.toString(), "-R", "-X", "stream", "-c", "fast");
      r.startServer();
      return r;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      r.close();
      throw e;
    }
  }

  /** Promotes this (replica) server to a primary and waits until it accepts writes. */
  void promote() throws IOException, InterruptedException {
    tool("pg_ctl", "-D", data.toString(), "-w", "-t", "60", "promote");
  }

  /** The server's port on 127.0.0.1. */
  int port() {
    return port;
  }

  private static Path requireBinaries() throws IOException {
    Optional<Path> bin = findBinaries();
    if (bin.isEmpty()) {
      String message = "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) for the"
          + " fault tests: install the postgresql package";
      if (System.getenv("CI") != null) {
        fail(message + " (CI is set, so this is an error)");
      }
      Assumptions.abort(message);
    }
    return bin.get();
  }

  /** Returns a store URI on this server's {@code postgres} database. */
  String storeUrl(String schema, String options) {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres?schema=" + schema
        + (options.isEmpty() ? "" : "&" + options);
  }

  /** Starts the (stopped) server again on the same port and data. */
  void startServer() throws IOException, InterruptedException {
    tool("pg_ctl", "-D", data.toString(), "-w", "-t", "60", "-l", dir.resolve("log").toString(),
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c max_connections=40 -c shared_buffers=16MB " + extraOptions,
        "start");
  }

  /** Stops the server the way a crash would ({@code -m immediate}, like kill -9). */
  void crash() throws IOException, InterruptedException {
    tool("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
  }

  @Override
  public void close() {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        crash();
      }
    } catch (IOException | InterruptedException | AssertionError e) {
      System.getLogger(PrivatePostgres.class.getName())
          .log(System.Logger.Level.WARNING, "could not stop the private server in " + dir, e);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // A temporary directory left behind is harmless.
      }
    }
  }

  private void tool(String name, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (ROOT) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(bin.resolve(name).toString());
    command.addAll(List.of(args));
    run(command);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // Read in the background so a chatty tool never blocks on a full pipe.
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
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + command);
    }
    reader.join(5_000);
    if (p.exitValue() != 0) {
      fail(command + " failed with " + p.exitValue() + ":\n" + out);
    }
  }

  private static Optional<Path> findBinaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparingInt(PrivatePostgres::majorVersion));
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
