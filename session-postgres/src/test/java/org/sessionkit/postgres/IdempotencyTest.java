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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteLog;

/**
 * Idempotency keys in PostgreSQL: the write log is a column of the session row, read and
 * replaced under the row's lock in the transaction of the write, so a retry applies nothing and
 * two concurrent calls with one key apply once; revisions carry a random nonce.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyTest {

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

  private PostgresSessionStorage another(PostgresSessionStorage on) {
    PostgresSessionStorage s = PostgresSessionStorage.open(db.storeUrl(on.tableNames().schema(), ""));
    opened.add(s);
    return s;
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  private static Append turn(String text) {
    return Append.of(List.of(Message.user(text)), SessionState.initial("/w"), T0.plusSeconds(1));
  }

  private String storedLog(PostgresSessionStorage store, String id) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(
            "SELECT write_log FROM " + store.tableNames().sessions() + " WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  @Test
  void aRetriedKeyedWriteAppliesNothingAndReturnsTheFirstRevisionAlsoOnAnotherInstance() throws SQLException {
    PostgresSessionStorage store = open();
    PostgresSessionStorage other = another(store);
    IdempotencyKey create = IdempotencyKey.of("create");
    Revision r1 = await(store.create(PostgresSessionStorageTest.session("a", T0, 1), create));
    assertThat(await(other.create(PostgresSessionStorageTest.session("a", T0, 5), create))).isEqualTo(r1);

    Revision r2 = await(store.append("a", turn("two").withIdempotencyKey(IdempotencyKey.of("append"))));
    // The key is checked before the expected revision: a retry still expecting r1 succeeds.
    assertThat(await(other.append("a", turn("two").ifRevision(r1).withIdempotencyKey(IdempotencyKey.of("append")))))
        .isEqualTo(r2);

    Session base = await(store.load("a"));
    Revision r3 = await(store.saveIf(base.withMessage(Message.assistant("three")), r2, IdempotencyKey.of("save")));
    assertThat(await(other.saveIf(base.withMessage(Message.assistant("three")), r2, IdempotencyKey.of("save"))))
        .isEqualTo(r3);

    AtomicInteger calls = new AtomicInteger();
    Function<Session, Session> change = s -> {
      calls.incrementAndGet();
      return s.withMessage(Message.user("four"));
    };
    Revision r4 = await(store.update("a", change::apply, IdempotencyKey.of("update")));
    assertThat(await(other.update("a", change::apply, IdempotencyKey.of("update")))).isEqualTo(r4);
    assertThat(calls).as("a replayed update does not run the change").hasValue(1);

    VersionedSession end = await(other.loadVersioned("a"));
    assertThat(end.revision()).isEqualTo(r4);
    assertThat(end.session().messages()).extracting(m -> ((org.sessionkit.ContentBlock.Text) m.content().get(0)).text())
        .containsExactly("question 0", "two", "three", "four");
    // The opaque stored form is WriteLog.encode().
    assertThat(WriteLog.decode(storedLog(store, "a"), "a").entries())
        .extracting(e -> e.key().value()).containsExactly("create", "append", "save", "update");
  }

  @Test
  void aStaleRevisionWithANewKeyStillConflictsAndAMissingSessionIsNotFound() {
    PostgresSessionStorage store = open();
    Revision r1 = await(store.save(PostgresSessionStorageTest.session("b", T0, 1)));
    await(store.append("b", turn("x")));
    assertThat(catchThrowable(() -> await(store.append("b", turn("y").ifRevision(r1)
        .withIdempotencyKey(IdempotencyKey.of("new")))))).isInstanceOf(RevisionConflictException.class);
    assertThat(catchThrowable(() -> await(store.saveIf(PostgresSessionStorageTest.session("b", T0, 1), r1,
        IdempotencyKey.of("new2"))))).isInstanceOf(RevisionConflictException.class);
    assertThat(catchThrowable(() -> await(store.append("none", turn("y").withIdempotencyKey(IdempotencyKey.of("k"))))))
        .isInstanceOf(SessionNotFoundException.class);
    assertThat(catchThrowable(() -> await(store.update("none", s -> s, IdempotencyKey.of("k")))))
        .isInstanceOf(SessionNotFoundException.class);
    assertThat(await(store.load("b")).messages()).hasSize(2);
  }

  @Test
  void unkeyedWritesKeepTheLogDeleteForgetsItAndOnlyTheLastSixteenKeysAreKept() throws SQLException {
    PostgresSessionStorage store = open();
    await(store.create(PostgresSessionStorageTest.session("c", T0, 1), IdempotencyKey.of("k0")));
    for (int i = 1; i <= 16; i++) {
      await(store.append("c", turn("t" + i).withIdempotencyKey(IdempotencyKey.of("k" + i))));
    }
    await(store.save(await(store.load("c")).withMessage(Message.user("plain save"))));
    await(store.append("c", turn("plain append")));
    await(store.update("c", s -> s.withMessage(Message.user("plain update"))));
    List<WriteLog.Entry> log = WriteLog.decode(storedLog(store, "c"), "c").entries();
    assertThat(log).hasSize(16).extracting(e -> e.key().value()).startsWith("k1").endsWith("k16");
    int count = await(store.load("c")).messages().size();
    // k0 was forgotten: that append applies again. k16 is remembered.
    await(store.append("c", turn("again").withIdempotencyKey(IdempotencyKey.of("k16"))));
    assertThat(await(store.load("c")).messages()).hasSize(count);
    await(store.delete("c"));
    Revision fresh = await(store.create(PostgresSessionStorageTest.session("c", T0, 1), IdempotencyKey.of("k16")));
    assertThat(await(store.loadVersioned("c")).revision()).isEqualTo(fresh);
  }

  @Test
  void concurrentCallsWithOneKeyApplyOnceAndAllReturnTheSameRevision() throws Exception {
    PostgresSessionStorage store = open();
    PostgresSessionStorage other = another(store);
    int rounds = 10;
    int callers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      for (int round = 0; round < rounds; round++) {
        String id = "r" + round;
        await(store.save(PostgresSessionStorageTest.session(id, T0, 1)));
        IdempotencyKey key = IdempotencyKey.of("turn-" + round);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Revision>> results = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
          PostgresSessionStorage s = c % 2 == 0 ? store : other;
          int kind = (round + c) % 3;
          results.add(pool.submit(() -> {
            go.await();
            switch (kind) {
              case 0:
                return await(s.append(id, turn("once").withIdempotencyKey(key)));
              case 1:
                return await(s.update(id, x -> x.withMessage(Message.user("once")), key));
              default:
                return await(s.append(id, turn("once").withIdempotencyKey(key)));
            }
          }));
        }
        go.countDown();
        Set<Revision> seen = new HashSet<>();
        for (Future<Revision> f : results) {
          seen.add(f.get(30, SECONDS));
        }
        VersionedSession end = await(store.loadVersioned(id));
        assertThat(seen).as("round %d", round).containsExactly(end.revision());
        assertThat(end.session().messages()).as("round %d", round).hasSize(2);
      }
      // Creates racing with one key: one creates, all get its revision.
      for (int round = 0; round < rounds; round++) {
        String id = "new" + round;
        IdempotencyKey key = IdempotencyKey.of("create-" + round);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Revision>> results = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
          PostgresSessionStorage s = c % 2 == 0 ? store : other;
          results.add(pool.submit(() -> {
            go.await();
            return await(s.create(PostgresSessionStorageTest.session(id, T0, 2), key));
          }));
        }
        go.countDown();
        Set<Revision> seen = new HashSet<>();
        for (Future<Revision> f : results) {
          seen.add(f.get(30, SECONDS));
        }
        assertThat(seen).containsExactly(await(store.loadVersioned(id)).revision());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void updateRunsItsChangeWithoutHoldingALockAndAgainUnderTheLockAfterAConflict() throws Exception {
    PostgresSessionStorage store = open();
    await(store.save(PostgresSessionStorageTest.session("u", T0, 1)));
    CountDownLatch inChange = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Revision> slow = pool.submit(() -> await(store.update("u", s -> {
        if (calls.incrementAndGet() == 1) {
          inChange.countDown();
          try {
            proceed.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }
        return s.withMessage(Message.user("slow"));
      }, IdempotencyKey.of("slow"))));
      inChange.await();
      // While the first change runs, other writers of the session are not blocked.
      await(store.append("u", turn("quick")));
      proceed.countDown();
      Revision r = slow.get(30, SECONDS);
      assertThat(calls).hasValue(2);
      VersionedSession end = await(store.loadVersioned("u"));
      assertThat(end.revision()).isEqualTo(r);
      assertThat(end.session().messages()).hasSize(3);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void revisionsAreASequenceValueAndARandomNonce() {
    PostgresSessionStorage store = open();
    Revision r1 = await(store.save(PostgresSessionStorageTest.session("n", T0, 1)));
    Revision r2 = await(store.save(PostgresSessionStorageTest.session("n", T0, 1)));
    assertThat(r1.value()).matches("[0-9]+-[0-9a-f]{16}");
    assertThat(r2.value()).matches("[0-9]+-[0-9a-f]{16}");
    assertThat(r1.value().substring(r1.value().indexOf('-')))
        .isNotEqualTo(r2.value().substring(r2.value().indexOf('-')));
    // The sequence part alone, or another nonce, never matches.
    String sequence = r2.value().substring(0, r2.value().indexOf('-'));
    assertThat(catchThrowable(() -> await(store.saveIf(PostgresSessionStorageTest.session("n", T0, 2),
        Revision.of(sequence))))).isInstanceOf(RevisionConflictException.class);
    assertThat(catchThrowable(() -> await(store.saveIf(PostgresSessionStorageTest.session("n", T0, 2),
        Revision.of(sequence + "-0000000000000000"))))).isInstanceOf(RevisionConflictException.class);
    assertThat(catchThrowable(() -> await(store.deleteIf("n", Revision.of(sequence.toUpperCase() + "-X")))))
        .isInstanceOf(RevisionConflictException.class);
  }
}
