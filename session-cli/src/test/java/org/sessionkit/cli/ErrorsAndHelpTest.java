package org.sessionkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Messages a person understands, exit statuses, help and version, and passwords never shown. */
class ErrorsAndHelpTest {

  private static final String PASSWORD = "s3cret-Pw";

  private final Cli cli = new Cli();

  @TempDir Path dir;

  @AfterEach
  void close() {
    cli.close();
  }

  @Test
  void anUnknownSchemeListsTheAvailableSchemes() {
    Cli.Result r = cli.run("ls", "mongodb://db/sessions");
    assertThat(r.code()).isEqualTo(ExitCode.STORE);
    assertThat(r.err()).isEqualTo("sessionkit ls: can't open the store: no sessionkit store serves"
        + " mongodb://db/sessions; available schemes: file:, jdbc:mariadb:, jdbc:mysql:, jdbc:postgresql:,"
        + " mariadb:, memory:, mysql:, postgres:, postgresql:, redis-sentinel:, redis:, rediss-sentinel:, rediss:"
        + System.lineSeparator());
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aBadOptionOfAStoreNamesIt() {
    Cli.Result r = cli.run("ls", "file:" + dir + "?fsnyc=false");
    assertThat(r.code()).isEqualTo(ExitCode.STORE);
    assertThat(r.err()).contains("fsnyc").doesNotContain("\tat ");
  }

  @Test
  void anUnreachablePostgresServerIsNamedWithoutItsPassword() {
    String uri = "postgresql://alice:" + PASSWORD + "@127.0.0.1:1/agents?connectTimeout=1s";
    Cli.Result r = cli.run("ls", uri);
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCode.STORE);
    assertThat(r.err()).startsWith("sessionkit ls: can't reach the store")
        .contains("alice:***@127.0.0.1:1/agents")
        .contains("Connection refused")
        .doesNotContain(PASSWORD).doesNotContain("\tat ");
  }

  @Test
  void anUnreachableRedisServerIsNamedWithoutItsPassword() {
    String uri = "redis://:" + PASSWORD + "@127.0.0.1:1/0?connectTimeout=1s";
    Cli.Result r = cli.run("migrate", "mem:a", uri);
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCode.STORE);
    assertThat(r.err()).startsWith("sessionkit migrate: can't reach the target store")
        .contains("127.0.0.1").contains("refused")
        .doesNotContain(PASSWORD);
  }

  @Test
  void verboseShowsTheCauseButStillNoPassword() {
    String uri = "postgresql://alice:" + PASSWORD + "@127.0.0.1:1/agents?connectTimeout=1s";
    Cli.Result r = cli.run("ls", uri, "--verbose");
    assertThat(r.code()).isEqualTo(ExitCode.STORE);
    assertThat(r.err()).contains("\tat ").contains("Caused by:").doesNotContain(PASSWORD);
  }

  @Test
  void aPasswordInAnOptionIsNotEchoedByAUsageError() {
    Cli.Result r = cli.run("ls", "postgresql://bob:" + PASSWORD + "@db/x?password=" + PASSWORD, "surplus");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("Unmatched argument").doesNotContain(PASSWORD);
    Cli.Result option = cli.run("ls", "memory:?password=" + PASSWORD);
    assertThat(option.code()).isEqualTo(ExitCode.STORE);
    assertThat(option.err()).doesNotContain(PASSWORD);
  }

  @Test
  void versionNamesTheBuildAndTheStoresOnTheClassPath() {
    Cli.Result r = cli.run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).matches("(?s)sessionkit \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R"
        + "stores: file: jdbc:mariadb: jdbc:mysql: jdbc:postgresql: mariadb: memory: mysql: postgres: postgresql:"
        + " redis-sentinel: redis: rediss-sentinel: rediss:\\RJava .*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ls", "show", "rm", "check", "export", "import", "migrate"})
  void everyCommandHasHelpWithItsExitStatuses(String command) {
    Cli.Result r = cli.run(command, "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: sessionkit " + command).contains("Exit status:")
        .contains("  3   a store can't be used");
  }

  @Test
  void noCommandPrintsTheUsageAndExitsWithUsage() {
    Cli.Result r = cli.run();
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("a command is missing").contains("Commands:").contains("migrate");
  }

  @Test
  void anUnknownOptionIsAUsageErrorWithASuggestion() {
    Cli.Result r = cli.run("migrate", "mem:a", "mem:b", "--overwrit");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("Unknown option: '--overwrit'").contains("--overwrite");
  }

  @Test
  void aMalformedTimeIsAUsageErrorSayingWhichFormsWork() {
    Cli.Result r = cli.run("ls", "mem:a", "--updated-after", "yesterday");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("'yesterday' is neither a timestamp (2026-02-24T15:04:05Z), a date (2026-02-24)");
  }

  @Test
  void aMalformedCursorIsAUsageError() {
    Cli.Result r = cli.run("ls", "mem:a", "--cursor", "not-a-cursor");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).startsWith("sessionkit ls: ").doesNotContain("\tat ");
  }

  @Test
  void concurrencyOutsideItsRangeIsAUsageError() {
    Cli.Result r = cli.run("migrate", "mem:a", "mem:b", "--concurrency", "0");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--concurrency must be between 1 and 1024, not 0");
  }
}
