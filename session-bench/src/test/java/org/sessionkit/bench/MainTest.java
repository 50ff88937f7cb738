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
            "AppendBenchmark.append", "AppendBenchmark.fullSave",
            "ListAllBenchmark.list", "FirstPageBenchmark.firstPage", "FirstPageBenchmark.firstPagePrefix");
    for (Main.Step step : Main.plan(Main.Profile.QUICK)) {
      assertThat(step.params().values()).as(step.benchmark().getSimpleName()).allSatisfy(v -> assertThat(v).hasSize(1));
    }
  }

  @Test
  void theQuickProfileUpdatesWithTwoThreadsSoThatUpdatesContend() {
    assertThat(Main.plan(Main.Profile.QUICK))
        .filteredOn(s -> s.benchmark() == UpdateBenchmark.class)
        .singleElement()
        .satisfies(s -> assertThat(s.threads()).containsExactly(2));
  }

  @Test
  void listingStepsLeaveOutStoresThatCantListAndColdStartsRunOnDirectoriesOnly() {
    StoreFactory rawPostgres = StoreFactories.forName("raw-postgresql");
    StoreFactory postgres = StoreFactories.forName("postgresql");
    assertThat(Main.Stores.LISTING.accepts(rawPostgres)).isFalse();
    assertThat(Main.Stores.LISTING.accepts(postgres)).isTrue();
    assertThat(Main.Stores.ALL.accepts(rawPostgres)).isTrue();
    assertThat(Main.Stores.DIRECTORY.accepts(StoreFactories.forName("file"))).isTrue();
    assertThat(Main.Stores.DIRECTORY.accepts(postgres)).isFalse();
    assertThat(Main.Stores.DIRECTORY.accepts(StoreFactories.forName("memory"))).isFalse();
    for (Main.Step step : Main.plan(Main.Profile.FULL)) {
      String name = step.benchmark().getSimpleName();
      if (name.startsWith("FirstPageCold")) {
        assertThat(step.stores()).as(name).isEqualTo(Main.Stores.DIRECTORY);
      } else if (name.startsWith("FirstPage") || name.startsWith("ListAll")) {
        assertThat(step.stores()).as(name).isEqualTo(Main.Stores.LISTING);
      } else {
        assertThat(step.stores()).as(name).isEqualTo(Main.Stores.ALL);
      }
    }
  }

  @Test
  void helpPrintsTheUsageAndSucceeds() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--full", "--smoke", "--servers", "-p store=", "sessionkit.bench.uri");
  }

  @Test
  void badArgumentsFailWithAMessage() {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Main.run(new String[] {"--fast"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--fast");
    assertThatThrownBy(() -> Main.run(new String[] {"-p", "store"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NAME=V1,V2");
    assertThatThrownBy(() -> Main.run(new String[] {"--rounds", "0"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> Main.run(new String[] {"--out"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> Main.run(new String[] {"--smoke", "--include", "NoSuchBenchmark"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no benchmark matches");
    assertThatThrownBy(() -> Main.run(new String[] {"--smoke", "-p", "store=nowhere"}, quiet))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionkit.bench.uri.nowhere");
  }
}
