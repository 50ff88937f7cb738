/**
 * The sessionkit API for applications: the immutable session model ({@link org.sessionkit.Session},
 * {@link org.sessionkit.Message}, {@link org.sessionkit.ContentBlock}, {@link
 * org.sessionkit.JsonValue}…), the asynchronous {@link org.sessionkit.SessionStorage} contract, the
 * typed errors under {@link org.sessionkit.SessionStorageException}, and {@link
 * org.sessionkit.SessionStorages}, which opens a store by URI.
 *
 * <p>Application code, and adapters such as the LangChain4j and Spring AI modules, need only this
 * package. What every store promises is described in <a
 * href="https://github.com/sessionkit/sessionkit/blob/main/docs/contract.md">the storage
 * contract</a>, and how a session is stored in <a
 * href="https://github.com/sessionkit/sessionkit/blob/main/docs/format.md">the session document
 * format</a>. No Java {@code null} is accepted or returned anywhere in this package.
 */
@NullMarked
package org.sessionkit;

import org.jspecify.annotations.NullMarked;
