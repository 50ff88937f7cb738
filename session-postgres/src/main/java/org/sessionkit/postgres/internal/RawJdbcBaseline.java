package org.sessionkit.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;

/**
 * The raw-JDBC baselines the benchmark compares the PostgreSQL store with: the same bytes
 * written and read with the plainest statements pgjdbc offers, without sessionkit. Not API (it
 * lives in {@code internal}); it is here so that the benchmark and the store share one
 * definition of "raw".
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
 * connection the caller provides and closes. The tables are {@code baseline_documents} and
 * {@code baseline_messages} in the given schema, created by {@link #createTables}.
 *
 * <p>What the store does beyond them, and why it costs: {@code save} also replaces the message
 * rows and runs as a transaction (two statements and a commit) so that a concurrent {@code
 * append} can't leave stray rows; {@code load} decodes the JSON into the model (the baseline
 * only fetches bytes); {@code append} also bumps the session row's revision, count, state and
 * updated-at in the same statement. Not thread safe per connection; thread safe otherwise.
 */
public final class RawJdbcBaseline {

  private final TableNames names;
  private final String documents;
  private final String messages;

  /**
   * Creates the baseline for tables in {@code schema}.
   *
   * @throws org.sessionkit.StorageConfigurationException if {@code schema} is not a plain
   *     identifier
   */
  public RawJdbcBaseline(String schema) {
    this.names = new TableNames(Objects.requireNonNull(schema, "schema"), "baseline_");
    this.documents = names.qualified("documents");
    this.messages = names.qualified("messages");
  }

  /** Creates the schema (if missing) and the two baseline tables (if missing). */
  public void createTables(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + names.quotedSchema());
      s.execute("CREATE TABLE IF NOT EXISTS " + documents
          + " (id text COLLATE \"C\" PRIMARY KEY, doc bytea NOT NULL)");
      s.execute("CREATE TABLE IF NOT EXISTS " + messages
          + " (session_id text COLLATE \"C\" NOT NULL, position integer NOT NULL,"
          + " body bytea NOT NULL, PRIMARY KEY (session_id, position))");
    }
  }

  /** Empties both tables. */
  public void truncate(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("TRUNCATE " + documents + ", " + messages);
    }
  }

  /** The baseline of {@code save}: upserts one whole document. */
  public void saveDocument(Connection c, String id, byte[] document) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + documents
        + " (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc")) {
      ps.setString(1, id);
      ps.setBytes(2, document);
      ps.executeUpdate();
    }
  }

  /** The baseline of {@code load}: selects one document by id; empty if absent. */
  public Optional<byte[]> loadDocument(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT doc FROM " + documents + " WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
      }
    }
  }

  /**
   * The baseline of {@code append}: inserts the new message rows at positions {@code
   * firstPosition}, {@code firstPosition + 1}, … in one statement.
   */
  public void appendMessages(Connection c, String id, int firstPosition, byte[][] bodies)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + messages
        + " (session_id, position, body) SELECT ?, ? + t.ord - 1, t.body"
        + " FROM unnest(?::bytea[]) WITH ORDINALITY AS t(body, ord)")) {
      ps.setString(1, id);
      ps.setInt(2, firstPosition);
      ps.setArray(3, c.createArrayOf("bytea", bodies));
      ps.executeUpdate();
    }
  }
}
