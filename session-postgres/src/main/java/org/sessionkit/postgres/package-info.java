/**
 * The PostgreSQL store: {@link org.sessionkit.postgres.PostgresSessionStorage}, for applications
 * whose instances share their sessions through a PostgreSQL server. Opened as {@code
 * postgresql://…} or {@code jdbc:postgresql://…} through {@link
 * org.sessionkit.SessionStorages#open(String)}, or built on the application's own {@code
 * DataSource}. The tables it uses are described in the module's README.
 */
@NullMarked
package org.sessionkit.postgres;

import org.jspecify.annotations.NullMarked;
