/**
 * The MySQL and MariaDB store: {@link org.sessionkit.mysql.MySqlSessionStorage}, for
 * applications whose instances share their sessions through a MySQL 8.0+ or MariaDB 10.6+
 * server. Opened as {@code mysql://…}, {@code mariadb://…}, {@code jdbc:mysql://…} or {@code
 * jdbc:mariadb://…} through {@link org.sessionkit.SessionStorages#open(String)} with the JDBC
 * driver the application chose, or built on the application's own {@code DataSource}. The
 * tables it uses are described in the module's README.
 */
@NullMarked
package org.sessionkit.mysql;

import org.jspecify.annotations.NullMarked;
