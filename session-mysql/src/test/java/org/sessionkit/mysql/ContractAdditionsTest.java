package org.sessionkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sessionkit.mysql.Fixtures.await;
import static org.sessionkit.mysql.Fixtures.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;
import org.sessionkit.mysql.internal.Ids;

/**
 * The operations added to the contract on 2026-12-06, done natively by this store: idempotency
 * keys, slices, bulk delete, custom keys in summaries, ping and kind, retention.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContractAdditionsTest {

  private static final Instant T0 = Instant.parse("2025-04-01T08:00:00.5Z");

  private TestDatabase db;
  private final List<SessionStorage> opened = new ArrayList<>();

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
    opened.forEach(SessionStorage::close);
    opened.clear();
  }

  @AfterAll
  void dropDatabase() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  private MySqlSessionStorage open() {
    MySqlSessionStorage s = db.open();
    opened.add(s);
    return s;
  }

  // ---------------------------------------------------------------- idempotency keys

  @Test
  void aRetriedKeyedWriteAppliesNothingAndCompletesWithTheFirstRevision() {
    MySqlSessionStorage store = open();
    IdempotencyKey create = IdempotencyKey.of("create-1");
    Revision r1 = await(store.create(session("k", T0, 1), create));
    assertThat(await(store.create(session("k", T0, 1), create))).isEqualTo(r1);

    Append turn = Append.of(List.of(Message.user("turn")), session("k", T0, 0).state(), T0.plusSeconds(1))
        .ifRevision(r1).withIdempotencyKey(IdempotencyKey.of("turn-1"));
    Revision r2 = await(store.append("k", turn));
    // The retry's expected revision is stale now, but the key is checked first.
    assertThat(await(store.append("k", turn))).isEqualTo(r2);
    assertThat(await(store.load("k")).messages()).hasSize(2);

    IdempotencyKey saveKey = IdempotencyKey.of("save-1");
    Revision r3 = await(store.saveIf(session("k", T0.plusSeconds(2), 5), r2, saveKey));
    assertThat(await(store.saveIf(session("k", T0.plusSeconds(2), 5), r2, saveKey))).isEqualTo(r3);

    AtomicInteger calls = new AtomicInteger();
    IdempotencyKey updateKey = IdempotencyKey.of("update-1");
    Revision r4 = await(store.update("k", s -> {
      calls.incrementAndGet();
      return s.withMessage(Message.user("updated"));
    }, updateKey));
    Revision again = await(store.update("k", s -> {
      calls.incrementAndGet();
      return s.withMessage(Message.user("updated"));
    }, updateKey));
    assertThat(again).isEqualTo(r4);
    assertThat(calls.get()).isEqualTo(1);
    VersionedSession end = await(store.loadVersioned("k"));
    assertThat(end.revision()).isEqualTo(r4);
    assertThat(end.session().messages()).hasSize(6);
    // A plain write keeps the log; a delete drops it.
    await(store.save(end.session()));
    assertThat(await(store.append("k", turn))).isEqualTo(r2);
    await(store.delete("k"));
    Revision fresh = await(store.create(session("k", T0, 1), create));
    assertThat(fresh).isNotEqualTo(r1);
  }

  @Test
  void aKeyedWriteWhoseKeyIsUnknownStillChecksItsCondition() {
    MySqlSessionStorage store = open();
    Revision r1 = await(store.save(session("c", T0, 1)));
    await(store.save(session("c", T0, 2)));
    assertThatThrownBy(() -> await(store.saveIf(session("c", T0, 3), r1, IdempotencyKey.of("new"))))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.create(session("c", T0, 3), IdempotencyKey.of("new2"))))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.append("missing", Append.of(List.of(), session("c", T0, 0).state(), T0)
        .withIdempotencyKey(IdempotencyKey.of("k"))))).isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.load("c")).messages()).hasSize(2);
  }

  @Test
  void concurrentCallsWithOneKeyApplyOnceAndAllCompleteWithTheSameRevision() {
    MySqlSessionStorage store = open();
    MySqlSessionStorage other = MySqlSessionStorage.open(db.storeUrl(store.tableNames().prefix(), ""));
    opened.add(other);
    await(store.save(session("race", T0, 0)));
    for (int round = 0; round < 10; round++) {
      IdempotencyKey key = IdempotencyKey.of("round-" + round);
      Append turn = Append.of(List.of(Message.user("r" + round)), session("race", T0, 0).state(), T0)
          .withIdempotencyKey(key);
      List<CompletableFuture<Revision>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add((i % 2 == 0 ? store : other).append("race", turn));
      }
      Set<Revision> revisions = calls.stream().map(Fixtures::await).collect(Collectors.toSet());
      assertThat(revisions).hasSize(1);
    }
    assertThat(await(store.load("race")).messages()).extracting(m -> m.content().get(0).toString())
        .hasSize(10);
  }

  @Test
  void theLogKeepsTheLastSixteenKeys() {
    MySqlSessionStorage store = open();
    await(store.save(session("log", T0, 0)));
    List<Revision> revisions = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      revisions.add(await(store.append("log", Append.of(List.of(Message.user("m" + i)),
          session("log", T0, 0).state(), T0).withIdempotencyKey(IdempotencyKey.of("k" + i)))));
    }
    // k0 is forgotten (applied again); k1..k16 are remembered.
    assertThat(await(store.append("log", Append.of(List.of(Message.user("m1")), session("log", T0, 0).state(), T0)
        .withIdempotencyKey(IdempotencyKey.of("k1"))))).isEqualTo(revisions.get(1));
    assertThat(await(store.append("log", Append.of(List.of(Message.user("m0")), session("log", T0, 0).state(), T0)
        .withIdempotencyKey(IdempotencyKey.of("k0"))))).isNotEqualTo(revisions.get(0));
    assertThat(await(store.load("log")).messages()).hasSize(18);
  }

  // ---------------------------------------------------------------- slices

  @Test
  void slicesReadTheirRangeWithTheStateAndRevisionOfOneVersion() {
    MySqlSessionStorage store = open();
    Session s = session("sl", T0, 25);
    Revision r = await(store.save(s));
    SessionSlice tail = await(store.loadTail("sl", 10));
    assertThat(tail.messages()).isEqualTo(s.messages().subList(15, 25));
    assertThat(tail.firstIndex()).isEqualTo(15);
    assertThat(tail.totalMessages()).isEqualTo(25);
    assertThat(tail.revision()).isEqualTo(r);
    assertThat(tail.state()).isEqualTo(s.state());
    assertThat(tail.createdAt()).isEqualTo(s.createdAt());
    assertThat(tail.updatedAt()).isEqualTo(s.updatedAt());
    SessionSlice before = await(store.loadBefore("sl", 15, 10));
    assertThat(before.messages()).isEqualTo(s.messages().subList(5, 15));
    assertThat(before.firstIndex()).isEqualTo(5);
    SessionSlice first = await(store.loadBefore("sl", 5, 10));
    assertThat(first.messages()).isEqualTo(s.messages().subList(0, 5));
    assertThat(first.hasOlder()).isFalse();
    assertThat(await(store.loadTail("sl", 100)).messages()).isEqualTo(s.messages());
    assertThat(await(store.loadBefore("sl", 1000, 3)).messages()).isEqualTo(s.messages().subList(22, 25));
    SessionSlice none = await(store.loadTail("sl", 0));
    assertThat(none.messages()).isEmpty();
    assertThat(none.firstIndex()).isEqualTo(25);
    assertThat(none.state()).isEqualTo(s.state());
    await(store.save(session("empty", T0, 0)));
    assertThat(await(store.loadTail("empty", 5)).messages()).isEmpty();
    assertThatThrownBy(() -> await(store.loadTail("nothing", 5))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void aSliceReadsOnlyItsRowsOfALongSession() throws SQLException {
    MySqlSessionStorage store = open();
    await(store.save(session("long", T0, 3000)));
    String plan = explainSlice(store, "long");
    assertThat(plan).contains("range").doesNotContain("ALL").doesNotContain("filesort");
    assertThat(await(store.loadTail("long", 20)).messages()).hasSize(20);
  }

  private String explainSlice(MySqlSessionStorage store, String id) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("EXPLAIN " + store.statements().slice)) {
      int i = 1;
      ps.setLong(i++, Long.MAX_VALUE);
      ps.setInt(i++, 20);
      ps.setLong(i++, Long.MAX_VALUE);
      ps.setInt(i++, 20);
      ps.setLong(i++, Long.MAX_VALUE);
      ps.setBytes(i++, Ids.bytes(id));
      ps.setLong(i, Long.MIN_VALUE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.append(rs.getString("table")).append(' ').append(rs.getString("type")).append(' ')
              .append(rs.getString("rows")).append(' ').append(rs.getString("Extra")).append('\n');
        }
      }
    }
    return out.toString();
  }

  // ---------------------------------------------------------------- bulk delete

  @Test
  void deleteMatchingDeletesExactlyTheSelectedSessions() {
    MySqlSessionStorage store = open();
    for (int i = 0; i < 1200; i++) {
      await(store.save(session((i % 3 == 0 ? "user-1/" : "user-2/") + i, T0.plusSeconds(i), i % 3)));
    }
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix("user-1/").andUpdatedBefore(T0.plusSeconds(600)))))
        .isEqualTo(200L);
    assertThat(await(store.list(ListQuery.withPrefix("user-1/").limit(1000))).summaries())
        .hasSize(200).allSatisfy(s -> assertThat(s.updatedAt()).isAfterOrEqualTo(T0.plusSeconds(600)));
    assertThat(await(store.deleteMatching(DeleteFilter.all()))).isEqualTo(1000L);
    assertThat(await(store.list())).isEmpty();
  }

  @Test
  void aSessionWrittenWhileABulkDeleteWaitsForItStays() throws Exception {
    MySqlSessionStorage store = open();
    await(store.save(session("doomed/a", T0, 1)));
    await(store.save(session("doomed/b", T0, 1)));
    Revision newer;
    try (Connection admin = db.connect()) {
      admin.setAutoCommit(false);
      try (PreparedStatement lock = admin.prepareStatement(
          "SELECT id FROM " + store.tableNames().sessions() + " WHERE id = ? FOR UPDATE")) {
        lock.setBytes(1, Ids.bytes("doomed/b"));
        lock.executeQuery().close();
      }
      CompletableFuture<Long> deleting = store.deleteMatching(DeleteFilter.idPrefix("doomed/"));
      Thread.sleep(500);
      assertThat(deleting).isNotDone();
      // Another writer changes b (its revision) while the bulk delete waits for the row.
      newer = Revision.of("written-meanwhile");
      try (PreparedStatement ps = admin.prepareStatement(
          "UPDATE " + store.tableNames().sessions() + " SET revision = ? WHERE id = ?")) {
        ps.setBytes(1, newer.value().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ps.setBytes(2, Ids.bytes("doomed/b"));
        ps.executeUpdate();
      }
      admin.commit();
      assertThat(await(deleting)).isEqualTo(1L);
    }
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("doomed/b");
    assertThat(await(store.loadVersioned("doomed/b")).revision()).isEqualTo(newer);
  }

  // ---------------------------------------------------------------- summaries, ping, kind

  @Test
  void summariesCarryTheChosenCustomKeys() {
    MySqlSessionStorage store = open();
    Session s = session("c", T0, 3).withState(st -> st.withCustom(Map.of(
        "title", JsonValue.of("Trip"), "pinned", JsonValue.TRUE, "other", JsonValue.of(3))));
    await(store.save(s));
    await(store.save(session("plain", T0, 1)));
    List<SessionSummary> page = await(store.list(ListQuery.firstPage().withCustomKeys("title", "pinned")))
        .summaries();
    assertThat(page).extracting(SessionSummary::id).containsExactly("c", "plain");
    assertThat(page.get(0).custom()).isEqualTo(Map.of("title", JsonValue.of("Trip"), "pinned", JsonValue.TRUE));
    assertThat(page.get(1).custom()).isEmpty();
    assertThat(await(store.list(ListQuery.firstPage())).summaries().get(0).custom()).isEmpty();
  }

  @Test
  void pingAnswersAndTheKindIsMysql() {
    MySqlSessionStorage store = open();
    await(store.ping());
    assertThat(store.kind()).isEqualTo("mysql");
  }

  // ---------------------------------------------------------------- retention

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    MovableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private MySqlSessionStorage withRetention(String prefix, MovableClock clock) {
    MySqlSessionStorage s = MySqlSessionStorage.builder(db.storeUrl(prefix, "retention=P30D")).clock(clock).build();
    opened.add(s);
    return s;
  }

  @Test
  void anExpiredSessionIsAbsentForEveryOperationAtOnce() {
    MovableClock clock = new MovableClock(Instant.parse("2030-01-01T00:00:00Z"));
    MySqlSessionStorage store = withRetention(db.newPrefix(), clock);
    // updated_at far in the past: retention counts from the write, not from it.
    Session old = session("old", Instant.parse("2001-01-01T00:00:00Z"), 3);
    Revision r = await(store.save(old));
    await(store.save(session("young", T0, 1)));
    clock.advance(Duration.ofDays(29));
    assertThat(await(store.load("old"))).isEqualTo(old);
    await(store.append("young", Append.of(List.of(Message.user("more")), old.state(), T0)));
    clock.advance(Duration.ofDays(2));
    assertThatThrownBy(() -> await(store.load("old"))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.loadTail("old", 2))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.append("old", Append.of(List.of(), old.state(), T0))))
        .isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.update("old", s -> s))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.delete("old"))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.saveIf(old, r))).isInstanceOf(RevisionConflictException.class);
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("young");
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix("old")))).isZero();
    // Absent means a create succeeds, and with a fresh write log.
    Revision again = await(store.create(session("old", T0, 1)));
    assertThat(again).isNotEqualTo(r);
    assertThat(await(store.load("old"))).isEqualTo(session("old", T0, 1));
  }

  @Test
  void sweepsRemoveExpiredRowsAndKeepWhatWasWrittenSince() throws SQLException {
    MovableClock clock = new MovableClock(Instant.parse("2030-01-01T00:00:00Z"));
    String prefix = db.newPrefix();
    MySqlSessionStorage store = withRetention(prefix, clock);
    for (int i = 0; i < 30; i++) {
      await(store.save(session("s" + i, T0, 2)));
    }
    clock.advance(Duration.ofDays(20));
    await(store.save(session("s0", T0, 2)));
    clock.advance(Duration.ofDays(11));
    assertThat(await(store.sweepExpired())).isEqualTo(29);
    assertThat(rows(store)).isEqualTo(1);
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("s0");
    // Sweeps also run by themselves after writes.
    clock.advance(Duration.ofDays(31));
    for (int i = 0; i < 3; i++) {
      await(store.save(session("new" + i, T0, 1)));
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (rows(store) > 3 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(rows(store)).isEqualTo(3);
  }

  private int rows(MySqlSessionStorage store) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT (SELECT COUNT(*) FROM " + store.tableNames().sessions()
            + ") + (SELECT COUNT(*) FROM " + store.tableNames().messages() + " m WHERE NOT EXISTS (SELECT 1 FROM "
            + store.tableNames().sessions() + " s WHERE s.id = m.session_id))");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void retentionIsAnOptionOfTheUri() {
    assertThatThrownBy(() -> MySqlSessionStorage.open(db.storeUrl(db.newPrefix(), "retention=soon")))
        .isInstanceOf(org.sessionkit.StorageConfigurationException.class).hasMessageContaining("retention");
  }
}
