package org.sessionkit.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of store observations. Implement it to change them (for example to add
 * the session id as a high-cardinality key for traces) and pass it to {@link
 * ObservedSessionStorage#observe(org.sessionkit.SessionStorage,
 * io.micrometer.observation.ObservationRegistry, SessionStorageObservationConvention)}; the
 * default is {@link DefaultSessionStorageObservationConvention}.
 */
public interface SessionStorageObservationConvention
    extends ObservationConvention<SessionStorageObservationContext> {

  @Override
  default boolean supportsContext(Observation.Context context) {
    return context instanceof SessionStorageObservationContext;
  }
}
