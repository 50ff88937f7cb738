package org.sessionkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MainTest {

  /** Class.method of every benchmark JMH's annotation processor registered. */
  private static Set<String> registeredBenchmarks() throws Exception {
    Set<String> names = new TreeSet<>();
    try (InputStream in = MainTest.class.getResourceAsStream("/META-INF/BenchmarkList")) {
      assertThat(in).as("JMH's annotation processor ran").isNotNull();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        // "JMH S <len> <user class> S <len> <generated class> S <len> <method or group> …"
        String[] t = line.trim().split(" ");
        List<String> strings = new ArrayList<>();
        for (int i = 1; i + 2 < t.length && strings.size() < 3; i++) {
          if (t[i].equals("S")) {
            strings.add(t[i + 2]);
            i += 2;
          }
        }
        String cls = strings.get(0).substring(strings.get(0).lastIndexOf('.') + 1);
        names.add(cls + "." + strings.get(2));
      }
    }
    return names;
  }

  private static Set<String> planned(Main.Profile profile) {
    Set<String> names = new TreeSet<>();
    for (Main.Step step : Main.plan(profile)) {
      for (String method : step.methods().split("\\|")) {
        names.add(step.benchmark().getSimpleName() + "." + method);
      }
    }
    return names;
  }

  @ParameterizedTest
  @EnumSource(value = Main.Profile.class, names = {"SMOKE", "FULL"})
  void theSmokeAndFullProfilesRunEveryBenchmarkTheModuleDeclares(Main.Profile profile) throws Exception {
    Set<String> registered = registeredBenchmarks();
    assertThat(registered).contains("SaveLoadBenchmark.save", "MixedBenchmark.mixed", "AppendBenchmark.append");
    assertThat(planned(profile)).isEqualTo(registered);
  }

  @Test
  void theQuickProfileIsAFewOperationsOnOneSessionSize() {
    assertThat(planned(Main.Profile.QUICK))
        .containsExactlyInAnyOrder(
            "SaveLoadBenchmark.save", "SaveLoadBenchmark.load", "UpdateBenchmark.update",
            "ListAllBenchmark.list", "FirstPageBenchmark.firstPagePrefix");
  }

  @Test
  void helpPrintsTheUsageAndSucceeds() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--full", "--smoke", "-p store=", "sessionkit.bench.uri");
  }

  @Test
  void badArgumentsFailWithAMessage() {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Main.run(new String[] {"--fast"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--fast");
    assertThatThrownBy(() -> Main.run(new String[] {"-p", "store"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NAME=V1,V2");
    assertThatThrownBy(() -> Main.run(new String[] {"--out"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> Main.run(new String[] {"--smoke", "--include", "NoSuchBenchmark"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no benchmark matches");
    assertThatThrownBy(() -> Main.run(new String[] {"--smoke", "-p", "store=nowhere"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionkit.bench.uri.nowhere");
  }
}
