/**
 * Internals of the Redis store: key layout, Lua scripts, error translation, URI parsing, the
 * provider and its raw benchmark baseline. Not API.
 */
@NullMarked
package org.sessionkit.redis.internal;

import org.jspecify.annotations.NullMarked;
