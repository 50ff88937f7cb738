package org.sessionkit.mysql.internal;

import java.sql.Driver;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.sessionkit.StorageConfigurationException;

/**
 * Finds the JDBC driver a store opened by URI uses, and speaks its dialect of URLs and
 * properties. Neither driver is a dependency of this module: the application chooses one and
 * puts it on the class path, and the store loads it by name.
 *
 * <ul>
 *   <li>MariaDB Connector/J, {@code org.mariadb.jdbc:mariadb-java-client} (LGPL-2.1): {@code
 *       org.mariadb.jdbc.Driver}, URLs {@code jdbc:mariadb://}.
 *   <li>MySQL Connector/J, {@code com.mysql:mysql-connector-j} (GPL-2.0 with the Universal FOSS
 *       Exception): {@code com.mysql.cj.jdbc.Driver}, URLs {@code jdbc:mysql://}.
 * </ul>
 *
 * Both talk to MySQL 8 and MariaDB. With {@code driver=auto} (the default) a {@code mariadb}
 * scheme prefers MariaDB Connector/J and a {@code mysql} scheme MySQL Connector/J; either takes
 * the other when only that one is present.
 */
public final class Drivers {

  private Drivers() {}

  /** The driver a URI asks for. */
  public enum Choice {
    /** Whichever is present, the scheme's own first. */
    AUTO,
    /** MariaDB Connector/J. */
    MARIADB,
    /** MySQL Connector/J. */
    MYSQL;

    static Choice parse(String value, String redacted) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "auto":
          return AUTO;
        case "mariadb":
          return MARIADB;
        case "mysql":
          return MYSQL;
        default:
          throw new StorageConfigurationException("option 'driver' of store URI " + redacted
              + " must be auto, mariadb or mysql (was '" + value + "')");
      }
    }
  }

  /** A driver that was found. */
  public enum Kind {
    /** MariaDB Connector/J. */
    MARIADB("org.mariadb.jdbc.Driver", "jdbc:mariadb://", "org.mariadb.jdbc:mariadb-java-client"),
    /** MySQL Connector/J. */
    MYSQL("com.mysql.cj.jdbc.Driver", "jdbc:mysql://", "com.mysql:mysql-connector-j");

    private final String className;
    private final String urlPrefix;
    private final String artifact;

    Kind(String className, String urlPrefix, String artifact) {
      this.className = className;
      this.urlPrefix = urlPrefix;
      this.artifact = artifact;
    }

    /** The driver's class name. */
    public String className() {
      return className;
    }

    /** The Maven coordinates of the driver. */
    public String artifact() {
      return artifact;
    }
  }

  /**
   * Returns the driver to use for {@code uri}.
   *
   * @throws StorageConfigurationException if the one asked for, or any, is not on the class path
   */
  public static Kind resolve(MySqlUri uri) {
    return resolve(uri, Drivers::isPresent);
  }

  /** {@link #resolve(MySqlUri)} with {@code present} saying which drivers are there (for tests). */
  static Kind resolve(MySqlUri uri, java.util.function.Predicate<Kind> present) {
    switch (uri.driver()) {
      case MARIADB:
        return require(Kind.MARIADB, uri, present);
      case MYSQL:
        return require(Kind.MYSQL, uri, present);
      default:
        Kind first = uri.prefersMariaDb() ? Kind.MARIADB : Kind.MYSQL;
        Kind second = first == Kind.MARIADB ? Kind.MYSQL : Kind.MARIADB;
        if (present.test(first)) {
          return first;
        }
        if (present.test(second)) {
          return second;
        }
        throw new StorageConfigurationException("no MySQL or MariaDB JDBC driver on the class path for "
            + uri.redacted() + ": add " + Kind.MARIADB.artifact + " (MariaDB Connector/J, LGPL-2.1) or "
            + Kind.MYSQL.artifact + " (MySQL Connector/J, GPL-2.0 with the Universal FOSS Exception);"
            + " both work with MySQL 8 and MariaDB");
    }
  }

  private static Kind require(Kind kind, MySqlUri uri, java.util.function.Predicate<Kind> present) {
    if (!present.test(kind)) {
      throw new StorageConfigurationException(uri.redacted() + " asks for the driver " + kind.className
          + ", which is not on the class path: add " + kind.artifact);
    }
    return kind;
  }

  /** Returns whether the driver's class can be loaded. */
  public static boolean isPresent(Kind kind) {
    return load(kind).isPresent();
  }

  /** Loads the driver's class, from the thread's context class loader or this module's. */
  public static Optional<Class<? extends Driver>> load(Kind kind) {
    for (ClassLoader loader : new ClassLoader[] {
        Thread.currentThread().getContextClassLoader(), Drivers.class.getClassLoader()}) {
      if (loader == null) {
        continue;
      }
      try {
        return Optional.of(Class.forName(kind.className, false, loader).asSubclass(Driver.class));
      } catch (ClassNotFoundException | LinkageError | ClassCastException e) {
        // Not there (or broken): try the next loader.
      }
    }
    return Optional.empty();
  }

  /** Returns the driver's URL for {@code uri}, without options or credentials. */
  public static String jdbcUrl(Kind kind, MySqlUri uri) {
    return kind.urlPrefix + uri.hosts() + "/" + uri.database();
  }

  /**
   * Returns the driver properties for a store's own pool.
   *
   * @param connectMillis the TCP connect timeout
   * @param socketMillis the read timeout of a reply, 0 for none
   */
  public static Properties properties(Kind kind, MySqlUri uri, long connectMillis, long socketMillis) {
    Properties p = new Properties();
    uri.user().ifPresent(u -> p.setProperty("user", u));
    uri.password().ifPresent(pw -> p.setProperty("password", pw));
    p.setProperty("connectTimeout", Long.toString(connectMillis));
    p.setProperty("socketTimeout", Long.toString(socketMillis));
    p.setProperty("tcpKeepAlive", "true");
    uri.allowPublicKeyRetrieval().ifPresent(b -> p.setProperty("allowPublicKeyRetrieval", b.toString()));
    uri.sslMode().ifPresent(m -> p.setProperty("sslMode", sslMode(kind, m)));
    if (kind == Kind.MYSQL) {
      // Autocommit and isolation are tracked in the client, not asked of the server each time.
      p.setProperty("useLocalSessionState", "true");
    }
    return p;
  }

  private static String sslMode(Kind kind, MySqlUri.SslMode mode) {
    if (kind == Kind.MARIADB) {
      switch (mode) {
        case DISABLE:
          return "disable";
        case REQUIRE:
          return "trust";
        case VERIFY_CA:
          return "verify-ca";
        default:
          return "verify-full";
      }
    }
    switch (mode) {
      case DISABLE:
        return "DISABLED";
      case REQUIRE:
        return "REQUIRED";
      case VERIFY_CA:
        return "VERIFY_CA";
      default:
        return "VERIFY_IDENTITY";
    }
  }
}
