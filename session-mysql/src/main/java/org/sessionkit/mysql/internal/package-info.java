/**
 * Internals of the MySQL and MariaDB store: SQL, schema management, driver choice, error
 * translation, URI parsing, the provider and its benchmark support (raw baseline). Not API.
 */
@NullMarked
package org.sessionkit.mysql.internal;

import org.jspecify.annotations.NullMarked;
