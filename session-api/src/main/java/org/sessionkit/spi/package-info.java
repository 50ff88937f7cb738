/**
 * The service-provider interface for backend authors: what a new store implements and builds on.
 * A store extends {@link org.sessionkit.spi.AbstractSessionStorage} (or {@link
 * org.sessionkit.spi.AbstractBlockingSessionStorage} for a blocking medium), which keeps the id
 * rule, argument checks, the closed state, retries, cursors and timeouts in one place, and
 * implements only the {@code do…} hooks its medium does differently; it stores documents with
 * {@link org.sessionkit.spi.SessionCodec} and is found by URI through a {@link
 * org.sessionkit.spi.SessionStorageProvider}.
 *
 * <p>Applications never need this package. A store proves that it keeps <a
 * href="https://github.com/sessionkit/sessionkit/blob/main/docs/contract.md">the storage
 * contract</a> by passing the compatibility kit of {@code session-tck}. No Java {@code null} is
 * accepted or returned anywhere in this package.
 */
@NullMarked
package org.sessionkit.spi;

import org.jspecify.annotations.NullMarked;
