/**
 * Internals of {@link org.sessionkit.spi.SessionCodec}: the streaming reader and writer of the
 * session document format, its names, RFC 3339 timestamps and limits. Not API: may change in any
 * release; other modules must not use it.
 */
@NullMarked
package org.sessionkit.internal.codec;

import org.jspecify.annotations.NullMarked;
