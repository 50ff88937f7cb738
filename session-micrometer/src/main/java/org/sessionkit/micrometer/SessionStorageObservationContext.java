package org.sessionkit.micrometer;

import io.micrometer.observation.Observation;
import java.util.Objects;
import java.util.Optional;

/**
 * What an observation of one store operation knows: the operation, the kind of store, the
 * session id when the operation has one, and — once the operation completed — its outcome and
 * failure. The default convention turns only the low-cardinality parts into key values; a
 * custom {@link SessionStorageObservationConvention} may use the rest (the session id, say, as
 * a high-cardinality key for traces). Not thread safe; one per operation.
 */
public final class SessionStorageObservationContext extends Observation.Context {

  private final String operation;
  private final String storeKind;
  private final Optional<String> sessionId;
  private String outcome = "success";
  private Optional<Throwable> failure = Optional.empty();

  /**
   * Creates the context of one operation.
   *
   * @param operation the contract operation ({@code save}, {@code load}, {@code append}…)
   * @param storeKind the store's {@link org.sessionkit.SessionStorage#kind()}
   * @param sessionId the id the operation is about, if it is about one
   */
  public SessionStorageObservationContext(String operation, String storeKind, Optional<String> sessionId) {
    this.operation = Objects.requireNonNull(operation, "operation");
    this.storeKind = Objects.requireNonNull(storeKind, "storeKind");
    this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
  }

  /** Returns the contract operation, e.g. {@code append}. */
  public String operation() {
    return operation;
  }

  /** Returns the kind of store, e.g. {@code postgresql}. */
  public String storeKind() {
    return storeKind;
  }

  /**
   * Returns the session id the operation is about, if any. High cardinality and possibly
   * personal data: the default convention never reports it.
   */
  public Optional<String> sessionId() {
    return sessionId;
  }

  /**
   * Returns the outcome: {@code success} while running and after success, else one of {@code
   * not_found}, {@code conflict}, {@code invalid}, {@code corrupt}, {@code ambiguous}, {@code
   * unavailable}, {@code closed}, {@code error}.
   */
  public String outcome() {
    return outcome;
  }

  /** Returns what the operation failed with, if it failed. */
  public Optional<Throwable> failure() {
    return failure;
  }

  void failed(Throwable t, String outcome) {
    this.failure = Optional.of(t);
    this.outcome = outcome;
  }
}
