package org.sessionkit.redis.internal;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.spi.StorageOptions;
import org.sessionkit.spi.StorageUri;

/**
 * A parsed {@code redis://[user:password@]host[:port][/database][?options]} or {@code
 * rediss://…} (TLS) store URI: where the server is and the store's options.
 *
 * <p>Options: {@code prefix} (key prefix), {@code timeout} (per call), {@code connectTimeout},
 * {@code retention} (expire sessions not written for that long; {@code 0} keeps them), {@code
 * maxSessionBytes}, {@code clientName} (the connection's {@code CLIENT SETNAME}) and, for
 * {@code rediss}, {@code verifyPeer}. Anything else is a configuration error.
 *
 * @param redisUri where to connect, with credentials, database, TLS and client name
 * @param redacted the URI without its password, for messages
 * @param password the password, to keep it out of messages
 * @param prefix the {@code prefix} option
 * @param timeout the {@code timeout} option
 * @param connectTimeout the {@code connectTimeout} option
 * @param retention the {@code retention} option
 * @param maxSessionBytes the {@code maxSessionBytes} option
 */
public record StoreUri(
    RedisURI redisUri,
    String redacted,
    Optional<String> password,
    Optional<String> prefix,
    Optional<Duration> timeout,
    Optional<Duration> connectTimeout,
    Optional<Duration> retention,
    Optional<Long> maxSessionBytes) {

  /** The schemes the store serves. */
  public static final String REDIS = "redis";

  /** The TLS scheme. */
  public static final String REDISS = "rediss";

  /**
   * Parses a store URI.
   *
   * @throws StorageConfigurationException if it is not a {@code redis:} or {@code rediss:} URI
   *     of one server, or an option is unknown or malformed; the message never holds the password
   */
  public static StoreUri parse(String text) {
    String scheme = StorageUri.startsWithScheme(text, REDISS) ? REDISS : REDIS;
    return parse(StorageUri.parse(text, scheme));
  }

  /** Parses a store URI split by the discovery code; see {@link #parse(String)}. */
  public static StoreUri parse(StorageUri uri) {
    String scheme = uri.scheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals(REDIS) && !scheme.equals(REDISS)) {
      throw bad(uri, "is not a redis: or rediss: URI");
    }
    StorageUri.Server server = uri.server(scheme + "://[user:password@]host[:port][/database]");
    Optional<String> user = server.user();
    Optional<String> password = server.password();
    String authority = server.hosts();
    String path = server.path();
    if (user.isPresent() && password.isEmpty()) {
      throw bad(uri, "names a user without a password (user:password@host)");
    }
    if (authority.contains(",")) {
      throw bad(uri, "names several hosts; the Redis store works with one server (Redis Cluster and Sentinel are not supported)");
    }
    String host;
    String portText = "";
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw bad(uri, "has an unclosed IPv6 address");
      }
      host = authority.substring(1, close);
      String after = authority.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw bad(uri, "has something other than a port after the IPv6 address");
        }
        portText = after.substring(1);
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? "" : authority.substring(colon + 1);
    }
    if (host.isEmpty()) {
      host = "127.0.0.1";
    }
    int port = portText.isEmpty() ? RedisURI.DEFAULT_REDIS_PORT : number(portText, 1, 65535, "port", uri);
    int database = path.isEmpty() ? 0 : number(path, 0, 1_000_000, "database number", uri);

    StorageOptions o = uri.optionReader();
    Optional<String> prefix = o.string("prefix");
    Optional<Duration> timeout = o.optionalDuration("timeout");
    Optional<Duration> connectTimeout = o.optionalDuration("connectTimeout");
    Optional<Duration> retention = o.optionalDuration("retention");
    Optional<Long> maxSessionBytes =
        o.string("maxSessionBytes").isPresent()
            ? Optional.of(o.longInteger("maxSessionBytes", 0, 1, Long.MAX_VALUE))
            : Optional.empty();
    Optional<String> clientName = o.string("clientName");
    boolean tls = scheme.equals(REDISS);
    boolean verifyPeer = tls ? o.bool("verifyPeer", true) : true;
    o.finish();
    if (timeout.isPresent() && timeout.get().isZero()) {
      throw bad(uri, "has timeout=0; give a positive duration such as 2s");
    }
    if (connectTimeout.isPresent() && connectTimeout.get().isZero()) {
      throw bad(uri, "has connectTimeout=0; give a positive duration such as 10s");
    }

    RedisURI.Builder b =
        RedisURI.Builder.redis(host, port).withDatabase(database).withSsl(tls);
    if (tls) {
      b.withVerifyPeer(verifyPeer);
    }
    if (password.isPresent()) {
      if (user.isPresent()) {
        b.withAuthentication(user.get(), password.get().toCharArray());
      } else {
        b.withPassword(password.get().toCharArray());
      }
    }
    clientName.ifPresent(b::withClientName);
    return new StoreUri(
        b.build(),
        uri.redacted(),
        password,
        prefix,
        timeout,
        connectTimeout,
        retention,
        maxSessionBytes);
  }

  private static int number(String text, int min, int max, String what, StorageUri uri) {
    try {
      int n = Integer.parseInt(text);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    // The text is not echoed: in a URI whose password has an unescaped '/' it is a piece of it.
    throw bad(uri, "has an invalid " + what + "; expected " + min + " to " + max);
  }

  private static StorageConfigurationException bad(StorageUri uri, String why) {
    return new StorageConfigurationException("store URI " + uri.redacted() + " " + why);
  }
}
