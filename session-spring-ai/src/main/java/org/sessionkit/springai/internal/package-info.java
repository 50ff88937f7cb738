/** Internals of the Spring AI adapter: message mapping, per-message extras, the merge. Not API. */
@NullMarked
package org.sessionkit.springai.internal;

import org.jspecify.annotations.NullMarked;
