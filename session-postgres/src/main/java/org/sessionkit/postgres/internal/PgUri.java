package org.sessionkit.postgres.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.spi.StorageOptions;
import org.sessionkit.spi.StorageUri;

/**
 * A PostgreSQL store URI taken apart: where to connect (as a pgjdbc URL plus credentials and a
 * few driver properties) and the store's own options.
 *
 * <p>Accepted forms: the libpq URI {@code postgresql://user:password@host:5432/db?…} (also
 * {@code postgres://}), as kept in {@code DATABASE_URL}, and {@code
 * jdbc:postgresql://host:5432/db?…}. Several hosts ({@code h1:5432,h2:5433}) and IPv6 literals in
 * brackets work as in pgjdbc. The user name and password in the authority are percent-decoded.
 *
 * <p>Options of the store: {@code schema}, {@code tablePrefix}, {@code poolSize}, {@code
 * connectTimeout}, {@code statementTimeout}, {@code createSchema}, {@code retention} (an
 * ISO-8601 duration such as {@code P30D}, or {@code 0} for none), {@code pooler} ({@code none}
 * or {@code transaction}). Passed to the driver: {@code
 * user}, {@code password}, {@code sslmode}, {@code sslrootcert}, {@code sslcert}, {@code sslkey},
 * {@code sslpassword}, {@code ApplicationName} (or libpq's {@code application_name}) and {@code
 * targetServerType}. Any other option is a configuration error.
 *
 * @param jdbcUrl the pgjdbc URL without options or credentials
 * @param user the user name, if given
 * @param password the password, if given; never shown
 * @param driverProperties the driver properties given as options
 * @param schema the {@code schema} option
 * @param tablePrefix the {@code tablePrefix} option
 * @param poolSize the {@code poolSize} option
 * @param connectTimeout the {@code connectTimeout} option
 * @param statementTimeout the {@code statementTimeout} option ({@code 0} disables it)
 * @param createSchema the {@code createSchema} option
 * @param retention the {@code retention} option ({@code 0} disables it)
 * @param transactionPooling the {@code pooler} option: true for {@code transaction}
 * @param redacted the URI with its password hidden, for messages
 */
public record PgUri(
    String jdbcUrl,
    Optional<String> user,
    Optional<String> password,
    Map<String, String> driverProperties,
    Optional<String> schema,
    Optional<String> tablePrefix,
    OptionalInt poolSize,
    Optional<Duration> connectTimeout,
    Optional<Duration> statementTimeout,
    Optional<Boolean> createSchema,
    Optional<Duration> retention,
    Optional<Boolean> transactionPooling,
    String redacted) {

  /** The schemes of a PostgreSQL store, longest first. */
  public static final List<String> SCHEMES = List.of("jdbc:postgresql", "postgresql", "postgres");

  /** The largest pool a URI may ask for. */
  public static final int MAX_POOL_SIZE = 1000;

  private static final List<String> DRIVER_OPTIONS =
      List.of("user", "password", "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword",
          "ApplicationName", "targetServerType");

  /** Copies the map. */
  public PgUri {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    driverProperties = Map.copyOf(driverProperties);
  }

  /**
   * Parses a store URI.
   *
   * @throws StorageConfigurationException if the scheme is not one of {@link #SCHEMES}, the URI
   *     is malformed, or an option is unknown or has a bad value
   */
  public static PgUri parse(String text) {
    Objects.requireNonNull(text, "text");
    String scheme =
        SCHEMES.stream()
            .filter(s -> StorageUri.startsWithScheme(text, s))
            .findFirst()
            .orElseThrow(
                () -> new StorageConfigurationException(
                    "not a PostgreSQL store URI: " + StorageUri.redact(text)
                        + " (expected postgresql://, postgres:// or jdbc:postgresql://)"));
    StorageUri uri = StorageUri.parse(text, scheme);
    String redacted = uri.redacted();
    StorageUri.Server server = uri.server(scheme + "://[user[:password]@]host[:port]/database");
    Optional<String> user = server.user();
    Optional<String> password = server.password();
    String authority = server.hosts();
    String database = server.path();
    // libpq reads an empty host as "the local Unix socket"; pgjdbc speaks TCP only.
    String hosts = authority.isEmpty() ? "localhost" : authority;
    String jdbcUrl = "jdbc:postgresql://" + hosts + "/" + database;
    if (org.postgresql.Driver.parseURL(jdbcUrl, new Properties()) == null) {
      throw new StorageConfigurationException("malformed PostgreSQL store URI " + redacted);
    }

    StorageOptions o = uri.optionReader();
    Map<String, String> driver = new LinkedHashMap<>();
    for (String name : DRIVER_OPTIONS) {
      o.string(name).ifPresent(v -> driver.put(name, v));
    }
    o.string("application_name").ifPresent(v -> driver.putIfAbsent("ApplicationName", v));
    if (driver.containsKey("user")) {
      user = Optional.of(driver.remove("user"));
    }
    if (driver.containsKey("password")) {
      password = Optional.of(driver.remove("password"));
    }
    Optional<String> schema = o.string("schema");
    Optional<String> tablePrefix = o.string("tablePrefix");
    OptionalInt poolSize =
        o.string("poolSize").isPresent()
            ? OptionalInt.of(o.integer("poolSize", 1, 1, MAX_POOL_SIZE))
            : OptionalInt.empty();
    Optional<Duration> connectTimeout =
        o.optionalDuration("connectTimeout");
    Optional<Duration> statementTimeout =
        o.optionalDuration("statementTimeout");
    Optional<Boolean> createSchema =
        o.string("createSchema").map(v -> o.bool("createSchema", true));
    Optional<Duration> retention = o.optionalDuration("retention");
    Optional<Boolean> transactionPooling = o.string("pooler").map(v -> {
      switch (v) {
        case "transaction":
          return true;
        case "none":
          return false;
        default:
          throw new StorageConfigurationException("option 'pooler' of " + redacted
              + " must be 'transaction' (PgBouncer or another pooler in transaction mode) or 'none'");
      }
    });
    o.finish();
    return new PgUri(jdbcUrl, user, password, driver, schema, tablePrefix, poolSize,
        connectTimeout, statementTimeout, createSchema, retention, transactionPooling, redacted);
  }

  /** Hides the password. */
  @Override
  public String toString() {
    return redacted;
  }
}
