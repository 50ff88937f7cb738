package org.sessionkit.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
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
import org.sessionkit.postgres.internal.ContentCheck;
import org.sessionkit.postgres.internal.Ids;
import org.sessionkit.postgres.internal.Jdbc;
import org.sessionkit.postgres.internal.OwnedPool;
import org.sessionkit.postgres.internal.PgErrors;
import org.sessionkit.postgres.internal.PgUri;
import org.sessionkit.postgres.internal.PostgresRows;
import org.sessionkit.postgres.internal.Problems;
import org.sessionkit.postgres.internal.Revisions;
import org.sessionkit.postgres.internal.SchemaManager;
import org.sessionkit.postgres.internal.SessionRows;
import org.sessionkit.postgres.internal.Sql;
import org.sessionkit.postgres.internal.TableNames;
import org.sessionkit.spi.AbstractBlockingSessionStorage;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.spi.UpdateResult;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.spi.WriteLog;

/**
 * A {@link org.sessionkit.SessionStorage} in PostgreSQL, for applications that run many
 * instances against one database.
 *
 * <pre>{@code
 * try (SessionStorage store = SessionStorages.open(System.getenv("DATABASE_URL"))) {
 *   store.save(session).join();
 * }
 * }</pre>
 *
 * <p><b>Opening.</b> {@code SessionStorages.open} serves {@code postgresql://user:pw@host:5432/db},
 * {@code postgres://…} and {@code jdbc:postgresql://host:5432/db}; with such a URI the store
 * owns a HikariCP pool and closes it on {@link #close()}. {@link #builder(DataSource)} takes an
 * application's own {@link DataSource} instead, which the store never closes. Options (in the
 * query string or on the {@link Builder}): {@code schema} (default {@code sessionkit}), {@code
 * tablePrefix} (default empty), {@code poolSize} (default {@value #DEFAULT_POOL_SIZE}), {@code
 * connectTimeout} (default 10 s), {@code statementTimeout} (default 30 s, {@code 0} for none),
 * {@code createSchema} (default {@code true}), {@code retention} (an ISO-8601 duration such as
 * {@code P30D}; default none) and {@code pooler} ({@code transaction} behind PgBouncer or
 * another pooler in transaction mode; default {@code none}); driver options {@code sslmode},
 * {@code sslrootcert}, {@code sslcert}, {@code sslkey}, {@code sslpassword}, {@code
 * ApplicationName} and {@code targetServerType} are passed to pgjdbc. Anything else is a
 * configuration error. Several hosts ({@code postgresql://h1:5432,h2:5432/db?targetServerType=primary})
 * make the store follow a failover: connections that break are replaced by connections to the
 * host that is primary now.
 *
 * <p><b>Layout.</b> The DDL is {@link #ddl(String, String)} (the resource {@code
 * org/sessionkit/postgres/V2__sessionkit.sql}): a sessions table with the summary fields, the
 * state, the revision (a sequence value and a random nonce), the write log of idempotency keys
 * and the time of the last write, and a messages table keyed by (session, position). It is
 * created on first use unless {@code createSchema=false}; a schema whose recorded layout version
 * is not {@value #LAYOUT_VERSION} is refused with {@link StorageConfigurationException} (there is
 * no migration from pre-release layouts).
 *
 * <p><b>Costs.</b> {@code load}, {@code loadTail} and {@code loadBefore} are one statement
 * (slices read only the index range of their messages); {@code append} and {@code create} are
 * one statement; {@code save} and {@code delete} are a transaction of two statements. Writes
 * with an idempotency key and {@code update} are one transaction that first locks the session
 * row. Listing pages are range scans of an index on (updated-at descending, id), continued by
 * keyset; an id prefix becomes a range of the primary key. {@code deleteMatching} is one
 * statement per page of {@value #DELETE_PAGE} sessions.
 *
 * <p><b>Concurrency.</b> Thread safe. Revisions are compared and replaced by the server inside
 * the statement or transaction that writes, so conditional writes, {@code append} and {@code
 * update} lose nothing, also across processes. Idempotency keys are checked and recorded under
 * the session row's lock, in the transaction of the write, before the revision condition: of
 * two calls with one key one applies and the other waits for it and completes with its
 * revision. {@code update} runs the change function once per call, while holding that lock.
 * Blocking JDBC work runs on an executor sized to the pool (or the user's), never on the
 * caller's thread.
 *
 * <p><b>Failures.</b> Every server or connection failure fails the operation with {@link
 * StorageUnavailableException} keeping the driver's exception as its cause. A write fails with
 * its subclass {@link AmbiguousOutcomeException} when its committing request (the single
 * statement of {@code create} or {@code append}, or the {@code COMMIT} of a transaction) was sent
 * and no answer from the server came back: the connection broke, the socket timed out, or the
 * server ended the session; the write may then have been applied, entirely. Everything else —
 * no connection, a statement timeout or any other error the server reports, a connection lost
 * before the commit was sent — leaves the session as it was and stays plain. Retry an ambiguous
 * write with the same {@link IdempotencyKey} to apply it once. The store needs no restart once
 * the server is back. Stored rows that can't be read fail {@code load} with {@link
 * CorruptDocumentException} and are reported by listings and {@link #problems()}.
 *
 * <p><b>Retention.</b> With a retention period, a session whose last write by a store (by that
 * store's clock, not its {@code updated_at}) is older than the period is absent for every
 * operation at once; the store removes such rows itself, {@value #SWEEP_BATCH} at a time, on
 * its own executor, at most every {@link #SWEEP_INTERVAL} while it is used (and on {@link
 * #sweepExpired()}), re-checking each row's write time so that a session written during a
 * sweep stays.
 */
public final class PostgresSessionStorage extends AbstractBlockingSessionStorage {

  /** The pool size (and executor threads) when none is given. */
  public static final int DEFAULT_POOL_SIZE = 8;

  /** How long to wait for a connection (pool and TCP) when nothing else is given. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** How long one statement may run when nothing else is given. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

  /** The layout version this code writes and the only one it reads. */
  public static final int LAYOUT_VERSION = SchemaManager.CURRENT_VERSION;

  /** How many sessions one statement of {@code deleteMatching} deletes at most. */
  public static final int DELETE_PAGE = 500;

  /** How many expired sessions one retention sweep removes at most. */
  public static final int SWEEP_BATCH = 1000;

  /** The longest time between two retention sweeps of a store in use. */
  public static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

  /** How long {@link #ping()}'s statement may run on the server. */
  private static final int PING_SECONDS = 5;

  private static final System.Logger LOG = System.getLogger("org.sessionkit.postgres");

  private final DataSource dataSource;
  private final Optional<HikariDataSource> ownedPool;
  private final TableNames names;
  private final Sql sql;
  private final SessionCodec codec;
  private final Jdbc jdbc;
  private final Duration retention;
  private final Clock clock;
  private final long sweepEveryMillis;
  private final AtomicLong nextSweepMillis = new AtomicLong(Long.MIN_VALUE);
  private final AtomicBoolean sweeping = new AtomicBoolean();

  private PostgresSessionStorage(Builder b, String description, DataSource dataSource,
      Optional<HikariDataSource> ownedPool, TableNames names, Jdbc.Settings settings) {
    super(description, b.executor, b.poolSize);
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.names = names;
    this.sql = new Sql(names);
    this.codec = b.codec;
    this.retention = b.retention;
    this.clock = b.clock;
    this.sweepEveryMillis = retention.isZero() ? 0
        : Math.max(1, Math.min(SWEEP_INTERVAL.toMillis(), retention.toMillis() / 10));
    this.jdbc = new Jdbc(dataSource, description, settings.queryTimeoutSeconds(),
        settings.localStatementTimeoutMillis(), this::isClosed, settings.binaryReads());
  }

  /**
   * Opens a store on a PostgreSQL URI with every option from its query string; the same as
   * {@code builder(uri).build()}.
   *
   * @throws StorageConfigurationException for a malformed URI, an unknown option or bad value,
   *     missing tables with {@code createSchema=false}, or another layout version
   * @throws StorageUnavailableException if the server can't be reached within the connect
   *     timeout
   */
  public static PostgresSessionStorage open(String uri) {
    return builder(uri).build();
  }

  /**
   * Returns a builder for a store that owns a HikariCP pool on {@code uri} ({@code
   * postgresql://}, {@code postgres://} or {@code jdbc:postgresql://}). The URI's options are
   * applied first; the builder's methods override them.
   *
   * @throws StorageConfigurationException for a malformed URI or an unknown or bad option (the
   *     message never shows the password)
   */
  public static Builder builder(String uri) {
    return new Builder(Optional.of(PgUri.parse(uri)), Optional.empty());
  }

  /**
   * Returns a builder for a store on the application's own {@code dataSource}, which the store
   * borrows connections from and never closes. The connections must be in auto-commit mode when
   * handed out (the JDBC default).
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Optional.empty(), Optional.of(Objects.requireNonNull(dataSource, "dataSource")));
  }

  /**
   * Returns the DDL of the current layout for a schema and table prefix, to run by hand or from
   * a migration tool before opening stores with {@code createSchema=false}. The schema must
   * exist.
   *
   * @throws StorageConfigurationException if a name is not a plain identifier
   */
  public static String ddl(String schema, String tablePrefix) {
    return new SchemaManager(new TableNames(schema, tablePrefix)).ddl();
  }

  /**
   * Returns the DDL with its {@code ${schema}} and {@code ${prefix}} placeholders, as in the
   * resource {@code org/sessionkit/postgres/V2__sessionkit.sql} (for Flyway or Liquibase, which
   * substitute them).
   */
  public static String ddlTemplate() {
    return SchemaManager.rawDdl();
  }

  /** Returns {@code "postgresql"}. */
  @Override
  public String kind() {
    return "postgresql";
  }

  // ---------------------------------------------------------------- retention

  /** The write time of a write now, by the store's clock. */
  private Instant now() {
    return clock.instant();
  }

  /** Rows written before this are absent; {@link Instant#MIN} without retention. */
  private Instant cutoff(Instant now) {
    return retention.isZero() ? Instant.MIN : now.minus(retention);
  }

  private Instant cutoff() {
    return cutoff(now());
  }

  /**
   * Removes up to {@value #SWEEP_BATCH} sessions whose last write is older than the retention
   * period, with their messages, in one statement, and completes with how many it removed. Each
   * row's write time and revision are checked again in the delete, so a session written while
   * the sweep runs stays. Expired sessions are absent for every operation whether or not a sweep
   * removed them; sweeps only give the space back. The store sweeps by itself while it is used;
   * call this to sweep now (for example from a scheduler of your own on an idle store). Without
   * retention it completes with 0.
   */
  public CompletableFuture<Long> sweepExpired() {
    if (retention.isZero()) {
      return CompletableFuture.completedFuture(0L);
    }
    if (isClosed()) {
      return closedFailure();
    }
    return blockingWrite(() -> {
      Instant cutoff = cutoff();
      return jdbc.write("retention sweep", (c, w) -> {
        try (PreparedStatement ps = jdbc.prepare(c, sql.sweep)) {
          Jdbc.setInstant(ps, 1, cutoff);
          ps.setInt(2, SWEEP_BATCH);
          Jdbc.setInstant(ps, 3, cutoff);
          w.sending();
          try (ResultSet rs = jdbc.query(ps)) {
            w.settled();
            rs.next();
            return rs.getLong(1);
          }
        }
      });
    });
  }

  /**
   * Starts a sweep in the background when one is due (at most one at a time per store). Called
   * by every operation; costs a clock read when nothing is due and nothing without retention.
   */
  private void maybeSweep() {
    if (sweepEveryMillis == 0) {
      return;
    }
    long nowMillis = clock.millis();
    long due = nextSweepMillis.get();
    if (nowMillis < due || !sweeping.compareAndSet(false, true)) {
      return;
    }
    if (!nextSweepMillis.compareAndSet(due, nowMillis + sweepEveryMillis)) {
      sweeping.set(false);
      return;
    }
    sweepExpired().whenComplete((removed, failure) -> {
      sweeping.set(false);
      if (failure != null) {
        LOG.log(System.Logger.Level.DEBUG, () -> "retention sweep of " + description() + " failed", failure);
      } else if (removed >= SWEEP_BATCH) {
        // More is waiting: let the next operation sweep again.
        nextSweepMillis.set(Long.MIN_VALUE);
      } else if (removed > 0) {
        LOG.log(System.Logger.Level.DEBUG, () -> description() + ": removed " + removed + " expired sessions");
      }
    });
  }

  // ---------------------------------------------------------------- writes

  /**
   * Checks the instants only. Everything else the codec checks (strings, nesting, the document
   * size) is checked while the rows are encoded, on the store's executor and before any I/O:
   * walking the session a second time just to validate it would double the CPU cost of a save.
   */
  @Override
  protected void validate(Session session) {
    checkInstant(session.id(), session.createdAt(), "created_at");
    checkInstant(session.id(), session.updatedAt(), "updated_at");
  }

  private static void checkInstant(String id, Instant t, String field) {
    if (t.isBefore(PostgresRows.MIN) || t.isAfter(PostgresRows.MAX)) {
      throw new InvalidSessionException("session " + SessionIds.quote(id) + " can't be stored: "
          + field + " " + t + " is outside years 0000-9999");
    }
  }

  /**
   * Checks the size limit of the codec for encoded rows: exactly (by the codec) only when the
   * upper bound of the document's size, computed from the parts, is over the limit.
   */
  private void checkSize(Session session, long partBytes, int parts) {
    long bound = partBytes + parts + 6L * session.id().length() + 256;
    if (bound > codec.maxDocumentBytes()) {
      codec.validate(session);
    }
  }

  private SessionRows.Encoded encode(Session session) {
    SessionRows.Encoded e = SessionRows.Encoded.of(session, codec);
    checkSize(session, e.bytes(), e.messages().length + 1);
    return e;
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    maybeSweep();
    String what = "save of " + SessionIds.quote(session.id());
    return blockingWrite(() -> {
      SessionRows.Encoded e = encode(session);
      Instant now = now();
      Instant cutoff = cutoff(now);
      if (condition instanceof WriteCondition.IfAbsent) {
        return jdbc.write(what, (c, w) -> create(c, w, e, now, cutoff));
      }
      Optional<Revisions> expected = Optional.empty();
      if (condition instanceof WriteCondition.IfRevision r) {
        expected = Revisions.parse(r.expected());
        if (expected.isEmpty()) {
          // Not one of ours: no stored revision can match it (absent or not).
          throw new RevisionConflictException(what + ": the stored revision is not " + r.expected());
        }
      }
      Optional<Revisions> expectedRevision = expected;
      long nonce = Revisions.newNonce();
      return jdbc.write(what, (c, w) -> jdbc.inTransaction(c, w, () -> {
        // Step 1 takes the session row's lock (insert or update) and bumps its revision.
        long revision;
        if (expectedRevision.isEmpty()) {
          try (PreparedStatement ps = jdbc.prepare(c, sql.upsertSession)) {
            ps.setString(1, e.id());
            ps.setLong(2, nonce);
            Jdbc.setInstant(ps, 3, now);
            int i = e.bindValues(ps, 4);
            Jdbc.setInstant(ps, i, cutoff);
            try (ResultSet rs = jdbc.query(ps)) {
              rs.next();
              revision = rs.getLong(1);
            }
          }
        } else {
          try (PreparedStatement ps = jdbc.prepare(c, sql.updateSessionIfRevision)) {
            ps.setLong(1, nonce);
            Jdbc.setInstant(ps, 2, now);
            int i = e.bindValues(ps, 3);
            ps.setString(i++, e.id());
            ps.setLong(i++, expectedRevision.get().sequence());
            ps.setLong(i++, expectedRevision.get().nonce());
            Jdbc.setInstant(ps, i, cutoff);
            try (ResultSet rs = jdbc.query(ps)) {
              if (!rs.next()) {
                throw new RevisionConflictException(what + ": the stored revision is not "
                    + expectedRevision.get().toRevision() + " (or the session does not exist)");
              }
              revision = rs.getLong(1);
            }
          }
        }
        // Step 2, a new statement and so a new snapshot: it sees every message row committed
        // before the lock was granted, and no other writer can change them until we commit.
        replaceMessages(c, e);
        return new Revisions(revision, nonce).toRevision();
      }));
    });
  }

  @Override
  protected CompletableFuture<Revision> doSave(
      Session session, WriteCondition condition, IdempotencyKey key) {
    maybeSweep();
    String what = "save of " + SessionIds.quote(session.id());
    return blockingWrite(() -> {
      SessionRows.Encoded e = encode(session);
      Instant now = now();
      Instant cutoff = cutoff(now);
      return jdbc.write(what, (c, w) -> jdbc.inTransaction(
          c, w, () -> lockedWrite(c, e, condition, Optional.of(key), now, cutoff, what)));
    });
  }

  /** Step 2 of every whole-session write: the message rows (see {@link Sql#replaceMessages}). */
  private void replaceMessages(Connection c, SessionRows.Encoded e) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.replaceMessages)) {
      ps.setString(1, e.id());
      ps.setInt(2, e.messages().length);
      ps.setArray(3, Jdbc.bytea(c, e.messages()));
      ps.setString(4, e.id());
      ps.setString(5, e.id());
      jdbc.update(ps);
    }
  }

  /** Create in one auto-commit statement; over an expired row, a replacing transaction. */
  private Revision create(Connection c, Jdbc.Write w, SessionRows.Encoded e, Instant now, Instant cutoff)
      throws SQLException {
    long nonce = Revisions.newNonce();
    try (PreparedStatement ps = jdbc.prepare(c, sql.create)) {
      int i = bindCreate(ps, 1, e, nonce, now, "");
      ps.setString(i++, e.id());
      ps.setArray(i, Jdbc.bytea(c, e.messages()));
      w.sending();
      try (ResultSet rs = jdbc.query(ps)) {
        w.settled();
        if (rs.next()) {
          return new Revisions(rs.getLong(1), nonce).toRevision();
        }
      }
    } catch (SQLException ex) {
      throw orStrayRows(ex, e.id());
    }
    if (retention.isZero()) {
      throw exists(e.id());
    }
    // The row may be an expired one, which is an absent session: replace it under its lock.
    String what = "create of " + SessionIds.quote(e.id());
    return jdbc.inTransaction(c, w, () -> lockedWrite(c, e, WriteCondition.IF_ABSENT, Optional.empty(), now, cutoff, what));
  }

  private static int bindCreate(PreparedStatement ps, int i, SessionRows.Encoded e, long nonce,
      Instant now, String writeLog) throws SQLException {
    ps.setString(i++, e.id());
    ps.setLong(i++, nonce);
    Jdbc.setInstant(ps, i++, now);
    ps.setString(i++, writeLog);
    return e.bindValues(ps, i);
  }

  private RevisionConflictException exists(String id) {
    return new RevisionConflictException("create of " + SessionIds.quote(id) + ": a session with this id exists");
  }

  /** The session row as a keyed write finds it under its lock, and the next revision. */
  private record Locked(long next, Optional<Revisions> current, String writeLog, boolean live, long createdSeconds) {}

  private Locked lock(Connection c, String id, Instant cutoff) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.lockForWrite)) {
      Jdbc.setInstant(ps, 1, cutoff);
      ps.setString(2, id);
      try (ResultSet rs = jdbc.query(ps)) {
        rs.next();
        long next = rs.getLong(1);
        long revision = rs.getLong(2);
        if (rs.wasNull()) {
          return new Locked(next, Optional.empty(), "", false, 0);
        }
        return new Locked(next, Optional.of(new Revisions(revision, rs.getLong(3))), rs.getString(4),
            rs.getBoolean(5), rs.getLong(6));
      }
    }
  }

  /**
   * A whole-session write inside a transaction, under the row's lock: the key first, then the
   * condition, then the write with the key recorded. An expired row counts as absent (its keys
   * are forgotten with it).
   */
  private Revision lockedWrite(Connection c, SessionRows.Encoded e, WriteCondition condition,
      Optional<IdempotencyKey> key, Instant now, Instant cutoff, String what) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Locked l = lock(c, e.id(), cutoff);
      Revisions next = new Revisions(l.next(), Revisions.newNonce());
      WriteLog log = WriteLog.empty();
      boolean present = l.current().isPresent() && l.live();
      if (present) {
        log = WriteLog.decode(l.writeLog(), Problems.source(names, e.id()));
        if (key.isPresent()) {
          Optional<Revision> done = log.find(key.get());
          if (done.isPresent()) {
            return done.get();
          }
        }
        if (condition instanceof WriteCondition.IfAbsent) {
          throw exists(e.id());
        }
        if (condition instanceof WriteCondition.IfRevision r
            && !r.expected().equals(l.current().get().toRevision())) {
          throw new RevisionConflictException(
              what + ": the stored revision is " + l.current().get().toRevision() + ", not " + r.expected());
        }
      } else if (condition instanceof WriteCondition.IfRevision r) {
        throw new RevisionConflictException(
            what + ": the stored revision is not " + r.expected() + " (the session does not exist)");
      }
      String newLog = key.isPresent() ? log.record(key.get(), next.toRevision()).encode()
          : present ? l.writeLog() : "";
      if (l.current().isPresent()) {
        // Live or expired, the row is ours to replace while we hold its lock.
        try (PreparedStatement ps = jdbc.prepare(c, sql.rewriteLockedSession)) {
          int i = bindRewrite(ps, next, now, newLog, e);
          ps.setString(i, e.id());
          jdbc.update(ps);
        }
        replaceMessages(c, e);
        return next.toRevision();
      }
      try (PreparedStatement ps = jdbc.prepare(c, sql.createWithRevision)) {
        ps.setLong(1, next.sequence());
        int i = bindCreate(ps, 2, e, next.nonce(), now, newLog);
        ps.setString(i++, e.id());
        ps.setArray(i, Jdbc.bytea(c, e.messages()));
        try (ResultSet rs = jdbc.query(ps)) {
          if (rs.next()) {
            return next.toRevision();
          }
        }
      } catch (SQLException ex) {
        throw orStrayRows(ex, e.id());
      }
      // Another writer inserted the row after we looked (and we waited for its commit): look
      // again, this time the row is there to lock.
      if (attempt >= 3) {
        throw new RevisionConflictException(what + ": the session kept appearing and disappearing");
      }
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
          bytes, messages.length + 1);
      Instant now = now();
      Instant cutoff = cutoff(now);
      Optional<Revision> expected = append.expectedRevision();
      Optional<Revisions> expectedRevision = expected.flatMap(Revisions::parse);
      if (append.idempotencyKey().isPresent()) {
        return jdbc.write(what, (c, w) -> jdbc.inTransaction(c, w, () -> keyedAppend(
            c, id, append, append.idempotencyKey().get(), state, messages, now, cutoff, what)));
      }
      long nonce = Revisions.newNonce();
      return jdbc.write(what, (c, w) -> {
        if (expected.isPresent() && expectedRevision.isEmpty()) {
          throw absentOrConflict(c, id, what, expected, cutoff);
        }
        try (PreparedStatement ps = jdbc.prepare(c, expected.isPresent() ? sql.appendIfRevision : sql.append)) {
          int i = bindBump(ps, 1, id, append, nonce, now, state, messages.length, cutoff);
          if (expectedRevision.isPresent()) {
            ps.setLong(i++, expectedRevision.get().sequence());
            ps.setLong(i++, expectedRevision.get().nonce());
          }
          bindInsertAfter(c, ps, i, id, messages);
          w.sending();
          try (ResultSet rs = jdbc.query(ps)) {
            w.settled();
            if (rs.next()) {
              return new Revisions(rs.getLong(1), nonce).toRevision();
            }
          }
        } catch (SQLException ex) {
          throw orStrayRows(ex, id);
        }
        if (storedRowIsUnreadable(c, id, cutoff)) {
          throw unreadableRow(id);
        }
        throw absentOrConflict(c, id, what, expected, cutoff);
      });
    });
  }

  private static int bindBump(PreparedStatement ps, int i, String id, Append append, long nonce,
      Instant now, byte[] state, int count, Instant cutoff) throws SQLException {
    ps.setLong(i++, nonce);
    Jdbc.setInstant(ps, i++, now);
    ps.setInt(i++, count);
    ps.setLong(i++, append.updatedAt().getEpochSecond());
    ps.setInt(i++, append.updatedAt().getNano());
    ps.setBytes(i++, state);
    ps.setString(i++, id);
    Jdbc.setInstant(ps, i++, cutoff);
    return i;
  }

  private static void bindInsertAfter(Connection c, PreparedStatement ps, int i, String id,
      byte[][] messages) throws SQLException {
    ps.setInt(i++, messages.length);
    ps.setString(i++, id);
    ps.setArray(i, Jdbc.bytea(c, messages));
  }

  /** An append with a key, inside a transaction: lock, key, condition, append. */
  private Revision keyedAppend(Connection c, String id, Append append, IdempotencyKey key,
      byte[] state, byte[][] messages, Instant now, Instant cutoff, String what) throws SQLException {
    Locked l = lock(c, id, cutoff);
    if (l.current().isEmpty() || !l.live()) {
      throw notFound(id);
    }
    WriteLog log = WriteLog.decode(l.writeLog(), Problems.source(names, id));
    Optional<Revision> done = log.find(key);
    if (done.isPresent()) {
      return done.get();
    }
    if (l.createdSeconds() < PostgresRows.MIN.getEpochSecond()
        || l.createdSeconds() > PostgresRows.MAX.getEpochSecond()) {
      throw unreadableRow(id);
    }
    Revision current = l.current().get().toRevision();
    if (append.expectedRevision().isPresent() && !append.expectedRevision().get().equals(current)) {
      throw new RevisionConflictException(
          what + ": the stored revision is " + current + ", not " + append.expectedRevision().get());
    }
    Revisions next = new Revisions(l.next(), Revisions.newNonce());
    try (PreparedStatement ps = jdbc.prepare(c, sql.appendLocked)) {
      ps.setLong(1, next.sequence());
      ps.setString(2, log.record(key, next.toRevision()).encode());
      int i = bindBump(ps, 3, id, append, next.nonce(), now, state, messages.length, cutoff);
      bindInsertAfter(c, ps, i, id, messages);
      try (ResultSet rs = jdbc.query(ps)) {
        if (!rs.next()) {
          throw new IllegalStateException("the locked row of " + SessionIds.quote(id) + " was not updated");
        }
      }
    } catch (SQLException ex) {
      throw orStrayRows(ex, id);
    }
    return next.toRevision();
  }

  /** Carries an exception of the caller's change function through the blocking machinery. */
  private static final class ChangeFailed extends SessionStorageException {
    private static final long serialVersionUID = 1L;

    ChangeFailed(RuntimeException cause) {
      super("the change function failed", cause);
    }
  }

  /**
   * {@code update} natively, on one connection, in at most two attempts and without giving up
   * under contention:
   *
   * <ol>
   *   <li>Optimistic: read the session (with its write log and the next revision) in one
   *       statement, apply the change holding no lock, then write the result in a transaction
   *       only if the revision is still the one read. A change function may take its time, or
   *       even wait for another writer of the same session, without blocking anybody.
   *   <li>If another writer got there first: lock the session row ({@code SELECT … FOR
   *       UPDATE}), read it, apply the change again and write, in one transaction. The lock keeps
   *       every other writer out meanwhile, so this attempt can't conflict: no third attempt,
   *       no back-off, no give-up.
   * </ol>
   *
   * The key is checked before each attempt applies the change (under the lock in the second).
   * A change function that waits for another write of the same session would, in the second
   * attempt, wait for the lock this one holds: it then fails with the statement timeout.
   */
  @Override
  protected CompletableFuture<UpdateResult> doUpdate(
      String id, UnaryOperator<Session> change, Optional<IdempotencyKey> key) {
    maybeSweep();
    String what = "update of " + SessionIds.quote(id);
    CompletableFuture<UpdateResult> result = blockingWrite(() -> jdbc.write(what, (c, w) -> {
      Optional<UpdateResult> done = optimisticUpdate(c, w, id, change, key);
      return done.isPresent() ? done.get() : lockedUpdate(c, w, id, change, key);
    }));
    // The change function's own exception reaches the caller as it is.
    return result.exceptionallyCompose(t -> {
      Throwable cause = Futures.unwrap(t);
      return CompletableFuture.failedFuture(cause instanceof ChangeFailed ? cause.getCause() : cause);
    });
  }

  /** The first attempt of {@link #doUpdate}; empty if another writer changed the session first. */
  private Optional<UpdateResult> optimisticUpdate(Connection c, Jdbc.Write w, String id,
      UnaryOperator<Session> change, Optional<IdempotencyKey> key) throws SQLException {
    Instant cutoff = cutoff();
    SessionRows.Stored stored;
    try (PreparedStatement ps = jdbc.prepare(c, sql.loadForUpdate)) {
      ps.setString(1, id);
      Jdbc.setInstant(ps, 2, cutoff);
      ps.setString(3, id);
      try (ResultSet rs = jdbc.query(ps)) {
        stored = SessionRows.Stored.read(rs);
      }
    }
    if (stored == null) {
      throw notFound(id);
    }
    WriteLog log = WriteLog.decode(stored.writeLog(), Problems.source(names, id));
    if (key.isPresent()) {
      Optional<Revision> done = log.find(key.get());
      if (done.isPresent()) {
        return Optional.of(new UpdateResult(done.get(), Optional.empty()));
      }
    }
    Session changed = apply(change, id, stored.decode(id, names, codec).session());
    SessionRows.Encoded e = encode(changed);
    Revisions revision = new Revisions(stored.next(), Revisions.newNonce());
    String newLog = key.isPresent() ? log.record(key.get(), revision.toRevision()).encode() : stored.writeLog();
    Instant now = now();
    Revisions expected = stored.revision();
    boolean written = jdbc.inTransaction(c, w, () -> {
      try (PreparedStatement ps = jdbc.prepare(c, sql.rewriteSessionIfRevision)) {
        int i = bindRewrite(ps, revision, now, newLog, e);
        ps.setString(i++, id);
        ps.setLong(i++, expected.sequence());
        ps.setLong(i++, expected.nonce());
        Jdbc.setInstant(ps, i, cutoff);
        if (jdbc.update(ps) == 0) {
          return false;
        }
      }
      replaceMessages(c, e);
      return true;
    });
    return written ? Optional.of(UpdateResult.of(changed, revision.toRevision(), key)) : Optional.empty();
  }

  /** The second attempt of {@link #doUpdate}: under the row's lock, in one transaction. */
  private UpdateResult lockedUpdate(Connection c, Jdbc.Write w, String id,
      UnaryOperator<Session> change, Optional<IdempotencyKey> key) throws SQLException {
    Instant cutoff = cutoff();
    return jdbc.inTransaction(c, w, () -> {
      SessionRows.Stored stored;
      try (PreparedStatement ps = jdbc.prepare(c, sql.lockForUpdate)) {
        Jdbc.setInstant(ps, 1, cutoff);
        ps.setString(2, id);
        try (ResultSet row = jdbc.query(ps)) {
          if (!row.next() || !row.getBoolean(5)) {
            throw notFound(id);
          }
          // A new statement after the lock was granted: it sees every message row committed
          // before, and nobody can change them until we commit.
          try (PreparedStatement ms = jdbc.prepare(c, sql.messagesOf)) {
            ms.setString(1, id);
            try (ResultSet messages = jdbc.query(ms)) {
              stored = SessionRows.Stored.readLocked(row, messages);
            }
          }
        }
      }
      WriteLog log = WriteLog.decode(stored.writeLog(), Problems.source(names, id));
      if (key.isPresent()) {
        Optional<Revision> done = log.find(key.get());
        if (done.isPresent()) {
          return new UpdateResult(done.get(), Optional.empty());
        }
      }
      Session changed = apply(change, id, stored.decode(id, names, codec).session());
      SessionRows.Encoded e = encode(changed);
      Revisions revision = new Revisions(stored.next(), Revisions.newNonce());
      String newLog = key.isPresent() ? log.record(key.get(), revision.toRevision()).encode() : stored.writeLog();
      try (PreparedStatement ps = jdbc.prepare(c, sql.rewriteLockedSession)) {
        int i = bindRewrite(ps, revision, now(), newLog, e);
        ps.setString(i, id);
        jdbc.update(ps);
      }
      replaceMessages(c, e);
      return UpdateResult.of(changed, revision.toRevision(), key);
    });
  }

  /** Binds revision, nonce, written_at, write_log and the six values; returns the next index. */
  private static int bindRewrite(PreparedStatement ps, Revisions revision, Instant now, String writeLog,
      SessionRows.Encoded e) throws SQLException {
    ps.setLong(1, revision.sequence());
    ps.setLong(2, revision.nonce());
    Jdbc.setInstant(ps, 3, now);
    ps.setString(4, writeLog);
    return e.bindValues(ps, 5);
  }

  /** Runs the caller's change and checks its result. */
  private Session apply(UnaryOperator<Session> change, String id, Session current) {
    Session changed;
    try {
      changed = change.apply(current);
    } catch (RuntimeException ex) {
      throw new ChangeFailed(ex);
    }
    Objects.requireNonNull(changed, "change returned null");
    if (!changed.id().equals(id)) {
      throw new InvalidSessionException("update must keep the session id " + SessionIds.quote(id));
    }
    validate(changed);
    return changed;
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    maybeSweep();
    String what = "delete of " + SessionIds.quote(id);
    return blockingWrite(() -> {
      Optional<Revisions> expectedRevision = expected.flatMap(Revisions::parse);
      Instant cutoff = cutoff();
      return jdbc.write(what, (c, w) -> {
        if (expected.isPresent() && expectedRevision.isEmpty()) {
          throw absentOrConflict(c, id, what, expected, cutoff);
        }
        return jdbc.inTransaction(c, w, () -> {
          try (PreparedStatement ps = jdbc.prepare(c,
              expectedRevision.isPresent() ? sql.deleteSessionIfRevision : sql.deleteSession)) {
            ps.setString(1, id);
            Jdbc.setInstant(ps, 2, cutoff);
            if (expectedRevision.isPresent()) {
              ps.setLong(3, expectedRevision.get().sequence());
              ps.setLong(4, expectedRevision.get().nonce());
            }
            try (ResultSet rs = jdbc.query(ps)) {
              if (!rs.next()) {
                throw expected.isEmpty() ? notFound(id) : absentOrConflict(c, id, what, expected, cutoff);
              }
            }
          }
          // A new statement, so that it sees every message row committed before the row lock
          // that the delete above holds (READ COMMITTED takes a snapshot per statement).
          try (PreparedStatement ps = jdbc.prepare(c, sql.deleteMessages)) {
            ps.setString(1, id);
            jdbc.update(ps);
          }
          return null;
        });
      });
    });
  }

  /**
   * Deletes page by page in id order, each page one statement that deletes a session (with its
   * messages) only if its revision is still the one the page found: a session written during
   * the sweep stays as its writer left it and is not counted.
   */
  @Override
  protected CompletableFuture<Long> doDeleteMatching(DeleteFilter filter) {
    maybeSweep();
    Optional<String> prefix = filter.idPrefix();
    if (prefix.isPresent() && Ids.hasControlCharacter(prefix.get())) {
      // No valid id holds a control character (and PostgreSQL text can't hold U+0000).
      return CompletableFuture.completedFuture(0L);
    }
    AtomicLong deleted = new AtomicLong();
    return deletePages(filter, Optional.empty(), deleted).handle((v, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(deleted.get());
      }
      Throwable cause = Futures.unwrap(failure);
      return CompletableFuture.<Long>failedFuture(cause instanceof BulkDeleteException
          ? cause : new BulkDeleteException(deleted.get(), cause));
    }).thenCompose(f -> f);
  }

  private CompletableFuture<Void> deletePages(DeleteFilter filter, Optional<String> afterId, AtomicLong deleted) {
    if (isClosed()) {
      return closedFailure();
    }
    return blockingWrite(() -> {
      Sql.Filters filters = new Sql.Filters(filter.idPrefix(), filter.idPrefix().flatMap(Ids::successor),
          filter.updatedBefore(), filter.updatedAfter(), cutoff());
      Sql.Query q = sql.deletePage(filters, afterId, DELETE_PAGE);
      return jdbc.write("bulk delete", (c, w) -> {
        try (PreparedStatement ps = jdbc.prepare(c, q.sql())) {
          Jdbc.bind(ps, q.parameters());
          w.sending();
          try (ResultSet rs = jdbc.query(ps)) {
            w.settled();
            rs.next();
            String last = rs.getString(1);
            long found = rs.getLong(2);
            deleted.addAndGet(rs.getLong(3));
            return found < DELETE_PAGE ? Optional.<String>empty() : Optional.of(last);
          }
        }
      });
    }).thenCompose(next -> next.isPresent()
        ? deletePages(filter, next, deleted)
        : CompletableFuture.completedFuture(null));
  }

  // ---------------------------------------------------------------- reads

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    maybeSweep();
    String what = "load of " + SessionIds.quote(id);
    return blocking(() -> {
      Instant cutoff = cutoff();
      SessionRows.Stored rows = jdbc.withConnection(what, c -> {
        try (PreparedStatement ps = jdbc.prepareRead(c, sql.load)) {
          ps.setString(1, id);
          Jdbc.setInstant(ps, 2, cutoff);
          ps.setString(3, id);
          try (ResultSet rs = jdbc.query(ps)) {
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

  /**
   * One statement: the session row and the index range of the requested messages, read in one
   * snapshot, so messages, state and revision always belong to one stored version.
   */
  @Override
  protected CompletableFuture<SessionSlice> doLoadSlice(String id, OptionalLong end, int count) {
    maybeSweep();
    String what = "slice of " + SessionIds.quote(id);
    return blocking(() -> {
      Instant cutoff = cutoff();
      SessionRows.Stored rows = jdbc.withConnection(what, c -> {
        try (PreparedStatement ps = jdbc.prepareRead(c, sql.slice)) {
          if (end.isPresent()) {
            ps.setInt(1, (int) Math.min(Integer.MAX_VALUE, end.getAsLong()));
          } else {
            ps.setNull(1, Types.INTEGER);
          }
          ps.setString(2, id);
          Jdbc.setInstant(ps, 3, cutoff);
          ps.setString(4, id);
          ps.setInt(5, count);
          try (ResultSet rs = jdbc.query(ps)) {
            return SessionRows.Stored.readSlice(rs, count);
          }
        }
      });
      if (rows == null) {
        throw notFound(id);
      }
      return rows.decodeSlice(id, names, codec);
    });
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    maybeSweep();
    return blocking(() -> {
      Optional<String> prefix = request.idPrefix();
      if (prefix.isPresent() && Ids.hasControlCharacter(prefix.get())) {
        // No valid id holds a control character, and PostgreSQL text can't hold U+0000.
        return PageResult.of(List.of());
      }
      Sql.Filters filters = new Sql.Filters(prefix, prefix.flatMap(Ids::successor),
          request.updatedBefore(), request.updatedAfter(), cutoff());
      Optional<Sql.Position> from = request.after().map(
          p -> new Sql.Position(p.updatedAt().getEpochSecond(), p.updatedAt().getNano(), p.id()));
      return jdbc.withConnection("listing", c -> listPage(c, request, filters, from));
    });
  }

  private PageResult listPage(
      Connection c, PageRequest request, Sql.Filters filters, Optional<Sql.Position> from)
      throws SQLException {
    int want = request.fetchSize();
    boolean withCustom = !request.customKeys().isEmpty();
    List<SessionSummary> found = new ArrayList<>(want);
    // Each problem with the number of summaries found before it: only those before the end of
    // this page are reported here (the next page starts after the page's last summary and meets
    // the others again).
    List<ListingProblem> problems = new ArrayList<>();
    List<Integer> foundBefore = new ArrayList<>();
    Optional<Sql.Position> after = from;
    while (true) {
      int limit = want - found.size();
      Sql.Query q = sql.list(filters, after, limit, withCustom);
      int rows = 0;
      Sql.Position last = null;
      try (PreparedStatement ps = jdbc.prepare(c, q.sql())) {
        Jdbc.bind(ps, q.parameters());
        try (ResultSet rs = jdbc.query(ps)) {
          while (rs.next()) {
            rows++;
            last = PostgresRows.position(rs);
            try {
              SessionSummary summary = PostgresRows.summary(rs);
              if (withCustom) {
                // The state is in the session row: custom keys cost no message read.
                SessionState state;
                try {
                  state = codec.decodeState(rs.getBytes(9), Problems.source(names, last.id()));
                } catch (SessionStorageException | IllegalArgumentException e) {
                  throw new PostgresRows.BadRow("state can't be read: " + e.getMessage());
                }
                summary = summary.withCustom(state.custom(), request.customKeys());
              }
              found.add(summary);
            } catch (PostgresRows.BadRow bad) {
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

  @Override
  protected CompletableFuture<List<ListingProblem>> doProblems() {
    // Rows a listing can't summarise, then what only a full read finds.
    return super.doProblems().thenCompose(rowProblems -> blocking(() -> {
      List<ListingProblem> all = new ArrayList<>(rowProblems);
      Set<String> reported = new HashSet<>();
      rowProblems.forEach(p -> reported.add(p.location()));
      Instant cutoff = cutoff();
      jdbc.withConnection("check", c -> {
        new ContentCheck(jdbc, names, codec).run(c, cutoff, all, reported);
        return null;
      });
      return List.copyOf(all);
    }));
  }

  /** {@code SELECT 1} on a pooled connection, bounded on the server too. */
  @Override
  protected CompletableFuture<Void> doPing() {
    return blocking(() -> jdbc.withConnection("ping", c -> {
      try (PreparedStatement ps = jdbc.prepare(c, sql.ping)) {
        ps.setQueryTimeout(PING_SECONDS);
        try (ResultSet rs = jdbc.query(ps)) {
          rs.next();
        }
      }
      return null;
    }));
  }

  @Override
  protected void doClose() {
    super.doClose();
    ownedPool.ifPresent(HikariDataSource::close);
  }

  // ---------------------------------------------------------------- errors

  private SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + SessionIds.quote(id) + " in " + description());
  }

  private CorruptDocumentException unreadableRow(String id) {
    return new CorruptDocumentException(Problems.source(names, id)
        + " can't be read: created_at is outside the years 0000-9999");
  }

  /** Whether the live row of {@code id} exists with instants the append statement refuses. */
  private boolean storedRowIsUnreadable(Connection c, String id, Instant cutoff) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.revisionOf)) {
      ps.setString(1, id);
      Jdbc.setInstant(ps, 2, cutoff);
      try (ResultSet rs = jdbc.query(ps)) {
        if (!rs.next()) {
          return false;
        }
        long created = rs.getLong(3);
        return created < PostgresRows.MIN.getEpochSecond() || created > PostgresRows.MAX.getEpochSecond();
      }
    }
  }

  /**
   * After a write found no row to change: not found if the session is gone, else a conflict
   * with {@code expected} (not found when nothing was expected: the row appeared after the
   * write looked).
   */
  private SessionStorageException absentOrConflict(Connection c, String id, String what,
      Optional<Revision> expected, Instant cutoff) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.revisionOf)) {
      ps.setString(1, id);
      Jdbc.setInstant(ps, 2, cutoff);
      try (ResultSet rs = jdbc.query(ps)) {
        if (!rs.next()) {
          return notFound(id);
        }
        if (expected.isEmpty()) {
          return notFound(id);
        }
        return new RevisionConflictException(what + ": the stored revision is "
            + new Revisions(rs.getLong(1), rs.getLong(2)).toRevision() + ", not " + expected.get());
      }
    }
  }

  /**
   * Returns {@code e} to rethrow, unless it is a unique violation on inserting message rows,
   * which can only mean rows that the store did not write: then throws a corrupt-document error.
   */
  private SQLException orStrayRows(SQLException e, String id) {
    if (PgErrors.isUniqueViolation(e)) {
      // The store keeps exactly the rows 0..count-1 per session; a collision means rows were
      // left or added by hand.
      throw new CorruptDocumentException(Problems.source(names, id) + ": message rows beyond its"
          + " message count exist (added by hand?); see problems()", e);
    }
    return e;
  }

  @Override
  public String toString() {
    return "PostgresSessionStorage[" + description() + "]";
  }

  /** For tests in this module: the statements this store runs. */
  Sql statements() {
    return sql;
  }

  /** For tests in this module: where its tables are. */
  TableNames tableNames() {
    return names;
  }

  /** For tests in this module: the data source the store uses (its own pool or the user's). */
  DataSource dataSource() {
    return dataSource;
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures and opens a {@link PostgresSessionStorage}. Not thread safe; {@link #build()} may
   * be called more than once (each call opens a new store).
   */
  public static final class Builder {
    private final Optional<PgUri> uri;
    private final Optional<DataSource> dataSource;
    private String schema = TableNames.DEFAULT_SCHEMA;
    private String tablePrefix = "";
    private int poolSize = DEFAULT_POOL_SIZE;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
    private boolean createSchema = true;
    private Duration retention = Duration.ZERO;
    private Clock clock = Clock.systemUTC();
    private boolean transactionPooling;
    private Optional<Executor> executor = Optional.empty();
    private SessionCodec codec = SessionCodec.defaults();

    private Builder(Optional<PgUri> uri, Optional<DataSource> dataSource) {
      this.uri = uri;
      this.dataSource = dataSource;
      uri.ifPresent(u -> {
        u.schema().ifPresent(this::schema);
        u.tablePrefix().ifPresent(this::tablePrefix);
        u.poolSize().ifPresent(this::poolSize);
        u.connectTimeout().ifPresent(this::connectTimeout);
        u.statementTimeout().ifPresent(this::statementTimeout);
        u.createSchema().ifPresent(this::createSchema);
        u.retention().ifPresent(this::retention);
        u.transactionPooling().ifPresent(this::transactionPooling);
      });
    }

    /** Sets the schema of the tables (a plain identifier); {@code sessionkit} by default. */
    public Builder schema(String schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    /** Sets a prefix for the names of the tables (a plain identifier or empty, the default). */
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
     * Sets how long one statement may run before the server cancels it (30 s by default; zero
     * for no limit). On a pool the store owns it is the server's {@code statement_timeout} (set
     * at connection start, or with {@code SET LOCAL} in each transaction behind a pooler in
     * transaction mode); on a user's {@link DataSource} it is the JDBC query timeout, rounded up
     * to whole seconds.
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

    /** Sets whether to create the schema and tables when they are missing ({@code true}). */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /**
     * Sets how long a session is kept after its last write (the URI option {@code
     * retention=P30D}); zero, the default, keeps sessions forever. Counted from the last write by
     * a store, by the store's {@link #clock(Clock) clock}, not from the session's {@code
     * updatedAt}. An expired session is absent for every operation at once; the store removes
     * expired rows itself (see {@link PostgresSessionStorage#sweepExpired()}).
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
     * Sets the clock that stamps every write and decides what has expired (the system UTC clock
     * by default). For tests of retention; every store on one schema should use the same time.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Says that connections go through PgBouncer or another pooler in transaction mode (the URI
     * option {@code pooler=transaction}), where each transaction may run on another server
     * connection: the store then keeps no state on a connection beyond a transaction. On a pool
     * the store owns it turns off server-side prepared statements ({@code prepareThreshold=0})
     * and sets the statement timeout with {@code SET LOCAL} in the transaction of each statement
     * instead of a startup option; creating the tables takes a transaction-scoped advisory lock.
     * A user's {@link DataSource} must itself be configured with {@code prepareThreshold=0}.
     */
    public Builder transactionPooling(boolean transactionPooling) {
      this.transactionPooling = transactionPooling;
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
     * at most about the connect and statement timeouts.
     *
     * @return the open store, which the caller closes
     * @throws StorageConfigurationException for a bad schema or prefix name, a driver option
     *     pgjdbc rejects, missing tables with {@code createSchema(false)}, or tables of another
     *     layout version
     * @throws StorageUnavailableException if the server can't be reached or fails
     */
    public PostgresSessionStorage build() {
      TableNames names = new TableNames(schema, tablePrefix);
      Optional<HikariDataSource> pool = uri.map(
          u -> OwnedPool.create(u, poolSize, connectTimeout, statementTimeout, transactionPooling));
      DataSource ds = pool.isPresent() ? pool.get() : dataSource.orElseThrow();
      String description = uri.map(PgUri::redacted)
          .orElse("postgresql DataSource " + ds.getClass().getSimpleName() + " " + names);
      try {
        try (Connection c = ds.getConnection()) {
          new SchemaManager(names, transactionPooling).ensure(c, createSchema);
        }
      } catch (SQLException e) {
        pool.ifPresent(HikariDataSource::close);
        throw new StorageUnavailableException(
            "could not open " + description + ": " + PgErrors.reason(e), e);
      } catch (RuntimeException e) {
        pool.ifPresent(HikariDataSource::close);
        throw e;
      }
      // With its own pool the server enforces statement_timeout (set per connection, or per
      // transaction behind a pooler); on a user's DataSource the driver's query timeout is the
      // only knob that does not touch their configuration.
      // Binary reads need server-side prepared statements: only on a pool of the store's own,
      // not behind a transaction pooler, and not when the URI sets prepareThreshold itself.
      boolean binaryReads = pool.isPresent() && !transactionPooling
          && uri.map(u -> !u.driverProperties().containsKey("prepareThreshold")).orElse(false);
      Jdbc.Settings settings = pool.isEmpty()
          ? new Jdbc.Settings(OwnedPool.ceilSeconds(statementTimeout), 0, false)
          : new Jdbc.Settings(0, transactionPooling ? statementTimeout.toMillis() : 0, binaryReads);
      return new PostgresSessionStorage(this, description, ds, pool, names, settings);
    }
  }
}
