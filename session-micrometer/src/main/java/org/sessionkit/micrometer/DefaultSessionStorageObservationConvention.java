package org.sessionkit.micrometer;

import io.micrometer.common.KeyValues;
import org.sessionkit.micrometer.SessionStorageObservationDocumentation.LowCardinalityKeys;

/**
 * The default convention: the observation {@value #NAME}, a contextual (span) name {@code
 * "sessionkit <operation>"}, and only low-cardinality key values — store kind, operation,
 * outcome and error type. Never a session id or content. Stateless and thread safe.
 */
public class DefaultSessionStorageObservationConvention implements SessionStorageObservationConvention {

  /** The observation name; the timer Micrometer derives from it has the same name. */
  public static final String NAME = "sessionkit.storage.operation";

  /** The shared instance. */
  public static final DefaultSessionStorageObservationConvention INSTANCE =
      new DefaultSessionStorageObservationConvention();

  /** Creates the convention (subclass it to change a part). */
  public DefaultSessionStorageObservationConvention() {}

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public String getContextualName(SessionStorageObservationContext context) {
    return "sessionkit " + context.operation();
  }

  @Override
  public KeyValues getLowCardinalityKeyValues(SessionStorageObservationContext context) {
    return KeyValues.of(
        LowCardinalityKeys.STORE_KIND.withValue(context.storeKind()),
        LowCardinalityKeys.OPERATION.withValue(context.operation()),
        LowCardinalityKeys.OUTCOME.withValue(context.outcome()),
        LowCardinalityKeys.ERROR_TYPE.withValue(
            context.failure().map(t -> t.getClass().getSimpleName()).orElse("none")));
  }
}
