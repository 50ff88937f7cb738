/**
 * The compatibility kit for backend authors: extend {@link
 * org.sessionkit.tck.SessionStorageCompatibilityKit} in a test of your store to check that it
 * keeps the storage contract, declaring its optional {@link org.sessionkit.tck.Capability
 * capabilities}. {@link org.sessionkit.tck.ForwardingSessionStorage} helps to write decorators
 * and test doubles. Every store of this project passes the kit; third-party stores use it the
 * same way (see the module's README).
 */
@NullMarked
package org.sessionkit.tck;

import org.jspecify.annotations.NullMarked;
