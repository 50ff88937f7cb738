package org.sessionkit.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.InvalidIdException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;

/**
 * A {@link SessionStorage} that observes every operation of another store with Micrometer's
 * Observation API: one observation per call, started when the call is made and stopped when its
 * future completes, so the registry's handlers produce a timer (metrics) and a span (traces)
 * from one instrumentation. See {@link SessionStorageObservationDocumentation} for the name and
 * keys; by default only low-cardinality values are reported, never session ids or content.
 *
 * <pre>{@code
 * SessionStorage store = ObservedSessionStorage.observe(SessionStorages.open(uri), observationRegistry);
 * }</pre>
 *
 * <p>Every result and failure of the observed store passes through unchanged. {@link
 * #stream(ListQuery)} walks this store's {@link #list(ListQuery)}, so each page is observed.
 * {@link #close()} closes the observed store and is not observed. Thread safe as the observed
 * store is.
 */
public final class ObservedSessionStorage implements SessionStorage {

  private final SessionStorage delegate;
  private final ObservationRegistry registry;
  private final Optional<SessionStorageObservationConvention> convention;
  private final String kind;

  private ObservedSessionStorage(
      SessionStorage delegate,
      ObservationRegistry registry,
      Optional<SessionStorageObservationConvention> convention) {
    this.delegate = Objects.requireNonNull(delegate, "store");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.convention = convention;
    this.kind = delegate.kind();
  }

  /**
   * Returns {@code store} observed through {@code registry} with the default convention. A noop
   * registry makes the decorator nearly free.
   */
  public static SessionStorage observe(SessionStorage store, ObservationRegistry registry) {
    return new ObservedSessionStorage(store, registry, Optional.empty());
  }

  /** Returns {@code store} observed through {@code registry} with {@code convention}. */
  public static SessionStorage observe(
      SessionStorage store, ObservationRegistry registry, SessionStorageObservationConvention convention) {
    return new ObservedSessionStorage(store, registry, Optional.of(convention));
  }

  /** Returns the store this one observes. */
  public SessionStorage observed() {
    return delegate;
  }

  private <T> CompletableFuture<T> observed(
      String operation, Optional<String> id, Supplier<CompletableFuture<T>> call) {
    if (registry.isNoop()) {
      return call.get();
    }
    SessionStorageObservationContext context = new SessionStorageObservationContext(operation, kind, id);
    Observation observation = SessionStorageObservationDocumentation.STORAGE_OPERATION
        .observation(convention.orElse(null), DefaultSessionStorageObservationConvention.INSTANCE,
            () -> context, registry)
        .start();
    CompletableFuture<T> future;
    // The observation is current while the call is made, so that a store's own instrumentation
    // (a JDBC or Lettuce observation) nests under it.
    Observation.Scope scope = observation.openScope();
    try {
      future = call.get();
    } catch (RuntimeException | Error e) {
      record(observation, context, e);
      throw e;
    } finally {
      scope.close();
    }
    return future.whenComplete((result, failure) -> {
      if (failure != null) {
        record(observation, context, Futures.unwrap(failure));
      } else {
        observation.stop();
      }
    });
  }

  private static void record(Observation observation, SessionStorageObservationContext context, Throwable t) {
    context.failed(t, outcome(t));
    observation.error(t);
    observation.stop();
  }

  static String outcome(Throwable t) {
    if (t instanceof SessionNotFoundException) {
      return "not_found";
    }
    if (t instanceof RevisionConflictException) {
      return "conflict";
    }
    if (t instanceof InvalidIdException || t instanceof InvalidSessionException || t instanceof InvalidArgumentException) {
      return "invalid";
    }
    if (t instanceof CorruptDocumentException) {
      return "corrupt";
    }
    if (t instanceof AmbiguousOutcomeException) {
      return "ambiguous";
    }
    if (t instanceof StorageUnavailableException) {
      return "unavailable";
    }
    if (t instanceof StorageClosedException) {
      return "closed";
    }
    return "error";
  }

  private static Optional<String> id(String id) {
    return Optional.ofNullable(id);
  }

  private static Optional<String> id(Session s) {
    return s == null ? Optional.empty() : Optional.of(s.id());
  }

  @Override
  public CompletableFuture<Revision> save(Session session) {
    return observed("save", id(session), () -> delegate.save(session));
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    return observed("save_if", id(session), () -> delegate.saveIf(session, expected));
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected, IdempotencyKey key) {
    return observed("save_if", id(session), () -> delegate.saveIf(session, expected, key));
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    return observed("create", id(session), () -> delegate.create(session));
  }

  @Override
  public CompletableFuture<Revision> create(Session session, IdempotencyKey key) {
    return observed("create", id(session), () -> delegate.create(session, key));
  }

  @Override
  public CompletableFuture<Session> load(String id) {
    return observed("load", id(id), () -> delegate.load(id));
  }

  @Override
  public CompletableFuture<VersionedSession> loadVersioned(String id) {
    return observed("load", id(id), () -> delegate.loadVersioned(id));
  }

  @Override
  public CompletableFuture<SessionSlice> loadTail(String id, int count) {
    return observed("load_tail", id(id), () -> delegate.loadTail(id, count));
  }

  @Override
  public CompletableFuture<SessionSlice> loadBefore(String id, long beforeIndex, int count) {
    return observed("load_before", id(id), () -> delegate.loadBefore(id, beforeIndex, count));
  }

  @Override
  public CompletableFuture<List<SessionSummary>> list() {
    return observed("list_all", Optional.empty(), delegate::list);
  }

  @Override
  public CompletableFuture<SessionPage> list(ListQuery query) {
    return observed("list", Optional.empty(), () -> delegate.list(query));
  }

  @Override
  public CompletableFuture<Void> delete(String id) {
    return observed("delete", id(id), () -> delegate.delete(id));
  }

  @Override
  public CompletableFuture<Void> deleteIf(String id, Revision expected) {
    return observed("delete_if", id(id), () -> delegate.deleteIf(id, expected));
  }

  @Override
  public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
    return observed("update", id(id), () -> delegate.update(id, change));
  }

  @Override
  public CompletableFuture<Revision> update(String id, UnaryOperator<Session> change, IdempotencyKey key) {
    return observed("update", id(id), () -> delegate.update(id, change, key));
  }

  @Override
  public CompletableFuture<Revision> append(String id, Append append) {
    return observed("append", id(id), () -> delegate.append(id, append));
  }

  @Override
  public CompletableFuture<Long> deleteMatching(DeleteFilter filter) {
    return observed("delete_matching", Optional.empty(), () -> delegate.deleteMatching(filter));
  }

  @Override
  public CompletableFuture<List<ListingProblem>> problems() {
    return observed("problems", Optional.empty(), delegate::problems);
  }

  @Override
  public CompletableFuture<Void> ping() {
    return observed("ping", Optional.empty(), delegate::ping);
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "Observed[" + delegate + "]";
  }
}
