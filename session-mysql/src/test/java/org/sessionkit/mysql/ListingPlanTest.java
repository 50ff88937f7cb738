package org.sessionkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sessionkit.mysql.Fixtures.await;

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
import org.sessionkit.ListQuery;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.mysql.internal.Ids;
import org.sessionkit.mysql.internal.Sql;
import org.sessionkit.spi.SessionCodec;

/**
 * Listing over many sessions is an index range scan: the first page, a later page (keyset), a
 * page with time bounds and an id-prefix page never read the whole table nor sort it. Sessions:
 * 100,000 by default, {@code -Dsessionkit.test.scale=full} for 1,000,000.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingPlanTest {

  private static final System.Logger LOG = System.getLogger(ListingPlanTest.class.getName());
  private static final long BASE = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();
  private static final String DIGITS = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3"
      + " UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8"
      + " UNION ALL SELECT 9)";

  private TestDatabase db;
  private MySqlSessionStorage store;
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
    boolean full = "full".equals(System.getProperty("sessionkit.test.scale"));
    sessions = full ? 1_000_000 : 100_000;
    store = db.open();
    byte[] state = SessionCodec.defaults().encodeState(SessionState.initial("/"));
    // Written server-side in one statement: 1,000 users with their sessions spread over time,
    // ten sessions per second so that ties on updated-at are common.
    StringBuilder numbers = new StringBuilder("SELECT d0.d");
    StringBuilder from = new StringBuilder(" FROM " + DIGITS + " d0");
    int places = full ? 6 : 5;
    for (int p = 1; p < places; p++) {
      numbers.append(" + ").append((long) Math.pow(10, p)).append(" * d").append(p).append(".d");
      from.append(" CROSS JOIN ").append(DIGITS).append(" d").append(p);
    }
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.tableNames().sessions()
            + " (id, revision, created_seconds, created_nanos, updated_seconds, updated_nanos, message_count,"
            + " state, write_log, written_at)"
            + " SELECT CONCAT('user-', i MOD 1000, '/s', i), 'r', ?, 0, ? + i DIV 10, (i MOD 10) * 1000, 0, ?, '', 0"
            + " FROM (SELECT n + 1 AS i FROM (" + numbers + " AS n" + from + ") nums) seq")) {
      ps.setLong(1, BASE);
      ps.setLong(2, BASE);
      ps.setBytes(3, state);
      ps.executeUpdate();
    }
    db.execute("ANALYZE TABLE " + store.tableNames().sessions());
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

  private static Sql.Filters noFilters() {
    return new Sql.Filters(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Long.MIN_VALUE);
  }

  @Test
  void theFirstPageIsAnIndexScanInListingOrder() throws SQLException {
    String plan = explain(store.statements().list(noFilters(), Optional.empty(), 21, false));
    assertThat(plan).contains("sessions_by_updated").doesNotContain("filesort").doesNotContain(" ALL ");
    SessionPage page = await(store.list(ListQuery.firstPage().limit(20)));
    assertThat(page.summaries()).hasSize(20);
    assertThat(page.summaries().get(0).id()).isEqualTo("user-" + (sessions % 1000) + "/s" + sessions);
    long[] micros = new long[9];
    for (int i = 0; i < micros.length; i++) {
      long start = System.nanoTime();
      await(store.list(ListQuery.firstPage().limit(20)));
      micros[i] = (System.nanoTime() - start) / 1000;
    }
    java.util.Arrays.sort(micros);
    LOG.log(System.Logger.Level.INFO, "first page of 20 out of " + sessions + " sessions: median "
        + micros[micros.length / 2] + " µs (through the store, warm)");
  }

  @Test
  void aPageFarIntoTheListingIsARangeScanOfTheListingIndex() throws SQLException {
    long middle = BASE + sessions / 20;
    String plan = explain(store.statements().list(
        noFilters(), Optional.of(new Sql.Position(middle, 5000, Ids.bytes("user-5/s5"))), 21, false));
    assertThat(plan).contains("range").contains("sessions_by_updated").doesNotContain("filesort");
    SessionPage first = await(store.list(ListQuery.firstPage().limit(1000)));
    SessionPage second = await(store.list(ListQuery.firstPage().limit(1000).after(first.nextCursor().orElseThrow())));
    assertThat(second.summaries()).hasSize(1000);
    assertThat(second.summaries().get(0).updatedAt()).isBeforeOrEqualTo(first.summaries().get(999).updatedAt());
  }

  @Test
  void timeBoundsAreRangesOfTheListingIndex() throws SQLException {
    Instant before = Instant.ofEpochSecond(BASE + sessions / 20, 5000);
    Instant after = Instant.ofEpochSecond(BASE + sessions / 40);
    String plan = explain(store.statements().list(new Sql.Filters(Optional.empty(), Optional.empty(),
        Optional.of(before), Optional.of(after), Long.MIN_VALUE), Optional.empty(), 21, false));
    assertThat(plan).contains("range").contains("sessions_by_updated").doesNotContain("filesort");
    SessionPage page = await(store.list(ListQuery.firstPage().limit(20).updatedBefore(before).updatedAfter(after)));
    assertThat(page.summaries()).hasSize(20).allSatisfy(s -> assertThat(s.updatedAt()).isBefore(before).isAfter(after));
  }

  @Test
  void anIdPrefixPageIsARangeOfAnIndex() throws SQLException {
    String prefix = "user-42/";
    byte[] low = Ids.bytes(prefix);
    String plan = explain(store.statements().list(new Sql.Filters(Optional.of(low), Optional.of(Ids.successor(low)),
        Optional.empty(), Optional.empty(), Long.MIN_VALUE), Optional.empty(), 21, false));
    assertThat(plan).contains("range").doesNotContain(" ALL ");
    SessionPage page = await(store.list(ListQuery.withPrefix(prefix).limit(20)));
    assertThat(page.summaries()).hasSize(20).allSatisfy(s -> assertThat(s.id()).startsWith(prefix));
  }

  /** EXPLAIN's rows as "table type key rows Extra" lines. */
  private String explain(Sql.Query q) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("EXPLAIN " + q.sql())) {
      int i = 1;
      for (Object p : q.parameters()) {
        ps.setObject(i++, p);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString("table")).append(' ').append(rs.getString("type")).append(' ')
              .append(rs.getString("key")).append(' ').append(rs.getString("rows")).append(' ')
              .append(rs.getString("Extra")).append('\n');
        }
      }
    }
    LOG.log(System.Logger.Level.INFO, () -> "plan of " + q.sql() + ":\n" + plan);
    return plan.toString();
  }
}
