/**
 * The in-memory store: {@link org.sessionkit.memory.MemorySessionStorage}, the reference
 * implementation of the contract, for tests and for single-process applications that need no
 * persistence. Opened as {@code memory:} through {@link
 * org.sessionkit.SessionStorages#open(String)}, or built directly.
 */
@NullMarked
package org.sessionkit.memory;

import org.jspecify.annotations.NullMarked;
