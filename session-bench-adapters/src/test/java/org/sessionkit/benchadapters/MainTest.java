package org.sessionkit.benchadapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line of the adapter benchmark, without running JMH. */
class MainTest {

  private final ByteArrayOutputStream console = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);

  private String printed() {
    return console.toString(StandardCharsets.UTF_8);
  }

  @Test
  void withoutAServerTheRunIsSkippedWithAMessageThatHidesThePassword() {
    BenchPostgres nobody = BenchPostgres.of("postgresql://bench:s3cret@127.0.0.1:1/test");
    assertThat(Main.run(new String[] {"--iterations", "1"}, out, nobody)).isZero();
    assertThat(printed())
        .contains("Adapter benchmark skipped: no PostgreSQL server answers at postgresql://bench:")
        .contains("127.0.0.1:1/test")
        .doesNotContain("s3cret")
        .doesNotContain("# Run complete");
  }

  @Test
  void badOptionsPrintTheUsageAndExitWithTwo() {
    BenchPostgres nobody = BenchPostgres.of("postgresql://postgres@127.0.0.1:1/test");
    assertThat(Main.run(new String[] {"--forks"}, out, nobody)).isEqualTo(2);
    assertThat(printed()).contains("--forks needs a value").contains("usage:");
    assertThat(Main.run(new String[] {"-p", "store=memory"}, out, nobody)).isEqualTo(2);
    assertThat(printed()).contains("-p takes length=N");
    assertThat(Main.run(new String[] {"--iterations", "0"}, out, nobody)).isEqualTo(2);
    assertThat(printed()).contains("--iterations must be at least 1");
    assertThat(Main.run(new String[] {"--bogus"}, out, nobody)).isEqualTo(2);
    assertThat(printed()).contains("unknown option --bogus");
  }

  @Test
  void optionsReplaceTheDefaults() {
    Main.Options o = Main.Options.parse(
        new String[] {"--warmup", "0", "--iterations", "2", "--time", "1", "--forks", "0", "-p", "length=10,100"});
    assertThat(o.warmup).isZero();
    assertThat(o.iterations).isEqualTo(2);
    assertThat(o.seconds).isEqualTo(1);
    assertThat(o.forks).isZero();
    assertThat(o.params.get("length")).containsExactly("10", "100");
    Main.Options defaults = Main.Options.parse(new String[0]);
    assertThat(defaults.warmup).isEqualTo(3);
    assertThat(defaults.iterations).isEqualTo(5);
    assertThat(defaults.seconds).isEqualTo(2);
    assertThat(defaults.forks).isEqualTo(1);
  }

  @Test
  void aUriOfAnotherSchemeIsRefusedWithoutItsPassword() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BenchPostgres.of("redis://u:hunter2@localhost:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a PostgreSQL URI")
        .hasMessageNotContaining("hunter2");
  }
}
