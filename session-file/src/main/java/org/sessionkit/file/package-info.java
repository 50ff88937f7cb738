/**
 * The file store: {@link org.sessionkit.file.FileSessionStorage}, one neuron-compatible JSON
 * document per session in a directory, crash-safe and safe for several processes. Opened as
 * {@code file:/path} through {@link org.sessionkit.SessionStorages#open(String)} or built with
 * {@link org.sessionkit.file.FileSessionStorage#builder(java.nio.file.Path)}.
 */
@NullMarked
package org.sessionkit.file;

import org.jspecify.annotations.NullMarked;
