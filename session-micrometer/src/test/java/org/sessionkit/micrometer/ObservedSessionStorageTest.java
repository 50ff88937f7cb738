package org.sessionkit.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

class ObservedSessionStorageTest {

  private final TestObservationRegistry registry = TestObservationRegistry.create();
  private final SessionStorage store = ObservedSessionStorage.observe(new MemorySessionStorage(), registry);

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSuccessfulSaveIsObservedWithLowCardinalityKeysOnly() throws Exception {
    await(store.save(Session.create("user-42/secret-chat", "/")));
    assertThat(registry)
        .hasObservationWithNameEqualTo(DefaultSessionStorageObservationConvention.NAME)
        .that()
        .hasContextualNameEqualTo("sessionkit save")
        .hasLowCardinalityKeyValue("sessionkit.store.kind", "memory")
        .hasLowCardinalityKeyValue("sessionkit.operation", "save")
        .hasLowCardinalityKeyValue("sessionkit.outcome", "success")
        .hasLowCardinalityKeyValue("error.type", "none")
        .hasBeenStarted()
        .hasBeenStopped();
    SessionStorageObservationContext context = new SessionStorageObservationContext(
        "save", "memory", java.util.Optional.of("user-42/secret-chat"));
    DefaultSessionStorageObservationConvention convention = DefaultSessionStorageObservationConvention.INSTANCE;
    assertThat(convention.getLowCardinalityKeyValues(context).and(convention.getHighCardinalityKeyValues(context)).stream()
        .map(kv -> kv.getValue())).noneMatch(v -> v.contains("user-42"));
  }

  @Test
  void aFailureIsObservedWithItsOutcomeAndTypeAndPassesThroughUnchanged() {
    assertThatThrownBy(() -> await(store.load("missing")))
        .hasCauseInstanceOf(SessionNotFoundException.class);
    assertThat(registry)
        .hasObservationWithNameEqualTo(DefaultSessionStorageObservationConvention.NAME)
        .that()
        .hasLowCardinalityKeyValue("sessionkit.operation", "load")
        .hasLowCardinalityKeyValue("sessionkit.outcome", "not_found")
        .hasLowCardinalityKeyValue("error.type", "SessionNotFoundException")
        .hasError()
        .hasBeenStopped();
  }

  @Test
  void everyCallIsOneObservationStoppedWhenItsFutureCompletes() throws Exception {
    java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger stops = new java.util.concurrent.atomic.AtomicInteger();
    registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
      @Override
      public void onStart(io.micrometer.observation.Observation.Context context) {
        starts.incrementAndGet();
      }

      @Override
      public void onStop(io.micrometer.observation.Observation.Context context) {
        stops.incrementAndGet();
      }

      @Override
      public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
        return context instanceof SessionStorageObservationContext;
      }
    });
    Session s = Session.create("a", "/");
    Revision r = await(store.save(s));
    await(store.append("a", Append.of(List.of(Message.user("hi")), s.state(), s.updatedAt()).ifRevision(r)));
    await(store.loadTail("a", 5));
    await(store.list(ListQuery.firstPage()));
    await(store.ping());
    assertThat(registry).hasNumberOfObservationsEqualTo(5);
    assertThat(registry).doesNotHaveAnyRemainingCurrentObservation();
    assertThat(starts.get()).isEqualTo(5);
    assertThat(stops.get()).isEqualTo(5);
  }

  @Test
  void aCustomConventionCanAddTheSessionIdForTraces() throws Exception {
    SessionStorageObservationConvention withId = new DefaultSessionStorageObservationConvention() {
      @Override
      public KeyValues getHighCardinalityKeyValues(SessionStorageObservationContext context) {
        return KeyValues.of("sessionkit.session.id", context.sessionId().orElse("-"));
      }
    };
    SessionStorage custom = ObservedSessionStorage.observe(new MemorySessionStorage(), registry, withId);
    await(custom.save(Session.create("s-1", "/")));
    assertThat(registry)
        .hasObservationWithNameEqualTo(DefaultSessionStorageObservationConvention.NAME)
        .that()
        .hasHighCardinalityKeyValue("sessionkit.session.id", "s-1");
  }

  @Test
  void aNoopRegistryObservesNothingAndChangesNothing() throws Exception {
    SessionStorage bare = ObservedSessionStorage.observe(new MemorySessionStorage(), ObservationRegistry.NOOP);
    Session s = Session.create("x", "/");
    await(bare.save(s));
    assertThat(await(bare.load("x"))).isEqualTo(s);
    assertThat(bare.kind()).isEqualTo("memory");
  }
}
