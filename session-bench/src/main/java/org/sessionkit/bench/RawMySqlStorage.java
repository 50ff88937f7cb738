package org.sessionkit.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The MySQL / MariaDB baseline ({@code raw-mysql}): the statements of {@link MySqlRawStatements},
 * run on the caller's thread
 * over one connection per thread, with none of the store's code.
 *
 * <p>{@code save}: {@link SessionCodec#encode(Session)} and one upsert of the document (one
 * statement, auto-commit). {@code load}: one select by id and {@link SessionCodec#decode} — the
 * same work as the file baseline's read + parse, so that the ratio shows the store's overhead
 * and not the codec's. {@code append}: one insert of the new messages, each encoded with {@link
 * SessionCodec#encodeMessage}, at positions counted in this JVM (the baseline keeps no count in
 * the database). {@code update}: under one of 64 striped locks of this JVM, load, change and save
 * (two statements). Listings, deletes, conditional writes and {@link #problems()} are not part of
 * the baseline and fail with {@link UnsupportedOperationException}. Revisions are a constant.
 * Every future is already complete when returned. Thread safe; {@link #close()} closes every
 * connection.
 */
final class RawMySqlStorage extends RawBaseline {

  private static final Revision REVISION = Revision.of(1);

  /** Opens a connection in the baseline's database. */
  @FunctionalInterface
  interface Connector {
    /** Opens a connection (auto-commit). */
    Connection open() throws SQLException;
  }

  private final Connector connector;
  private final MySqlRawStatements baseline = new MySqlRawStatements();
  private final String database;
  private final SessionCodec codec = SessionCodec.defaults();
  private final List<Connection> connections = new ArrayList<>();
  private final ThreadLocal<Connection> connection = new ThreadLocal<>();
  private final ConcurrentHashMap<String, AtomicInteger> nextPosition = new ConcurrentHashMap<>();
  private final Object[] locks = new Object[64];

  /**
   * Opens the baseline in {@code database} (which exists), creating its tables if missing.
   *
   * @throws IllegalStateException if the server can't be reached
   */
  RawMySqlStorage(Connector connector, String database) {
    this.connector = connector;
    this.database = database;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
    try {
      baseline.createTables(connection());
    } catch (SQLException e) {
      close();
      throw new IllegalStateException("can't create the baseline tables in " + database + ": " + e.getMessage(), e);
    }
  }

  @Override
  public CompletableFuture<Revision> save(Session session) {
    try {
      write(session);
      return CompletableFuture.completedFuture(REVISION);
    } catch (SQLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Session> load(String id) {
    try {
      return CompletableFuture.completedFuture(read(id));
    } catch (SQLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<VersionedSession> loadVersioned(String id) {
    return load(id).thenApply(s -> new VersionedSession(s, REVISION));
  }

  @Override
  public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
    try {
      synchronized (locks[(id.hashCode() & 0x7FFF_FFFF) % locks.length]) {
        Session s = change.apply(read(id));
        write(s);
        return CompletableFuture.completedFuture(new VersionedSession(s, REVISION));
      }
    } catch (SQLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Revision> append(String id, Append append) {
    try {
      List<Message> messages = append.messages();
      byte[][] bodies = new byte[messages.size()][];
      for (int i = 0; i < bodies.length; i++) {
        bodies[i] = codec.encodeMessage(messages.get(i));
      }
      int first = position(id).getAndAdd(bodies.length);
      baseline.appendMessages(connection(), id, first, bodies);
      return CompletableFuture.completedFuture(REVISION);
    } catch (SQLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<SessionSummary>> list() {
    return RawMemoryStorage.unsupported("listing");
  }

  @Override
  public CompletableFuture<SessionPage> list(ListQuery query) {
    return RawMemoryStorage.unsupported("listing");
  }

  @Override
  public CompletableFuture<Void> delete(String id) {
    return RawMemoryStorage.unsupported("delete");
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    return RawMemoryStorage.unsupported("saveIf");
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    return RawMemoryStorage.unsupported("create");
  }

  @Override
  public CompletableFuture<Void> deleteIf(String id, Revision expected) {
    return RawMemoryStorage.unsupported("deleteIf");
  }

  @Override
  public CompletableFuture<List<ListingProblem>> problems() {
    return RawMemoryStorage.unsupported("problems");
  }

  @Override
  public void close() {
    synchronized (connections) {
      for (Connection c : connections) {
        try {
          c.close();
        } catch (SQLException e) {
          // closing a broken connection: nothing left to release
        }
      }
      connections.clear();
    }
  }

  @Override
  public String toString() {
    return "raw-mysql:" + database;
  }

  private void write(Session session) throws SQLException {
    byte[] document = codec.encode(session);
    baseline.saveDocument(connection(), session.id(), document);
    // appends after this save go after its messages (positions never go back: rows of earlier
    // appends stay in the table, as the baseline never deletes)
    position(session.id()).accumulateAndGet(session.messages().size(), Math::max);
  }

  private Session read(String id) throws SQLException {
    Optional<byte[]> document = baseline.loadDocument(connection(), id);
    if (document.isEmpty()) {
      throw new SessionNotFoundException("no session " + id + " in raw-mysql");
    }
    return codec.decode(document.get(), id);
  }

  private AtomicInteger position(String id) {
    return nextPosition.computeIfAbsent(id, k -> new AtomicInteger());
  }

  /** The calling thread's connection, opened on first use (auto-commit). */
  private Connection connection() throws SQLException {
    Connection c = connection.get();
    if (c == null) {
      c = connector.open();
      c.setAutoCommit(true);
      synchronized (connections) {
        connections.add(c);
      }
      connection.set(c);
    }
    return c;
  }
}
