package org.sessionkit.postgres;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;

/**
 * Which failures of a write are ambiguous, reproduced the way they were found: a proxy between
 * the store and the server forwards a request to the server, which executes it, and loses the
 * answer. A write whose committing request was lost like that fails with {@link
 * AmbiguousOutcomeException} (and was in fact applied); a write that failed before it could
 * commit stays a plain {@link StorageUnavailableException} (and was not applied).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AmbiguousOutcomeTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.000000001Z");

  private TestDatabase db;
  private DroppingProxy proxy;
  private final List<PostgresSessionStorage> opened = new ArrayList<>();

  @BeforeAll
  void server() {
    db = TestDatabase.shared();
  }

  @BeforeEach
  void startProxy() throws Exception {
    db.require();
    proxy = new DroppingProxy(db.host(), db.port());
  }

  @AfterEach
  void stop() {
    opened.forEach(PostgresSessionStorage::close);
    opened.clear();
    if (proxy != null) {
      proxy.close();
    }
  }

  @AfterAll
  void dropSchemas() throws SQLException {
    db.close();
  }

  /** A store through the proxy, one connection, so that every request takes the same path. */
  private PostgresSessionStorage throughProxy(String options) {
    PostgresSessionStorage s = PostgresSessionStorage.open(
        db.storeUrlVia(proxy.port(), db.newSchema(), "poolSize=1" + (options.isEmpty() ? "" : "&" + options)));
    opened.add(s);
    return s;
  }

  /** A store on the same schema straight to the server, to see what was applied. */
  private PostgresSessionStorage direct(PostgresSessionStorage viaProxy) {
    PostgresSessionStorage s = PostgresSessionStorage.open(db.storeUrl(viaProxy.tableNames().schema(), ""));
    opened.add(s);
    return s;
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  /** A state whose cwd is sent as raw bytes in the statement: the proxy finds it there. */
  private static SessionState marked(String marker) {
    return SessionState.initial("/work/" + marker);
  }

  private static Append turn(String marker, String text) {
    return Append.of(List.of(Message.user(text), Message.assistant("re: " + text)), marked(marker), T0.plusSeconds(5));
  }

  @Test
  void anAppendWhoseReplyIsLostFailsAmbiguousAndWasApplied() {
    PostgresSessionStorage store = throughProxy("");
    await(store.save(PostgresSessionStorageTest.session("a", T0, 2)));
    // The append of the issue: one auto-commit statement, whose answer is lost.
    proxy.dropReplyTo("lost-append");
    Throwable t = catchThrowable(() -> await(store.append("a", turn("lost-append", "third question"))));
    assertThat(proxy.dropped()).isEqualTo(1);
    assertThat(t).isInstanceOf(AmbiguousOutcomeException.class)
        .hasMessageContaining("may or may not have been applied")
        .hasRootCauseInstanceOf(java.io.IOException.class);
    assertThat(t.getCause()).isInstanceOf(SQLException.class);
    // It was committed: a blind retry would store the turn twice, hence the typed error.
    assertThat(await(direct(store).load("a")).messages()).hasSize(4);
  }

  @Test
  void aKeyedAppendWhoseCommitReplyIsLostFailsAmbiguousAndARetryWithItsKeyAppliesItOnce() {
    PostgresSessionStorage store = throughProxy("");
    await(store.save(PostgresSessionStorageTest.session("k", T0, 2)));
    IdempotencyKey key = IdempotencyKey.of("turn-3");
    Append turn = turn("lost-keyed", "third question").withIdempotencyKey(key);
    // A keyed append is a transaction: lock, append, commit. The commit's answer is lost.
    proxy.dropReplyTo("lost-keyed", 1);
    Throwable t = catchThrowable(() -> await(store.append("k", turn)));
    assertThat(proxy.dropped()).isEqualTo(1);
    assertThat(t).isInstanceOf(AmbiguousOutcomeException.class);
    VersionedSession after = await(direct(store).loadVersioned("k"));
    assertThat(after.session().messages()).hasSize(4);
    // The recipe: retry with the same key. It applies nothing and returns the revision the lost
    // answer carried.
    Revision retried = await(store.append("k", turn));
    assertThat(retried).isEqualTo(after.revision());
    assertThat(await(store.load("k")).messages()).hasSize(4);
  }

  @Test
  void aCreateWhoseReplyIsLostFailsAmbiguousAndWasApplied() {
    PostgresSessionStorage store = throughProxy("");
    // Without a key: one auto-commit statement.
    Session plain = PostgresSessionStorageTest.session("p", T0, 1).withState(marked("lost-plain-create"));
    proxy.dropReplyTo("lost-plain-create");
    assertThat(catchThrowable(() -> await(store.create(plain)))).isInstanceOf(AmbiguousOutcomeException.class);
    assertThat(await(direct(store).load("p"))).isEqualTo(plain);

    // With a key: lock, insert, commit; the commit's answer is lost.
    Session s = PostgresSessionStorageTest.session("c", T0, 3).withState(marked("lost-create"));
    proxy.dropReplyTo("lost-create", 1);
    Throwable t = catchThrowable(() -> await(store.create(s, IdempotencyKey.of("create-c"))));
    assertThat(t).isInstanceOf(AmbiguousOutcomeException.class);
    assertThat(await(direct(store).load("c"))).isEqualTo(s);
    // Retried with its key: the same revision, no conflict.
    assertThat(await(store.create(s, IdempotencyKey.of("create-c"))))
        .isEqualTo(await(store.loadVersioned("c")).revision());
  }

  @Test
  void aSaveWhoseCommitReplyIsLostFailsAmbiguousAndWasApplied() {
    PostgresSessionStorage store = throughProxy("");
    Session original = PostgresSessionStorageTest.session("s", T0, 2);
    await(store.save(original));
    Session changed = original.withMessage(Message.user("more")).withState(marked("lost-commit"));
    // The row (marked), the messages, then the commit, whose answer is lost.
    proxy.dropReplyTo("lost-commit", 2);
    Throwable t = catchThrowable(() -> await(store.save(changed)));
    assertThat(t).isInstanceOf(AmbiguousOutcomeException.class);
    assertThat(await(direct(store).load("s"))).isEqualTo(changed);
  }

  @Test
  void aWriteWhoseStatementReplyIsLostBeforeItsCommitIsPlainAndWasNotApplied() {
    PostgresSessionStorage store = throughProxy("");
    Session original = PostgresSessionStorageTest.session("t", T0, 2);
    Revision r = await(store.save(original));
    // The first statement of the save's transaction carries the state: its answer is lost, the
    // commit is never sent, and the server rolls the transaction back when the connection goes.
    proxy.dropReplyTo("lost-before-commit");
    Throwable t = catchThrowable(() -> await(store.save(original.withState(marked("lost-before-commit")))));
    assertThat(proxy.dropped()).isEqualTo(1);
    assertThat(t).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(AmbiguousOutcomeException.class);
    assertThat(await(direct(store).loadVersioned("t")).revision()).isEqualTo(r);

    // The same for a keyed append (a transaction: lock, append, commit) and an update.
    proxy.dropReplyTo("lost-keyed-append");
    Throwable append = catchThrowable(() -> await(store.append("t",
        turn("lost-keyed-append", "q").withIdempotencyKey(IdempotencyKey.of("k1")))));
    assertThat(append).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(AmbiguousOutcomeException.class);
    proxy.dropReplyTo("lost-update");
    Throwable update = catchThrowable(() -> await(store.update("t", s -> s.withState(marked("lost-update")))));
    assertThat(update).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(AmbiguousOutcomeException.class);
    assertThat(proxy.dropped()).isEqualTo(3);
    assertThat(await(direct(store).loadVersioned("t")).revision()).isEqualTo(r);
  }

  @Test
  void anUpdateWhoseCommitReplyIsLostFailsAmbiguousAndARetryWithItsKeyAppliesNothing() {
    PostgresSessionStorage store = throughProxy("");
    await(store.save(PostgresSessionStorageTest.session("u", T0, 1)));
    // Read, then in a transaction: the row (marked), the messages, the commit.
    proxy.dropReplyTo("lost-update-commit", 2);
    Throwable update = catchThrowable(() -> await(store.update("u",
        s -> s.withMessage(Message.user("x")).withState(marked("lost-update-commit")), IdempotencyKey.of("u1"))));
    assertThat(update).isInstanceOf(AmbiguousOutcomeException.class);
    VersionedSession now = await(store.loadVersioned("u"));
    assertThat(now.session().messages()).hasSize(2);
    assertThat(await(store.update("u", s -> s.withMessage(Message.user("x")), IdempotencyKey.of("u1"))))
        .isEqualTo(now.revision());
    assertThat(await(store.load("u"))).isEqualTo(now.session());
  }

  @Test
  void aDeleteWhoseCommitReplyIsLostFailsAmbiguous() {
    PostgresSessionStorage store = throughProxy("");
    await(store.save(PostgresSessionStorageTest.session("delete-me", T0, 1)));
    // The row, the messages, then the commit.
    proxy.dropReplyTo("delete-me", 2);
    assertThat(catchThrowable(() -> await(store.delete("delete-me")))).isInstanceOf(AmbiguousOutcomeException.class);
    assertThat(catchThrowable(() -> await(direct(store).load("delete-me")))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void aPooledConnectionThatBrokeIsAmbiguousForAWriteButNoConnectionAtAllIsPlain() {
    PostgresSessionStorage store = throughProxy("connectTimeout=2s");
    await(store.save(PostgresSessionStorageTest.session("n", T0, 1)));
    proxy.refuse(true);
    // The pooled connection was closed under it: the client can't tell whether the server got
    // the statement before the close, so it is ambiguous.
    assertThat(catchThrowable(() -> await(store.append("n", turn("x", "lost?")))))
        .isInstanceOf(AmbiguousOutcomeException.class);
    // Now the pool is empty and no connection can be made: nothing was sent.
    Throwable t = catchThrowable(() -> await(store.append("n", turn("x", "lost?"))));
    assertThat(t).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(AmbiguousOutcomeException.class)
        .hasCauseInstanceOf(SQLTransientConnectionException.class);
    assertThat(catchThrowable(() -> await(store.ping()))).isInstanceOf(StorageUnavailableException.class);
    proxy.refuse(false);
    assertThat(await(direct(store).load("n")).messages()).hasSize(1);
    await(store.ping());
    assertThat(store.kind()).isEqualTo("postgresql");
  }
}
