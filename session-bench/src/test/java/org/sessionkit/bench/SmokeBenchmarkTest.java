package org.sessionkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI smoke pass: every benchmark runs once, briefly, in this JVM against every store on the
 * class path and its baseline, and the report is written. Keeps benchmarks from rotting.
 */
class SmokeBenchmarkTest {

  @TempDir Path out;

  @Test
  void everyBenchmarkRunsOnEveryStoreAndTheReportIsWritten() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    long started = System.nanoTime();
    int status = Main.run(
        new String[] {"--smoke", "--out", out.toString()}, new PrintStream(console, true, StandardCharsets.UTF_8));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    String printed = console.toString(StandardCharsets.UTF_8);

    assertThat(status).as(printed).isZero();
    // the smoke pass runs the default configuration of every embedded store (no -nofsync or
    // -observed variant)
    List<StoreFactory> targets = StoreFactories.discover().targets().stream()
        .filter(f -> !f.name().endsWith("-nofsync") && !f.name().endsWith(StoreFactory.OBSERVED_SUFFIX))
        .collect(Collectors.toList());
    List<String> stores = targets.stream().map(StoreFactory::name).collect(Collectors.toList());
    assertThat(stores).containsExactly("memory", "raw-memory", "file", "raw-file");

    String json = Files.readString(out.resolve("results.json"));
    for (Main.Step step : Main.plan(Main.Profile.SMOKE)) {
      for (String method : step.methods().split("\\|")) {
        String benchmark = "\"org.sessionkit.bench." + step.benchmark().getSimpleName() + "." + method + "\"";
        long expected = targets.stream().filter(step.stores()::accepts).count();
        assertThat(count(json, benchmark)).as(benchmark).isEqualTo(expected);
      }
    }

    String md = Files.readString(out.resolve("results.md"));
    assertThat(printed).contains(md.lines().skip(5).findFirst().orElseThrow());
    for (String store : stores) {
      assertThat(md).contains("| " + store + " | save | 10 msgs | 1 |");
      assertThat(md).contains("| " + store + " | first page (20), prefix | 200 sessions | 1 |");
    }
    assertThat(md).contains("| memory | save | 10 msgs | 1 |").contains("×");
    assertThat(Files.readString(out.resolve("results.svg"))).startsWith("<svg").contains("memory");
    assertThat(out.resolve("work")).doesNotExist();
    assertThat(took).as("the smoke pass should stay well under CI's budget").isLessThan(Duration.ofSeconds(60));
  }

  private static long count(String text, String needle) {
    long n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
