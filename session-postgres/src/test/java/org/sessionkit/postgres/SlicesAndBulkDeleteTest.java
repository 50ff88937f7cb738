package org.sessionkit.postgres;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.Append;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.ContentBlock;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageUnavailableException;

/**
 * Slices read as an index range of message positions in one statement; summaries carry custom
 * keys from the session row; {@code deleteMatching} deletes a page per statement and spares a
 * session written meanwhile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlicesAndBulkDeleteTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private TestDatabase db;
  private final List<PostgresSessionStorage> opened = new ArrayList<>();

  @BeforeAll
  void server() {
    db = TestDatabase.shared();
  }

  @BeforeEach
  void requireServer() {
    db.require();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(PostgresSessionStorage::close);
    opened.clear();
  }

  @AfterAll
  void dropSchemas() throws SQLException {
    db.close();
  }

  private PostgresSessionStorage open() {
    PostgresSessionStorage s = db.open();
    opened.add(s);
    return s;
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(m -> ((ContentBlock.Text) m.content().get(0)).text()).collect(Collectors.toList());
  }

  @Test
  void tailAndBeforeReadTheRequestedRangeWithTheStateAndRevisionOfOneVersion() {
    PostgresSessionStorage store = open();
    Session s = PostgresSessionStorageTest.session("t", T0, 10);
    org.sessionkit.Revision r = await(store.save(s));
    SessionSlice tail = await(store.loadTail("t", 3));
    assertThat(texts(tail.messages())).containsExactly("answer 7", "question 8", "answer 9");
    assertThat(tail.firstIndex()).isEqualTo(7);
    assertThat(tail.totalMessages()).isEqualTo(10);
    assertThat(tail.revision()).isEqualTo(r);
    assertThat(tail.state()).isEqualTo(s.state());
    assertThat(tail.createdAt()).isEqualTo(s.createdAt());
    assertThat(tail.updatedAt()).isEqualTo(s.updatedAt());
    SessionSlice older = await(store.loadBefore("t", tail.firstIndex(), 5));
    assertThat(texts(older.messages())).containsExactly("question 2", "answer 3", "question 4", "answer 5", "question 6");
    assertThat(older.firstIndex()).isEqualTo(2);
    assertThat(texts(await(store.loadBefore("t", 2, 5)).messages())).containsExactly("question 0", "answer 1");
    assertThat(await(store.loadBefore("t", 0, 5)).messages()).isEmpty();
    assertThat(texts(await(store.loadBefore("t", 1000, 1)).messages())).containsExactly("answer 9");
    assertThat(await(store.loadTail("t", 0)).messages()).isEmpty();
    assertThat(await(store.loadTail("t", 0)).firstIndex()).isEqualTo(10);
    assertThat(await(store.loadTail("t", 50)).messages()).hasSize(10);
    await(store.append("t", Append.of(List.of(Message.user("q10")), s.state(), T0.plusSeconds(1))));
    SessionSlice after = await(store.loadTail("t", 2));
    assertThat(texts(after.messages())).containsExactly("answer 9", "q10");
    assertThat(after.revision()).isEqualTo(await(store.loadVersioned("t")).revision());
    assertThat(catchThrowable(() -> await(store.loadTail("missing", 1)))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void aSliceIsOneStatementThatReadsOnlyItsIndexRange() throws SQLException {
    PostgresSessionStorage store = open();
    String plan;
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + store.statements().slice)) {
      Session big = PostgresSessionStorageTest.session("big", T0, 2000);
      await(store.save(big));
      ps.setNull(1, java.sql.Types.INTEGER);
      ps.setString(2, "big");
      ps.setObject(3, java.time.OffsetDateTime.MIN);
      ps.setString(4, "big");
      ps.setInt(5, 20);
      StringBuilder b = new StringBuilder();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          b.append(rs.getString(1)).append('\n');
        }
      }
      plan = b.toString();
    }
    assertThat(plan).contains("messages_pkey").doesNotContain("Seq Scan");
    // The messages part reads 20 rows, not 2,000.
    assertThat(plan).containsPattern("Index Scan using \\S*messages_pkey on \\S+ x \\(actual rows=20 loops=1\\)")
        .contains("\"position\" >=").contains("\"position\" <");
  }

  @Test
  void summariesCarryTheChosenCustomKeys() {
    PostgresSessionStorage store = open();
    SessionState state = SessionState.initial("/w").withCustom(Map.of(
        "title", JsonValue.of("Trip to Lisbon"), "pinned", JsonValue.TRUE, "n", JsonValue.of(3)));
    await(store.save(PostgresSessionStorageTest.session("c", T0, 3).withState(state)));
    await(store.save(PostgresSessionStorageTest.session("plain", T0.minusSeconds(1), 1)));
    List<SessionSummary> page = await(store.list(ListQuery.firstPage().withCustomKeys("title", "n", "absent"))).summaries();
    assertThat(page).extracting(SessionSummary::id).containsExactly("c", "plain");
    assertThat(page.get(0).custom()).isEqualTo(Map.of("title", JsonValue.of("Trip to Lisbon"), "n", JsonValue.of(3)));
    assertThat(page.get(1).custom()).isEmpty();
    assertThat(await(store.list(ListQuery.firstPage())).summaries().get(0).custom()).isEmpty();
  }

  @Test
  void deleteMatchingDeletesPageByPageWithTheirMessagesAndCountsThem() throws SQLException {
    PostgresSessionStorage store = open();
    int n = PostgresSessionStorage.DELETE_PAGE + 7;
    // Many sessions written server-side, then a few through the store.
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("INSERT INTO " + store.tableNames().sessions()
            + " (id, revision_nonce, written_at, created_seconds, created_nanos, updated_seconds,"
            + " updated_nanos, message_count, state) SELECT 'user-1/' || i, i, now(), ?, 0, ?, 0, 0, ?"
            + " FROM generate_series(1, ?) AS i")) {
      ps.setLong(1, T0.getEpochSecond());
      ps.setLong(2, T0.getEpochSecond());
      ps.setBytes(3, org.sessionkit.spi.SessionCodec.defaults().encodeState(SessionState.initial("/")));
      ps.setInt(4, n);
      ps.executeUpdate();
    }
    await(store.save(PostgresSessionStorageTest.session("user-1/zz", T0, 4)));
    await(store.save(PostgresSessionStorageTest.session("user-10/a", T0, 2)));
    await(store.save(PostgresSessionStorageTest.session("user-2/a", T0.minusSeconds(3600), 2)));
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix("user-1/")))).isEqualTo(n + 1);
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactlyInAnyOrder("user-10/a", "user-2/a");
    assertThat(await(store.deleteMatching(DeleteFilter.updatedBefore(T0.minusSeconds(60))))).isEqualTo(1);
    assertThat(await(store.deleteMatching(DeleteFilter.all()))).isEqualTo(1);
    try (Connection c = db.connect(); java.sql.Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + store.tableNames().messages())) {
      rs.next();
      assertThat(rs.getLong(1)).as("message rows left").isZero();
    }
  }

  @Test
  void aSessionWrittenWhileItsPageIsDeletedStays() throws Exception {
    PostgresSessionStorage store = open();
    for (int i = 0; i < 3; i++) {
      await(store.save(PostgresSessionStorageTest.session("p/" + i, T0, 2)));
    }
    try (Connection writer = db.connect()) {
      writer.setAutoCommit(false);
      try (java.sql.Statement s = writer.createStatement()) {
        s.executeUpdate("UPDATE " + store.tableNames().sessions() + " SET revision = nextval('"
            + store.tableNames().revisions() + "'), message_count = 2 WHERE id = 'p/1'");
      }
      CompletableFuture<Long> sweep = store.deleteMatching(DeleteFilter.idPrefix("p/"));
      long deadline = System.nanoTime() + SECONDS.toNanos(20);
      boolean blocked = false;
      try (Connection c = db.connect();
          PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE"
              + " application_name = 'sessionkit' AND wait_event_type = 'Lock' AND query LIKE ?")) {
        ps.setString(1, "%" + store.tableNames().schema() + "%");
        while (!blocked && System.nanoTime() < deadline) {
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            blocked = rs.getLong(1) > 0;
          }
          Thread.sleep(20);
        }
      }
      assertThat(blocked).as("the bulk delete waited for the written row").isTrue();
      writer.commit();
      assertThat(await(sweep)).isEqualTo(2);
    }
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("p/1");
    assertThat(await(store.load("p/1")).messages()).hasSize(2);
  }

  @Test
  void aBulkDeleteThatFailsPartWaySaysHowManyItDeleted() throws Exception {
    DroppingProxy proxy = new DroppingProxy(db.host(), db.port());
    try (proxy; PostgresSessionStorage store = PostgresSessionStorage.open(
        db.storeUrlVia(proxy.port(), db.newSchema(), "poolSize=1&connectTimeout=500ms"))) {
      for (int i = 0; i < PostgresSessionStorage.DELETE_PAGE + 3; i++) {
        await(store.create(new Session("b/" + String.format("%04d", i), List.of(), SessionState.initial("/"), T0, T0)));
      }
      // The second page's statement names the last id of the first page: lose its answer.
      proxy.dropReplyTo(String.format("b/%04d", PostgresSessionStorage.DELETE_PAGE - 1));
      Throwable t = catchThrowable(() -> await(store.deleteMatching(DeleteFilter.idPrefix("b/"))));
      assertThat(t).isInstanceOf(BulkDeleteException.class);
      assertThat(((BulkDeleteException) t).deleted()).isEqualTo(PostgresSessionStorage.DELETE_PAGE);
      assertThat(t.getCause()).isInstanceOf(StorageUnavailableException.class);
    }
  }
}
