package org.sessionkit.bench;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.spi.BenchmarkBaseline;
import org.sessionkit.spi.BenchmarkSupport;

/**
 * A store is benchmarked against its own medium through the public {@link BenchmarkSupport} of
 * its provider, so a third-party store gets what PostgreSQL and Redis get.
 */
class ServerStoreTest {

  /** A third party's medium: a map, with a baseline that writes into it directly. */
  static final class MapSupport implements BenchmarkSupport {
    final Map<String, Session> medium = new ConcurrentHashMap<>();
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public Optional<String> developmentUri() {
      return Optional.empty();
    }

    @Override
    public String baselineDescription() {
      return "a put into the map";
    }

    @Override
    public Optional<String> probe(String uri) {
      return Optional.empty();
    }

    @Override
    public SessionStorage openStore(String uri, String namespace) {
      return SessionStorages.open("memory:");
    }

    @Override
    public BenchmarkBaseline openBaseline(String uri, String namespace) {
      return new BenchmarkBaseline() {
        @Override
        public void save(Session session) {
          medium.put(session.id(), session);
        }

        @Override
        public Session load(String id) {
          Session s = medium.get(id);
          if (s == null) {
            throw new SessionNotFoundException("no " + id);
          }
          return s;
        }

        @Override
        public void append(String id, List<Message> messages) {
          medium.computeIfPresent(id, (k, s) -> s.withMessages(messages));
        }

        @Override
        public Session update(String id, UnaryOperator<Session> change) {
          return medium.compute(id, (k, s) -> change.apply(load(id)));
        }

        @Override
        public void close() {
          closed.set(true);
        }
      };
    }

    @Override
    public void dropNamespace(String uri, String namespace) {
      medium.clear();
    }

    @Override
    public int dropNamespaces(String uri, String prefix) {
      return 0;
    }
  }

  @Test
  void aThirdPartyBaselineRunsTheMeasuredOperationsAndRefusesTheRest() throws Exception {
    MapSupport support = new MapSupport();
    ServerStore server = new ServerStore("mapstore", support);
    assertThat(server.baselineName()).isEqualTo("raw-mapstore");
    assertThat(server.baselineDescription()).isEqualTo("baseline: a put into the map");
    Session s = SessionFixtures.session("user-1/a", 3);
    try (SessionStorage baseline = server.openBaseline("mapstore:x", "skbench_1_a")) {
      Futures.await(baseline.save(s), 10, SECONDS);
      assertThat(support.medium.get("user-1/a")).isEqualTo(s);
      assertThat(Futures.await(baseline.load("user-1/a"), 10, SECONDS)).isEqualTo(s);
      Futures.await(baseline.append("user-1/a", Append.of(List.of(Message.user("more")), s.state(), s.updatedAt())), 10, SECONDS);
      assertThat(support.medium.get("user-1/a").messages()).hasSize(4);
      assertThat(Futures.await(baseline.update("user-1/a", x -> x.withUpdatedAt(java.time.Instant.EPOCH)), 10, SECONDS)
          .session().updatedAt()).isEqualTo(java.time.Instant.EPOCH);
      assertThat(support.medium.get("user-1/a").updatedAt()).isEqualTo(java.time.Instant.EPOCH);
      // what the baseline throws arrives through the future, as from a store
      assertThatThrownBy(() -> baseline.load("missing").get(10, SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SessionNotFoundException.class);
      assertThatThrownBy(() -> baseline.list().get(10, SECONDS))
          .hasCauseInstanceOf(UnsupportedOperationException.class);
    }
    assertThat(support.closed).isTrue();
  }

  @Test
  void theStoresOfThisReactorOfferTheirBaselinesThroughTheirProviders() {
    assertThat(StoreFactories.servers()).containsKeys("postgresql", "redis");
    assertThat(StoreFactories.servers().get("postgresql").defaultUri())
        .contains("postgresql://postgres@127.0.0.1:5432/test");
    assertThat(StoreFactories.servers().get("redis").baselineDescription()).contains("SET");
  }
}
