package org.sessionkit.postgres;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageConfigurationException;

/**
 * Retention in PostgreSQL: {@code written_at} is stamped by the store's clock on every write;
 * a session written longer ago than the retention period is absent for every operation at once,
 * and sweeps remove it, re-checking its write time so that a session written meanwhile stays.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration DAYS_30 = Duration.ofDays(30);

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

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

  private PostgresSessionStorage open(String schema, Clock clock) {
    PostgresSessionStorage s = PostgresSessionStorage.builder(db.storeUrl(schema, "retention=P30D"))
        .clock(clock).build();
    opened.add(s);
    return s;
  }

  /** Opens a store whose work, background sweeps included, runs on the calling thread. */
  private PostgresSessionStorage openRunningOnTheCaller(String schema, Clock clock) {
    PostgresSessionStorage s = PostgresSessionStorage.builder(db.storeUrl(schema, "retention=P30D"))
        .clock(clock).executor(Runnable::run).build();
    opened.add(s);
    return s;
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  private long rows(PostgresSessionStorage store, String table) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Append turn(String text) {
    return Append.of(List.of(Message.user(text)), SessionState.initial("/w"), T0);
  }

  @Test
  void theOptionIsAnIsoDurationAndAnUnknownPoolerIsRefused() {
    assertThat(catchThrowable(() -> PostgresSessionStorage.open(db.storeUrl(db.newSchema(), "retention=soon"))))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("retention");
    assertThat(catchThrowable(() -> PostgresSessionStorage.open(db.storeUrl(db.newSchema(), "pooler=session"))))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("pooler");
  }

  @Test
  void anExpiredSessionIsAbsentForEveryOperationAtOnceBeforeAnySweep() throws SQLException {
    MovableClock clock = new MovableClock(T0);
    String schema = db.newSchema();
    PostgresSessionStorage store = open(schema, clock);
    // updated_at far in the past (an import) does not matter: the write time does.
    Session old = PostgresSessionStorageTest.session("old", Instant.parse("2001-01-01T00:00:00Z"), 3);
    Revision rOld = await(store.save(old));
    await(store.create(PostgresSessionStorageTest.session("keyed", T0, 1), IdempotencyKey.of("k")));
    clock.advance(Duration.ofDays(20));
    await(store.save(PostgresSessionStorageTest.session("young", T0, 1)));
    clock.advance(Duration.ofDays(11));

    // 31 days after "old" and "keyed" were written, 11 after "young".
    assertThat(catchThrowable(() -> await(store.load("old")))).isInstanceOf(SessionNotFoundException.class);
    assertThat(catchThrowable(() -> await(store.loadTail("old", 2)))).isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("young");
    assertThat(await(store.list(ListQuery.withPrefix("o"))).summaries()).isEmpty();
    assertThat(catchThrowable(() -> await(store.append("old", turn("late"))))).isInstanceOf(SessionNotFoundException.class);
    assertThat(catchThrowable(() -> await(store.append("keyed", turn("late").withIdempotencyKey(IdempotencyKey.of("k"))))))
        .isInstanceOf(SessionNotFoundException.class);
    assertThat(catchThrowable(() -> await(store.update("old", s -> s)))).isInstanceOf(SessionNotFoundException.class);
    assertThat(catchThrowable(() -> await(store.saveIf(old, rOld)))).isInstanceOf(RevisionConflictException.class);
    assertThat(catchThrowable(() -> await(store.delete("old")))).isInstanceOf(SessionNotFoundException.class);
    assertThat(catchThrowable(() -> await(store.deleteIf("old", rOld)))).isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.deleteMatching(DeleteFilter.idPrefix("o")))).isZero();
    assertThat(await(store.problems())).isEmpty();
    // The key died with the session: a keyed create makes a new one.
    Revision again = await(store.create(PostgresSessionStorageTest.session("keyed", T0, 2), IdempotencyKey.of("k")));
    assertThat(await(store.loadVersioned("keyed")).revision()).isEqualTo(again);
    assertThat(await(store.load("keyed")).messages()).hasSize(2);
    // A create over the expired row replaces it, messages included.
    await(store.create(PostgresSessionStorageTest.session("old", T0, 1)));
    assertThat(await(store.load("old"))).isEqualTo(PostgresSessionStorageTest.session("old", T0, 1));
    // Another store on the same tables with a clock 31 days behind still sees it all: the write
    // time is stored, the cutoff is each store's own.
    PostgresSessionStorage behind = open(schema, new MovableClock(T0));
    assertThat(await(behind.list())).hasSize(3);
  }

  @Test
  void sweepsRemoveExpiredRowsInBoundedBatchesAndAStoreInUseSweepsByItself() throws Exception {
    MovableClock clock = new MovableClock(T0);
    // On the calling thread: a background sweep (the append below starts one) runs inside the
    // operation that starts it. On the store's pool it could still be running, with the clock
    // of its start, when the list after the last clock move looks for one to start, and that
    // list would then start none (it failed so once in a full verify on a busy machine).
    PostgresSessionStorage store = openRunningOnTheCaller(db.newSchema(), clock);
    for (int i = 0; i < 5; i++) {
      await(store.save(PostgresSessionStorageTest.session("s" + i, T0, 2)));
    }
    clock.advance(Duration.ofDays(29));
    await(store.append("s0", turn("kept alive")));
    clock.advance(Duration.ofDays(2));
    assertThat(await(store.sweepExpired())).isEqualTo(4);
    assertThat(await(store.sweepExpired())).isZero();
    assertThat(rows(store, store.tableNames().sessions())).isEqualTo(1);
    assertThat(rows(store, store.tableNames().messages())).isEqualTo(3);

    // Without an explicit call: any operation after the sweep interval starts one.
    for (int i = 0; i < 3; i++) {
      await(store.save(PostgresSessionStorageTest.session("t" + i, T0, 1)));
    }
    clock.advance(Duration.ofDays(31));
    await(store.list(ListQuery.firstPage()));
    long deadline = System.nanoTime() + SECONDS.toNanos(20);
    while (rows(store, store.tableNames().sessions()) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(rows(store, store.tableNames().sessions())).isZero();
    assertThat(rows(store, store.tableNames().messages())).isZero();
  }

  @Test
  void aSessionWrittenWhileASweepRunsStays() throws Exception {
    MovableClock clock = new MovableClock(T0);
    PostgresSessionStorage store = open(db.newSchema(), clock);
    await(store.save(PostgresSessionStorageTest.session("busy", T0, 2)));
    await(store.save(PostgresSessionStorageTest.session("idle", T0, 2)));
    clock.advance(Duration.ofDays(31));
    try (Connection writer = db.connect()) {
      // Another writer holds the row and writes it now; the sweep that found it expired waits
      // for that row and must not delete it once the write is committed.
      writer.setAutoCommit(false);
      try (PreparedStatement ps = writer.prepareStatement("UPDATE " + store.tableNames().sessions()
          + " SET written_at = ?, revision = nextval('" + store.tableNames().revisions() + "') WHERE id = 'busy'")) {
        ps.setObject(1, java.time.OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        ps.executeUpdate();
      }
      CompletableFuture<Long> sweep = store.sweepExpired();
      waitUntilBlocked(store);
      writer.commit();
      assertThat(await(sweep)).isEqualTo(1);
    }
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("busy");
    assertThat(await(store.load("busy")).messages()).hasSize(2);
  }

  /** Waits until a backend of the store waits for a row lock. */
  private void waitUntilBlocked(PostgresSessionStorage store) throws Exception {
    long deadline = System.nanoTime() + SECONDS.toNanos(20);
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
            + " WHERE application_name = 'sessionkit' AND wait_event_type = 'Lock' AND query LIKE ?")) {
      ps.setString(1, "%" + store.tableNames().schema() + "%");
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("the store never waited for the row lock");
  }
}
