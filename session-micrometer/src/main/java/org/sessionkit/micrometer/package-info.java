/**
 * sessionkit for Micrometer: {@link org.sessionkit.micrometer.ObservedSessionStorage} observes
 * every operation of any {@link org.sessionkit.SessionStorage} with the Observation API (metrics
 * and traces from one instrumentation); the convention and documentation types name what it
 * reports. For applications that monitor their store.
 */
@NullMarked
package org.sessionkit.micrometer;

import org.jspecify.annotations.NullMarked;
