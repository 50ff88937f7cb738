/**
 * The Redis store: {@link org.sessionkit.redis.RedisSessionStorage}, for applications whose
 * instances share their sessions through Redis at memory speed. Opened as {@code redis://…} or
 * {@code rediss://…} through {@link org.sessionkit.SessionStorages#open(String)}, or built on the
 * application's own Lettuce client. The key layout is described in the module's README.
 */
@NullMarked
package org.sessionkit.redis;

import org.jspecify.annotations.NullMarked;
