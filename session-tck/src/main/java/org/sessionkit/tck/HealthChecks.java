package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Futures;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageClosedException;

/**
 * The kit's checks of one clause — health and identity: {@code ping()} completes promptly on a
 * healthy store, empty or not, and fails with the closed error after {@code close()}; {@code
 * kind()} is a short name for metrics, never a location or a secret. Wired into the kit as its
 * nested group {@code HealthAndIdentity}.
 */
abstract class HealthChecks extends CheckGroup {

  /** How long a ping of a healthy store may take: the base class bounds it by 5 s. */
  private static final long PING_BOUND_SECONDS = 10;

  HealthChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("ping() completes within seconds on an empty store and on one holding sessions, again and again")
  void pingCompletes() {
    SessionStorage store = fresh();
    ping(store, "ping of an empty store");
    saveAll(store, Samples.pagingSessions(60));
    for (int i = 0; i < 5; i++) {
      ping(store, "ping " + (i + 1) + " of a store holding sessions");
    }
  }

  @Test
  @DisplayName("ping() after close() fails with StorageClosedException")
  void pingAfterCloseFails() {
    SessionStorage store = fresh();
    ping(store, "ping before close");
    store.close();
    fails(StorageClosedException.class, store::ping, "ping after close");
  }

  @Test
  @DisplayName("kind() is a short lower-case name (like file or postgresql): no location, no URI, no secret, the same every time")
  void kindIsAShortName() {
    SessionStorage store = fresh();
    String kind = store.kind();
    assertThat(kind).as("kind()").isNotNull();
    assertThat(kind.matches("[a-z][a-z0-9._-]{0,31}"))
        .as("kind() %s is 1 to 32 characters of a-z, 0-9, '.', '_' and '-', starting with a letter", Samples.show(kind)).isTrue();
    for (String leak : List.of("password", "secret", "token", "localhost", "127.0.0.1")) {
      assertThat(kind.toLowerCase(Locale.ROOT)).as("kind() %s names no location or secret", Samples.show(kind)).doesNotContain(leak);
    }
    assertThat(store.kind()).as("kind() asked again").isEqualTo(kind);
    assertThat(fresh().kind()).as("kind() of another store of the same kind").isEqualTo(kind);
  }

  private static void ping(SessionStorage store, String what) {
    CompletableFuture<Void> f = store.ping();
    assertThat(f).as("%s: the future", what).isNotNull();
    try {
      f.get(PING_BOUND_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + ": did not complete within " + PING_BOUND_SECONDS + " s", e);
    } catch (ExecutionException e) {
      throw new AssertionError(what + ": failed with " + Futures.unwrap(e.getCause()), Futures.unwrap(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + ": interrupted", e);
    }
  }
}
