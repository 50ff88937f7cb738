package org.sessionkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.file.FileSessionStorage;

/** {@code check}, end to end, on file stores with every kind of damage. */
class CheckCommandTest {

  private final Cli cli = new Cli();

  @TempDir Path dir;

  @AfterEach
  void close() {
    cli.close();
  }

  /** Saves good sessions, then damages the directory in three ways; returns the damaged paths. */
  static List<Path> damagedFileStore(Path dir, int good) throws Exception {
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
      Samples.saveAll(store, Samples.smalls("good-", good));
    }
    Path garbage = dir.resolve("garbage.json");
    Files.writeString(garbage, "{\"id\": \"garbage\", \"messages\": [ this is not JSON");
    // A document neuron could have written: its head reads fine (so it is listed), but a
    // message has a role the format does not know, which only loading finds.
    Path badRole = dir.resolve("bad-role.json");
    Files.writeString(badRole, "{\"id\":\"bad-role\",\"messages\":[{\"role\":\"Robot\",\"content\":[]}],"
        + "\"state\":{\"cwd\":\"/\",\"token_usage\":{\"input_tokens\":0,\"output_tokens\":0},"
        + "\"event_count\":0,\"custom\":{}},"
        + "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}");
    return List.of(garbage, badRole);
  }

  @Test
  void checkNamesEveryUnreadableFileAndExitsWithFailures() throws Exception {
    List<Path> damaged = damagedFileStore(dir, 5);
    Cli.Result r = cli.run("check", "file:" + dir);
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCode.FAILURES);
    assertThat(r.out()).contains("checked file:" + dir + ": 5 sessions read in ")
        .contains("2 problems:")
        .contains("  " + damaged.get(0) + ": ")
        // The store's own full check (problems()) now finds the unknown role and names the file.
        .contains("bad-role.json: ").contains("Robot").contains(damaged.get(1).toString());
  }

  @Test
  void checkReportsLeftoverTemporaryFilesOfInterruptedWrites() throws Exception {
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
      Samples.saveAll(store, Samples.smalls("s", 2));
    }
    Path leftover = dir.resolve(".sk-3-0123456789abcdef.tmp");
    Files.writeString(leftover, "{\"sessionkit\":{\"format\":1,");
    Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minusSeconds(3600)));
    Path young = dir.resolve(".sk-4-0123456789abcdef.tmp"); // a write under way elsewhere
    Files.writeString(young, "{");
    Cli.Result r = cli.run("check", "file:" + dir);
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCode.FAILURES);
    assertThat(r.out()).contains("1 problem:")
        .contains(leftover + ": temporary file left by an interrupted write (26 B, last written ")
        .contains("the store removed it when it opened the directory")
        .doesNotContain(young.toString());
    assertThat(leftover).doesNotExist();
    Cli.Result again = cli.run("check", "file:" + dir);
    assertThat(again.code()).as(again.toString()).isZero();
  }

  @Test
  void checkOfAHealthyStoreSaysSoAndExitsZero() throws Exception {
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
      Samples.saveAll(store, List.of(Samples.rich("user/1"), Samples.small("x", 1)));
    }
    Cli.Result r = cli.run("check", "file:" + dir);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains(": 2 sessions read in ").endsWith("no problems found" + System.lineSeparator());
  }

  @Test
  void checkJsonListsProblemsForScripts() throws Exception {
    List<Path> damaged = damagedFileStore(dir, 1);
    Cli.Result r = cli.run("check", "file:" + dir, "--json");
    assertThat(r.code()).isEqualTo(ExitCode.FAILURES);
    assertThat(r.out()).contains("\"sessions_read\" : 1")
        .contains("\"location\" : \"" + damaged.get(0) + "\"")
        .contains("\"id\" : \"bad-role\"");
  }

  @Test
  void checkOfAMemoryStoreReadsEverySession() {
    Samples.saveAll(cli.memory("m"), Samples.smalls("s", 30));
    Cli.Result r = cli.run("check", "mem:m", "--concurrency", "4");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("30 sessions read");
  }
}
