package org.sessionkit.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.spi.Timestamps;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;

/**
 * The workings of {@code RedisSessionStorage}: encodes sessions into the {@link KeyLayout},
 * runs the {@link Scripts} and decodes their replies. Thread safe; every method returns a future
 * bounded by the call timeout and failing with the store's typed errors.
 */
public final class RedisStore {

  private static final System.Logger LOG = System.getLogger("org.sessionkit.redis");

  /** Servers already warned about (once per JVM is enough). */
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** How many index entries one listing script examines before it hands back a cursor. */
  static final int LIST_SCAN_BUDGET = 2_000;

  /**
   * Up to how many ids an id-prefix query collects from the id index and orders; above this it
   * walks the listing index instead, skipping other ids (then the prefix matches so many
   * sessions that a page is found quickly).
   */
  static final int PREFIX_ID_LIMIT = 1_000;

  /** Guessed bytes of a plain document beyond its messages and state (braces, names, dates). */
  private static final int DOCUMENT_OVERHEAD = 100;

  private static final byte[] EMPTY = new byte[0];

  /**
   * What a store is configured with.
   *
   * @param keys the key layout
   * @param codec the codec (its size limit is {@code maxSessionBytes})
   * @param timeout the call timeout
   * @param retentionMillis the time to live of a session after a write, 0 for none
   * @param maxSessionBytes the largest session
   * @param completions where the futures handed to callers complete
   */
  public record Settings(
      KeyLayout keys,
      SessionCodec codec,
      Duration timeout,
      long retentionMillis,
      long maxSessionBytes,
      Executor completions) {}

  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> redis;
  private final KeyLayout keys;
  private final SessionCodec codec;
  private final Duration timeout;
  private final byte[] ttl;
  private final byte[] maxBytes;
  private final long maxSessionBytes;
  private final Failures failures;
  private final Executor completions;
  private final Runnable release;
  private final byte[] byTime;
  private final byte[] byId;
  private final byte[] counter;
  private final byte[] keyStart;

  private RedisStore(
      StatefulRedisConnection<byte[], byte[]> connection, Settings s, Failures failures, Runnable release) {
    this.connection = connection;
    this.redis = connection.async();
    this.keys = s.keys();
    this.codec = s.codec();
    this.timeout = s.timeout();
    this.ttl = ascii(Long.toString(s.retentionMillis()));
    this.maxSessionBytes = s.maxSessionBytes();
    this.maxBytes = ascii(Long.toString(s.maxSessionBytes()));
    this.failures = failures;
    this.completions = s.completions();
    this.release = release;
    this.byTime = ascii(keys.updatedIndex());
    this.byId = ascii(keys.idIndex());
    this.counter = ascii(keys.revisionCounter());
    this.keyStart = ascii(keys.sessionKeyStart());
  }

  /**
   * Connects with {@code connect}, turning a failure into {@link StorageUnavailableException}.
   */
  public static StatefulRedisConnection<byte[], byte[]> connect(
      Supplier<StatefulRedisConnection<byte[], byte[]>> connect, Failures failures) {
    try {
      return connect.get();
    } catch (RuntimeException e) {
      throw failures.map(e, "connecting", false);
    }
  }

  /**
   * Checks the server behind {@code connection} and returns the store working through it. On
   * failure, runs {@code release}.
   *
   * @param release closes what the store opened (run once, by {@link #close()})
   * @throws StorageConfigurationException for a server older than Redis 7 or a cluster node
   * @throws StorageUnavailableException if the server does not answer
   */
  public static RedisStore open(
      StatefulRedisConnection<byte[], byte[]> connection, Settings settings, Failures failures, Runnable release) {
    RedisStore store = new RedisStore(connection, settings, failures, release);
    try {
      store.checkServer();
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return store;
  }

  /** Returns the key layout. */
  public KeyLayout keys() {
    return keys;
  }

  /** Closes what the store opened. */
  public void close() {
    release.run();
  }

  // ------------------------------------------------------------------ opening

  private void checkServer() {
    // A user whose ACL forbids INFO or CONFIG still gets a store; only these checks are skipped.
    Map<String, String> server = info("server");
    String version = server.getOrDefault("redis_version", "");
    int major = leadingNumber(version);
    if (major >= 0 && major < 7) {
      throw new StorageConfigurationException(
          "the Redis store needs Redis 7.0 or later; " + keysDescription() + " runs " + version);
    }
    if ("1".equals(info("cluster").get("cluster_enabled"))) {
      throw new StorageConfigurationException(
          "the Redis store does not support Redis Cluster (its indexes span every session); "
              + keysDescription() + " is a cluster node");
    }
    ClientOptions options = connection.getOptions();
    if (!options.isRejectCommandsWhileDisconnected()) {
      LOG.log(
          Level.WARNING,
          () -> "the connection of store " + keysDescription() + " queues commands while disconnected and "
              + "re-sends them after reconnecting; a write whose reply was lost may then apply twice. "
              + "Use ClientOptions.DisconnectedBehavior.REJECT_COMMANDS.");
    }
    warnIfNotPersistent(server.getOrDefault("run_id", keysDescription()));
  }

  private void warnIfNotPersistent(String server) {
    Map<String, String> persistence = info("persistence");
    Map<String, String> save;
    try {
      save = blocking(redis.configGet("save"), "checking the server");
    } catch (StorageUnavailableException e) {
      if (!(e.getCause() instanceof RedisCommandExecutionException)) {
        throw e;
      }
      save = Map.of();
    }
    boolean aof = "1".equals(persistence.get("aof_enabled"));
    boolean rdb = !save.getOrDefault("save", "unknown").isBlank();
    if (!persistence.isEmpty() && !aof && !rdb && WARNED.add(server)) {
      LOG.log(
          Level.WARNING,
          () -> "Redis behind store " + keysDescription() + " has no persistence (no AOF, no RDB "
              + "snapshots): its sessions are lost when the server restarts. For durable sessions "
              + "run it with appendonly yes (appendfsync always or everysec).");
    }
  }

  /** Returns a section of INFO, empty if the server refuses the command (e.g. an ACL). */
  private Map<String, String> info(String section) {
    try {
      return parseInfo(blocking(redis.info(section), "checking the server"));
    } catch (StorageUnavailableException e) {
      if (e.getCause() instanceof RedisCommandExecutionException) {
        return Map.of();
      }
      throw e;
    }
  }

  private String keysDescription() {
    return failures.description();
  }

  private <T> T blocking(io.lettuce.core.RedisFuture<T> f, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException(what + ": interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw failures.map(e instanceof ExecutionException ? e.getCause() : e, what, false);
    }
  }

  private static Map<String, String> parseInfo(String info) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  private static int leadingNumber(String version) {
    int i = 0;
    while (i < version.length() && Character.isDigit(version.charAt(i))) {
      i++;
    }
    return i == 0 ? -1 : Integer.parseInt(version.substring(0, i));
  }

  // ------------------------------------------------------------------ writes

  /** Saves {@code session} if {@code condition} holds; completes with the new revision. */
  public CompletableFuture<Revision> save(Session session, WriteCondition condition, BooleanSupplier closed) {
    String id = session.id();
    String what = "save of " + SessionIds.quote(id);
    // Encoding checks the session (strings, nesting, dates, size) before any I/O.
    String created = Timestamps.format(session.createdAt());
    String updated = Timestamps.format(session.updatedAt());
    byte[] state = codec.encodeState(session.state());
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    List<Message> messages = session.messages();
    byte[][] args = new byte[11 + messages.size()][];
    long size = (long) state.length + idBytes.length + DOCUMENT_OVERHEAD;
    for (int i = 0; i < messages.size(); i++) {
      byte[] m = codec.encodeMessage(messages.get(i));
      args[11 + i] = m;
      size += m.length + 1;
    }
    checkSize(id, size);
    String hex = KeyLayout.hex(id);
    if (condition instanceof WriteCondition.IfRevision r) {
      args[0] = ascii("r");
      args[1] = utf8(r.expected().value());
    } else {
      args[0] = ascii(condition instanceof WriteCondition.IfAbsent ? "n" : "a");
      args[1] = EMPTY;
    }
    args[2] = ascii(KeyLayout.member(session.updatedAt(), hex));
    args[3] = ascii(hex);
    args[4] = idBytes;
    args[5] = ascii(created);
    args[6] = ascii(updated);
    args[7] = state;
    args[8] = ttl;
    args[9] = ascii(Long.toString(size));
    args[10] = keyStart;
    return bounded(
        what,
        closed,
        () ->
            Scripts.SAVE
                .run(redis, writeKeys(hex), args)
                .thenApply(
                    reply -> {
                      switch (status(reply)) {
                        case "ok":
                          return new Revision(string(reply.get(1)));
                        case "conflict":
                          throw conflict(what, condition);
                        default:
                          throw unexpected(what, reply);
                      }
                    }));
  }

  /** Appends; completes with the new revision. */
  public CompletableFuture<Revision> append(String id, Append append, BooleanSupplier closed) {
    String what = "append to " + SessionIds.quote(id);
    String updated = Timestamps.format(append.updatedAt());
    byte[] state = codec.encodeState(append.state());
    List<Message> messages = append.messages();
    byte[][] args = new byte[9 + messages.size()][];
    long added = 0;
    for (int i = 0; i < messages.size(); i++) {
      byte[] m = codec.encodeMessage(messages.get(i));
      args[9 + i] = m;
      added += m.length + 1;
    }
    checkSize(id, added + state.length);
    String hex = KeyLayout.hex(id);
    args[0] = append.expectedRevision().map(r -> utf8(r.value())).orElse(EMPTY);
    args[1] = ascii(KeyLayout.member(append.updatedAt(), hex));
    args[2] = ascii(hex);
    args[3] = ascii(updated);
    args[4] = state;
    args[5] = ttl;
    args[6] = ascii(Long.toString(added));
    args[7] = maxBytes;
    args[8] = keyStart;
    return bounded(
        what,
        closed,
        () ->
            Scripts.APPEND
                .run(redis, writeKeys(hex), args)
                .thenApply(
                    reply -> {
                      switch (status(reply)) {
                        case "ok":
                          return new Revision(string(reply.get(1)));
                        case "notfound":
                          throw notFound(id);
                        case "conflict":
                          throw new RevisionConflictException(
                              what + ": the stored revision is not " + append.expectedRevision().orElseThrow());
                        case "toolarge":
                          throw new InvalidSessionException(
                              what + ": the session would grow to about " + string(reply.get(1))
                                  + " bytes, more than the limit of " + maxSessionBytes);
                        case "corrupt":
                          throw corrupt(id, string(reply.get(1)));
                        default:
                          throw unexpected(what, reply);
                      }
                    }));
  }

  /** Deletes, if {@code expected} is present only at that revision. */
  public CompletableFuture<Void> delete(String id, Optional<Revision> expected, BooleanSupplier closed) {
    String what = "delete of " + SessionIds.quote(id);
    String hex = KeyLayout.hex(id);
    byte[][] k = {ascii(keys.head(hex)), ascii(keys.messages(hex)), byTime, byId};
    byte[][] args = {expected.map(r -> utf8(r.value())).orElse(EMPTY), ascii(hex)};
    return bounded(
        what,
        closed,
        () ->
            Scripts.DELETE
                .run(redis, k, args)
                .thenApply(
                    reply -> {
                      switch (status(reply)) {
                        case "ok":
                          return null;
                        case "notfound":
                          throw notFound(id);
                        case "conflict":
                          throw new RevisionConflictException(
                              what + ": the stored revision is not " + expected.orElseThrow());
                        default:
                          throw unexpected(what, reply);
                      }
                    }));
  }

  private byte[][] writeKeys(String hex) {
    return new byte[][] {ascii(keys.head(hex)), ascii(keys.messages(hex)), byTime, byId, counter};
  }

  private void checkSize(String id, long size) {
    if (size > maxSessionBytes) {
      throw new InvalidSessionException(
          "session " + SessionIds.quote(id) + " can't be stored: about " + size
              + " bytes of JSON, more than the limit of " + maxSessionBytes);
    }
  }

  private static RevisionConflictException conflict(String what, WriteCondition condition) {
    if (condition instanceof WriteCondition.IfRevision r) {
      return new RevisionConflictException(what + ": the stored revision is not " + r.expected());
    }
    return new RevisionConflictException(what + ": a session with this id already exists");
  }

  // ------------------------------------------------------------------ reads

  /** Loads a session with its revision. */
  public CompletableFuture<VersionedSession> load(String id, BooleanSupplier closed) {
    String hex = KeyLayout.hex(id);
    byte[][] k = {ascii(keys.head(hex)), ascii(keys.messages(hex))};
    return bounded(
        "load of " + SessionIds.quote(id),
        closed,
        () ->
            Scripts.LOAD
                .run(redis, k, new byte[0][])
                .thenApply(
                    reply -> {
                      switch (status(reply)) {
                        case "ok":
                          return decode(id, hex, list(reply.get(1)), list(reply.get(2)));
                        case "notfound":
                          throw notFound(id);
                        case "corrupt":
                          throw corrupt(id, string(reply.get(1)));
                        default:
                          throw unexpected("load of " + SessionIds.quote(id), reply);
                      }
                    }));
  }

  private VersionedSession decode(String id, String hex, List<Object> head, List<Object> stored) {
    Head h = Head.read(id, hex, head.subList(0, 6), head.get(6), codec);
    if (h.problem().isPresent()) {
      throw corrupt(id, h.problem().get());
    }
    if (stored.size() != h.count()) {
      throw corrupt(id, "its head counts " + h.count() + " messages but its list holds " + stored.size());
    }
    List<Message> messages = new ArrayList<>(stored.size());
    for (int i = 0; i < stored.size(); i++) {
      Object m = stored.get(i);
      if (!(m instanceof byte[] bytes)) {
        throw corrupt(id, "message " + i + " is not a string");
      }
      try {
        messages.add(codec.decodeMessage(bytes, id));
      } catch (CorruptDocumentException e) {
        throw new CorruptDocumentException(
            "session " + SessionIds.quote(id) + " in " + failures.description() + ": message " + i + " (list "
                + keys.messages(hex) + ") can't be read: " + e.getMessage(), e);
      }
    }
    Session s = new Session(id, messages, h.state(), h.createdAt(), h.updatedAt());
    return new VersionedSession(s, h.revision());
  }

  /**
   * The fields of a session's head, read and checked; a damaged head has a {@link #problem}.
   */
  private record Head(
      Revision revision, Instant createdAt, Instant updatedAt, long count, SessionState state,
      Optional<String> problem) {

    static Head problem(String why) {
      return new Head(null, null, null, 0, null, Optional.of(why));
    }

    /**
     * Reads {@code fields} = {id, revision, created, updated, count, state} and checks them and
     * the index member {@code member} against the key's id.
     */
    static Head read(String id, String hex, List<Object> fields, Object member, SessionCodec codec) {
      Object storedId = fields.get(0);
      if (!(storedId instanceof byte[] b) || !id.equals(new String(b, StandardCharsets.UTF_8))) {
        return problem("its head does not hold its id");
      }
      if (!(fields.get(1) instanceof byte[] r) || r.length == 0) {
        return problem("its head has no revision");
      }
      Instant created;
      Instant updated;
      try {
        created = Timestamps.parse(string(fields.get(2)));
        updated = Timestamps.parse(string(fields.get(3)));
      } catch (IllegalArgumentException | NullPointerException e) {
        return problem("its head has no valid created or updated time");
      }
      long count;
      try {
        count = Long.parseLong(string(fields.get(4)));
      } catch (NumberFormatException | NullPointerException e) {
        return problem("its head has no valid message count");
      }
      if (count < 0) {
        return problem("its head has a negative message count");
      }
      if (!(member instanceof byte[] m) || !KeyLayout.member(updated, hex).equals(new String(m, StandardCharsets.US_ASCII))) {
        return problem("its head does not match its entry in the listing index");
      }
      if (!(fields.get(5) instanceof byte[] stateJson)) {
        return problem("its head has no state");
      }
      SessionState state;
      try {
        state = codec.decodeState(stateJson, id);
      } catch (CorruptDocumentException e) {
        return problem("its state can't be read: " + e.getMessage());
      }
      return new Head(
          new Revision(new String(r, StandardCharsets.UTF_8)), created, updated, count, state, Optional.empty());
    }
  }

  /** Lists one page. */
  public CompletableFuture<PageResult> list(PageRequest request, BooleanSupplier closed) {
    LexRange range = LexRange.of(request);
    if (range.empty()) {
      return CompletableFuture.completedFuture(PageResult.of(List.of()));
    }
    String prefixHex = request.idPrefix().map(KeyLayout::hex).orElse("");
    Listing listing = new Listing(request);
    return bounded("listing", closed, () -> listFrom(listing, range.start(), range.stop(), prefixHex));
  }

  /** What one {@link #list} call has collected so far. */
  private static final class Listing {
    final PageRequest request;
    final List<SessionSummary> summaries = new ArrayList<>();
    final List<String> members = new ArrayList<>();
    /** Problems by location, with their index member ("" when found through the id index). */
    final Map<String, Map.Entry<String, ListingProblem>> problems = new LinkedHashMap<>();

    Listing(PageRequest request) {
      this.request = request;
    }

    int missing() {
      return request.fetchSize() - summaries.size();
    }

    PageResult result() {
      // Problems after the last summary of this page are left for the next page, which starts
      // after that summary, so that each is reported once per walk.
      String last = summaries.size() > request.limit() ? members.get(request.limit() - 1) : null;
      List<ListingProblem> out = new ArrayList<>();
      for (Map.Entry<String, ListingProblem> p : problems.values()) {
        boolean positioned = !p.getKey().isEmpty();
        if (positioned ? last == null || p.getKey().compareTo(last) < 0 : request.after().isEmpty()) {
          out.add(p.getValue());
        }
      }
      return new PageResult(summaries, out);
    }
  }

  private CompletableFuture<PageResult> listFrom(Listing listing, String start, String stop, String prefixHex) {
    byte[][] k = {byTime, byId};
    byte[][] args = {
      ascii(start),
      ascii(stop),
      ascii(Integer.toString(listing.missing())),
      keyStart,
      ascii(prefixHex),
      ascii(Integer.toString(LIST_SCAN_BUDGET)),
      ascii(Integer.toString(PREFIX_ID_LIMIT))
    };
    return Scripts.LIST
        .run(redis, k, args)
        .thenCompose(
            reply -> {
              String cursor = string(reply.get(0));
              prune(list(reply.get(1)));
              for (Object e : reply.subList(2, reply.size())) {
                collect(listing, list(e));
              }
              if (listing.missing() > 0 && !cursor.isEmpty()) {
                return listFrom(listing, cursor, stop, prefixHex);
              }
              return CompletableFuture.completedFuture(listing.result());
            });
  }

  /**
   * Removes index entries the listing found stale (expired sessions, left-overs of earlier
   * versions), in the background: the listing has already skipped them, and the script checks
   * again before it removes anything, so a failure here only leaves them for the next listing.
   */
  private void prune(List<Object> stale) {
    if (stale.isEmpty()) {
      return;
    }
    byte[][] args = new byte[stale.size() + 1][];
    args[0] = keyStart;
    for (int i = 0; i < stale.size(); i++) {
      args[i + 1] = (byte[]) stale.get(i);
    }
    Scripts.PRUNE
        .run(redis, new byte[][] {byTime, byId}, args)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.log(Level.DEBUG, () -> "pruning stale index entries of " + failures.description() + " failed; the next listing retries", e);
              }
            });
  }

  private void collect(Listing listing, List<Object> entry) {
    String member = string(entry.get(0));
    String hex = string(entry.get(1));
    String status = string(entry.get(2));
    String location = keys.head(hex);
    Optional<String> id = KeyLayout.idOfHex(hex);
    if (id.isEmpty() || !SessionIds.isValid(id.get())) {
      problem(listing, member, location, Optional.empty(), "the key does not name a valid session id");
      return;
    }
    if (!status.equals("ok")) {
      String why =
          switch (status) {
            case "wrongtype" -> "its head is not a hash";
            case "nokey" -> "its head has no listing index member";
            default -> "its head does not match its entry in the listing index";
          };
      problem(listing, member, location, id, why);
      return;
    }
    List<Object> fields = entry.subList(4, entry.size());
    Head h = Head.read(id.get(), hex, fields, entry.get(3), codec);
    if (h.problem().isPresent()) {
      problem(listing, member, location, id, h.problem().get());
      return;
    }
    if (!listing.request.matches(h.updatedAt(), id.get())) {
      return; // cannot happen for a consistent head; never hand out what was not asked for
    }
    listing.summaries.add(new SessionSummary(id.get(), h.createdAt(), h.updatedAt(), h.count(), h.revision()));
    listing.members.add(member);
  }

  private void problem(Listing listing, String member, String location, Optional<String> id, String why) {
    listing.problems.putIfAbsent(
        location, Map.entry(member, new ListingProblem(location, id, "session " + id.map(SessionIds::quote).orElse("?") + ": " + why)));
  }

  /**
   * Scans every key of the store's sessions: each head is loaded in full (state and messages
   * decoded), and message lists without a head are reported as left-overs.
   */
  public CompletableFuture<List<ListingProblem>> problems(BooleanSupplier closed) {
    List<ListingProblem> found = new ArrayList<>();
    return scan(ScanCursor.INITIAL, found, closed).thenApply(v -> List.copyOf(found));
  }

  private CompletableFuture<Void> scan(ScanCursor cursor, List<ListingProblem> found, BooleanSupplier closed) {
    ScanArgs args = ScanArgs.Builder.matches(keys.sessionKeyStart() + "*").limit(500);
    return bounded("problem scan", closed, () -> redis.scan(cursor, args).toCompletableFuture())
        .thenCompose(
            (KeyScanCursor<byte[]> page) -> {
              List<CompletableFuture<Optional<ListingProblem>>> checks = new ArrayList<>();
              for (byte[] raw : page.getKeys()) {
                String key = new String(raw, StandardCharsets.UTF_8);
                checks.add(check(key, closed));
              }
              return CompletableFuture.allOf(checks.toArray(new CompletableFuture<?>[0]))
                  .thenCompose(
                      v -> {
                        synchronized (found) {
                          checks.forEach(c -> c.join().ifPresent(found::add));
                        }
                        return page.isFinished()
                            ? CompletableFuture.completedFuture(null)
                            : scan(page, found, closed);
                      });
            });
  }

  private CompletableFuture<Optional<ListingProblem>> check(String key, BooleanSupplier closed) {
    Optional<String> hex = keys.hexOfSessionKey(key);
    if (hex.isEmpty()) {
      return CompletableFuture.completedFuture(
          Optional.of(new ListingProblem(key, Optional.empty(), "a key in the store's namespace that the store did not write")));
    }
    Optional<String> id = KeyLayout.idOfHex(hex.get()).filter(SessionIds::isValid);
    if (id.isEmpty()) {
      return CompletableFuture.completedFuture(
          Optional.of(new ListingProblem(key, Optional.empty(), "the key does not name a valid session id")));
    }
    if (key.endsWith("}:m")) {
      return bounded("problem scan", closed, () -> redis.exists(ascii(keys.head(hex.get()))).toCompletableFuture())
          .thenApply(
              n -> n == 0
                  ? Optional.of(new ListingProblem(key, id, "session " + SessionIds.quote(id.get()) + ": messages without a head (left over)"))
                  : Optional.empty());
    }
    return load(id.get(), closed)
        .handle(
            (ok, failure) -> {
              if (failure == null) {
                return Optional.<ListingProblem>empty();
              }
              Throwable cause = Futures.unwrap(failure);
              if (cause instanceof CorruptDocumentException) {
                return Optional.of(new ListingProblem(key, id, cause.getMessage()));
              }
              if (cause instanceof SessionNotFoundException) {
                return Optional.<ListingProblem>empty(); // deleted or expired meanwhile
              }
              throw cause instanceof RuntimeException r ? r : new StorageUnavailableException(cause.getMessage(), cause);
            });
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * Runs {@code operation}, failing it with {@link StorageUnavailableException} if it has not
   * completed within the timeout, and mapping its failure to the store's errors. The returned
   * future is completed with the bare exception, not a {@code CompletionException}, and on the
   * completion executor, never on a Lettuce I/O thread: a caller that blocks in a callback (an
   * {@code update} change waiting for another write, say) would otherwise stop the very thread
   * that has to read the reply it waits for.
   */
  private <T> CompletableFuture<T> bounded(String what, BooleanSupplier closed, Supplier<CompletableFuture<T>> operation) {
    CompletableFuture<T> out = new CompletableFuture<>();
    CompletableFuture<T> running;
    try {
      running = operation.get();
    } catch (RuntimeException e) {
      running = CompletableFuture.failedFuture(e);
    }
    running
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync(
            (value, failure) -> {
              if (failure == null) {
                out.complete(value);
              } else {
                out.completeExceptionally(failures.map(failure, what, closed.getAsBoolean()));
              }
            },
            completions);
    return out;
  }

  private CorruptDocumentException corrupt(String id, String why) {
    return new CorruptDocumentException(
        "session " + SessionIds.quote(id) + " in " + failures.description() + " can't be read: " + why
            + " (key " + keys.head(KeyLayout.hex(id)) + ")");
  }

  private SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + SessionIds.quote(id) + " in " + failures.description());
  }

  private static IllegalStateException unexpected(String what, List<Object> reply) {
    return new IllegalStateException(what + ": unexpected reply from the script: " + reply.size() + " elements");
  }

  private static String status(List<Object> reply) {
    return reply.isEmpty() ? "" : string(reply.get(0));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  private static String string(Object o) {
    if (o instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    return o == null ? null : o.toString();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
