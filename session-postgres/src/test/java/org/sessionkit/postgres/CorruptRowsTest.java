package org.sessionkit.postgres;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionSummary;

/** Rows written by hand or damaged: reported, never fatal to a listing, never hidden. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorruptRowsTest {

  private static final Instant T0 = Instant.parse("2025-05-05T05:05:05.000000005Z");

  private TestDatabase db;
  private PostgresSessionStorage store;
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
      await(store.save(PostgresSessionStorageTest.session(id, T0, 3)));
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

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  @Test
  void anUnreadableStateFailsLoadNamingTheIdAndIsReportedByProblems() throws SQLException {
    db.execute("UPDATE " + sessions + " SET state = '\\x7b22637764223a' WHERE id = 'a'");
    assertThatThrownBy(() -> await(store.load("a")))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("sessions id a");
    assertThat(await(store.list())).hasSize(3);
    assertThat(await(store.problems())).singleElement()
        .satisfies(p -> assertThat(p.id()).contains("a"))
        .satisfies(p -> assertThat(p.reason()).contains("state"));
    assertThat(await(store.load("b")).messages()).hasSize(3);
  }

  @Test
  void anUnreadableOrMissingMessageFailsLoadAndIsReported() throws SQLException {
    db.execute("UPDATE " + messages + " SET body = '\\x00ff' WHERE session_id = 'b' AND position = 1",
        "DELETE FROM " + messages + " WHERE session_id = 'c' AND position = 2");
    assertThatThrownBy(() -> await(store.load("b")))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("sessions id b message 1");
    assertThatThrownBy(() -> await(store.load("c")))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("sessions id c").hasMessageContaining("3 messages");
    assertThat(await(store.problems())).extracting(p -> p.id().orElseThrow()).containsExactlyInAnyOrder("b", "c");
  }

  @Test
  void rowsAListingCantSummariseAreReportedOnceWhilePagesStillHoldEveryGoodSession() throws SQLException {
    // Bad ids and instants interleaved with good rows in listing order.
    db.execute(
        "INSERT INTO " + sessions + " (id, created_seconds, created_nanos, updated_seconds, updated_nanos,"
            + " message_count, state, revision_nonce, written_at) SELECT *, 7, now() FROM (VALUES"
            + " (E'bad\\x01id', 0, 0, " + (T0.getEpochSecond() + 10) + ", 0, 0, '\\x7b7d'::bytea),"
            + " ('', 0, 0, " + (T0.getEpochSecond() + 5) + ", 0, 0, '\\x7b7d'),"
            + " ('far-future', 0, 0, 999999999999999, 0, 0, '\\x7b7d'),"
            + " ('ancient', -99999999999, 0, " + T0.getEpochSecond() + ", 5, 0, '\\x7b7d'),"
            + " ('.', 0, 0, " + T0.getEpochSecond() + ", 5, 0, '\\x7b7d')) v");
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
      assertThat(problems).as("limit %d", limit).hasSize(5);
      assertThat(problems.stream().map(ListingProblem::location).collect(Collectors.toSet())).hasSize(5);
    }
    List<ListingProblem> all = await(store.problems());
    assertThat(all).hasSize(5);
    assertThat(all).filteredOn(p -> p.id().isPresent()).extracting(p -> p.id().get())
        .containsExactlyInAnyOrder("far-future", "ancient");
    assertThatThrownBy(() -> await(store.load("far-future"))).isInstanceOf(CorruptDocumentException.class);
  }

  @Test
  void messageRowsOfNoSessionAreReportedAndBlockACreateOfThatIdWithACorruptError() throws SQLException {
    db.execute("INSERT INTO " + messages + " (session_id, position, body) VALUES ('ghost', 0, '\\x7b7d')");
    assertThat(await(store.problems())).singleElement()
        .satisfies(p -> assertThat(p.id()).contains("ghost"))
        .satisfies(p -> assertThat(p.reason()).contains("does not exist"));
    assertThatThrownBy(() -> await(store.create(PostgresSessionStorageTest.session("ghost", T0, 1))))
        .isInstanceOf(CorruptDocumentException.class).hasMessageContaining("ghost");
    assertThat(await(store.list())).hasSize(3);
  }
}
