package org.sessionkit.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.sessionkit.spi.AbstractBlockingSessionStorage;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListingProblem;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorageException;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.postgres.internal.ContentCheck;
import org.sessionkit.postgres.internal.Ids;
import org.sessionkit.postgres.internal.Jdbc;
import org.sessionkit.postgres.internal.OwnedPool;
import org.sessionkit.postgres.internal.PgErrors;
import org.sessionkit.postgres.internal.PgUri;
import org.sessionkit.postgres.internal.PostgresRows;
import org.sessionkit.postgres.internal.Problems;
import org.sessionkit.postgres.internal.SchemaManager;
import org.sessionkit.postgres.internal.SessionRows;
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

  private final DataSource dataSource;
  private final Optional<HikariDataSource> ownedPool;
  private final TableNames names;
  private final Sql sql;
  private final SessionCodec codec;
  private final Jdbc jdbc;

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
    this.jdbc = new Jdbc(dataSource, description, queryTimeoutSeconds, this::isClosed);
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

  private static void checkInstant(String id, java.time.Instant t, String field) {
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

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    String what = "save of " + SessionIds.quote(session.id());
    return blocking(() -> {
      SessionRows.Encoded e = SessionRows.Encoded.of(session, codec);
      checkSize(session, e.bytes(), e.messages().length + 1);
      if (condition instanceof WriteCondition.IfAbsent) {
        return jdbc.withConnection(what, c -> create(c, e));
      }
      Optional<Long> expected = Optional.empty();
      if (condition instanceof WriteCondition.IfRevision r) {
        expected = parseRevision(r.expected());
        if (expected.isEmpty()) {
          // Not one of ours: no stored revision can match it (absent or not).
          throw new RevisionConflictException(what + ": the stored revision is not " + r.expected());
        }
      }
      Optional<Long> expectedRevision = expected;
      return jdbc.withConnection(what, c -> jdbc.inTransaction(c, what, () -> {
        // Step 1 takes the session row's lock (insert or update) and bumps its revision.
        long revision;
        if (expectedRevision.isEmpty()) {
          try (PreparedStatement ps = jdbc.prepare(c, sql.upsertSession)) {
            e.bindRow(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              revision = rs.getLong(1);
            }
          }
        } else {
          try (PreparedStatement ps = jdbc.prepare(c, sql.updateSessionIfRevision)) {
            int i = e.bindValues(ps, 1);
            ps.setString(i++, e.id());
            ps.setLong(i, expectedRevision.get());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new RevisionConflictException(what + ": the stored revision is not "
                    + expectedRevision.get() + " (or the session does not exist)");
              }
              revision = rs.getLong(1);
            }
          }
        }
        // Step 2, a new statement and so a new snapshot: it sees every message row committed
        // before the lock was granted, and no other writer can change them until we commit.
        try (PreparedStatement ps = jdbc.prepare(c, sql.replaceMessages)) {
          ps.setString(1, e.id());
          ps.setInt(2, e.messages().length);
          ps.setArray(3, Jdbc.bytea(c, e.messages()));
          ps.setString(4, e.id());
          ps.setString(5, e.id());
          ps.executeUpdate();
        }
        return Revision.of(revision);
      }));
    });
  }

  private Revision create(Connection c, SessionRows.Encoded e) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.create)) {
      int i = e.bindRow(ps, 1);
      ps.setString(i++, e.id());
      ps.setArray(i, Jdbc.bytea(c, e.messages()));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new RevisionConflictException(
              "create of " + SessionIds.quote(e.id()) + ": a session with this id exists");
        }
        return Revision.of(rs.getLong(1));
      }
    } catch (SQLException ex) {
      throw orStrayRows(ex, e.id());
    }
  }

  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    String what = "append to " + SessionIds.quote(id);
    return blocking(() -> {
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
      Optional<Revision> expected = append.expectedRevision();
      Optional<Long> expectedRevision = expected.flatMap(PostgresSessionStorage::parseRevision);
      return jdbc.withConnection(what, c -> {
        if (expected.isPresent() && expectedRevision.isEmpty()) {
          throw absentOrConflict(c, id, what, expected);
        }
        try (PreparedStatement ps = jdbc.prepare(c, expected.isPresent() ? sql.appendIfRevision : sql.append)) {
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
          ps.setArray(i, Jdbc.bytea(c, messages));
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              return Revision.of(rs.getLong(1));
            }
          }
        } catch (SQLException ex) {
          throw orStrayRows(ex, id);
        }
        if (storedRowIsUnreadable(c, id)) {
          throw new CorruptDocumentException(Problems.source(names, id)
              + " can't be read: created_at is outside the years 0000-9999");
        }
        throw absentOrConflict(c, id, what, expected);
      });
    });
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    String what = "delete of " + SessionIds.quote(id);
    return blocking(() -> {
      Optional<Long> expectedRevision = expected.flatMap(PostgresSessionStorage::parseRevision);
      return jdbc.withConnection(what, c -> {
        if (expected.isPresent() && expectedRevision.isEmpty()) {
          throw absentOrConflict(c, id, what, expected);
        }
        return jdbc.inTransaction(c, what, () -> {
          try (PreparedStatement ps = jdbc.prepare(c,
              expectedRevision.isPresent() ? sql.deleteSessionIfRevision : sql.deleteSession)) {
            ps.setString(1, id);
            if (expectedRevision.isPresent()) {
              ps.setLong(2, expectedRevision.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw expected.isEmpty() ? notFound(id) : absentOrConflict(c, id, what, expected);
              }
            }
          }
          // A new statement, so that it sees every message row committed before the row lock
          // that the delete above holds (READ COMMITTED takes a snapshot per statement).
          try (PreparedStatement ps = jdbc.prepare(c, sql.deleteMessages)) {
            ps.setString(1, id);
            ps.executeUpdate();
          }
          return null;
        });
      });
    });
  }

  // ---------------------------------------------------------------- reads

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    String what = "load of " + SessionIds.quote(id);
    return blocking(() -> {
      SessionRows.Stored rows = jdbc.withConnection(what, c -> {
        try (PreparedStatement ps = jdbc.prepare(c, sql.load)) {
          ps.setString(1, id);
          ps.setString(2, id);
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
      return jdbc.withConnection("listing", c -> listPage(c, request, filters, from));
    });
  }

  private PageResult listPage(
      Connection c, PageRequest request, Sql.Filters filters, Optional<Sql.Position> from)
      throws SQLException {
    int want = request.fetchSize();
    List<SessionSummary> found = new ArrayList<>(want);
    // Each problem with the number of summaries found before it: only those before the end of
    // this page are reported here (the next page starts after the page's last summary and meets
    // the others again).
    List<ListingProblem> problems = new ArrayList<>();
    List<Integer> foundBefore = new ArrayList<>();
    Optional<Sql.Position> after = from;
    while (true) {
      int limit = want - found.size();
      Sql.Query q = sql.list(filters, after, limit);
      int rows = 0;
      Sql.Position last = null;
      try (PreparedStatement ps = jdbc.prepare(c, q.sql())) {
        Jdbc.bind(ps, q.parameters());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            last = PostgresRows.position(rs);
            try {
              found.add(PostgresRows.summary(rs));
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
      jdbc.withConnection("check", c -> {
        new ContentCheck(jdbc, names, codec).run(c, all, reported);
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

  // ---------------------------------------------------------------- errors

  private static Optional<Long> parseRevision(Revision r) {
    try {
      return Optional.of(Long.parseLong(r.value()));
    } catch (NumberFormatException e) {
      // Not one of ours: it can't match any stored revision.
      return Optional.empty();
    }
  }

  private SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + SessionIds.quote(id) + " in " + description());
  }

  /** Whether the row of {@code id} exists with instants the append statement refuses. */
  private boolean storedRowIsUnreadable(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.revisionOf)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
        long created = rs.getLong(2);
        return created < PostgresRows.MIN.getEpochSecond() || created > PostgresRows.MAX.getEpochSecond();
      }
    }
  }

  /**
   * After a write found no row to change: not found if the session is gone, else a conflict
   * with {@code expected} (not found when nothing was expected: the row appeared after the
   * write looked).
   */
  private SessionStorageException absentOrConflict(
      Connection c, String id, String what, Optional<Revision> expected) throws SQLException {
    try (PreparedStatement ps = jdbc.prepare(c, sql.revisionOf)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return notFound(id);
        }
        if (expected.isEmpty()) {
          return notFound(id);
        }
        return new RevisionConflictException(
            what + ": the stored revision is " + rs.getLong(1) + ", not " + expected.get());
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
     *     pgjdbc rejects, missing tables with {@code createSchema(false)}, or tables of a newer
     *     layout version
     * @throws StorageUnavailableException if the server can't be reached or fails
     */
    public PostgresSessionStorage build() {
      TableNames names = new TableNames(schema, tablePrefix);
      Optional<HikariDataSource> pool =
          uri.map(u -> OwnedPool.create(u, poolSize, connectTimeout, statementTimeout));
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
      int queryTimeout = pool.isPresent() ? 0 : OwnedPool.ceilSeconds(statementTimeout);
      return new PostgresSessionStorage(
          description, ds, pool, names, codec, queryTimeout, executor, poolSize);
    }
  }
}
