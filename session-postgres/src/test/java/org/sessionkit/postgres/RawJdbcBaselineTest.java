package org.sessionkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.postgres.internal.RawJdbcBaseline;

/** The benchmark's raw-JDBC baselines do what they say. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawJdbcBaselineTest {

  private TestDatabase db;

  @BeforeAll
  void server() {
    db = TestDatabase.shared();
  }

  @BeforeEach
  void requireServer() {
    db.require();
  }

  @AfterAll
  void drop() throws SQLException {
    db.close();
  }

  @Test
  void savedDocumentsLoadBackAndAppendedRowsAreInserted() throws SQLException {
    String schema = db.newSchema();
    RawJdbcBaseline baseline = new RawJdbcBaseline(schema);
    try (Connection c = db.connect()) {
      baseline.createTables(c);
      baseline.saveDocument(c, "a", new byte[] {1, 2});
      baseline.saveDocument(c, "a", new byte[] {3});
      assertThat(baseline.loadDocument(c, "a")).hasValueSatisfying(d -> assertThat(d).containsExactly(3));
      assertThat(baseline.loadDocument(c, "b")).isEmpty();
      baseline.appendMessages(c, "a", 10, new byte[][] {{1}, {2}});
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*), min(position), max(position) FROM \""
              + schema + "\".baseline_messages WHERE session_id = 'a'")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2);
        assertThat(rs.getInt(2)).isEqualTo(10);
        assertThat(rs.getInt(3)).isEqualTo(11);
      }
      baseline.truncate(c);
      assertThat(baseline.loadDocument(c, "a")).isEmpty();
    }
  }
}
