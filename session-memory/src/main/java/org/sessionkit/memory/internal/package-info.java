/** Internals of the in-memory store (its provider for {@code memory:} URIs). Not API. */
@NullMarked
package org.sessionkit.memory.internal;

import org.jspecify.annotations.NullMarked;
