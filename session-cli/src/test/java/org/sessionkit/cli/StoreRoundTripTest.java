package org.sessionkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;

/**
 * Round trips through the command between every pair of the reactor's stores — memory, file,
 * PostgreSQL, Redis, MySQL/MariaDB — compared session by session. The server stores use the shared test
 * servers (skipped without them, failing under CI).
 */
class StoreRoundTripTest {

  enum Kind { MEMORY, FILE, POSTGRES, REDIS, MYSQL }

  private static Servers servers;

  private final Cli cli = new Cli();

  @TempDir Path dir;

  @BeforeAll
  static void servers() {
    servers = new Servers();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    servers.close();
  }

  @AfterEach
  void close() {
    cli.close();
  }

  private String location(Kind kind) {
    String name = UUID.randomUUID().toString().substring(0, 8);
    return switch (kind) {
      case MEMORY -> "mem:" + name;
      case FILE -> "file:" + dir.resolve(name) + "?fsync=false";
      case POSTGRES -> servers.postgres();
      case REDIS -> servers.redis();
      case MYSQL -> servers.mysql();
    };
  }

  private SessionStorage open(String uri) {
    return uri.startsWith("mem:") ? new ForwardingStorage(cli.memory(uri.substring(4))) : SessionStorages.open(uri);
  }

  private static List<Session> sessions() {
    List<Session> all = new ArrayList<>(Samples.smalls("user-7/s", 25));
    all.add(Samples.rich("user-42/chat 1"));
    all.add(Samples.rich("ünï/😀 {braces}:colons"));
    return all;
  }

  static Stream<Arguments> pairs() {
    List<Arguments> pairs = new ArrayList<>();
    for (Kind from : Kind.values()) {
      for (Kind to : Kind.values()) {
        if (from != to) {
          pairs.add(Arguments.of(from, to));
        }
      }
    }
    return pairs.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("pairs")
  void migrateKeepsEverySessionExactlyAndARerunCopiesNothing(Kind from, Kind to) {
    String source = location(from);
    String target = location(to);
    List<Session> all = sessions();
    try (SessionStorage s = open(source)) {
      Samples.saveAll(s, all);
    }
    Cli.Result r = cli.run("migrate", source, target);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("copied 27 · skipped 0 · failed 0");
    try (SessionStorage t = open(target)) {
      CopyCommandsTest.assertHoldsExactly(t, all);
    }
    Cli.Result again = cli.run("migrate", source, target, "--prefix", "user-7/");
    assertThat(again.out()).as(again.toString()).contains("copied 0 · skipped 25 (identical) · failed 0");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void exportThenImportIntoEveryOtherKindKeepsEverySessionExactly(Kind kind) {
    String source = location(kind);
    List<Session> all = sessions();
    try (SessionStorage s = open(source)) {
      Samples.saveAll(s, all);
    }
    Path file = dir.resolve("export.jsonl");
    Cli.Result export = cli.run("export", source, "-o", file.toString());
    assertThat(export.code()).as(export.toString()).isZero();
    for (Kind other : Kind.values()) {
      String target = location(other);
      Cli.Result imported = cli.run("import", target, file.toString());
      assertThat(imported.code()).as(other + ": " + imported).isZero();
      assertThat(imported.out()).contains("copied 27 · skipped 0 · failed 0");
      try (SessionStorage t = open(target)) {
        CopyCommandsTest.assertHoldsExactly(t, all);
      }
    }
  }
}
