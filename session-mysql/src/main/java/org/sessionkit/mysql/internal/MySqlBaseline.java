package org.sessionkit.mysql.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.spi.BenchmarkBaseline;
import org.sessionkit.spi.SessionCodec;

/**
 * The MySQL / MariaDB baseline ({@code raw-mysql}): the statements of {@link RawJdbcBaseline} over
 * one connection per calling thread, with none of the store's code.
 *
 * <p>{@code save}: {@link SessionCodec#encode(Session)} and one upsert of the document (one
 * statement, auto-commit). {@code load}: one select by id and {@link SessionCodec#decode}, the same
 * decoding the store does. {@code append}: one insert of the new messages, each encoded with
 * {@link SessionCodec#encodeMessage}, at positions counted in this JVM (the baseline keeps no count
 * in the database). {@code update}: under one of 64 striped locks of this JVM, load, change and
 * save (two statements). Thread safe; {@link #close()} closes every connection.
 */
final class MySqlBaseline implements BenchmarkBaseline {

  /** Opens a connection in the baseline's database. */
  @FunctionalInterface
  interface Connector {
    /** Opens a connection (auto-commit). */
    Connection open() throws SQLException;
  }

  private final Connector connector;
  private final String database;
  private final RawJdbcBaseline baseline = new RawJdbcBaseline();
  private final SessionCodec codec = SessionCodec.defaults();
  private final List<Connection> connections = new ArrayList<>();
  private final ThreadLocal<Connection> connection = new ThreadLocal<>();
  private final ConcurrentHashMap<String, AtomicInteger> nextPosition = new ConcurrentHashMap<>();
  private final Object[] locks = new Object[64];

  /**
   * Opens the baseline in {@code database} (which exists), creating its tables if missing.
   *
   * @throws StorageUnavailableException if the server can't be reached
   */
  MySqlBaseline(Connector connector, String database) {
    this.connector = connector;
    this.database = database;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
    try {
      baseline.createTables(connection());
    } catch (SQLException e) {
      close();
      throw new StorageUnavailableException(
          "can't create the baseline tables in " + database + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void save(Session session) throws SQLException {
    baseline.saveDocument(connection(), session.id(), codec.encode(session));
    // Appends after this save go after its messages (positions never go back: rows of earlier
    // appends stay in the table, as the baseline never deletes).
    position(session.id()).accumulateAndGet(session.messages().size(), Math::max);
  }

  @Override
  public Session load(String id) throws SQLException {
    Optional<byte[]> document = baseline.loadDocument(connection(), id);
    if (document.isEmpty()) {
      throw new SessionNotFoundException("no session " + id + " in raw-mysql");
    }
    return codec.decode(document.get(), id);
  }

  @Override
  public void append(String id, List<Message> messages) throws SQLException {
    byte[][] bodies = new byte[messages.size()][];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = codec.encodeMessage(messages.get(i));
    }
    baseline.appendMessages(connection(), id, position(id).getAndAdd(bodies.length), bodies);
  }

  @Override
  public Session update(String id, UnaryOperator<Session> change) throws SQLException {
    synchronized (locks[(id.hashCode() & 0x7FFF_FFFF) % locks.length]) {
      Session s = change.apply(load(id));
      save(s);
      return s;
    }
  }

  @Override
  public void close() {
    synchronized (connections) {
      for (Connection c : connections) {
        try {
          c.close();
        } catch (SQLException e) {
          // Closing a broken connection: nothing left to release.
        }
      }
      connections.clear();
    }
  }

  @Override
  public String toString() {
    return "raw-mysql:" + database;
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
