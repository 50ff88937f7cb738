/** Internals of the Spring AI adapter: message mapping, the typed metadata encoding, the merge, provider codecs, health checks. Not API. */
@NullMarked
package org.sessionkit.springai.internal;

import org.jspecify.annotations.NullMarked;
