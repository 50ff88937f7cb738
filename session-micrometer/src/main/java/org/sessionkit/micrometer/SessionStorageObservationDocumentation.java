package org.sessionkit.micrometer;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations sessionkit makes, for Micrometer's documentation generator and for readers:
 * one per store operation, named {@value DefaultSessionStorageObservationConvention#NAME}.
 */
public enum SessionStorageObservationDocumentation implements ObservationDocumentation {

  /** One operation of the {@link org.sessionkit.SessionStorage} contract, from call to completion of its future. */
  STORAGE_OPERATION {
    @Override
    public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
      return DefaultSessionStorageObservationConvention.class;
    }

    @Override
    public KeyName[] getLowCardinalityKeyNames() {
      return LowCardinalityKeys.values();
    }
  };

  /** The low-cardinality keys of {@link #STORAGE_OPERATION}. */
  public enum LowCardinalityKeys implements KeyName {
    /** The kind of store: {@code memory}, {@code file}, {@code postgresql}, {@code redis}… */
    STORE_KIND {
      @Override
      public String asString() {
        return "sessionkit.store.kind";
      }
    },
    /** The contract operation: {@code save}, {@code load}, {@code append}, {@code list}… */
    OPERATION {
      @Override
      public String asString() {
        return "sessionkit.operation";
      }
    },
    /**
     * How it ended: {@code success}, {@code not_found}, {@code conflict}, {@code invalid},
     * {@code corrupt}, {@code ambiguous}, {@code unavailable}, {@code closed} or {@code error}.
     */
    OUTCOME {
      @Override
      public String asString() {
        return "sessionkit.outcome";
      }
    },
    /**
     * The simple class name of the failure, or {@code none}; named as OpenTelemetry's general
     * {@code error.type} attribute.
     */
    ERROR_TYPE {
      @Override
      public String asString() {
        return "error.type";
      }
    }
  }
}
