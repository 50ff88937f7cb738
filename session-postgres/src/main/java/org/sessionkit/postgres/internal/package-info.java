/**
 * Internals of the PostgreSQL store: SQL, schema management, error translation, URI parsing, the
 * provider and its raw benchmark baseline. Not API.
 */
@NullMarked
package org.sessionkit.postgres.internal;

import org.jspecify.annotations.NullMarked;
