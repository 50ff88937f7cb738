package org.sessionkit.redis.internal;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.spi.StorageOptions;
import org.sessionkit.spi.StorageUri;

/**
 * A parsed store URI: where the servers are and the store's options.
 *
 * <ul>
 *   <li>{@code redis://[user:password@]host[:port][/database][?options]} (and {@code rediss://}
 *       for TLS): one server, or a cluster node (detected, or forced with {@code cluster=true});
 *   <li>{@code redis://[user:password@]h1[:p1],h2[:p2]…[?options]}: seed nodes of a Redis
 *       Cluster;
 *   <li>{@code redis-sentinel://[user:password@]s1[:p1][,s2[:p2]…][/database][?options]#master}
 *       (and {@code rediss-sentinel://}), Lettuce's form: the sentinels (port 26379 by default)
 *       and the name of the monitored primary, as the fragment or the {@code sentinelMaster}
 *       option. The credentials are those of the data nodes.
 * </ul>
 *
 * <p>Options: {@code prefix} (key prefix), {@code timeout} (per call), {@code connectTimeout},
 * {@code retention} (sessions not written for that long are absent; {@code 0} keeps them), {@code
 * maxSessionBytes}, {@code clientName} (the connections' {@code CLIENT SETNAME}), {@code
 * cluster} ({@code auto}, {@code true}, {@code false}), {@code shards}, {@code waitReplicas},
 * {@code sentinelMaster} and, for TLS, {@code verifyPeer}. Anything else is a configuration
 * error.
 *
 * @param topology how the servers are arranged, as far as the URI tells
 * @param nodes where to connect: the server, the cluster's seed nodes, or one sentinel URI
 * @param redacted the URI without its password, for messages
 * @param password the password, to keep it out of messages
 * @param prefix the {@code prefix} option
 * @param timeout the {@code timeout} option
 * @param connectTimeout the {@code connectTimeout} option
 * @param retention the {@code retention} option
 * @param maxSessionBytes the {@code maxSessionBytes} option
 * @param cluster the {@code cluster} option: empty for {@code auto}
 * @param shards the {@code shards} option
 * @param waitReplicas the {@code waitReplicas} option
 */
public record StoreUri(
    Topology topology,
    List<RedisURI> nodes,
    String redacted,
    Optional<String> password,
    Optional<String> prefix,
    Optional<Duration> timeout,
    Optional<Duration> connectTimeout,
    Optional<Duration> retention,
    Optional<Long> maxSessionBytes,
    Optional<Boolean> cluster,
    Optional<Integer> shards,
    Optional<Integer> waitReplicas) {

  /** How the servers of a URI are arranged. */
  public enum Topology {
    /** One endpoint: a server, or a cluster node that reports cluster mode. */
    SINGLE,
    /** Several seed nodes of a Redis Cluster. */
    CLUSTER,
    /** Sentinels that name the primary. */
    SENTINEL
  }

  /** The scheme of one server or a cluster. */
  public static final String REDIS = "redis";

  /** The TLS scheme. */
  public static final String REDISS = "rediss";

  /** The Sentinel scheme. */
  public static final String REDIS_SENTINEL = "redis-sentinel";

  /** The Sentinel scheme with TLS. */
  public static final String REDISS_SENTINEL = "rediss-sentinel";

  /** Every scheme the store serves. */
  public static final List<String> SCHEMES = List.of(REDIS, REDISS, REDIS_SENTINEL, REDISS_SENTINEL);

  private static final Pattern MASTER_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

  /** The first node (the server of a single-server URI). */
  public RedisURI redisUri() {
    return nodes.get(0);
  }

  /**
   * Parses a store URI.
   *
   * @throws StorageConfigurationException if it is not a URI of a scheme the store serves, or an
   *     option is unknown or malformed; the message never holds the password
   */
  public static StoreUri parse(String text) {
    String scheme = REDIS;
    for (String s : SCHEMES) {
      if (StorageUri.startsWithScheme(text, s) && s.length() > scheme.length()) {
        scheme = s;
      }
    }
    Optional<String> master = Optional.empty();
    String rest = text;
    if (scheme.endsWith("-sentinel")) {
      int hash = text.lastIndexOf('#');
      if (hash >= 0 && MASTER_NAME.matcher(text.substring(hash + 1)).matches()) {
        master = Optional.of(text.substring(hash + 1));
        rest = text.substring(0, hash);
      }
    }
    return parse(StorageUri.parse(rest, scheme), master);
  }

  /** Parses a store URI split by the discovery code; see {@link #parse(String)}. */
  public static StoreUri parse(StorageUri uri) {
    return parse(uri.unredacted());
  }

  private static StoreUri parse(StorageUri uri, Optional<String> fragmentMaster) {
    String scheme = uri.scheme().toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme)) {
      throw bad(uri, "is not a redis:, rediss:, redis-sentinel: or rediss-sentinel: URI");
    }
    boolean sentinel = scheme.endsWith("-sentinel");
    boolean tls = scheme.startsWith("rediss");
    StorageUri.Server server =
        uri.server(scheme + "://[user:password@]host[:port][,host[:port]…][/database]" + (sentinel ? "#master" : ""));
    Optional<String> user = server.user();
    Optional<String> password = server.password();
    if (user.isPresent() && password.isEmpty()) {
      throw bad(uri, "names a user without a password (user:password@host)");
    }
    int defaultPort = sentinel ? RedisURI.DEFAULT_SENTINEL_PORT : RedisURI.DEFAULT_REDIS_PORT;
    List<HostPort> hosts = new ArrayList<>();
    for (String part : server.hosts().split(",", -1)) {
      hosts.add(hostPort(part, defaultPort, uri));
    }
    String path = server.path();
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
    Optional<String> clusterText = o.string("cluster");
    Optional<Integer> shards =
        o.string("shards").isPresent()
            ? Optional.of(o.integer("shards", 1, 1, KeyLayout.MAX_SHARDS))
            : Optional.empty();
    Optional<Integer> waitReplicas =
        o.string("waitReplicas").isPresent()
            ? Optional.of(o.integer("waitReplicas", 0, 0, 64))
            : Optional.empty();
    Optional<String> masterOption = o.string("sentinelMaster");
    boolean verifyPeer = tls ? o.bool("verifyPeer", true) : true;
    o.finish();
    if (timeout.isPresent() && timeout.get().isZero()) {
      throw bad(uri, "has timeout=0; give a positive duration such as 2s");
    }
    if (connectTimeout.isPresent() && connectTimeout.get().isZero()) {
      throw bad(uri, "has connectTimeout=0; give a positive duration such as 10s");
    }
    Optional<Boolean> cluster;
    switch (clusterText.orElse("auto").toLowerCase(Locale.ROOT)) {
      case "auto" -> cluster = Optional.empty();
      case "true", "yes" -> cluster = Optional.of(true);
      case "false", "no" -> cluster = Optional.of(false);
      default -> throw bad(uri, "has cluster=" + clusterText.get() + "; use auto, true or false");
    }

    Topology topology;
    List<RedisURI> nodes = new ArrayList<>();
    if (sentinel) {
      if (cluster.orElse(false)) {
        throw bad(uri, "asks for cluster mode through Sentinel; Sentinel serves one primary");
      }
      if (fragmentMaster.isPresent() && masterOption.isPresent() && !fragmentMaster.equals(masterOption)) {
        throw bad(uri, "names two different primaries (the fragment and sentinelMaster)");
      }
      String master = fragmentMaster.or(() -> masterOption).orElseThrow(
          () -> bad(uri, "does not name the primary: add #name (or sentinelMaster=name), as in " + scheme
              + "://host:26379#mymaster"));
      if (!MASTER_NAME.matcher(master).matches()) {
        throw bad(uri, "has an invalid primary name; use letters, digits and _ . -");
      }
      RedisURI.Builder b = RedisURI.Builder.sentinel(hosts.get(0).host(), hosts.get(0).port(), master);
      for (HostPort h : hosts.subList(1, hosts.size())) {
        b.withSentinel(h.host(), h.port());
      }
      nodes.add(finish(b, database, tls, verifyPeer, user, password, clientName));
      topology = Topology.SENTINEL;
    } else {
      if (hosts.size() > 1 && cluster.equals(Optional.of(false))) {
        throw bad(uri, "names several hosts with cluster=false; several hosts are the seed nodes of a cluster"
            + " (for Sentinel use redis-sentinel://)");
      }
      if (hosts.size() > 1 && database != 0) {
        throw bad(uri, "names a database for a cluster; Redis Cluster has database 0 only");
      }
      for (HostPort h : hosts) {
        nodes.add(finish(RedisURI.Builder.redis(h.host(), h.port()), database, tls, verifyPeer, user, password, clientName));
      }
      topology = hosts.size() > 1 ? Topology.CLUSTER : Topology.SINGLE;
    }
    return new StoreUri(
        topology,
        List.copyOf(nodes),
        uri.redacted(),
        password,
        prefix,
        timeout,
        connectTimeout,
        retention,
        maxSessionBytes,
        cluster,
        shards,
        waitReplicas);
  }

  private static RedisURI finish(
      RedisURI.Builder b,
      int database,
      boolean tls,
      boolean verifyPeer,
      Optional<String> user,
      Optional<String> password,
      Optional<String> clientName) {
    b.withDatabase(database).withSsl(tls);
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
    return b.build();
  }

  private record HostPort(String host, int port) {}

  private static HostPort hostPort(String authority, int defaultPort, StorageUri uri) {
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
    int port = portText.isEmpty() ? defaultPort : number(portText, 1, 65535, "port", uri);
    return new HostPort(host, port);
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
