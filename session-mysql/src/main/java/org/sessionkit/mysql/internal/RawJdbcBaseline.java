package org.sessionkit.mysql.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Optional;

/**
 * The raw-JDBC baselines the benchmark compares the MySQL store with: the same bytes written and
 * read with the plainest statements, without sessionkit. Not API (it lives in {@code
 * internal}); the benchmark reaches it through {@link MySqlBenchmarkSupport}.
 *
 * <table>
 *   <caption>Store operation and its baseline</caption>
 *   <tr><th>store</th><th>baseline</th><th>bytes</th></tr>
 *   <tr><td>{@code save(session)}</td><td>{@link #saveDocument}: one upsert of one row</td>
 *       <td>{@code SessionCodec.encode(session)}</td></tr>
 *   <tr><td>{@code load(id)}</td><td>{@link #loadDocument}: one select by primary key</td>
 *       <td>the document stored by {@link #saveDocument}</td></tr>
 *   <tr><td>{@code append(id, turn)}</td><td>{@link #appendMessages}: one insert of the new
 *       message rows</td><td>{@code SessionCodec.encodeMessage} of each new message</td></tr>
 * </table>
 *
 * <p>Every method runs one statement in auto-commit mode (one round trip, one commit), on a
 * connection the caller provides and closes, in the connection's database. The tables are
 * {@code baseline_documents} and {@code baseline_messages}, created by {@link #createTables},
 * with the store's key types ({@code VARBINARY} ids).
 *
 * <p>What the store does beyond them, and why it costs: every write is a transaction (turning
 * auto-commit off and on again, and a commit: more round trips); {@code save} also replaces the
 * message rows and deletes the surplus; {@code append} first locks the session row and reads its
 * head (count, revision, write log, write time) and then updates it; {@code load} decodes the
 * JSON into the model (the baseline decodes its one document too). Not thread safe per
 * connection; thread safe otherwise.
 */
public final class RawJdbcBaseline {

  private final String documents;
  private final String messages;

  /** Creates the baseline for the tables {@code baseline_documents} and {@code baseline_messages}. */
  public RawJdbcBaseline() {
    TableNames names = new TableNames("baseline_");
    this.documents = names.quoted("documents");
    this.messages = names.quoted("messages");
  }

  /** Creates the two baseline tables (if missing). */
  public void createTables(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + documents
          + " (id VARBINARY(1024) NOT NULL PRIMARY KEY, doc LONGBLOB NOT NULL) ENGINE = InnoDB");
      s.execute("CREATE TABLE IF NOT EXISTS " + messages
          + " (session_id VARBINARY(1024) NOT NULL, position INT NOT NULL, body LONGBLOB NOT NULL,"
          + " PRIMARY KEY (session_id, position)) ENGINE = InnoDB");
    }
  }

  /** Empties both tables. */
  public void truncate(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("TRUNCATE TABLE " + documents);
      s.execute("TRUNCATE TABLE " + messages);
    }
  }

  /** The baseline of {@code save}: upserts one whole document. */
  public void saveDocument(Connection c, String id, byte[] document) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + documents
        + " (id, doc) VALUES (?, ?) ON DUPLICATE KEY UPDATE doc = VALUES(doc)")) {
      ps.setBytes(1, Ids.bytes(id));
      ps.setBytes(2, document);
      ps.executeUpdate();
    }
  }

  /** The baseline of {@code load}: selects one document by id; empty if absent. */
  public Optional<byte[]> loadDocument(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT doc FROM " + documents + " WHERE id = ?")) {
      ps.setBytes(1, Ids.bytes(id));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
      }
    }
  }

  /**
   * The baseline of {@code append}: inserts the new message rows at positions {@code
   * firstPosition}, {@code firstPosition + 1}, … in one statement.
   */
  public void appendMessages(Connection c, String id, int firstPosition, byte[][] bodies) throws SQLException {
    if (bodies.length == 0) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + messages + " (session_id, position, body) VALUES "
        + String.join(", ", Collections.nCopies(bodies.length, "(?, ?, ?)")))) {
      byte[] key = Ids.bytes(id);
      int p = 1;
      for (int i = 0; i < bodies.length; i++) {
        ps.setBytes(p++, key);
        ps.setInt(p++, firstPosition + i);
        ps.setBytes(p++, bodies[i]);
      }
      ps.executeUpdate();
    }
  }
}
