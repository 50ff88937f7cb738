package org.sessionkit.bench;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.Futures;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.spi.StorageUri;

class StoreFactoriesTest {

  @TempDir Path work;
  private String previousWork;

  @BeforeEach
  void useTemporaryWorkDirectory() {
    previousWork = System.getProperty(StoreHandle.DIR_PROPERTY);
    System.setProperty(StoreHandle.DIR_PROPERTY, work.toString());
    System.setProperty(StoreHandle.SETTLE_PROPERTY, "0");
  }

  @AfterEach
  void restoreWorkDirectory() {
    if (previousWork == null) {
      System.clearProperty(StoreHandle.DIR_PROPERTY);
    } else {
      System.setProperty(StoreHandle.DIR_PROPERTY, previousWork);
    }
    System.clearProperty(StoreFactories.URI_PROPERTY_PREFIX + "other-test");
    System.clearProperty(StoreFactories.URI_PROPERTY_PREFIX + "redis-cluster");
    System.clearProperty(StoreHandle.SETTLE_PROPERTY);
  }

  @Test
  void discoveryFindsTheMemoryStoreFollowedByItsBaseline() {
    StoreFactories.Discovery d = StoreFactories.discover();
    assertThat(d.targets()).extracting(StoreFactory::name).containsSubsequence("memory", "raw-memory");
    assertThat(StoreFactories.forName("memory").baseline()).contains("raw-memory");
    assertThat(StoreFactories.forName("file").baseline()).contains("raw-file");
    assertThat(StoreFactories.forName("file-nofsync").baseline()).contains("raw-file-nofsync");
    assertThat(StoreFactories.forName("raw-memory").baseline()).isEmpty();
  }

  @Test
  void anObservedStoreIsComparedWithTheBareStoreAndWorksLikeIt() throws Exception {
    StoreFactory observed = StoreFactories.forName("memory-observed");
    assertThat(observed.baseline()).contains("memory");
    assertThat(observed.description()).contains("observed");
    assertThat(StoreFactories.forName("file-observed").baseline()).contains("file");
    assertThat(StoreFactories.forName("file-observed").kind()).isEqualTo(StoreFactory.Kind.DIRECTORY);
    try (SessionStorage s = observed.opener().open("unused")) {
      assertThat(s.getClass().getSimpleName()).isEqualTo("ObservedSessionStorage");
      Session session = SessionFixtures.session("observed", 3);
      s.save(session).join();
      assertThat(s.load("observed").join()).isEqualTo(session);
    }
  }

  @Test
  void aBaselineCannotBeObserved() {
    assertThatThrownBy(() -> StoreFactories.forName("raw-memory-observed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only a store");
  }

  @Test
  void serverStoresOnTheClassPathAreFoundApartFromTheDefaultTargetsWithTheirBaselines() {
    StoreFactories.Discovery d = StoreFactories.discover();
    assertThat(d.servers()).extracting(StoreFactory::name)
        .containsExactly("mysql", "raw-mysql", "postgresql", "raw-postgresql", "redis", "raw-redis");
    assertThat(d.targets()).extracting(StoreFactory::name)
        .containsExactly("memory", "raw-memory", "file", "raw-file", "file-nofsync", "raw-file-nofsync",
            "memory-observed", "file-observed");
    assertThat(d.skipped()).isEmpty();
    assertThat(StoreFactories.forName("postgresql").baseline()).contains("raw-postgresql");
    assertThat(StoreFactories.forName("redis").baseline()).contains("raw-redis");
    assertThat(StoreFactories.forName("raw-redis").lists()).isFalse();
    assertThat(StoreFactories.forName("redis").kind()).isEqualTo(StoreFactory.Kind.SERVER);
  }

  @Test
  void aServerStoreUsesTheConfiguredUriAndNeverShowsItsPassword() {
    System.setProperty(StoreFactories.URI_PROPERTY_PREFIX + "postgresql", "postgresql://bench:s3cret@db.example:5433/x");
    try {
      StoreFactory f = StoreFactories.forName("postgresql");
      assertThat(f.server()).hasValueSatisfying(s -> assertThat(s.uri()).contains("db.example:5433"));
      assertThat(f.description()).contains("db.example:5433").doesNotContain("s3cret");
      assertThat(StoreFactories.forName("raw-postgresql").server())
          .hasValueSatisfying(s -> assertThat(s.uri()).contains("db.example:5433"));
    } finally {
      System.clearProperty(StoreFactories.URI_PROPERTY_PREFIX + "postgresql");
    }
    assertThat(StoreFactories.forName("postgresql").server())
        .hasValueSatisfying(s -> assertThat(s.uri()).isEqualTo("postgresql://postgres@127.0.0.1:5432/test"));
  }

  @Test
  void aVariantIsTheSameServerStoreAtItsOwnUriWithItsOwnBaseline() {
    assertThatThrownBy(() -> StoreFactories.forName("redis-cluster"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-Dsessionkit.bench.uri.redis-cluster=")
        .hasMessageContaining("SESSIONKIT_BENCH_URI_REDIS_CLUSTER");
    assertThat(StoreFactories.discover().servers()).extracting(StoreFactory::name).doesNotContain("redis-cluster");

    System.setProperty(StoreFactories.URI_PROPERTY_PREFIX + "redis-cluster", "redis://:pw@10.0.0.1:7000,10.0.0.2:7000");
    StoreFactory store = StoreFactories.forName("redis-cluster");
    StoreFactory baseline = StoreFactories.forName("raw-redis-cluster");
    assertThat(store.kind()).isEqualTo(StoreFactory.Kind.SERVER);
    assertThat(store.baseline()).contains("raw-redis-cluster");
    assertThat(store.lists()).isTrue();
    assertThat(baseline.lists()).isFalse();
    assertThat(baseline.baseline()).isEmpty();
    for (StoreFactory f : java.util.List.of(store, baseline)) {
      assertThat(f.server()).hasValueSatisfying(s -> {
        assertThat(s.uri()).isEqualTo("redis://:pw@10.0.0.1:7000,10.0.0.2:7000");
        assertThat(s.store().scheme()).isEqualTo("redis");
        assertThat(s.store().name()).isEqualTo("redis-cluster");
      });
    }
    assertThat(store.description()).contains("redis-cluster store at", "10.0.0.2:7000").doesNotContain("pw");
    // the plain store keeps its own server
    assertThat(StoreFactories.forName("redis").server())
        .hasValueSatisfying(s -> assertThat(s.uri()).isEqualTo("redis://127.0.0.1:6379"));
    // a configured variant joins the server stores, after the others, with its baseline
    assertThat(StoreFactories.discover().servers()).extracting(StoreFactory::name)
        .containsSubsequence("redis", "raw-redis", "redis-cluster", "raw-redis-cluster");
    // only a scheme with benchmark support has variants
    assertThat(StoreFactories.variant("memory-x")).isEmpty();
    assertThat(StoreFactories.variant("redis-")).isEmpty();
    assertThat(StoreFactories.variant("redis")).isEmpty();
    assertThat(StoreFactories.variant("postgresql-replica")).hasValueSatisfying(v -> {
      assertThat(v.name()).isEqualTo("postgresql-replica");
      assertThat(v.baselineName()).isEqualTo("raw-postgresql-replica");
      assertThat(v.defaultUri()).isEmpty();
    });
  }

  @Test
  void aForkReadsStoreUrisFromTheFileItIsGiven() throws Exception {
    Path file = work.resolve("uris.properties");
    Files.writeString(file, StoreFactories.URI_PROPERTY_PREFIX + "redis=redis://10.1.2.3:6390\n");
    System.setProperty(StoreFactories.URI_FILE_PROPERTY, file.toString());
    try {
      assertThat(StoreFactories.configuredUri("redis")).contains("redis://10.1.2.3:6390");
      assertThat(StoreFactories.configuredUri("postgresql")).isEmpty();
    } finally {
      System.clearProperty(StoreFactories.URI_FILE_PROPERTY);
    }
  }

  @Test
  void anUnknownSchemeWithoutAUriFailsNamingThePropertyAndTheVariable() {
    assertThatThrownBy(() -> StoreFactories.forName("other-test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-Dsessionkit.bench.uri.other-test=")
        .hasMessageContaining("SESSIONKIT_BENCH_URI_OTHER_TEST");
  }

  @Test
  void anUnknownSchemeWithAUriOpensThatUriAndIsPersistent() {
    System.setProperty(StoreFactories.URI_PROPERTY_PREFIX + "other-test", "memory:");
    StoreFactory f = StoreFactories.forName("other-test");
    assertThat(f.kind()).isEqualTo(StoreFactory.Kind.EXTERNAL);
    assertThat(f.persistent()).isTrue();
    try (StoreHandle h = StoreHandle.fresh("other-test")) {
      assertThat(h.id("x")).startsWith("bench-").endsWith("-x");
      Futures.await(h.storage().save(SessionFixtures.session(h.id("x"), 2)), 30, SECONDS);
      assertThat(Futures.await(h.storage().load(h.id("x")), 30, SECONDS).messages()).hasSize(2);
    }
  }

  @Test
  void aProviderIsNamedByItsNameWhenItServesItElseByItsFirstScheme() {
    assertThat(StoreFactories.schemeOf(provider("postgres", "postgresql", "postgres", "jdbc:postgresql")))
        .isEqualTo("postgres");
    assertThat(StoreFactories.schemeOf(provider("PostgreSQL store", "postgresql", "jdbc:postgresql")))
        .isEqualTo("jdbc:postgresql");
  }

  @Test
  void aPopulatedDirectoryIsFilledOnceAndReused() throws Exception {
    AtomicInteger made = new AtomicInteger();
    for (int round = 0; round < 2; round++) {
      try (StoreHandle h = StoreHandle.populated("raw-file", "test-5", 5, i -> {
        made.incrementAndGet();
        return SessionFixtures.populationSession(i, 2);
      })) {
        assertThat(Futures.await(h.storage().list(), 30, SECONDS)).hasSize(5);
        h.reopen();
        assertThat(Futures.await(h.storage().list(), 30, SECONDS)).hasSize(5);
      }
    }
    assertThat(made).hasValue(5);
  }

  @Test
  void aFreshDirectoryIsRemovedWhenTheTrialEnds() throws Exception {
    Path location;
    try (StoreHandle h = StoreHandle.fresh("raw-file-nofsync")) {
      Futures.await(h.storage().save(SessionFixtures.session("a", 1)), 30, SECONDS);
      try (Stream<Path> dirs = Files.list(work.resolve("fresh"))) {
        location = dirs.findFirst().orElseThrow();
      }
      assertThat(location.resolve("a.json")).exists();
    }
    assertThat(location).doesNotExist();
  }

  @Test
  void aMemoryStoreCantBeReopenedForAColdStart() {
    try (StoreHandle h = StoreHandle.fresh("memory")) {
      assertThatThrownBy(h::reopen).isInstanceOf(IllegalStateException.class).hasMessageContaining("cold");
    }
  }

  private static SessionStorageProvider provider(String name, String... schemes) {
    return new SessionStorageProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<String> schemes() {
        return Set.of(schemes);
      }

      @Override
      public SessionStorage create(StorageUri uri) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
