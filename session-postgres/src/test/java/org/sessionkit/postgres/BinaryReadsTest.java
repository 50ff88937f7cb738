package org.sessionkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.sessionkit.postgres.internal.Jdbc;

/**
 * Reads of whole sessions on a pool of the store's own are server-side prepared from their
 * first execution, so that pgjdbc receives {@code bytea} in binary: as hex text (its form until
 * a statement is server-prepared, by default at the fifth execution) a large session's load
 * held twice its bytes more (smallest heap for a 100 MiB document 320 → 224 MiB).
 */
class BinaryReadsTest {

  private static final TestDatabase DB = TestDatabase.shared();

  private static long preparedOnServer(Connection c) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_prepared_statements")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void readOnce(Jdbc jdbc, Connection c) throws Exception {
    try (PreparedStatement ps = jdbc.prepareRead(c, "SELECT ?::bytea AS b")) {
      ps.setBytes(1, new byte[] {1, 2, 3});
      try (ResultSet rs = jdbc.query(ps)) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBytes(1)).containsExactly(1, 2, 3);
      }
    }
  }

  @Test
  void aReadWithBinaryReadsIsServerPreparedAtItsFirstExecutionAndOneWithoutIsNot() throws Exception {
    DB.require();
    PGSimpleDataSource ds = TestDatabase.dataSource(
        System.getenv().getOrDefault("SESSIONKIT_TEST_POSTGRES_URL", TestDatabase.DEFAULT_URL), "sessionkit-test-binary");
    Jdbc plain = new Jdbc(ds, "test", 0, 0, () -> false, false);
    Jdbc binary = new Jdbc(ds, "test", 0, 0, () -> false, true);
    try (Connection c = ds.getConnection()) {
      readOnce(plain, c);
      assertThat(preparedOnServer(c)).as("after one plain read").isZero();
      readOnce(binary, c);
      assertThat(preparedOnServer(c)).as("after one binary read").isPositive();
    }
  }
}
