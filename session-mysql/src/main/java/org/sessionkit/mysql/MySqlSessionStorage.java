package org.sessionkit.mysql;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorageException;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.mysql.internal.ContentCheck;
import org.sessionkit.mysql.internal.Errors;
import org.sessionkit.mysql.internal.Head;
import org.sessionkit.mysql.internal.Ids;
import org.sessionkit.mysql.internal.Jdbc;
import org.sessionkit.mysql.internal.MySqlUri;
import org.sessionkit.mysql.internal.OwnedPool;
import org.sessionkit.mysql.internal.Problems;
import org.sessionkit.mysql.internal.Revisions;
import org.sessionkit.mysql.internal.Rows;
import org.sessionkit.mysql.internal.SchemaManager;
import org.sessionkit.mysql.internal.SessionRows;
import org.sessionkit.mysql.internal.Sql;
import org.sessionkit.mysql.internal.TableNames;
import org.sessionkit.spi.AbstractBlockingSessionStorage;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.spi.UpdateResult;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.spi.WriteLog;

/**
 * A {@link org.sessionkit.SessionStorage} in MySQL 8.0+ or MariaDB 10.6+ (InnoDB), for
 * applications that run many instances against one database.
 *
 * <pre>{@code
 * try (SessionStorage store = SessionStorages.open("mariadb://app:secret@db:3306/agents")) {
 *   store.save(session).join();
 * }
 * }</pre>
 *
 * <p><b>Opening.</b> {@code SessionStorages.open} serves {@code mysql://user:pw@host:3306/db},
 * {@code mariadb://…}, {@code jdbc:mysql://host:3306/db} and {@code jdbc:mariadb://…}; with such a
 * URI the store owns a HikariCP pool and closes it on {@link #close()}. The JDBC driver is the
 * application's choice and not a dependency of this module: MariaDB Connector/J ({@code
 * org.mariadb.jdbc:mariadb-java-client}) or MySQL Connector/J ({@code
 * com.mysql:mysql-connector-j}), both work with both servers. {@link #builder(DataSource)} takes an
 * application's own {@link DataSource} instead, which the store never closes. Options (in the
 * query string or on the {@link Builder}): {@code tablePrefix} (default {@code sessionkit_}),
 * {@code poolSize} (default {@value #DEFAULT_POOL_SIZE}), {@code connectTimeout} (default 10 s),
 * {@code statementTimeout} (default 30 s, {@code 0} for none), {@code createSchema} (default
 * {@code true}), {@code retention} (an ISO-8601 duration such as {@code P30D}; default none),
 * {@code driver} ({@code auto}, {@code mariadb}, {@code mysql}); {@code user}, {@code password},
 * {@code sslMode} ({@code disable}, {@code require}, {@code verify-ca}, {@code verify-full}) and
 * {@code allowPublicKeyRetrieval} go to the driver. Anything else is a configuration error.
 *
 * <p><b>Layout.</b> The DDL is {@link #ddl(String)} (the resource {@code
 * org/sessionkit/mysql/V1__sessionkit.sql}), in the database the URI (or the DataSource's
 * connections) name: a sessions table with the summary fields, the state, the revision, the
 * write log of idempotency keys and the write time, and a messages table keyed by (session,
 * position). Ids are {@code VARBINARY} of their UTF-8 (byte-exact, code-point order), state and
 * messages the codec's exact JSON bytes. It is created on first use unless {@code
 * createSchema=false}; tables whose recorded layout version is newer than this code knows are
 * refused with {@link StorageConfigurationException}.
 *
 * <p><b>Costs.</b> {@code load} and the slices of {@code loadTail}/{@code loadBefore} are one
 * statement (a slice reads only its range of message rows). Every write is one transaction that
 * locks the session's row first: {@code save} is an upsert of the row, an upsert of the message
 * rows (unchanged rows are compared by the server, not rewritten) and a delete of the surplus;
 * {@code append} locks the row, updates it and inserts only the new message rows; {@code update}
 * reads, applies the change and writes the difference in the same transaction. Listing pages
 * are range scans of an index in listing order, continued by keyset; an id prefix is a range of
 * the primary key.
 *
 * <p><b>Concurrency.</b> Thread safe. Conditions (revision, absence, idempotency key) are decided
 * while the writing transaction holds the session's row lock, so nothing is lost between
 * instances or processes. Revisions are made by the writing instance (a random nonce per store
 * start and a counter), so they stay unique across a failover to a replica that lost writes.
 * Blocking JDBC work runs on an executor sized to the pool (or the user's), never on the
 * caller's thread.
 *
 * <p><b>Failures.</b> A failure where nothing can have been applied — no connection within
 * {@code connectTimeout}, a statement refused, a lock wait or statement timeout, the connection
 * or server lost before the commit was sent — fails the call with {@link
 * StorageUnavailableException} keeping the driver's exception as its cause; the transaction was
 * rolled back (by the server if the connection died). A write whose {@code COMMIT} failed
 * without an answer (connection lost or read timeout during the commit), and a write still
 * running when {@link #close()} gives up waiting, fail with {@link AmbiguousOutcomeException}: it
 * may have been applied, entirely or not at all; retrying with an {@link IdempotencyKey} is
 * safe. Deadlocks are retried. The store needs no restart once the server is back. Stored rows
 * that can't be read fail {@code load} with {@link CorruptDocumentException} and are reported by
 * listings and {@link #problems()}.
 *
 * <p><b>Retention.</b> With a retention period, a session whose last write by this store's
 * {@link Clock} is older than the period is absent for every operation at once; sweeps run by
 * themselves on the store's executor after writes (at most {@value #SWEEP_BATCH} sessions each,
 * re-checking the write time of each under its row lock, so a session written meanwhile stays).
 */
public final class MySqlSessionStorage extends AbstractBlockingSessionStorage {

  /** The pool size (and executor threads) when none is given. */
  public static final int DEFAULT_POOL_SIZE = 8;

  /** How long to wait for a connection (pool and TCP) when nothing else is given. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** How long one statement may run when nothing else is given. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

  /** The layout version this code writes and the newest it can read. */
  public static final int LAYOUT_VERSION = SchemaManager.CURRENT_VERSION;

  /** The most expired sessions one sweep removes. */
  public static final int SWEEP_BATCH = 500;

  /** Sessions deleted per transaction by {@link #deleteMatching}. */
  static final int DELETE_BATCH = 500;

  /** Message rows per insert statement at most. */
  private static final int ROWS_PER_STATEMENT = 500;

  private static final System.Logger LOG = System.getLogger("org.sessionkit.mysql");

  private final Optional<HikariDataSource> ownedPool;
  private final DataSource dataSource;
  private final TableNames names;
  private final Sql sql;
  private final SessionCodec codec;
  private final Jdbc jdbc;
  private final Revisions revisions = new Revisions();
  private final Clock clock;
  private final long retentionMillis;
  private final long sweepIntervalMillis;
  private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);
  private final long maxPacket;
  private final long chunkBytes;

  private MySqlSessionStorage(
      String description,
      DataSource dataSource,
      Optional<HikariDataSource> ownedPool,
      TableNames names,
      SessionCodec codec,
      int queryTimeoutSeconds,
      Optional<Executor> executor,
      int threads,
      Clock clock,
      Duration retention,
      long maxPacket) {
    super(description, executor, threads);
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.names = names;
    this.sql = new Sql(names);
    this.codec = codec;
    this.jdbc = new Jdbc(dataSource, description, queryTimeoutSeconds, this::isClosed);
    this.clock = clock;
    this.retentionMillis = retention.toMillis();
    this.sweepIntervalMillis = Math.max(1_000, Math.min(60_000, retentionMillis / 10));
    this.maxPacket = maxPacket;
    // A chunk of rows is sent as escaped text by the drivers' client-side prepared statements:
    // at most twice its bytes, so half the packet (less the statement's text) always fits.
    this.chunkBytes = Math.max(16 * 1024, maxPacket / 2 - 64 * 1024);
  }

  /**
   * Opens a store on a MySQL or MariaDB URI with every option from its query string; the same
   * as {@code builder(uri).build()}.
   *
   * @throws StorageConfigurationException for a malformed URI, an unknown option or bad value,
   *     no JDBC driver on the class path, an unknown database, missing tables with {@code
   *     createSchema=false}, or a newer layout version
   * @throws StorageUnavailableException if the server can't be reached within the connect
   *     timeout
   */
  public static MySqlSessionStorage open(String uri) {
    return builder(uri).build();
  }

  /**
   * Returns a builder for a store that owns a HikariCP pool on {@code uri} ({@code mysql://},
   * {@code mariadb://}, {@code jdbc:mysql://} or {@code jdbc:mariadb://}). The URI's options are
   * applied first; the builder's methods override them.
   *
   * @throws StorageConfigurationException for a malformed URI or an unknown or bad option (the
   *     message never shows the password)
   */
  public static Builder builder(String uri) {
    return new Builder(Optional.of(MySqlUri.parse(uri)), Optional.empty());
  }

  /**
   * Returns a builder for a store on the application's own {@code dataSource}, whose connections
   * name the database of the tables. The store borrows connections and never closes it. The
   * connections must be in auto-commit mode when handed out (the JDBC default); any isolation
   * level works (READ COMMITTED avoids gap-lock deadlocks, which the store retries).
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Optional.empty(), Optional.of(Objects.requireNonNull(dataSource, "dataSource")));
  }

  /**
   * Returns the DDL of the current layout for a table prefix, to run by hand or from a migration
   * tool (in the store's database) before opening stores with {@code createSchema=false}.
   *
   * @throws StorageConfigurationException if the prefix is not a plain identifier
   */
  public static String ddl(String tablePrefix) {
    return new SchemaManager(new TableNames(tablePrefix)).ddl();
  }

  /**
   * Returns the DDL with its {@code ${prefix}} placeholder, as in the resource {@code
   * org/sessionkit/mysql/V1__sessionkit.sql} (for Flyway or Liquibase, which substitute it).
   */
  public static String ddlTemplate() {
    return SchemaManager.rawDdl();
  }

  /** Returns {@code "mysql"}, for MySQL and MariaDB alike. */
  @Override
  public String kind() {
    return "mysql";
  }

  // ---------------------------------------------------------------- writes

  /**
   * Checks the instants only. Everything else the codec checks (strings, nesting, the document
   * size) is checked while the rows are encoded, on the store's executor and before any I/O.
   */
  @Override
  protected void validate(Session session) {
    checkInstant(session.id(), session.createdAt(), "created_at");
    checkInstant(session.id(), session.updatedAt(), "updated_at");
  }

  private static void checkInstant(String id, Instant t, String field) {
    if (t.isBefore(Rows.MIN) || t.isAfter(Rows.MAX)) {
      throw new InvalidSessionException("session " + SessionIds.quote(id) + " can't be stored: "
          + field + " " + t + " is outside years 0000-9999");
    }
  }

  /**
   * Checks the codec's size limit (exactly, by the codec, only when the bound computed from the
   * parts is over it) and that every row fits into one packet of the server.
   */
  private void checkSize(Session session, long partBytes, int parts, byte[][] messages, int firstIndex) {
    long bound = partBytes + parts + 6L * session.id().length() + 256;
    if (bound > codec.maxDocumentBytes()) {
      codec.validate(session);
    }
    for (int i = 0; i < messages.length; i++) {
      if (messages[i].length > maxPacket - 16 * 1024) {
        throw new InvalidSessionException("session " + SessionIds.quote(session.id()) + " can't be stored: message "
            + (firstIndex + i) + " is " + messages[i].length + " bytes, more than the server accepts in one"
            + " statement (max_allowed_packet = " + maxPacket + "); raise max_allowed_packet");
      }
    }
  }

  private SessionRows.Encoded encode(Session session) {
    SessionRows.Encoded e = SessionRows.Encoded.of(session, codec);
    checkSize(session, e.bytes(), e.messages().length + 1, e.messages(), 0);
    return e;
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    maybeSweep();
    if (condition instanceof WriteCondition.Always) {
      return blockingWrite(() -> plainSave(session));
    }
    return blockingWrite(() -> conditionalSave(session, condition, Optional.empty()));
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition, IdempotencyKey key) {
    maybeSweep();
    return blockingWrite(() -> conditionalSave(session, condition, Optional.of(key)));
  }

  /** Last writer wins, in one upsert of the row: no need to read what is stored first. */
  private Revision plainSave(Session session) {
    String what = "save of " + SessionIds.quote(session.id());
    SessionRows.Encoded e = encode(session);
    return jdbc.withConnection(what, c -> jdbc.inTransaction(c, what, () -> {
      Revision revision = revisions.next();
      try (PreparedStatement ps = jdbc.prepare(c, sql.upsertSession)) {
        int i = e.bindRow(ps, 1, revision, "", clock.millis());
        ps.setLong(i, writtenSince());
        ps.executeUpdate();
      }
      writeMessages(c, e.id(), e.messages(), 0, true);
      deleteMessagesFrom(c, e.id(), e.messages().length);
      return revision;
    }));
  }

  /** A write with a condition or a key: decided under the row lock, then written. */
  private Revision conditionalSave(Session session, WriteCondition condition, Optional<IdempotencyKey> key) {
    String id = session.id();
    String what = (condition instanceof WriteCondition.IfAbsent ? "create of " : "save of ") + SessionIds.quote(id);
    SessionRows.Encoded e = encode(session);
    return jdbc.withConnection(what, c -> jdbc.inTransaction(c, what, () -> {
      Optional<Head> head = lockHead(c, e.id());
      boolean live = head.isPresent() && head.get().liveAt(writtenSince());
      String log = live ? head.get().writeLog() : "";
      Revision revision = revisions.next();
      if (key.isPresent()) {
        WriteLog stored = live ? head.get().log(Problems.source(names, id)) : WriteLog.empty();
        Optional<Revision> done = stored.find(key.get());
        if (done.isPresent()) {
          return done.get();
        }
        log = stored.record(key.get(), revision).encode();
      }
      if (condition instanceof WriteCondition.IfAbsent && live) {
        throw new RevisionConflictException(what + ": a session with this id exists");
      }
      if (condition instanceof WriteCondition.IfRevision r) {
        if (!live) {
          throw new RevisionConflictException(what + ": the session does not exist (expected revision "
              + r.expected() + ")");
        }
        if (!head.get().hasRevision(r.expected())) {
          throw new RevisionConflictException(what + ": the stored revision is "
              + head.get().storedRevision() + ", not " + r.expected());
        }
      }
      if (head.isPresent()) {
        try (PreparedStatement ps = jdbc.prepare(c, sql.updateSession)) {
          e.bindUpdate(ps, 1, revision, log, clock.millis());
          ps.executeUpdate();
        }
      } else {
        insertRow(c, e, revision, log);
      }
      writeMessages(c, e.id(), e.messages(), 0, true);
      deleteMessagesFrom(c, e.id(), e.messages().length);
      return revision;
    }));
  }

  private void insertRow(Connection c, SessionRows.Encoded e, Revision revision, String log) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.insertSession)) {
      e.bindRow(ps, 1, revision, log, clock.millis());
      ps.executeUpdate();
    } catch (SQLException ex) {
      if (Errors.isDuplicateKey(ex)) {
        // Inserted by another writer after this transaction found no row (READ COMMITTED takes
        // no gap lock): run again, and decide against that row.
        throw new Jdbc.Retry("session row inserted concurrently");
      }
      throw ex;
    }
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    maybeSweep();
    String what = "append to " + SessionIds.quote(id);
    return blockingWrite(() -> {
      // The stored messages were checked when they were stored: check only what is new (the
      // encoders check strings and nesting).
      checkInstant(id, append.updatedAt(), "updated_at");
      byte[] state = codec.encodeState(append.state());
      byte[][] messages = SessionRows.encodeMessages(append.messages(), codec);
      long bytes = state.length;
      for (byte[] m : messages) {
        bytes += m.length;
      }
      checkSize(new Session(id, append.messages(), append.state(), append.updatedAt(), append.updatedAt()),
          bytes, messages.length + 1, messages, 0);
      byte[] idBytes = Ids.bytes(id);
      return jdbc.withConnection(what, c -> jdbc.inTransaction(c, what, () -> {
        Optional<Head> found = lockHead(c, idBytes);
        if (found.isEmpty() || !found.get().liveAt(writtenSince())) {
          throw notFound(id);
        }
        Head head = found.get();
        if (!head.readable()) {
          throw new CorruptDocumentException(Problems.source(names, id)
              + " can't be read: its instants or message count are out of range");
        }
        Revision revision = revisions.next();
        String log = head.writeLog();
        if (append.idempotencyKey().isPresent()) {
          WriteLog stored = head.log(Problems.source(names, id));
          Optional<Revision> done = stored.find(append.idempotencyKey().get());
          if (done.isPresent()) {
            return done.get();
          }
          log = stored.record(append.idempotencyKey().get(), revision).encode();
        }
        if (append.expectedRevision().isPresent() && !head.hasRevision(append.expectedRevision().get())) {
          throw new RevisionConflictException(what + ": the stored revision is " + head.storedRevision()
              + ", not " + append.expectedRevision().get());
        }
        long count = (long) head.messageCount() + messages.length;
        if (count > Integer.MAX_VALUE) {
          throw new InvalidSessionException(what + ": more than " + Integer.MAX_VALUE + " messages");
        }
        try (PreparedStatement ps = jdbc.prepare(c, sql.appendSession)) {
          ps.setBytes(1, Revisions.bytes(revision));
          ps.setInt(2, (int) count);
          ps.setLong(3, append.updatedAt().getEpochSecond());
          ps.setInt(4, append.updatedAt().getNano());
          ps.setBytes(5, state);
          ps.setBytes(6, SessionRows.ascii(log));
          ps.setLong(7, clock.millis());
          ps.setBytes(8, idBytes);
          ps.executeUpdate();
        }
        try {
          writeMessages(c, idBytes, messages, head.messageCount(), false);
        } catch (SQLException ex) {
          if (Errors.isDuplicateKey(ex)) {
            // The store keeps exactly the rows 0..count-1; a collision means rows it did not write.
            throw new CorruptDocumentException(Problems.source(names, id) + ": message rows beyond its"
                + " message count exist (added by hand?); see problems()", ex);
          }
          throw ex;
        }
        return revision;
      }));
    });
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    maybeSweep();
    String what = "delete of " + SessionIds.quote(id);
    byte[] idBytes = Ids.bytes(id);
    return blockingWrite(() -> jdbc.withConnection(what, c -> jdbc.inTransaction(c, what, () -> {
      Optional<Head> head = lockHead(c, idBytes);
      if (head.isEmpty() || !head.get().liveAt(writtenSince())) {
        throw notFound(id);
      }
      if (expected.isPresent() && !head.get().hasRevision(expected.get())) {
        throw new RevisionConflictException(what + ": the stored revision is " + head.get().storedRevision()
            + ", not " + expected.get());
      }
      try (PreparedStatement ps = jdbc.prepare(c, sql.deleteSession)) {
        ps.setBytes(1, idBytes);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = jdbc.prepare(c, sql.deleteMessages)) {
        ps.setBytes(1, idBytes);
        ps.executeUpdate();
      }
      return null;
    })));
  }

  /**
   * Reads, applies the change outside any transaction, and writes only the messages that differ
   * in one transaction that locks the row and checks that the revision is still the one read
   * (else reads and applies again, with the same time-bounded back-off as the default loop). The
   * change never runs while the store holds a lock: another writer, even one inside the change,
   * is never blocked by it.
   */
  @Override
  protected CompletableFuture<UpdateResult> doUpdate(
      String id, UnaryOperator<Session> change, Optional<IdempotencyKey> key) {
    maybeSweep();
    return updateAttempt(id, change, key, 1, System.nanoTime());
  }

  private CompletableFuture<UpdateResult> updateAttempt(
      String id, UnaryOperator<Session> change, Optional<IdempotencyKey> key, int attempt, long start) {
    if (isClosed()) {
      return closedFailure();
    }
    String what = "update of " + SessionIds.quote(id);
    return blocking(() -> readForUpdate(id, what))
        .thenCompose(read -> {
          if (key.isPresent()) {
            Optional<Revision> done = read.log().find(key.get());
            if (done.isPresent()) {
              return CompletableFuture.completedFuture(new UpdateResult(done.get(), Optional.empty()));
            }
          }
          Session changed = Objects.requireNonNull(change.apply(read.session()), "change returned null");
          if (!changed.id().equals(id)) {
            throw new InvalidSessionException("update must keep the session id " + SessionIds.quote(id));
          }
          validate(changed);
          return blockingWrite(() -> writeUpdate(read, changed, key, what));
        })
        .handle((result, failure) -> {
          if (failure == null) {
            return CompletableFuture.completedFuture(result);
          }
          Throwable cause = org.sessionkit.Futures.unwrap(failure);
          if (!(cause instanceof RevisionConflictException)) {
            return CompletableFuture.<UpdateResult>failedFuture(cause);
          }
          long elapsed = System.nanoTime() - start;
          if (elapsed >= updateGiveUpAfter().toNanos()) {
            return CompletableFuture.<UpdateResult>failedFuture(new RevisionConflictException(
                what + " gave up after " + attempt + " attempts in " + elapsed / 1_000_000
                    + " ms: other writers kept changing it", cause));
          }
          if (attempt < 3) {
            return updateAttempt(id, change, key, attempt + 1, start);
          }
          // Back-off with full jitter, capped at 20 ms, so that colliding writers spread out.
          long capMicros = Math.min(20_000L, 50L << Math.min(attempt - 3, 10));
          long delayMicros = java.util.concurrent.ThreadLocalRandom.current().nextLong(capMicros / 4, capMicros + 1);
          return CompletableFuture.supplyAsync(() -> updateAttempt(id, change, key, attempt + 1, start),
                  CompletableFuture.delayedExecutor(delayMicros, java.util.concurrent.TimeUnit.MICROSECONDS, Runnable::run))
              .thenCompose(f -> f);
        })
        .thenCompose(f -> f);
  }

  /** A session as an update read it: with its revision, write log and raw message bodies. */
  private record ForUpdate(Session session, Revision revision, WriteLog log, List<byte[]> bodies, byte[] idBytes) {}

  private ForUpdate readForUpdate(String id, String what) throws SQLException {
    byte[] idBytes = Ids.bytes(id);
    SessionRows.Stored rows = jdbc.withConnection(what, c -> {
      try (PreparedStatement ps = jdbc.prepare(c, sql.load)) {
        ps.setBytes(1, idBytes);
        ps.setLong(2, writtenSince());
        try (ResultSet rs = ps.executeQuery()) {
          return SessionRows.Stored.read(rs);
        }
      }
    });
    if (rows == null) {
      throw notFound(id);
    }
    VersionedSession v = rows.decode(id, names, codec);
    return new ForUpdate(v.session(), v.revision(), rows.log(Problems.source(names, id)), rows.bodies(), idBytes);
  }

  private Revision writeUpdateRevision(ForUpdate read, Session changed, Optional<IdempotencyKey> key, String what,
      Connection c) throws SQLException {
    String id = changed.id();
    byte[] idBytes = read.idBytes();
    Optional<Head> found = lockHead(c, idBytes);
    if (found.isEmpty() || !found.get().liveAt(writtenSince())) {
      throw notFound(id);
    }
    Head head = found.get();
    WriteLog log = WriteLog.empty();
    if (key.isPresent()) {
      // Checked again under the lock: a concurrent call with this key may have applied it.
      log = head.log(Problems.source(names, id));
      Optional<Revision> done = log.find(key.get());
      if (done.isPresent()) {
        return done.get();
      }
    }
    if (!head.hasRevision(read.revision())) {
      throw new RevisionConflictException(what + ": the stored revision is " + head.storedRevision()
          + ", not " + read.revision() + " (written since it was read)");
    }
    // The stored messages are those read (same revision): write from the first that differs.
    List<Message> before = read.session().messages();
    List<Message> after = changed.messages();
    int same = 0;
    while (same < before.size() && same < after.size() && before.get(same).equals(after.get(same))) {
      same++;
    }
    byte[][] fresh = SessionRows.encodeMessages(after.subList(same, after.size()), codec);
    byte[] state = codec.encodeState(changed.state());
    long bytes = state.length;
    for (int i = 0; i < same; i++) {
      bytes += read.bodies().get(i).length;
    }
    for (byte[] m : fresh) {
      bytes += m.length;
    }
    checkSize(changed, bytes, after.size() + 1, fresh, same);
    Revision revision = revisions.next();
    String storedLog = key.isPresent() ? log.record(key.get(), revision).encode() : head.writeLog();
    try (PreparedStatement ps = jdbc.prepare(c, sql.updateSession)) {
      int i = 1;
      ps.setBytes(i++, Revisions.bytes(revision));
      ps.setLong(i++, changed.createdAt().getEpochSecond());
      ps.setInt(i++, changed.createdAt().getNano());
      ps.setLong(i++, changed.updatedAt().getEpochSecond());
      ps.setInt(i++, changed.updatedAt().getNano());
      ps.setInt(i++, after.size());
      ps.setBytes(i++, state);
      ps.setBytes(i++, SessionRows.ascii(storedLog));
      ps.setLong(i++, clock.millis());
      ps.setBytes(i, idBytes);
      ps.executeUpdate();
    }
    writeMessages(c, idBytes, fresh, same, true);
    if (after.size() < before.size()) {
      deleteMessagesFrom(c, idBytes, after.size());
    }
    return revision;
  }

  private UpdateResult writeUpdate(ForUpdate read, Session changed, Optional<IdempotencyKey> key, String what) {
    Revision revision = jdbc.withConnection(what, c -> jdbc.inTransaction(c, what,
        () -> writeUpdateRevision(read, changed, key, what, c)));
    return UpdateResult.of(changed, revision, key);
  }

  /** Locks the session row ({@code SELECT … FOR UPDATE}) and reads its head; empty if absent. */
  private Optional<Head> lockHead(Connection c, byte[] id) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.lockHead)) {
      ps.setBytes(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Head.read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Inserts (or with {@code replace}, upserts) message rows at positions {@code first}, {@code
   * first + 1}, …, in statements of at most {@link #ROWS_PER_STATEMENT} rows and about {@link
   * #chunkBytes} bytes, so that each fits into one packet of the server.
   */
  private void writeMessages(Connection c, byte[] id, byte[][] bodies, int first, boolean replace) throws SQLException {
    int from = 0;
    while (from < bodies.length) {
      int to = from;
      long bytes = 0;
      while (to < bodies.length && to - from < ROWS_PER_STATEMENT
          && (to == from || bytes + bodies[to].length + id.length <= chunkBytes)) {
        bytes += bodies[to].length + id.length;
        to++;
      }
      try (PreparedStatement ps = jdbc.prepare(c, sql.insertMessages(to - from, replace))) {
        int p = 1;
        for (int k = from; k < to; k++) {
          ps.setBytes(p++, id);
          ps.setInt(p++, first + k);
          ps.setBytes(p++, bodies[k]);
        }
        ps.executeUpdate();
      }
      from = to;
    }
  }

  private void deleteMessagesFrom(Connection c, byte[] id, int position) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.deleteMessagesFrom)) {
      ps.setBytes(1, id);
      ps.setInt(2, position);
      ps.executeUpdate();
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    String what = "load of " + SessionIds.quote(id);
    return blocking(() -> {
      SessionRows.Stored rows = jdbc.withConnection(what, c -> {
        try (PreparedStatement ps = jdbc.prepare(c, sql.load)) {
          ps.setBytes(1, Ids.bytes(id));
          ps.setLong(2, writtenSince());
          try (ResultSet rs = ps.executeQuery()) {
            return SessionRows.Stored.read(rs);
          }
        }
      });
      if (rows == null) {
        throw notFound(id);
      }
      // Decoded after the connection went back to the pool: it is pure CPU work.
      return rows.decode(id, names, codec);
    });
  }

  @Override
  protected CompletableFuture<SessionSlice> doLoadSlice(String id, OptionalLong end, int count) {
    String what = "load of " + SessionIds.quote(id);
    long endValue = end.orElse(Long.MAX_VALUE);
    return blocking(() -> {
      SessionRows.Stored rows = jdbc.withConnection(what, c -> {
        try (PreparedStatement ps = jdbc.prepare(c, sql.slice)) {
          int i = 1;
          ps.setLong(i++, endValue);
          ps.setInt(i++, count);
          ps.setLong(i++, endValue);
          ps.setInt(i++, count);
          ps.setLong(i++, endValue);
          ps.setBytes(i++, Ids.bytes(id));
          ps.setLong(i, writtenSince());
          try (ResultSet rs = ps.executeQuery()) {
            return SessionRows.Stored.read(rs);
          }
        }
      });
      if (rows == null) {
        throw notFound(id);
      }
      return rows.decodeSlice(id, names, codec, endValue, count);
    });
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    return blocking(() -> jdbc.withConnection("listing", c -> listPage(c, request)));
  }

  private Sql.Filters filters(Optional<String> prefix, Optional<Instant> before, Optional<Instant> after) {
    Optional<byte[]> low = prefix.map(Ids::bytes);
    return new Sql.Filters(low, low.map(Ids::successor), before, after, writtenSince());
  }

  private PageResult listPage(Connection c, PageRequest request) throws SQLException {
    Optional<String> prefix = request.idPrefix();
    if (prefix.isPresent() && Ids.hasControlCharacter(prefix.get())) {
      // No valid id holds a control character.
      return PageResult.of(List.of());
    }
    Sql.Filters filters = filters(prefix, request.updatedBefore(), request.updatedAfter());
    Optional<Sql.Position> after = request.after().map(
        p -> new Sql.Position(p.updatedAt().getEpochSecond(), p.updatedAt().getNano(), Ids.bytes(p.id())));
    int want = request.fetchSize();
    List<SessionSummary> found = new ArrayList<>(want);
    // Each problem with the number of summaries found before it: only those before the end of
    // this page are reported here (the next page starts after the page's last summary and meets
    // the others again).
    List<ListingProblem> problems = new ArrayList<>();
    List<Integer> foundBefore = new ArrayList<>();
    boolean withState = !request.customKeys().isEmpty();
    while (true) {
      int limit = want - found.size();
      Sql.Query q = sql.list(filters, after, limit, withState);
      int rows = 0;
      Sql.Position last = null;
      try (PreparedStatement ps = jdbc.prepare(c, q.sql())) {
        Jdbc.bind(ps, q.parameters());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            last = Rows.position(rs);
            try {
              found.add(Rows.summary(rs, request.customKeys(), codec, names));
            } catch (Rows.BadRow bad) {
              problems.add(Problems.of(names, last.id(), bad.getMessage()));
              foundBefore.add(found.size());
            }
          }
        }
      }
      if (rows < limit || found.size() >= want) {
        break;
      }
      // Corrupt rows took places of the page: continue after the last row read.
      after = Optional.of(last);
    }
    List<ListingProblem> reported = problems;
    if (found.size() > request.limit()) {
      reported = new ArrayList<>();
      for (int i = 0; i < problems.size(); i++) {
        if (foundBefore.get(i) < request.limit()) {
          reported.add(problems.get(i));
        }
      }
    }
    return new PageResult(found, reported);
  }

  /**
   * Deletes page by page: each page of matching sessions (read by the listing index or the
   * primary key) is deleted in one transaction that locks their rows and deletes only those
   * still at the listed revision, so a session written during the sweep stays.
   */
  @Override
  protected CompletableFuture<Long> doDeleteMatching(DeleteFilter filter) {
    maybeSweep();
    String what = "bulk delete";
    return blockingWrite(() -> {
      long deleted = 0;
      try {
        if (filter.idPrefix().isPresent() && Ids.hasControlCharacter(filter.idPrefix().get())) {
          return 0L;
        }
        Optional<Sql.Position> after = Optional.empty();
        while (true) {
          Optional<Sql.Position> from = after;
          Sql.Filters filters = filters(filter.idPrefix(), filter.updatedBefore(), filter.updatedAfter());
          List<Object[]> page = jdbc.withConnection(what, c -> listForDelete(c, filters, from));
          if (page.isEmpty()) {
            break;
          }
          deleted += jdbc.withConnection(what, c -> jdbc.inTransaction(c, what, () -> deleteListed(c, page)));
          if (page.size() < DELETE_BATCH) {
            break;
          }
          after = Optional.of((Sql.Position) page.get(page.size() - 1)[2]);
        }
        return deleted;
      } catch (SessionStorageException e) {
        throw new BulkDeleteException(deleted, e);
      }
    });
  }

  /** Up to {@link #DELETE_BATCH} rows after {@code after}: {id bytes, revision bytes, position}. */
  private List<Object[]> listForDelete(Connection c, Sql.Filters filters, Optional<Sql.Position> after)
      throws SQLException {
    Sql.Query q = sql.list(filters, after, DELETE_BATCH, false);
    List<Object[]> out = new ArrayList<>();
    try (PreparedStatement ps = jdbc.prepare(c, q.sql())) {
      Jdbc.bind(ps, q.parameters());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Sql.Position p = Rows.position(rs);
          boolean valid;
          try {
            Rows.summary(rs, Set.of(), codec, names);
            valid = true;
          } catch (Rows.BadRow bad) {
            // Not a session the listing shows: not one to delete (problems() reports it).
            valid = false;
          }
          out.add(new Object[] {valid ? rs.getBytes(1) : null, rs.getBytes(2), p});
        }
      }
    }
    return out;
  }

  private long deleteListed(Connection c, List<Object[]> page) throws SQLException {
    List<byte[]> ids = new ArrayList<>();
    Map<String, byte[]> listed = new HashMap<>();
    for (Object[] row : page) {
      if (row[0] != null) {
        ids.add((byte[]) row[0]);
        listed.put(Ids.show((byte[]) row[0]), (byte[]) row[1]);
      }
    }
    if (ids.isEmpty()) {
      return 0;
    }
    long since = writtenSince();
    List<byte[]> doomed = new ArrayList<>();
    try (PreparedStatement ps = jdbc.prepare(c, sql.lockMany(ids.size()))) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setBytes(i + 1, ids.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byte[] id = rs.getBytes(1);
          if (java.util.Arrays.equals(rs.getBytes(2), listed.get(Ids.show(id))) && rs.getLong(3) >= since) {
            doomed.add(id);
          }
        }
      }
    }
    deleteRows(c, doomed);
    return doomed.size();
  }

  private void deleteRows(Connection c, List<byte[]> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    for (String statement : List.of(sql.deleteSessions(ids.size()), sql.deleteMessagesOf(ids.size()))) {
      try (PreparedStatement ps = jdbc.prepare(c, statement)) {
        for (int i = 0; i < ids.size(); i++) {
          ps.setBytes(i + 1, ids.get(i));
        }
        ps.executeUpdate();
      }
    }
  }

  @Override
  protected CompletableFuture<Void> doPing() {
    return blocking(() -> jdbc.withConnection("ping", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, "SELECT 1 FROM " + names.sessions() + " LIMIT 1")) {
        ps.executeQuery().close();
      }
      return null;
    }));
  }

  @Override
  protected CompletableFuture<List<ListingProblem>> doProblems() {
    // Rows a listing can't summarise, then what only a full read finds.
    return super.doProblems().thenCompose(rowProblems -> blocking(() -> {
      List<ListingProblem> all = new ArrayList<>(rowProblems);
      Set<String> reported = new HashSet<>();
      rowProblems.forEach(p -> reported.add(p.location()));
      jdbc.withConnection("check", c -> {
        new ContentCheck(jdbc, names, codec).run(c, all, reported, writtenSince());
        return null;
      });
      return List.copyOf(all);
    }));
  }

  @Override
  protected void doClose() {
    super.doClose();
    ownedPool.ifPresent(HikariDataSource::close);
  }

  /** Maps what escaped the operations' own translation (never expected) to the unavailable error. */
  @Override
  protected SessionStorageException translate(Exception failure, boolean write) {
    if (failure instanceof SQLException e) {
      return Errors.unavailable(description(), write ? "a write" : "a read", e);
    }
    return super.translate(failure, write);
  }

  // ---------------------------------------------------------------- retention

  /** The oldest write time (ms) of a live session: now − retention, or everything without one. */
  private long writtenSince() {
    return retentionMillis == 0 ? Long.MIN_VALUE : clock.millis() - retentionMillis;
  }

  /** Starts a sweep on the executor if retention is on and one is due; never blocks. */
  private void maybeSweep() {
    if (retentionMillis == 0) {
      return;
    }
    long now = clock.millis();
    long due = nextSweep.get();
    if (now < due || !nextSweep.compareAndSet(due, now + sweepIntervalMillis)) {
      return;
    }
    sweepExpired().whenComplete((n, failure) -> {
      if (failure != null) {
        LOG.log(System.Logger.Level.DEBUG, () -> "retention sweep of " + description() + " failed", failure);
      } else if (n >= SWEEP_BATCH) {
        // More may be waiting: the next write sweeps again.
        nextSweep.set(Long.MIN_VALUE);
      }
    });
  }

  /**
   * Removes up to {@link #SWEEP_BATCH} expired sessions now, oldest writes first, and returns
   * how many. Each is deleted only if its write time is still expired under its row lock. Runs
   * by itself after writes; for tests and for operators who want to sweep at a quiet hour.
   */
  CompletableFuture<Integer> sweepExpired() {
    if (retentionMillis == 0) {
      return CompletableFuture.completedFuture(0);
    }
    return blocking(() -> {
      long cutoff = writtenSince();
      List<byte[]> candidates = jdbc.withConnection("retention sweep", c -> {
        List<byte[]> ids = new ArrayList<>();
        try (PreparedStatement ps = jdbc.prepare(c, sql.expired)) {
          ps.setLong(1, cutoff);
          ps.setInt(2, SWEEP_BATCH);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getBytes(1));
            }
          }
        }
        return ids;
      });
      if (candidates.isEmpty()) {
        return 0;
      }
      return jdbc.withConnection("retention sweep", c -> jdbc.inTransaction(c, "retention sweep", () -> {
        List<byte[]> doomed = new ArrayList<>();
        try (PreparedStatement ps = jdbc.prepare(c, sql.lockMany(candidates.size()))) {
          for (int i = 0; i < candidates.size(); i++) {
            ps.setBytes(i + 1, candidates.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              // Re-checked under the lock: a session written since it was selected stays.
              if (rs.getLong(3) < cutoff) {
                doomed.add(rs.getBytes(1));
              }
            }
          }
        }
        deleteRows(c, doomed);
        return doomed.size();
      }));
    });
  }

  // ---------------------------------------------------------------- errors and test access

  private SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + SessionIds.quote(id) + " in " + description());
  }

  @Override
  public String toString() {
    return "MySqlSessionStorage[" + description() + "]";
  }

  /** For tests in this module: the statements this store runs. */
  Sql statements() {
    return sql;
  }

  /** For tests in this module: its table names. */
  TableNames tableNames() {
    return names;
  }

  /** For tests in this module: the data source the store uses (its own pool or the user's). */
  DataSource dataSource() {
    return dataSource;
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures and opens a {@link MySqlSessionStorage}. Not thread safe; {@link #build()} may be
   * called more than once (each call opens a new store).
   */
  public static final class Builder {
    private final Optional<MySqlUri> uri;
    private final Optional<DataSource> dataSource;
    private String tablePrefix = TableNames.DEFAULT_PREFIX;
    private int poolSize = DEFAULT_POOL_SIZE;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
    private boolean createSchema = true;
    private Duration retention = Duration.ZERO;
    private Clock clock = Clock.systemUTC();
    private Optional<Executor> executor = Optional.empty();
    private SessionCodec codec = SessionCodec.defaults();

    private Builder(Optional<MySqlUri> uri, Optional<DataSource> dataSource) {
      this.uri = uri;
      this.dataSource = dataSource;
      uri.ifPresent(u -> {
        u.tablePrefix().ifPresent(this::tablePrefix);
        u.poolSize().ifPresent(this::poolSize);
        u.connectTimeout().ifPresent(this::connectTimeout);
        u.statementTimeout().ifPresent(this::statementTimeout);
        u.createSchema().ifPresent(this::createSchema);
        u.retention().ifPresent(r -> {
          try {
            retention(r);
          } catch (IllegalArgumentException e) {
            throw new StorageConfigurationException("option 'retention' of store URI " + u.redacted() + ": "
                + e.getMessage());
          }
        });
      });
    }

    /**
     * Sets the prefix of the table names (a plain identifier, or empty); {@code sessionkit_} by
     * default, so that the tables sit beside the application's own in one database.
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = Objects.requireNonNull(tablePrefix, "tablePrefix");
      return this;
    }

    /**
     * Sets how many connections the store uses at once: the size of the pool it owns and the
     * number of threads of the executor it creates ({@value #DEFAULT_POOL_SIZE} by default).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder poolSize(int poolSize) {
      if (poolSize < 1) {
        throw new IllegalArgumentException("poolSize < 1: " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Sets how long to wait for a connection, from the pool and for a new TCP connection (10 s
     * by default; at least 250 ms). Applies to the pool the store owns only; a user's {@link
     * DataSource} keeps its own settings.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets how long one statement may run (30 s by default; zero for no limit). On a pool the
     * store owns it is the server's lock wait timeout (whole seconds, rounded up) and, on
     * MariaDB, {@code max_statement_time}; the driver's read timeout adds the connect timeout and
     * 5 s to it. On a user's {@link DataSource} it is the JDBC query timeout, rounded up to whole
     * seconds.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder statementTimeout(Duration statementTimeout) {
      Objects.requireNonNull(statementTimeout, "statementTimeout");
      if (statementTimeout.isNegative()) {
        throw new IllegalArgumentException("negative statementTimeout");
      }
      this.statementTimeout = statementTimeout;
      return this;
    }

    /** Sets whether to create the tables when they are missing ({@code true}). */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /**
     * Sets the retention period: a session not written for longer (by {@link #clock}) is absent
     * for every operation and swept away. Zero (the default) keeps sessions forever.
     *
     * @throws IllegalArgumentException if negative, or positive and under one millisecond
     */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative() || (!retention.isZero() && retention.toMillis() < 1)) {
        throw new IllegalArgumentException("retention must be zero or at least 1 ms: " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * Sets the clock that stamps each write's time, from which retention counts (the system
     * clock by default; tests move their own). Every instance on the same tables should use
     * clocks that agree.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Runs the store's blocking work on {@code executor} instead of a pool of {@code poolSize}
     * daemon threads the store creates. The store never shuts it down.
     */
    public Builder executor(Executor executor) {
      this.executor = Optional.of(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /** Sets the codec, e.g. one with a smaller document size limit. */
    public Builder codec(SessionCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Opens the store: connects, creates or checks the tables. Blocks the calling thread for
     * at most about the connect and statement timeouts (and, while another instance creates the
     * tables, up to a minute).
     *
     * @return the open store, which the caller closes
     * @throws StorageConfigurationException for a bad prefix, no JDBC driver, an unknown
     *     database, missing tables with {@code createSchema(false)}, or tables of a newer layout
     *     version
     * @throws StorageUnavailableException if the server can't be reached or fails
     */
    public MySqlSessionStorage build() {
      TableNames names = new TableNames(tablePrefix);
      String description;
      Optional<HikariDataSource> pool = Optional.empty();
      DataSource ds;
      long maxPacket;
      int queryTimeout;
      if (uri.isPresent()) {
        MySqlUri u = uri.get();
        OwnedPool.Target target = OwnedPool.target(u, connectTimeout, statementTimeout);
        description = u.redacted();
        // The tables are created on a connection of its own, outside the pool's statement
        // timeout (DDL may wait for a metadata lock or a disk).
        try (Connection c = OwnedPool.connect(target)) {
          new SchemaManager(names).ensure(c, createSchema);
          maxPacket = maxPacket(c);
        } catch (SQLException e) {
          throw openFailure(description, e);
        }
        pool = Optional.of(OwnedPool.create(target, poolSize, connectTimeout, statementTimeout));
        ds = pool.get();
        // The server enforces the timeout on the store's own connections.
        queryTimeout = 0;
      } else {
        ds = dataSource.orElseThrow();
        description = "mysql DataSource " + ds.getClass().getSimpleName() + " " + names;
        try (Connection c = ds.getConnection()) {
          new SchemaManager(names).ensure(c, createSchema);
          maxPacket = maxPacket(c);
        } catch (SQLException e) {
          throw openFailure(description, e);
        }
        queryTimeout = OwnedPool.ceilSeconds(statementTimeout);
      }
      return new MySqlSessionStorage(description, ds, pool, names, codec, queryTimeout, executor,
          poolSize, clock, retention, maxPacket);
    }

    private static long maxPacket(Connection c) throws SQLException {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@max_allowed_packet")) {
        rs.next();
        return rs.getLong(1);
      }
    }

    private static SessionStorageException openFailure(String description, SQLException e) {
      if (Errors.code(e) == Errors.UNKNOWN_DATABASE) {
        return new StorageConfigurationException("could not open " + description + ": the database does not"
            + " exist; create it (CREATE DATABASE … CHARACTER SET utf8mb4) or name another: " + e.getMessage(), e);
      }
      return new StorageUnavailableException("could not open " + description + ": " + Errors.reason(e), e);
    }
  }
}
