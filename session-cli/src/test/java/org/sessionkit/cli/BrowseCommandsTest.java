package org.sessionkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.Futures;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.memory.MemorySessionStorage;

/** {@code ls}, {@code show} and {@code rm}, end to end. */
class BrowseCommandsTest {

  private final Cli cli = new Cli();

  @TempDir Path dir;

  @AfterEach
  void close() {
    cli.close();
  }

  private MemorySessionStorage store(List<Session> sessions) {
    MemorySessionStorage store = cli.memory("a");
    Samples.saveAll(store, sessions);
    return store;
  }

  @Test
  void lsPrintsATableNewestFirstWithCounts() {
    store(List.of(Samples.small("old", 1), Samples.small("new", 5), Samples.rich("user-42/chat 1")));
    Cli.Result r = cli.run("ls", "mem:a");
    assertThat(r.code()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("UPDATED (UTC)").contains("CREATED (UTC)", "MESSAGES", "ID");
    assertThat(lines.get(1)).startsWith("2026-02-24 15:06:41").endsWith("  6  \"user-42/chat 1\"");
    assertThat(lines.get(2)).startsWith("2026-02-24 15:04:10  2026-02-24 14:04:05").endsWith("  2  new");
    assertThat(lines.get(3)).endsWith("  old");
    assertThat(lines.get(4)).isEqualTo("3 sessions");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void lsPagesWithLimitAndCursorAndWalksEverythingWithAll() {
    store(Samples.smalls("s", 7));
    Cli.Result first = cli.run("ls", "mem:a", "--limit", "3");
    assertThat(first.code()).isZero();
    assertThat(ids(first.out())).containsExactly("s6", "s5", "s4");
    Matcher m = Pattern.compile("3 sessions shown; next page: --cursor (\\S+)").matcher(first.out());
    assertThat(m.find()).as(first.out()).isTrue();
    Cli.Result second = cli.run("ls", "mem:a", "--limit", "3", "--cursor", m.group(1));
    assertThat(ids(second.out())).containsExactly("s3", "s2", "s1");
    Cli.Result all = cli.run("ls", "mem:a", "--limit", "2", "--all");
    assertThat(ids(all.out())).containsExactly("s6", "s5", "s4", "s3", "s2", "s1", "s0");
    assertThat(all.out()).endsWith("7 sessions" + System.lineSeparator());
  }

  @Test
  void lsFiltersByPrefixAndUpdatedBounds() {
    store(List.of(Samples.small("user-1/a", 1), Samples.small("user-1/b", 20), Samples.small("user-2/a", 30)));
    assertThat(ids(cli.run("ls", "mem:a", "--prefix", "user-1/").out())).containsExactly("user-1/b", "user-1/a");
    assertThat(ids(cli.run("ls", "mem:a", "--updated-after", "2026-02-24T15:04:10Z").out()))
        .containsExactly("user-2/a", "user-1/b");
    assertThat(ids(cli.run("ls", "mem:a", "--updated-before", "2026-02-24T15:04:10Z").out()))
        .containsExactly("user-1/a");
    assertThat(ids(cli.run("ls", "mem:a", "--updated-before", "2026-02-24").out())).isEmpty();
    assertThat(cli.run("ls", "mem:a", "--updated-after", "1d").out()).contains("no sessions in that time range");
    assertThat(cli.run("ls", "mem:a", "--prefix", "nobody/").out())
        .isEqualTo("no sessions with ids starting with nobody/" + System.lineSeparator());
  }

  @Test
  void lsJsonIsOneObjectWithSessionsCursorAndProblems() throws Exception {
    store(Samples.smalls("s", 3));
    Cli.Result r = cli.run("ls", "mem:a", "--json", "--limit", "2");
    assertThat(r.code()).isZero();
    List<String> ids = new ArrayList<>();
    String cursor = null;
    try (JsonParser p = new JsonFactory().createParser(r.outBytes())) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("sessions")) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String f = p.currentName();
              p.nextToken();
              if (f.equals("id")) {
                ids.add(p.getText());
              } else if (f.equals("updated_at")) {
                assertThat(p.getText()).startsWith("2026-02-24T15:04:0");
              } else if (f.equals("message_count")) {
                assertThat(p.getIntValue()).isEqualTo(2);
              }
            }
          }
        } else if (field.equals("next_cursor")) {
          cursor = p.getText();
        } else if (field.equals("problems")) {
          assertThat(p.nextToken()).isEqualTo(JsonToken.END_ARRAY);
        }
      }
    }
    assertThat(ids).containsExactly("s2", "s1");
    assertThat(cursor).isNotBlank();
  }

  @Test
  void lsOfAFileStoreWarnsAboutUnreadableFilesOnTheErrorStream() throws Exception {
    Files.writeString(dir.resolve("broken.json"), "{\"id\": \"broken\", \"messages\": [");
    Cli.Result r = cli.run("ls", "file:" + dir);
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("no sessions" + System.lineSeparator());
    assertThat(r.err()).contains("warning: 1 stored entry can't be read as a session:")
        .contains(dir.resolve("broken.json").toString()).contains("sessionkit check");
  }

  @Test
  void lsOfAMissingDirectoryFailsInsteadOfCreatingIt() {
    Path missing = dir.resolve("typo");
    Cli.Result r = cli.run("ls", "file:" + missing);
    assertThat(r.code()).isEqualTo(ExitCode.STORE);
    assertThat(r.err()).contains("there is no directory " + missing);
    assertThat(missing).doesNotExist();
  }

  @Test
  void lsRefusesALimitOutsideTheRange() {
    Cli.Result r = cli.run("ls", "mem:a", "--limit", "0");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--limit must be between 1 and 1000");
  }

  @Test
  void showPrintsTheConversationWithRolesTextToolCallsAndUsage() {
    store(List.of(Samples.rich("user-42/chat-1")));
    Cli.Result r = cli.run("show", "mem:a", "user-42/chat-1");
    assertThat(r.code()).as(r.toString()).isZero();
    String out = r.out();
    assertThat(out).contains("session   user-42/chat-1")
        .contains("created   2026-02-24T15:04:05.123456789Z")
        .contains("cwd       /home/alice//demo")
        .contains("tokens    3,412 input · 587 output · 1,024 cache read · 132 reasoning (2 iterations)")
        .contains("events    18,446,744,073,709,551,615")
        .contains("custom    {\"ticket\":\"OPS-17\",\"ratio\":0.70,\"null\":null}")
        .contains("[1] System\n    You are a careful coding assistant.".replace("\n", System.lineSeparator()))
        .contains("[2] User\n    What's in Cargo.toml?\n    And the README?".replace("\n", System.lineSeparator()))
        .contains("[image image/png, 9 B]", "[image https://example.com/a.png]", "[document: PDF, 9 B]",
            "[document: text] plain text with tab", "[document file:///tmp/r.pdf]")
        .contains("(redacted thinking, 16 B)")
        .contains("→ tool call read_file {\"path\":\"Cargo.toml\",\"three\":3,\"three_point_zero\":3.0,")
        .contains("[toolu_01]")
        .contains("← tool result of read_file [toolu_01]: [package] ⏎ name = \"demo\" ⏎ xxx")
        .contains("← tool error [toolu_02]: no such file: README")
        .contains("(summary of earlier turns) Earlier: the user asked about the crate.")
        .contains("[6] Assistant" + System.lineSeparator() + "    (no content)");
    // Long tool results and reasoning are shortened, saying how long they were.
    assertThat(out).containsPattern("← tool result of read_file \\[toolu_01\\]: .{100,200}… \\(4\\d\\d characters\\)");
    assertThat(out).containsPattern("\\(thinking\\) I should read .*… \\(420 characters\\)");
  }

  @Test
  void showFullKeepsToolResultsWhole() {
    store(List.of(Samples.rich("c")));
    Cli.Result r = cli.run("show", "mem:a", "c", "--full");
    assertThat(r.out()).contains("x".repeat(400)).doesNotContain("characters)");
  }

  @Test
  void showJsonPrintsTheExactDocument() {
    Session rich = Samples.rich("user-42/chat-1");
    store(List.of(rich));
    Cli.Result r = cli.run("show", "mem:a", "user-42/chat-1", "--json");
    assertThat(r.code()).isZero();
    String expected = new String(SessionCodec.defaults().encodePretty(rich), StandardCharsets.UTF_8);
    assertThat(r.out()).isEqualTo(expected + System.lineSeparator());
    assertThat(SessionCodec.defaults().decode(r.out().strip().getBytes(StandardCharsets.UTF_8), "out")).isEqualTo(rich);
  }

  @Test
  void showOfAMissingSessionExitsWithNotFound() {
    store(List.of());
    Cli.Result r = cli.run("show", "mem:a", "nope");
    assertThat(r.code()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.err()).startsWith("sessionkit show: can't show nope: ").doesNotContain("Exception", "\tat ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void showEscapesControlCharactersThatWouldDriveTheTerminal() {
    Session s = new Session("esc", List.of(org.sessionkit.Message.user("red \u001b[31mtext\u001b[0m")),
        org.sessionkit.SessionState.initial("/"), Samples.T0, Samples.T0);
    store(List.of(s));
    assertThat(cli.run("show", "mem:a", "esc").out()).contains("red \\u001b[31mtext\\u001b[0m").doesNotContain("\u001b");
  }

  @Test
  void rmDeletesEachIdAndReportsMissingOnesWithNotFound() {
    MemorySessionStorage store = store(Samples.smalls("s", 3));
    Cli.Result r = cli.run("rm", "mem:a", "s0", "ghost", "s2");
    assertThat(r.code()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.out()).isEqualTo("deleted s0" + System.lineSeparator() + "deleted s2" + System.lineSeparator());
    assertThat(r.err()).isEqualTo("no session ghost" + System.lineSeparator());
    assertThat(Futures.await(store.list()).stream().map(x -> x.id())).containsExactly("s1");
    Cli.Result again = cli.run("rm", "mem:a", "s1");
    assertThat(again.code()).isZero();
    assertThat(Futures.await(store.list())).isEmpty();
  }

  @Test
  void rmWithoutIdsIsAUsageError() {
    Cli.Result r = cli.run("rm", "mem:a");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("Missing required parameter").contains("ID");
  }

  @Test
  void rmWithAPrefixShowsWhatItWillDeleteAndDeletesOnlyAfterConfirmation() {
    MemorySessionStorage store = store(List.of(
        Samples.small("user-42/a", 1), Samples.small("user-42/b", 2), Samples.small("user-420", 3), Samples.small("user-4/c", 4)));
    Cli.Result refused = cli.runWithInput("no\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "rm", "mem:a", "--prefix", "user-42/");
    assertThat(refused.code()).isEqualTo(ExitCode.FAILURES);
    assertThat(refused.out()).contains("deleting 2 sessions:").contains("user-42/a").contains("user-42/b").doesNotContain("user-420");
    assertThat(Futures.await(store.list())).hasSize(4);
    Cli.Result dry = cli.run("rm", "mem:a", "--prefix", "user-42/", "--dry-run");
    assertThat(dry.code()).isZero();
    assertThat(dry.out()).contains("would delete 2 sessions");
    assertThat(Futures.await(store.list())).hasSize(4);
    Cli.Result done = cli.runWithInput("yes\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "rm", "mem:a", "--prefix", "user-42/");
    assertThat(done.code()).isZero();
    assertThat(done.out()).contains("deleted 2 sessions");
    assertThat(Futures.await(store.list()).stream().map(x -> x.id())).containsExactlyInAnyOrder("user-420", "user-4/c");
  }

  @Test
  void rmUpdatedBeforeWithYesDeletesOldSessionsWithoutAsking() {
    MemorySessionStorage store = store(List.of(
        Samples.small("old", 1).withUpdatedAt(java.time.Instant.parse("2020-01-01T00:00:00Z")),
        Samples.small("new", 2).withUpdatedAt(java.time.Instant.parse("2030-01-01T00:00:00Z"))));
    Cli.Result r = cli.run("rm", "mem:a", "--updated-before", "2025-01-01", "--yes");
    assertThat(r.code()).isZero();
    assertThat(Futures.await(store.list()).stream().map(x -> x.id())).containsExactly("new");
  }

  @Test
  void rmRefusesIdsTogetherWithAFilterAndAnEmptyPrefix() {
    store(List.of());
    assertThat(cli.run("rm", "mem:a", "x", "--prefix", "u/").code()).isEqualTo(ExitCode.USAGE);
    assertThat(cli.run("rm", "mem:a", "--prefix", "").code()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void rmOfAnInvalidIdIsAFailureNamingIt() {
    store(List.of());
    Cli.Result r = cli.run("rm", "mem:a", "..");
    assertThat(r.code()).isEqualTo(ExitCode.FAILURES);
    assertThat(r.err()).startsWith("failed: \"..\"").doesNotContain("\tat ");
  }

  private static List<String> ids(String table) {
    return table.lines()
        .filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\d .*"))
        .map(l -> l.substring(l.lastIndexOf("  ") + 2))
        .toList();
  }
}
