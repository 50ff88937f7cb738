package org.sessionkit.postgres;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.postgres.internal.Ids;
import org.sessionkit.postgres.internal.Sql;

/**
 * Listing over many sessions is an index range scan: the first page, a later page (keyset) and
 * an id-prefix page never read the whole table. Sessions: 100,000 by default,
 * {@code -Dsessionkit.test.scale=full} for 1,000,000.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingPlanTest {

  private static final System.Logger LOG = System.getLogger(ListingPlanTest.class.getName());
  private static final long BASE = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();

  private TestDatabase db;
  private PostgresSessionStorage store;
  private int sessions;

  @BeforeAll
  void server() {
    db = TestDatabase.shared();
  }

  /** Fills the table once, before the first test (after checking that the server answers). */
  @BeforeEach
  void manySessions() throws SQLException {
    db.require();
    if (store != null) {
      return;
    }
    sessions = "full".equals(System.getProperty("sessionkit.test.scale")) ? 1_000_000 : 100_000;
    store = db.open();
    byte[] state = SessionCodec.defaults().encodeState(SessionState.initial("/"));
    // Written server-side in one statement: 1,000 users with their sessions spread over time,
    // ten sessions per second so that ties on updated-at are common.
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.tableNames().sessions()
            + " (id, revision_nonce, written_at, created_seconds, created_nanos, updated_seconds,"
            + " updated_nanos, message_count, state)"
            + " SELECT 'user-' || (i % 1000) || '/s' || i, i, now(), ?, 0, ? + i / 10, (i % 10) * 1000, 0, ?"
            + " FROM generate_series(1, ?) AS i")) {
      ps.setLong(1, BASE);
      ps.setLong(2, BASE);
      ps.setBytes(3, state);
      ps.setInt(4, sessions);
      ps.executeUpdate();
    }
    db.execute("VACUUM ANALYZE " + store.tableNames().sessions());
  }

  @AfterAll
  void drop() throws SQLException {
    if (store != null) {
      store.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void theFirstPageIsAnIndexScanAndFast() throws SQLException {
    Sql.Query q = store.statements().list(noFilters(), Optional.empty(), 21, false);
    String plan = explain(q);
    assertThat(plan).contains("sessions_by_updated").doesNotContain("Seq Scan").doesNotContain("Sort");
    SessionPage page = Futures.await(store.list(ListQuery.firstPage().limit(20)), 30, SECONDS);
    assertThat(page.summaries()).hasSize(20);
    assertThat(page.summaries().get(0).id()).isEqualTo("user-" + (sessions % 1000) + "/s" + sessions);
    long[] micros = new long[9];
    for (int i = 0; i < micros.length; i++) {
      long start = System.nanoTime();
      Futures.await(store.list(ListQuery.firstPage().limit(20)), 30, SECONDS);
      micros[i] = (System.nanoTime() - start) / 1000;
    }
    java.util.Arrays.sort(micros);
    LOG.log(System.Logger.Level.INFO, "first page of 20 out of " + sessions + " sessions: median "
        + micros[micros.length / 2] + " µs (through the store, warm)");
  }

  @Test
  void aPageFarIntoTheListingIsTwoIndexRangeScans() throws SQLException {
    long middle = BASE + sessions / 20;
    Sql.Query q = store.statements().list(
        noFilters(), Optional.of(new Sql.Position(middle, 5000, "user-5/s5")), 21, false);
    String plan = explain(q);
    assertThat(plan).contains("Index Cond").doesNotContain("Seq Scan").doesNotContain("Filter");
    // Walk two pages from the middle through the store: keyset continues where it stopped.
    SessionPage first = Futures.await(store.list(ListQuery.firstPage().limit(1000)), 30, SECONDS);
    SessionPage second = Futures.await(
        store.list(ListQuery.firstPage().limit(1000).after(first.nextCursor().orElseThrow())), 30, SECONDS);
    assertThat(second.summaries()).hasSize(1000);
    assertThat(second.summaries().get(0).updatedAt())
        .isBeforeOrEqualTo(first.summaries().get(999).updatedAt());
  }

  @Test
  void anIdPrefixPageUsesAnIndex() throws SQLException {
    String prefix = "user-42/";
    Sql.Query q = store.statements().list(
        new Sql.Filters(Optional.of(prefix), Ids.successor(prefix), Optional.empty(), Optional.empty(),
            Instant.MIN),
        Optional.empty(), 21, false);
    String plan = explain(q);
    assertThat(plan).contains("Index").doesNotContain("Seq Scan");
    SessionPage page = Futures.await(store.list(ListQuery.withPrefix(prefix).limit(20)), 30, SECONDS);
    assertThat(page.summaries()).hasSize(20).allSatisfy(s -> assertThat(s.id()).startsWith(prefix));
  }

  private static Sql.Filters noFilters() {
    return new Sql.Filters(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Instant.MIN);
  }

  private String explain(Sql.Query q) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("EXPLAIN " + q.sql())) {
      int i = 1;
      for (Object p : q.parameters()) {
        ps.setObject(i++, p);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
    }
    LOG.log(System.Logger.Level.DEBUG, plan::toString);
    return plan.toString();
  }
}
