package org.sessionkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.mysql.Fixtures.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;

/** Rows written by hand or damaged: reported, never fatal to a listing, never hidden. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorruptRowsTest {

  private static final Instant T0 = Instant.parse("2025-05-05T05:05:05.000000005Z");

  private TestDatabase db;
  private MySqlSessionStorage store;
  private String sessions;
  private String messages;

  @BeforeAll
  void server() {
    db = TestDatabase.shared();
  }

  @BeforeEach
  void storeWithThreeSessions() {
    store = db.require().open();
    sessions = store.tableNames().sessions();
    messages = store.tableNames().messages();
    for (String id : List.of("a", "b", "c")) {
      await(store.save(Fixtures.session(id, T0, 3)));
    }
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @AfterAll
  void drop() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void anUnreadableStateFailsLoadNamingTheIdAndIsReportedByProblems() throws SQLException {
    db.execute("UPDATE " + sessions + " SET state = '{\"cwd\":' WHERE id = 'a'");
    assertThatThrownBy(() -> await(store.load("a")))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("sessions id a");
    assertThat(await(store.list())).hasSize(3);
    assertThat(await(store.problems())).singleElement()
        .satisfies(p -> assertThat(p.id()).contains("a"))
        .satisfies(p -> assertThat(p.reason()).contains("state"));
    assertThat(await(store.load("b")).messages()).hasSize(3);
  }

  @Test
  void anUnreadableOrMissingMessageFailsLoadAndSlicesAndIsReported() throws SQLException {
    db.execute("UPDATE " + messages + " SET body = X'00ff' WHERE session_id = 'b' AND position = 1",
        "DELETE FROM " + messages + " WHERE session_id = 'c' AND position = 2");
    assertThatThrownBy(() -> await(store.load("b")))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("sessions id b message 1");
    assertThatThrownBy(() -> await(store.load("c")))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("sessions id c").hasMessageContaining("3 messages");
    assertThatThrownBy(() -> await(store.loadTail("c", 2))).isInstanceOf(CorruptDocumentException.class);
    // A slice that does not reach the damage reads as usual.
    assertThat(await(store.loadBefore("c", 2, 2)).messages()).hasSize(2);
    assertThat(await(store.problems())).extracting(p -> p.id().orElseThrow()).containsExactlyInAnyOrder("b", "c");
  }

  @Test
  void anUnreadableWriteLogFailsOnlyKeyedWritesAndIsReported() throws SQLException {
    db.execute("UPDATE " + sessions + " SET write_log = 'no-space-here' WHERE id = 'a'");
    assertThatThrownBy(() -> await(store.append("a", Append.of(List.of(Message.user("x")),
        SessionState.initial("/"), T0).withIdempotencyKey(org.sessionkit.IdempotencyKey.of("k")))))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("write log");
    await(store.append("a", Append.of(List.of(Message.user("x")), SessionState.initial("/"), T0)));
    assertThat(await(store.problems())).singleElement().satisfies(p -> assertThat(p.id()).contains("a"));
  }

  @Test
  void rowsAListingCantSummariseAreReportedOnceWhilePagesStillHoldEveryGoodSession() throws SQLException {
    // Bad ids and instants interleaved with good rows in listing order.
    long t = T0.getEpochSecond();
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + sessions
        + " (id, revision, created_seconds, created_nanos, updated_seconds, updated_nanos, message_count, state,"
        + " write_log, written_at) VALUES (?, 'r', ?, 0, ?, ?, 0, '{}', '', 0)")) {
      Object[][] rows = {
          {new byte[] {'b', 'a', 'd', 1}, 0L, t + 10, 0},
          {new byte[] {(byte) 0xff, 'x'}, 0L, t + 7, 0},
          {new byte[0], 0L, t + 5, 0},
          {"far-future".getBytes(), 0L, 999999999999999L, 0},
          {"ancient".getBytes(), -99999999999L, t, 5},
          {".".getBytes(), 0L, t, 5}};
      for (Object[] r : rows) {
        ps.setBytes(1, (byte[]) r[0]);
        ps.setLong(2, (Long) r[1]);
        ps.setLong(3, (Long) r[2]);
        ps.setInt(4, (Integer) r[3]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("a", "b", "c");
    for (int limit = 1; limit <= 4; limit++) {
      List<String> ids = new ArrayList<>();
      List<ListingProblem> problems = new ArrayList<>();
      ListQuery q = ListQuery.firstPage().limit(limit);
      while (true) {
        SessionPage page = await(store.list(q));
        page.summaries().forEach(s -> ids.add(s.id()));
        problems.addAll(page.problems());
        if (page.nextCursor().isEmpty()) {
          break;
        }
        q = q.after(page.nextCursor().get());
      }
      assertThat(ids).as("limit %d", limit).containsExactly("a", "b", "c");
      assertThat(problems).as("limit %d", limit).hasSize(6);
      assertThat(problems.stream().map(ListingProblem::location).collect(Collectors.toSet())).hasSize(6);
    }
    List<ListingProblem> all = await(store.problems());
    assertThat(all).hasSize(6);
    assertThat(all).filteredOn(p -> p.id().isPresent()).extracting(p -> p.id().get())
        .containsExactlyInAnyOrder("far-future", "ancient");
    assertThatThrownBy(() -> await(store.load("far-future"))).isInstanceOf(CorruptDocumentException.class);
    assertThatThrownBy(() -> await(store.append("ancient", Append.of(List.of(), SessionState.initial("/"), T0))))
        .isInstanceOf(CorruptDocumentException.class);
    // A save replaces a corrupt row; a delete removes one.
    await(store.save(Fixtures.session("far-future", T0, 1)));
    assertThat(await(store.load("far-future"))).isEqualTo(Fixtures.session("far-future", T0, 1));
    await(store.delete("ancient"));
  }

  @Test
  void messageRowsBeyondTheCountFailAnAppendAsCorruptAndAreReported() throws SQLException {
    db.execute("INSERT INTO " + messages + " (session_id, position, body) VALUES ('a', 3, '{}'),"
        + " ('ghost', 0, '{}')");
    assertThatThrownBy(() -> await(store.append("a", Append.of(List.of(Message.user("x")),
        SessionState.initial("/"), T0)))).isInstanceOf(CorruptDocumentException.class).hasMessageContaining("a");
    assertThatThrownBy(() -> await(store.load("a"))).isInstanceOf(CorruptDocumentException.class);
    assertThat(await(store.problems())).extracting(ListingProblem::reason)
        .anySatisfy(r -> assertThat(r).contains("does not exist"))
        .anySatisfy(r -> assertThat(r).contains("message_count"));
    // A save writes the session whole again, dropping the surplus.
    await(store.save(Fixtures.session("a", T0, 2)));
    assertThat(await(store.load("a"))).isEqualTo(Fixtures.session("a", T0, 2));
    assertThat(await(store.list())).hasSize(3);
  }
}
