/**
 * Internals of the file store: file names, atomic writes, locks, the head cache and the provider
 * for {@code file:} URIs. Not API.
 */
@NullMarked
package org.sessionkit.file.internal;

import org.jspecify.annotations.NullMarked;
