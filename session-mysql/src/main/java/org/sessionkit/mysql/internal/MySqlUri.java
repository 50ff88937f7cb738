package org.sessionkit.mysql.internal;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.spi.StorageOptions;
import org.sessionkit.spi.StorageUri;

/**
 * A MySQL or MariaDB store URI taken apart: where to connect, with which credentials and driver
 * preferences, and the store's own options.
 *
 * <p>Accepted forms: {@code mysql://user:password@host:3306/db?…}, {@code mariadb://…} (as kept
 * in {@code DATABASE_URL}), and the JDBC URLs {@code jdbc:mysql://host:3306/db?…} and {@code
 * jdbc:mariadb://…}. The port defaults to 3306; the database is required. User name and password
 * in the authority are percent-decoded; they may also be given as the options {@code user} and
 * {@code password}.
 *
 * <p>Options of the store: {@code tablePrefix}, {@code poolSize}, {@code connectTimeout}, {@code
 * statementTimeout}, {@code createSchema}, {@code retention}, {@code driver} ({@code auto},
 * {@code mariadb} or {@code mysql}). Translated for the driver: {@code sslMode} ({@code disable},
 * {@code require}, {@code verify-ca}, {@code verify-full}) and {@code allowPublicKeyRetrieval}.
 * Any other option is a configuration error.
 *
 * @param scheme the scheme the URI was written with, in lower case
 * @param hosts {@code host[:port]}, or several separated by commas, as written
 * @param database the database name, percent-decoded
 * @param user the user name, if given
 * @param password the password, if given; never shown
 * @param tablePrefix the {@code tablePrefix} option
 * @param poolSize the {@code poolSize} option
 * @param connectTimeout the {@code connectTimeout} option
 * @param statementTimeout the {@code statementTimeout} option ({@code 0} disables it)
 * @param createSchema the {@code createSchema} option
 * @param retention the {@code retention} option ({@code 0} keeps sessions forever)
 * @param driver the driver the URI asks for
 * @param sslMode the {@code sslMode} option
 * @param allowPublicKeyRetrieval the {@code allowPublicKeyRetrieval} option
 * @param redacted the URI with its password hidden, for messages
 */
public record MySqlUri(
    String scheme,
    String hosts,
    String database,
    Optional<String> user,
    Optional<String> password,
    Optional<String> tablePrefix,
    OptionalInt poolSize,
    Optional<Duration> connectTimeout,
    Optional<Duration> statementTimeout,
    Optional<Boolean> createSchema,
    Optional<Duration> retention,
    Drivers.Choice driver,
    Optional<SslMode> sslMode,
    Optional<Boolean> allowPublicKeyRetrieval,
    String redacted) {

  /** The schemes of a MySQL or MariaDB store, longest first. */
  public static final List<String> SCHEMES = List.of("jdbc:mariadb", "jdbc:mysql", "mariadb", "mysql");

  /** The largest pool a URI may ask for. */
  public static final int MAX_POOL_SIZE = 1000;

  /** How TLS is used, in libpq's words; each driver gets its own spelling. */
  public enum SslMode {
    /** No TLS. */
    DISABLE,
    /** TLS without checking the server's certificate. */
    REQUIRE,
    /** TLS, the certificate checked against the trusted authorities. */
    VERIFY_CA,
    /** TLS, the certificate checked and the host name matched. */
    VERIFY_FULL;

    static SslMode parse(String value, String redacted) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "disable":
          return DISABLE;
        case "require":
          return REQUIRE;
        case "verify-ca":
          return VERIFY_CA;
        case "verify-full":
          return VERIFY_FULL;
        default:
          throw new StorageConfigurationException("option 'sslMode' of store URI " + redacted
              + " must be disable, require, verify-ca or verify-full (was '" + value + "')");
      }
    }
  }

  /** Checks for nulls. */
  public MySqlUri {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(hosts, "hosts");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(redacted, "redacted");
  }

  /**
   * Parses a store URI.
   *
   * @throws StorageConfigurationException if the scheme is not one of {@link #SCHEMES}, the URI
   *     names no host or database, or an option is unknown or has a bad value
   */
  public static MySqlUri parse(String text) {
    Objects.requireNonNull(text, "text");
    String scheme = SCHEMES.stream()
        .filter(s -> StorageUri.startsWithScheme(text, s))
        .findFirst()
        .orElseThrow(() -> new StorageConfigurationException(
            "not a MySQL or MariaDB store URI: " + StorageUri.redact(text)
                + " (expected mysql://, mariadb://, jdbc:mysql:// or jdbc:mariadb://)"));
    StorageUri uri = StorageUri.parse(text, scheme);
    String redacted = uri.redacted();
    StorageUri.Server server = uri.server(scheme + "://[user[:password]@]host[:port]/database");
    if (server.hosts().isEmpty()) {
      throw new StorageConfigurationException("store URI " + redacted + " names no host");
    }
    if (server.hosts().contains("/") || server.hosts().contains("?")) {
      throw new StorageConfigurationException("malformed hosts in store URI " + redacted);
    }
    String database = decodePath(server.path(), redacted);
    if (database.isEmpty()) {
      throw new StorageConfigurationException("store URI " + redacted
          + " names no database: " + scheme + "://host:3306/database (the tables live in it)");
    }
    if (!database.matches("[A-Za-z0-9_$-]{1,64}")) {
      // It becomes part of the driver's URL: nothing that URL syntax could read differently.
      throw new StorageConfigurationException("store URI " + redacted
          + ": the database name must be 1 to 64 of [A-Za-z0-9_$-]");
    }
    StorageOptions o = uri.optionReader();
    Optional<String> user = o.string("user").or(server::user);
    Optional<String> password = o.string("password").or(server::password);
    Optional<String> tablePrefix = o.string("tablePrefix");
    OptionalInt poolSize = o.string("poolSize").isPresent()
        ? OptionalInt.of(o.integer("poolSize", 1, 1, MAX_POOL_SIZE))
        : OptionalInt.empty();
    Optional<Duration> connectTimeout = o.optionalDuration("connectTimeout");
    Optional<Duration> statementTimeout = o.optionalDuration("statementTimeout");
    Optional<Boolean> createSchema = o.string("createSchema").map(v -> o.bool("createSchema", true));
    Optional<Duration> retention = o.optionalDuration("retention");
    Drivers.Choice driver = Drivers.Choice.parse(o.string("driver").orElse("auto"), redacted);
    Optional<SslMode> sslMode = o.string("sslMode").map(v -> SslMode.parse(v, redacted));
    Optional<Boolean> allowPublicKeyRetrieval = o.string("allowPublicKeyRetrieval")
        .map(v -> o.bool("allowPublicKeyRetrieval", false));
    o.finish();
    return new MySqlUri(scheme, server.hosts(), database, user, password, tablePrefix, poolSize,
        connectTimeout, statementTimeout, createSchema, retention, driver, sslMode,
        allowPublicKeyRetrieval, redacted);
  }

  /** Whether the URI was written for MariaDB (its driver is preferred when both are present). */
  public boolean prefersMariaDb() {
    return scheme.contains("mariadb");
  }

  /** Hides the password. */
  @Override
  public String toString() {
    return redacted;
  }

  private static String decodePath(String path, String redacted) {
    try {
      return java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new StorageConfigurationException("store URI " + redacted + " has a malformed database name");
    }
  }
}
