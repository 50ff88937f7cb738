package org.sessionkit.bench;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.Session;

/**
 * The server stores in the benchmark: each trial's namespace (schema, key prefix) holds what it
 * wrote and is gone after the trial; the raw baselines round-trip sessions; an unreachable server
 * is skipped with a message. Needs the local PostgreSQL and Redis (or {@code
 * SESSIONKIT_BENCH_URI_POSTGRESQL} / {@code SESSIONKIT_BENCH_URI_REDIS}); without them the tests
 * that need a server are skipped, or fail when {@code CI} is set.
 */
class ServerStoresTest {

  @TempDir Path out;

  @AfterEach
  void clearProperties() {
    System.clearProperty(StoreFactories.URI_PROPERTY_PREFIX + "postgresql");
    System.clearProperty(StoreFactories.URI_PROPERTY_PREFIX + "redis");
  }

  private static StoreFactory.Server assumeServer(String scheme) {
    StoreFactory.Server server = StoreFactories.forName(scheme).server().orElseThrow();
    Optional<String> problem = server.store().probe(server.uri());
    if (problem.isPresent()) {
      String message = scheme + " benchmark tests skipped: no server answers at "
          + org.sessionkit.spi.StorageUri.redact(server.uri()) + " (" + problem.get() + "); start the local one or set "
          + StoreFactories.envName(scheme);
      if (System.getenv("CI") != null) {
        Assertions.fail(message + " (CI is set, so a missing server is an error)");
      }
      Assumptions.abort(message);
    }
    return server;
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgresql", "redis", "mysql"})
  void aTrialWorksInANamespaceOfItsOwnThatIsGoneAfterTheTrial(String scheme) {
    StoreFactory.Server server = assumeServer(scheme);
    String namespace;
    try (StoreHandle h = StoreHandle.fresh(scheme)) {
      namespace = h.location();
      assertThat(namespace).startsWith(StoreHandle.namespacePrefix()).matches("[a-z0-9_]+");
      Session s = SessionFixtures.session("user-7/s", 12);
      Futures.await(h.storage().save(s), 30, SECONDS);
      assertThat(Futures.await(h.storage().load("user-7/s"), 30, SECONDS)).isEqualTo(s);
      try (StoreHandle other = StoreHandle.fresh(scheme)) {
        assertThat(other.location()).isNotEqualTo(namespace);
        assertThat(Futures.await(other.storage().list(), 30, SECONDS)).isEmpty();
      }
    }
    assertThat(server.store().sweep(server.uri(), namespace)).as("left in " + namespace).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgresql", "redis", "mysql"})
  void theRawBaselineRoundTripsSessionsAppendsAndCantList(String scheme) {
    StoreFactory.Server server = assumeServer(scheme);
    String namespace;
    try (StoreHandle h = StoreHandle.fresh("raw-" + scheme)) {
      namespace = h.location();
      Session s = SessionFixtures.session("user-7/raw", 20);
      Futures.await(h.storage().save(s), 30, SECONDS);
      assertThat(Futures.await(h.storage().load("user-7/raw"), 30, SECONDS)).isEqualTo(s);
      Session updated = Futures.await(
          h.storage().update("user-7/raw", x -> x.withUpdatedAt(x.updatedAt().plusSeconds(5))), 30, SECONDS).session();
      assertThat(Futures.await(h.storage().load("user-7/raw"), 30, SECONDS)).isEqualTo(updated);
      Append turn = Append.of(List.of(SessionFixtures.message(20)), SessionFixtures.state(21), SessionFixtures.updatedAt(21));
      Futures.await(h.storage().append("user-7/raw", turn), 30, SECONDS);
      // a save back to fewer messages, then appends again: positions never collide
      Futures.await(h.storage().save(s), 30, SECONDS);
      Futures.await(h.storage().append("user-7/raw", turn), 30, SECONDS);
      assertThatThrownBy(() -> h.storage().load("nobody").join())
          .isInstanceOf(CompletionException.class).hasCauseInstanceOf(org.sessionkit.SessionNotFoundException.class);
      assertThatThrownBy(() -> h.storage().list(ListQuery.firstPage()).join())
          .hasCauseInstanceOf(UnsupportedOperationException.class);
      assertThat(StoreFactories.forName("raw-" + scheme).lists()).isFalse();
    }
    assertThat(server.store().sweep(server.uri(), namespace)).as("left in " + namespace).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgresql", "redis"})
  void underARunAServerPopulationIsFilledOnceSharedByItsTrialsAndLeftForTheSweep(String scheme) {
    StoreFactory.Server server = assumeServer(scheme);
    System.setProperty(StoreHandle.RUN_PROPERTY, StoreHandle.newRunId());
    System.setProperty(StoreHandle.DIR_PROPERTY, out.resolve("work").toString());
    try {
      java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
      java.util.Set<String> namespaces = new java.util.HashSet<>();
      for (int trial = 0; trial < 2; trial++) {
        try (StoreHandle h = StoreHandle.populated(scheme, "test-7", 7, i -> {
          made.incrementAndGet();
          return SessionFixtures.populationSession(i, 2);
        })) {
          namespaces.add(h.location());
          assertThat(Futures.await(h.storage().list(), 30, SECONDS)).hasSize(7);
        }
      }
      assertThat(made).hasValue(7);
      assertThat(namespaces).singleElement().asString().startsWith(StoreHandle.namespacePrefix());
      // a trial leaves the population to the run's sweep, which removes it
      assertThat(server.store().sweep(server.uri(), StoreHandle.namespacePrefix())).isPositive();
      assertThat(server.store().sweep(server.uri(), StoreHandle.namespacePrefix())).isZero();
    } finally {
      System.clearProperty(StoreHandle.RUN_PROPERTY);
      System.clearProperty(StoreHandle.DIR_PROPERTY);
    }
  }

  @Test
  void withoutARunAServerPopulationLivesOneTrial() {
    StoreFactory.Server server = assumeServer("redis");
    String namespace;
    try (StoreHandle h = StoreHandle.populated("redis", "test-3", 3, i -> SessionFixtures.populationSession(i, 2))) {
      namespace = h.location();
      assertThat(Futures.await(h.storage().list(), 30, SECONDS)).hasSize(3);
    }
    assertThat(server.store().sweep(server.uri(), namespace)).isZero();
  }

  @Test
  void withServersTheRunAddsTheServerStoresAndTheirBaselinesAndLeavesNothingBehind() throws Exception {
    StoreFactory.Server postgres = assumeServer("postgresql");
    StoreFactory.Server redis = assumeServer("redis");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    int status = Main.run(
        new String[] {"--smoke", "--servers", "-p", "store=memory", "--include", "SaveLoadBenchmark.save|FirstPageBenchmark.firstPage$",
            "--out", out.toString()},
        new PrintStream(console, true, StandardCharsets.UTF_8));
    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(status).as(printed).isZero();
    String md = Files.readString(out.resolve("results.md"));
    for (String store : List.of("memory", "raw-memory", "postgresql", "raw-postgresql", "redis", "raw-redis")) {
      assertThat(md).contains("| " + store + " | save | 10 msgs | 1 |");
    }
    assertThat(md).contains("| postgresql | first page (20) | 200 sessions | 1 |")
        .contains("| redis | first page (20) | 200 sessions | 1 |")
        .doesNotContain("| raw-redis | first page").doesNotContain("| raw-postgresql | first page");
    assertThat(md).containsPattern("\\| postgresql \\| save \\| 10 msgs \\| 1 \\| [^|]+ \\| [^|]+ \\| [^|]+ \\| [0-9.,]+×( \\(unreliable\\))? \\|");
    Matcher run = Pattern.compile("run ([0-9a-f]{8})").matcher(printed);
    assertThat(run.find()).as(printed).isTrue();
    String prefix = "skbench_" + run.group(1) + "_";
    assertThat(postgres.store().sweep(postgres.uri(), prefix)).isZero();
    assertThat(redis.store().sweep(redis.uri(), prefix)).isZero();
  }

  @Test
  void aServerThatDoesNotAnswerIsSkippedWithAMessage() throws Exception {
    System.setProperty(StoreFactories.URI_PROPERTY_PREFIX + "postgresql", "postgresql://postgres@127.0.0.1:1/test");
    System.setProperty(StoreFactories.URI_PROPERTY_PREFIX + "redis", "redis://127.0.0.1:1");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    int status = Main.run(
        new String[] {"--smoke", "--servers", "-p", "store=memory", "--include", "SaveLoadBenchmark.save", "--out", out.toString()},
        new PrintStream(console, true, StandardCharsets.UTF_8));
    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(status).as(printed).isZero();
    assertThat(printed)
        .contains("skipping postgresql (no server answers at postgresql://postgres@127.0.0.1:1/test")
        .contains("skipping redis (no server answers at redis://127.0.0.1:1")
        .contains("SESSIONKIT_BENCH_URI_REDIS");
    String md = Files.readString(out.resolve("results.md"));
    assertThat(md).contains("| memory | save | 10 msgs | 1 |").doesNotContain("| postgresql |").doesNotContain("| raw-redis |");
  }
}
