/**
 * Internals of the MySQL and MariaDB store: SQL, schema management, driver choice, error
 * translation, URI parsing and the provider. Not API.
 */
@NullMarked
package org.sessionkit.mysql.internal;

import org.jspecify.annotations.NullMarked;
