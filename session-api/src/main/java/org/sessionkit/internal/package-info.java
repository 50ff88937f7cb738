/**
 * Internals of session-api (the cursor encoding shared by every store). Not API: may change in
 * any release; other modules must not use it.
 */
@NullMarked
package org.sessionkit.internal;

import org.jspecify.annotations.NullMarked;
