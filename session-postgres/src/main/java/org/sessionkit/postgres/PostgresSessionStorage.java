package org.sessionkit.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sessionkit.AbstractBlockingSessionStorage;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.PageRequest;
import org.sessionkit.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionCodec;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorageException;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.WriteCondition;
import org.sessionkit.postgres.internal.Ids;
import org.sessionkit.postgres.internal.PgErrors;
import org.sessionkit.postgres.internal.PgUri;
import org.sessionkit.postgres.internal.PostgresRows;
import org.sessionkit.postgres.internal.SchemaManager;
import org.sessionkit.postgres.internal.Sql;
import org.sessionkit.postgres.internal.TableNames;

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
 * connectTimeout} (default 10 s), {@code statementTimeout} (default 30 s, {@code 0} for none)
 * and {@code createSchema} (default {@code true}); driver options {@code sslmode}, {@code
 * sslrootcert}, {@code sslcert}, {@code sslkey}, {@code sslpassword}, {@code ApplicationName}
 * and {@code targetServerType} are passed to pgjdbc. Anything else is a configuration error.
 *
 * <p><b>Layout.</b> The DDL is {@link #ddl(String, String)} (the resource {@code
 * org/sessionkit/postgres/V1__sessionkit.sql}): a sessions table with the summary fields, the
 * state and a revision drawn from a sequence, and a messages table keyed by (session, position).
 * It is created on first use unless {@code createSchema=false}; a schema whose recorded layout
 * version is newer than this code knows is refused with {@link StorageConfigurationException}.
 *
 * <p><b>Costs.</b> {@code load} is one statement, whatever the session's size; {@code append}
 * is one statement that inserts only the new messages; {@code create} is one statement; {@code
 * save} and {@code delete} are a transaction of two statements. Listing pages are range scans
 * of an index on (updated-at descending, id), continued by keyset; an id prefix becomes a range
 * of the primary key.
 *
 * <p><b>Concurrency.</b> Thread safe. Revisions are compared and replaced by the server inside
 * the statement or transaction that writes, so conditional writes, {@code append} and {@code
 * update} lose nothing, also across processes. Blocking JDBC work runs on an executor sized to
 * the pool (or the user's), never on the caller's thread.
 *
 * <p><b>Failures.</b> Every server or connection failure (connection lost, server restarting,
 * statement timeout, no pooled connection within {@code connectTimeout}) fails the operation
 * with {@link StorageUnavailableException} keeping the driver's exception as its cause. Writes
 * are transactional: a failed write changed nothing, except when the connection breaks while
 * the commit is under way, where it may have been applied entirely (the message says so). The
 * store needs no restart once the server is back. Stored rows that can't be read fail {@code
 * load} with {@link CorruptDocumentException} and are reported by listings and {@link
 * #problems()}.
 */
public final class PostgresSessionStorage extends AbstractBlockingSessionStorage {

  /** The pool size (and executor threads) when none is given. */
  public static final int DEFAULT_POOL_SIZE = 8;

  /** How long to wait for a connection (pool and TCP) when nothing else is given. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** How long one statement may run when nothing else is given. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

  /** The layout version this code writes and the newest it can read. */
  public static final int LAYOUT_VERSION = SchemaManager.CURRENT_VERSION;

  private static final System.Logger LOG = System.getLogger("org.sessionkit.postgres");
  private static final AtomicInteger POOLS = new AtomicInteger();
  /** Serialization failures and deadlocks are retried this often before failing. */
  private static final int TRANSIENT_ATTEMPTS = 5;
  /** How many sessions {@link #problems()} decodes per batch. */
  private static final int CHECK_BATCH = 100;

  private final DataSource dataSource;
  private final Optional<HikariDataSource> ownedPool;
  private final TableNames names;
  private final Sql sql;
  private final SessionCodec codec;
  private final int queryTimeoutSeconds;

  private PostgresSessionStorage(
      String description,
      DataSource dataSource,
      Optional<HikariDataSource> ownedPool,
      TableNames names,
      SessionCodec codec,
      int queryTimeoutSeconds,
      Optional<Executor> executor,
      int threads) {
    super(description, executor, threads);
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.names = names;
    this.sql = new Sql(names);
    this.codec = codec;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
  }

  /**
   * Opens a store on a PostgreSQL URI with every option from its query string; the same as
   * {@code builder(uri).build()}.
   *
   * @throws StorageConfigurationException for a malformed URI, an unknown option or bad value,
   *     missing tables with {@code createSchema=false}, or a newer layout version
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
   * resource {@code org/sessionkit/postgres/V1__sessionkit.sql} (for Flyway or Liquibase, which
   * substitute them).
   */
  public static String ddlTemplate() {
    return SchemaManager.rawDdl();
  }

  // ---------------------------------------------------------------- writes

  @Override
  protected void validate(Session session) {
    codec.validate(session);
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    String what = "save of " + Ids.describe(session.id());
    return blocking(() -> {
      Encoded e = encode(session);
      if (condition instanceof WriteCondition.IfAbsent) {
        return withConnection(what, c -> create(c, e));
      }
      Optional<Long> expected = Optional.empty();
      if (condition instanceof WriteCondition.IfRevision r) {
        expected = parseRevision(r.expected());
        if (expected.isEmpty()) {
          throw conflict(what, r.expected());
        }
      }
      Optional<Long> expectedRevision = expected;
      return withConnection(what, c -> inTransaction(c, what, () -> {
        long revision;
        if (expectedRevision.isEmpty()) {
          try (PreparedStatement ps = prepare(c, sql.upsertSession)) {
            bindSessionRow(ps, 1, e);
            revision = single(ps);
          }
        } else {
          try (PreparedStatement ps = prepare(c, sql.updateSessionIfRevision)) {
            int i = bindTimesAndState(ps, 1, e);
            ps.setString(i++, e.id);
            ps.setLong(i, expectedRevision.get());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw conflict(what, Revision.of(expectedRevision.get()));
              }
              revision = rs.getLong(1);
            }
          }
        }
        try (PreparedStatement ps = prepare(c, sql.replaceMessages)) {
          ps.setString(1, e.id);
          ps.setInt(2, e.messages.length);
          ps.setString(3, e.id);
          ps.setArray(4, byteaArray(c, e.messages));
          ps.executeUpdate();
        }
        return Revision.of(revision);
      }));
    });
  }

  private Revision create(Connection c, Encoded e) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql.create)) {
      int i = bindSessionRow(ps, 1, e);
      ps.setString(i++, e.id);
      ps.setArray(i, byteaArray(c, e.messages));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new RevisionConflictException(
              "create of " + Ids.describe(e.id) + ": a session with this id exists");
        }
        return Revision.of(rs.getLong(1));
      }
    } catch (SQLException ex) {
      throw orStrayRows(ex, e.id);
    }
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    String what = "append to " + Ids.describe(id);
    return blocking(() -> {
      // The stored messages were checked when they were stored: check only what is new.
      codec.validate(new Session(id, append.messages(), append.state(), append.updatedAt(), append.updatedAt()));
      byte[] state = codec.encodeState(append.state());
      byte[][] messages = encodeMessages(append.messages());
      Optional<Long> expected = Optional.empty();
      if (append.expectedRevision().isPresent()) {
        expected = parseRevision(append.expectedRevision().get());
        if (expected.isEmpty()) {
          return withConnection(what, c -> {
            throw absentOrConflict(c, id, what, append.expectedRevision().get());
          });
        }
      }
      Optional<Long> expectedRevision = expected;
      return withConnection(what, c -> {
        try (PreparedStatement ps = prepare(c, expectedRevision.isPresent() ? sql.appendIfRevision : sql.append)) {
          int i = 1;
          ps.setInt(i++, messages.length);
          ps.setLong(i++, append.updatedAt().getEpochSecond());
          ps.setInt(i++, append.updatedAt().getNano());
          ps.setBytes(i++, state);
          ps.setString(i++, id);
          if (expectedRevision.isPresent()) {
            ps.setLong(i++, expectedRevision.get());
          }
          ps.setInt(i++, messages.length);
          ps.setString(i++, id);
          ps.setArray(i, byteaArray(c, messages));
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              return Revision.of(rs.getLong(1));
            }
          }
        } catch (SQLException ex) {
          throw orStrayRows(ex, id);
        }
        if (expectedRevision.isEmpty()) {
          throw notFound(id);
        }
        throw absentOrConflict(c, id, what, Revision.of(expectedRevision.get()));
      });
    });
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    String what = "delete of " + Ids.describe(id);
    return blocking(() -> {
      Optional<Long> expectedRevision = Optional.empty();
      if (expected.isPresent()) {
        expectedRevision = parseRevision(expected.get());
        if (expectedRevision.isEmpty()) {
          return withConnection(what, c -> {
            throw absentOrConflict(c, id, what, expected.get());
          });
        }
      }
      Optional<Long> rev = expectedRevision;
      return withConnection(what, c -> inTransaction(c, what, () -> {
        try (PreparedStatement ps = prepare(c, rev.isPresent() ? sql.deleteSessionIfRevision : sql.deleteSession)) {
          ps.setString(1, id);
          if (rev.isPresent()) {
            ps.setLong(2, rev.get());
          }
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              if (rev.isEmpty()) {
                throw notFound(id);
              }
              throw absentOrConflict(c, id, what, expected.get());
            }
          }
        }
        // A new statement, so that it sees every message row committed before the row lock
        // that the delete above holds (READ COMMITTED takes a snapshot per statement).
        try (PreparedStatement ps = prepare(c, sql.deleteMessages)) {
          ps.setString(1, id);
          ps.executeUpdate();
        }
        return null;
      }));
    });
  }

  // ---------------------------------------------------------------- reads

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    String what = "load of " + Ids.describe(id);
    return blocking(() -> {
      StoredRows rows = withConnection(what, c -> {
        try (PreparedStatement ps = prepare(c, sql.load)) {
          ps.setString(1, id);
          ps.setString(2, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || rs.getInt(1) != -1) {
              return null;
            }
            StoredRows r = new StoredRows(rs.getLong(2), rs.getLong(3), rs.getInt(4),
                rs.getLong(5), rs.getInt(6), rs.getInt(7), rs.getBytes(8));
            while (rs.next()) {
              r.positions.add(rs.getInt(1));
              r.bodies.add(rs.getBytes(8));
            }
            return r;
          }
        }
      });
      if (rows == null) {
        throw notFound(id);
      }
      // Decoded after the connection went back to the pool: it is pure CPU work.
      return rows.decode(id);
    });
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    return blocking(() -> {
      Optional<String> prefix = request.idPrefix();
      if (prefix.isPresent() && Ids.hasControlCharacter(prefix.get())) {
        // No valid id holds a control character, and PostgreSQL text can't hold U+0000.
        return PageResult.of(List.of());
      }
      Sql.Filters filters = new Sql.Filters(
          prefix, prefix.flatMap(Ids::successor), request.updatedBefore(), request.updatedAfter());
      Optional<Sql.Position> from = request.after().map(
          p -> new Sql.Position(p.updatedAt().getEpochSecond(), p.updatedAt().getNano(), p.id()));
      return withConnection("listing", c -> listPage(c, request, filters, from));
    });
  }

  private PageResult listPage(
      Connection c, PageRequest request, Sql.Filters filters, Optional<Sql.Position> from)
      throws SQLException {
    int want = request.fetchSize();
    List<SessionSummary> found = new ArrayList<>(want);
    // Problems with the number of summaries found before them, so that only those before the
    // end of this page are reported here (the next page starts after its last summary and
    // would meet the others again).
    List<ListingProblem> problems = new ArrayList<>();
    List<Integer> problemPositions = new ArrayList<>();
    Optional<Sql.Position> after = from;
    while (true) {
      int limit = want - found.size();
      Sql.Query q = sql.list(filters, after, limit);
      int rows = 0;
      Sql.Position last = null;
      try (PreparedStatement ps = prepare(c, q.sql())) {
        bind(ps, q.parameters());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            last = PostgresRows.position(rs);
            try {
              found.add(PostgresRows.summary(rs));
            } catch (PostgresRows.BadRow bad) {
              problems.add(problem(last.id(), bad.getMessage()));
              problemPositions.add(found.size());
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
        if (problemPositions.get(i) < request.limit()) {
          reported.add(problems.get(i));
        }
      }
    }
    return new PageResult(found, reported);
  }

  @Override
  protected CompletableFuture<List<ListingProblem>> doProblems() {
    // Rows that a listing can't summarise, then what only a full read finds: states and
    // messages that don't decode, missing or extra message rows, message rows of no session.
    return super.doProblems().thenCompose(rowProblems -> blocking(() -> {
      List<ListingProblem> all = new ArrayList<>(rowProblems);
      Set<String> reported = new HashSet<>();
      rowProblems.forEach(p -> reported.add(p.location()));
      withConnection("check", c -> {
        checkContents(c, all, reported);
        return null;
      });
      return List.copyOf(all);
    }));
  }

  private void checkContents(Connection c, List<ListingProblem> out, Set<String> reported)
      throws SQLException {
    String afterId = "";
    String batch = "SELECT id, message_count, state FROM " + names.sessions()
        + " WHERE id > ? ORDER BY id LIMIT " + CHECK_BATCH;
    String messages = "SELECT session_id, position, body FROM " + names.messages()
        + " WHERE session_id = ANY(?) ORDER BY session_id, position";
    while (true) {
      List<String> ids = new ArrayList<>();
      Map<String, Integer> counts = new java.util.HashMap<>();
      try (PreparedStatement ps = prepare(c, batch)) {
        ps.setString(1, afterId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String id = rs.getString(1);
            ids.add(id);
            counts.put(id, rs.getInt(2));
            if (!reported.contains(location(id))) {
              try {
                codec.decodeState(rs.getBytes(3), source(id));
              } catch (SessionStorageException | IllegalArgumentException e) {
                out.add(problem(id, "state can't be read: " + e.getMessage()));
                reported.add(location(id));
              }
            }
          }
        }
      }
      if (ids.isEmpty()) {
        break;
      }
      afterId = ids.get(ids.size() - 1);
      Map<String, Integer> seen = new java.util.HashMap<>();
      try (PreparedStatement ps = prepare(c, messages)) {
        ps.setArray(1, c.createArrayOf("text", ids.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String id = rs.getString(1);
            int position = rs.getInt(2);
            int expected = seen.merge(id, 1, Integer::sum) - 1;
            if (reported.contains(location(id))) {
              continue;
            }
            if (position != expected || position >= counts.get(id)) {
              out.add(problem(id, "message rows don't match message_count " + counts.get(id)
                  + " (unexpected position " + position + ")"));
              reported.add(location(id));
              continue;
            }
            try {
              codec.decodeMessage(rs.getBytes(3), source(id) + " message " + position);
            } catch (SessionStorageException | IllegalArgumentException e) {
              out.add(problem(id, "message " + position + " can't be read: " + e.getMessage()));
              reported.add(location(id));
            }
          }
        }
      }
      for (String id : ids) {
        if (!reported.contains(location(id)) && seen.getOrDefault(id, 0) < counts.get(id)) {
          out.add(problem(id, "only " + seen.getOrDefault(id, 0) + " of " + counts.get(id)
              + " message rows are present"));
          reported.add(location(id));
        }
      }
    }
    try (PreparedStatement ps = prepare(c,
        "SELECT DISTINCT m.session_id FROM " + names.messages() + " m WHERE NOT EXISTS"
            + " (SELECT 1 FROM " + names.sessions() + " s WHERE s.id = m.session_id) LIMIT 1000");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        out.add(new ListingProblem(names.messages() + " session_id " + Ids.describe(id),
            SessionIds.isValid(id) ? Optional.of(id) : Optional.empty(),
            "message rows of a session that does not exist"));
      }
    }
  }

  @Override
  protected void doClose() {
    super.doClose();
    ownedPool.ifPresent(HikariDataSource::close);
  }

  // ---------------------------------------------------------------- JDBC plumbing

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface TxWork<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code work} on a pooled connection, again (on a fresh connection) after a
   * serialization failure or deadlock, which guarantee a rollback; any other SQL failure becomes
   * {@link StorageUnavailableException}.
   */
  private <T> T withConnection(String what, SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        if (!PgErrors.isRetryable(e) || attempt >= TRANSIENT_ATTEMPTS || isClosed()) {
          throw PgErrors.unavailable(description(), what, e);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> what + ": retrying after " + e.getSQLState());
      }
    }
  }

  /** Runs {@code work} in a transaction, rolled back if anything fails. */
  private <T> T inTransaction(Connection c, String what, TxWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result;
      try {
        result = work.run();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
      try {
        c.commit();
      } catch (SQLException e) {
        if (PgErrors.isRetryable(e)) {
          throw e;
        }
        throw new StorageUnavailableException(
            what + " in " + description() + ": the commit failed and the write may or may not "
                + "have been applied (entirely or not at all): " + PgErrors.reason(e), e);
      }
      return result;
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (SQLException e) {
        // The connection is broken; the pool discards it.
        LOG.log(System.Logger.Level.DEBUG, "could not restore auto-commit", e);
      }
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private PreparedStatement prepare(Connection c, String text) throws SQLException {
    PreparedStatement ps = c.prepareStatement(text);
    if (queryTimeoutSeconds > 0) {
      ps.setQueryTimeout(queryTimeoutSeconds);
    }
    return ps;
  }

  private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    int i = 1;
    for (Object p : params) {
      if (p instanceof String s) {
        ps.setString(i++, s);
      } else if (p instanceof Long l) {
        ps.setLong(i++, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i++, n);
      } else {
        throw new IllegalArgumentException("unexpected parameter type " + p.getClass());
      }
    }
  }

  private static long single(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("the statement returned no row");
      }
      return rs.getLong(1);
    }
  }

  private static Array byteaArray(Connection c, byte[][] values) throws SQLException {
    return c.createArrayOf("bytea", values);
  }

  /** Binds id, created, updated, message count and state; returns the next index. */
  private static int bindSessionRow(PreparedStatement ps, int i, Encoded e) throws SQLException {
    ps.setString(i++, e.id);
    return bindTimesAndState(ps, i, e);
  }

  private static int bindTimesAndState(PreparedStatement ps, int i, Encoded e) throws SQLException {
    ps.setLong(i++, e.createdSeconds);
    ps.setInt(i++, e.createdNanos);
    ps.setLong(i++, e.updatedSeconds);
    ps.setInt(i++, e.updatedNanos);
    ps.setInt(i++, e.messages.length);
    ps.setBytes(i++, e.state);
    return i;
  }

  // ---------------------------------------------------------------- values

  /** A session encoded for its rows. */
  private static final class Encoded {
    final String id;
    final long createdSeconds;
    final int createdNanos;
    final long updatedSeconds;
    final int updatedNanos;
    final byte[] state;
    final byte[][] messages;

    Encoded(Session s, byte[] state, byte[][] messages) {
      this.id = s.id();
      this.createdSeconds = s.createdAt().getEpochSecond();
      this.createdNanos = s.createdAt().getNano();
      this.updatedSeconds = s.updatedAt().getEpochSecond();
      this.updatedNanos = s.updatedAt().getNano();
      this.state = state;
      this.messages = messages;
    }
  }

  private Encoded encode(Session s) {
    return new Encoded(s, codec.encodeState(s.state()), encodeMessages(s.messages()));
  }

  private byte[][] encodeMessages(List<Message> messages) {
    byte[][] out = new byte[messages.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = codec.encodeMessage(messages.get(i));
    }
    return out;
  }

  /** The rows of one session as read, before decoding. */
  private final class StoredRows {
    final long revision;
    final long createdSeconds;
    final int createdNanos;
    final long updatedSeconds;
    final int updatedNanos;
    final int messageCount;
    final byte[] state;
    final List<Integer> positions = new ArrayList<>();
    final List<byte[]> bodies = new ArrayList<>();

    StoredRows(long revision, long createdSeconds, int createdNanos, long updatedSeconds,
        int updatedNanos, int messageCount, byte[] state) {
      this.revision = revision;
      this.createdSeconds = createdSeconds;
      this.createdNanos = createdNanos;
      this.updatedSeconds = updatedSeconds;
      this.updatedNanos = updatedNanos;
      this.messageCount = messageCount;
      this.state = state;
    }

    VersionedSession decode(String id) {
      String source = source(id);
      Instant created;
      Instant updated;
      try {
        created = PostgresRows.instant(createdSeconds, createdNanos, "created_at");
        updated = PostgresRows.instant(updatedSeconds, updatedNanos, "updated_at");
      } catch (PostgresRows.BadRow e) {
        throw new CorruptDocumentException(source + " can't be read: " + e.getMessage());
      }
      if (positions.size() != messageCount) {
        throw new CorruptDocumentException(source + " can't be read: it records " + messageCount
            + " messages but " + positions.size() + " message rows exist");
      }
      SessionState decodedState = codec.decodeState(state, source);
      List<Message> messages = new ArrayList<>(positions.size());
      for (int i = 0; i < positions.size(); i++) {
        if (positions.get(i) != i) {
          throw new CorruptDocumentException(source + " can't be read: message row " + i + " is missing");
        }
        messages.add(codec.decodeMessage(bodies.get(i), source + " message " + i));
      }
      return new VersionedSession(
          new Session(id, messages, decodedState, created, updated), Revision.of(revision));
    }
  }

  private static Optional<Long> parseRevision(Revision r) {
    try {
      return Optional.of(Long.parseLong(r.value()));
    } catch (NumberFormatException e) {
      // Not one of ours: it can't match any stored revision.
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- errors

  private String source(String id) {
    return "session " + Ids.describe(id) + " in " + names.sessions();
  }

  private String location(String id) {
    return names.sessions() + " id " + Ids.describe(id);
  }

  private ListingProblem problem(String id, String reason) {
    return new ListingProblem(
        location(id), SessionIds.isValid(id) ? Optional.of(id) : Optional.empty(), reason);
  }

  private SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + Ids.describe(id) + " in " + description());
  }

  private static RevisionConflictException conflict(String what, Revision expected) {
    return new RevisionConflictException(
        what + ": the stored revision is not " + expected + " (or the session does not exist)");
  }

  /** After a failed condition: not found if the session is gone, else a conflict. */
  private SessionStorageException absentOrConflict(
      Connection c, String id, String what, Revision expected) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql.revisionOf)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return notFound(id);
        }
        return new RevisionConflictException(
            what + ": the stored revision is " + rs.getLong(1) + ", not " + expected);
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
      throw new CorruptDocumentException(source(id) + ": message rows beyond its message count "
          + "exist (added by hand?); see problems()", e);
    }
    return e;
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
     * for no limit). On a pool the store owns it is the server's {@code statement_timeout}; on a
     * user's {@link DataSource} it is the JDBC query timeout, rounded up to whole seconds.
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
     * Opens the store: connects, creates or checks the tables.
     *
     * @throws StorageConfigurationException for a bad schema or prefix name, a driver option
     *     pgjdbc rejects, missing tables with {@code createSchema(false)}, or tables of a newer
     *     layout version
     * @throws StorageUnavailableException if the server can't be reached or fails
     */
    public PostgresSessionStorage build() {
      TableNames names = new TableNames(schema, tablePrefix);
      Optional<HikariDataSource> pool = uri.map(this::newPool);
      DataSource ds = pool.isPresent() ? pool.get() : dataSource.orElseThrow();
      String description = uri.map(PgUri::redacted)
          .orElse("postgresql DataSource " + ds.getClass().getSimpleName() + " " + names);
      try {
        try (Connection c = ds.getConnection()) {
          new SchemaManager(names).ensure(c, createSchema);
        }
      } catch (SQLException e) {
        pool.ifPresent(HikariDataSource::close);
        throw new StorageUnavailableException(
            "could not open " + description + ": " + PgErrors.reason(e), e);
      } catch (RuntimeException e) {
        pool.ifPresent(HikariDataSource::close);
        throw e;
      }
      // With its own pool the server enforces statement_timeout; on a user's DataSource the
      // driver's query timeout is the only knob that does not touch their configuration.
      int queryTimeout = pool.isPresent() ? 0 : ceilSeconds(statementTimeout);
      return new PostgresSessionStorage(
          description, ds, pool, names, codec, queryTimeout, executor, poolSize);
    }

    private HikariDataSource newPool(PgUri u) {
      PGSimpleDataSource pg = new PGSimpleDataSource();
      pg.setURL(u.jdbcUrl());
      u.user().ifPresent(pg::setUser);
      u.password().ifPresent(pg::setPassword);
      for (Map.Entry<String, String> p : u.driverProperties().entrySet()) {
        try {
          pg.setProperty(p.getKey(), p.getValue());
        } catch (SQLException e) {
          throw new StorageConfigurationException(
              "option '" + p.getKey() + "' of " + u.redacted() + " is rejected by pgjdbc: " + e.getMessage());
        }
      }
      if (!u.driverProperties().containsKey("ApplicationName")) {
        pg.setApplicationName("sessionkit");
      }
      int connectSeconds = Math.max(1, ceilSeconds(connectTimeout));
      pg.setConnectTimeout(connectSeconds);
      pg.setLoginTimeout(connectSeconds);
      pg.setTcpKeepAlive(true);
      if (!statementTimeout.isZero()) {
        pg.setOptions("-c statement_timeout=" + Math.max(1, statementTimeout.toMillis()));
        // A server that stops answering (network loss, paused host) can't enforce its own
        // timeout: the socket timeout bounds the wait for a reply.
        pg.setSocketTimeout(ceilSeconds(statementTimeout) + connectSeconds + 5);
      }
      HikariConfig config = new HikariConfig();
      config.setDataSource(pg);
      config.setPoolName("sessionkit-postgres-" + POOLS.incrementAndGet());
      config.setMaximumPoolSize(poolSize);
      config.setMinimumIdle(Math.min(poolSize, 2));
      long connectMillis = Math.max(250, connectTimeout.toMillis());
      config.setConnectionTimeout(connectMillis);
      config.setValidationTimeout(Math.max(250, Math.min(5_000, connectMillis)));
      // Never fail in the pool's constructor: build() reports an unreachable server itself,
      // with a typed error, and a running store reconnects by itself.
      config.setInitializationFailTimeout(-1);
      config.setAutoCommit(true);
      config.setRegisterMbeans(false);
      return new HikariDataSource(config);
    }

    private static int ceilSeconds(Duration d) {
      long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
      return (int) Math.min(Integer.MAX_VALUE, s);
    }
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

  /** For tests and the benchmark: the data source the store uses (its own pool or the user's). */
  DataSource dataSource() {
    return dataSource;
  }
}
