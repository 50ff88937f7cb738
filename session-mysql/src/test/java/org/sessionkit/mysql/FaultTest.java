package org.sessionkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.sessionkit.mysql.Fixtures.await;
import static org.sessionkit.mysql.Fixtures.session;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorageException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.mysql.internal.Ids;

/**
 * Faults against a private MariaDB (killed with SIGKILL while writes run) and through a proxy
 * that cuts connections before or during a commit: every call fails with a typed error, the
 * ambiguous ones exactly when the commit was sent, nothing is half applied, and the store
 * recovers by itself. Rounds of the crash test: 1 by default, 5 with {@code
 * -Dsessionkit.test.scale=full}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultTest {

  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00.000000001Z");
  private static final AtomicInteger NAMES = new AtomicInteger();

  private PrivateMariaDb server;

  /** Starts the server before the first test (each test is skipped when that is impossible). */
  @BeforeEach
  void startServer() throws Exception {
    if (server == null) {
      server = PrivateMariaDb.start();
    }
    // A test that failed while the server was down must not take the next ones with it.
    server.ensureRunning();
  }

  @AfterAll
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static String prefix(String what) {
    return what + NAMES.incrementAndGet() + "_";
  }

  private static void assertUnavailableWithCause(Throwable t) {
    assertThat(t).isInstanceOf(StorageUnavailableException.class);
    assertThat(t.getCause()).isInstanceOf(SQLException.class);
  }

  // ---------------------------------------------------------------- a crash during writes

  @Test
  void aServerKilledDuringWritesFailsThemTypedHalfAppliesNothingAndTheStoreRecovers() throws Exception {
    int rounds = "full".equals(System.getProperty("sessionkit.test.scale")) ? 5 : 1;
    try (MySqlSessionStorage store = MySqlSessionStorage.open(
        server.storeUrl(prefix("crash"), "connectTimeout=1s&statementTimeout=5s&poolSize=4"))) {
      int writers = 4;
      for (int w = 0; w < writers; w++) {
        await(store.save(session("w" + w, T0, 0)));
      }
      for (int round = 0; round < rounds; round++) {
        crashRound(store, writers, round);
      }
    }
  }

  /** What a writer tried: the labels of one append, the key, and how it ended. */
  private record Attempt(String writer, String label, IdempotencyKey key, Throwable failure) {}

  private void crashRound(MySqlSessionStorage store, int writers, int round) throws Exception {
    List<Attempt> attempts = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String id = "w" + w;
      threads.add(CompletableFuture.runAsync(() -> {
        // Until the first failure: once the server is dead, every writer's next append fails.
        for (int i = 0; ; i++) {
          String label = "r" + round + "-" + id + "-" + i;
          IdempotencyKey key = IdempotencyKey.of(label);
          // Three messages per turn: a torn write would show as one or two of them.
          List<Message> turn = List.of(Message.user(label + "/a"), Message.assistant(label + "/b"),
              Message.user(label + "/c"));
          Throwable failure = null;
          try {
            Futures.await(store.append(id, Append.of(turn, session(id, T0, 0).state(), T0).withIdempotencyKey(key)),
                60, java.util.concurrent.TimeUnit.SECONDS);
          } catch (RuntimeException e) {
            failure = e;
          }
          attempts.add(new Attempt(id, label, key, failure));
          if (failure != null) {
            return;
          }
        }
      }));
    }
    Thread.sleep(1500);
    server.crash();
    for (CompletableFuture<Void> t : threads) {
      t.get(120, java.util.concurrent.TimeUnit.SECONDS);
    }
    List<Attempt> failed = attempts.stream().filter(a -> a.failure() != null).collect(Collectors.toList());
    assertThat(failed).as("every writer failed once the server died").hasSize(writers);
    System.getLogger(FaultTest.class.getName()).log(System.Logger.Level.INFO, () -> "crash round: "
        + attempts.size() + " appends, " + failed.stream().filter(a -> a.failure() instanceof AmbiguousOutcomeException).count()
        + " of the " + failed.size() + " failures ambiguous");
    for (Attempt a : failed) {
      assertUnavailableWithCause(a.failure());
    }
    long start = System.nanoTime();
    assertUnavailableWithCause(catchThrowable(() -> await(store.load("w0"))));
    assertUnavailableWithCause(catchThrowable(() -> await(store.save(session("new", T0, 1)))));
    assertThat((System.nanoTime() - start) / 1_000_000).as("no call hangs").isLessThan(30_000);

    server.startServer();
    // Recovery without reopening: the same store works once the server is back.
    eventually(() -> await(store.load("w0")));
    Map<String, Integer> present = new HashMap<>();
    for (int w = 0; w < writers; w++) {
      Session s = await(store.load("w" + w));
      for (Message m : s.messages()) {
        String text = ((ContentBlock.Text) m.content().get(0)).text();
        present.merge(text.substring(0, text.lastIndexOf('/')), 1, Integer::sum);
      }
    }
    for (Attempt a : attempts) {
      int n = present.getOrDefault(a.label(), 0);
      assertThat(n).as("messages of %s (never a part of a turn)", a.label()).isIn(0, 3);
      if (a.failure() == null) {
        assertThat(n).as("%s succeeded: committed and durable", a.label()).isEqualTo(3);
      } else if (!(a.failure() instanceof AmbiguousOutcomeException)) {
        assertThat(n).as("%s failed plainly (%s): nothing applied", a.label(), a.failure().getMessage()).isZero();
      }
    }
    // The recipe after an ambiguous outcome (or any failure): retry with the same key. It
    // applies once, whatever happened before.
    for (Attempt a : failed) {
      Session before = await(store.load(a.writer()));
      List<Message> turn = List.of(Message.user(a.label() + "/a"), Message.assistant(a.label() + "/b"),
          Message.user(a.label() + "/c"));
      Revision r = await(store.append(a.writer(), Append.of(turn, before.state(), T0).withIdempotencyKey(a.key())));
      assertThat(await(store.append(a.writer(), Append.of(turn, before.state(), T0).withIdempotencyKey(a.key()))))
          .isEqualTo(r);
      long copies = await(store.load(a.writer())).messages().stream()
          .filter(m -> ((ContentBlock.Text) m.content().get(0)).text().startsWith(a.label() + "/")).count();
      assertThat(copies).isEqualTo(3);
    }
    assertThat(await(store.problems())).isEmpty();
  }

  // ---------------------------------------------------------------- cut connections

  @Test
  void aConnectionCutBeforeTheCommitIsSentFailsPlainlyAndAppliesNothing() throws Exception {
    try (CuttingProxy proxy = new CuttingProxy("127.0.0.1", server.port());
        MySqlSessionStorage store = MySqlSessionStorage.open(
            "mariadb://root@127.0.0.1:" + proxy.port() + "/test?tablePrefix=" + prefix("before") + "&poolSize=2")) {
      Session original = session("b", T0, 3);
      Revision r = await(store.save(original));
      proxy.cutOnNext("COMMIT", CuttingProxy.When.BEFORE);
      Throwable t = catchThrowable(() -> await(store.save(session("b", T0.plusSeconds(1), 5))));
      // The commit never reached the server: ambiguous only by the rule "failed during the
      // commit", but the server rolled back the dead connection's transaction.
      assertThat(t).isInstanceOf(StorageUnavailableException.class);
      proxy.cutOnNext("INSERT", CuttingProxy.When.BEFORE);
      Throwable t2 = catchThrowable(() -> await(store.append("b", Append.of(List.of(Message.user("x")),
          original.state(), T0))));
      assertUnavailableWithCause(t2);
      assertThat(t2).isNotInstanceOf(AmbiguousOutcomeException.class);
      assertThat(proxy.cuts()).isEqualTo(2);
      VersionedSession after = await(store.loadVersioned("b"));
      assertThat(after.session()).isEqualTo(original);
      assertThat(after.revision()).isEqualTo(r);
    }
  }

  @Test
  void aCommitWhoseReplyIsLostIsAmbiguousAndARetryWithItsKeyAppliesNothingMore() throws Exception {
    try (CuttingProxy proxy = new CuttingProxy("127.0.0.1", server.port());
        MySqlSessionStorage store = MySqlSessionStorage.open(
            "mariadb://root@127.0.0.1:" + proxy.port() + "/test?tablePrefix=" + prefix("after") + "&poolSize=2")) {
      Session original = session("a", T0, 2);
      await(store.save(original));
      Append turn = Append.of(List.of(Message.user("turn")), original.state(), T0.plusSeconds(1))
          .withIdempotencyKey(IdempotencyKey.of("turn-1"));
      proxy.cutOnNext("COMMIT", CuttingProxy.When.AFTER);
      Throwable t = catchThrowable(() -> await(store.append("a", turn)));
      assertThat(t).isInstanceOf(AmbiguousOutcomeException.class).hasMessageContaining("may or may not")
          .hasCauseInstanceOf(SQLException.class);
      // It was applied (the server got the commit); the retry finds the key and adds nothing.
      Revision retried = await(store.append("a", turn));
      VersionedSession now = await(store.loadVersioned("a"));
      assertThat(now.revision()).isEqualTo(retried);
      assertThat(now.session().messages()).hasSize(3);
    }
  }

  @Test
  void aKilledConnectionFailsItsWriteAndTheStoreGoesOn() throws Exception {
    try (MySqlSessionStorage store = MySqlSessionStorage.open(server.storeUrl(prefix("kill"), "poolSize=2"))) {
      Session original = session("k", T0, 5);
      Revision r1 = await(store.save(original));
      try (Connection locker = server.connect()) {
        // The save locks the session row, then waits for message 0, which the locker holds.
        locker.setAutoCommit(false);
        try (PreparedStatement ps = locker.prepareStatement("SELECT body FROM " + store.tableNames().messages()
            + " WHERE session_id = ? AND position = 0 FOR UPDATE")) {
          ps.setBytes(1, Ids.bytes("k"));
          ps.executeQuery().close();
        }
        CompletableFuture<Revision> save = store.save(session("k", T0.plusSeconds(9), 7));
        long victim = waitForLockWait(store);
        try (Connection killer = server.connect()) {
          killer.createStatement().execute("KILL CONNECTION " + victim);
        }
        Throwable t = catchThrowable(() -> await(save));
        assertUnavailableWithCause(t);
        assertThat(t).isNotInstanceOf(AmbiguousOutcomeException.class);
        locker.rollback();
      }
      VersionedSession after = await(store.loadVersioned("k"));
      assertThat(after.session()).isEqualTo(original);
      assertThat(after.revision()).isEqualTo(r1);
      await(store.save(session("k", T0.plusSeconds(9), 7)));
      assertThat(await(store.load("k"))).isEqualTo(session("k", T0.plusSeconds(9), 7));
    }
  }

  /** Waits until a connection of the store waits for a row lock in its database; returns its id. */
  private long waitForLockWait(MySqlSessionStorage store) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Connection c = server.connect();
        PreparedStatement ps = c.prepareStatement("SELECT ID FROM information_schema.PROCESSLIST"
            + " WHERE DB = 'test' AND ID <> CONNECTION_ID() AND INFO LIKE 'INSERT INTO `" + store.tableNames().prefix()
            + "messages`%' AND TIME_MS > 50")) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getLong(1);
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("no connection of the store started waiting for a lock");
  }

  @Test
  void aStatementTimeoutFailsTheCallAndChangesNothing() throws Exception {
    try (MySqlSessionStorage store = MySqlSessionStorage.open(
        server.storeUrl(prefix("timeout"), "statementTimeout=400ms"))) {
      Session original = session("t", T0, 3);
      await(store.save(original));
      try (Connection locker = server.connect()) {
        locker.setAutoCommit(false);
        try (PreparedStatement ps = locker.prepareStatement(
            "SELECT id FROM " + store.tableNames().sessions() + " WHERE id = 't' FOR UPDATE")) {
          ps.executeQuery().close();
        }
        long start = System.nanoTime();
        Throwable save = catchThrowable(() -> await(store.save(session("t", T0.plusSeconds(1), 9))));
        Throwable append = catchThrowable(() -> await(store.append("t",
            Append.of(List.of(Message.user("more")), original.state(), T0.plusSeconds(1)))));
        long millis = (System.nanoTime() - start) / 1_000_000;
        for (Throwable t : List.of(save, append)) {
          assertUnavailableWithCause(t);
          assertThat(t).isNotInstanceOf(AmbiguousOutcomeException.class);
          assertThat(t.getMessage()).containsAnyOf("statement timeout", "lock wait timeout");
        }
        assertThat(millis).isLessThan(20_000);
        locker.rollback();
      }
      assertThat(await(store.load("t"))).isEqualTo(original);
      await(store.save(session("t", T0.plusSeconds(1), 9)));
      assertThat(await(store.load("t"))).isEqualTo(session("t", T0.plusSeconds(1), 9));
    }
  }

  @Test
  void aFullPoolFailsTheCallAfterTheConnectTimeoutAndTheStoreGoesOn() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:mariadb://127.0.0.1:" + server.port() + "/test");
    config.setUsername("root");
    config.setMaximumPoolSize(1);
    config.setConnectionTimeout(400);
    try (HikariDataSource users = new HikariDataSource(config);
        MySqlSessionStorage store = MySqlSessionStorage.builder(users).tablePrefix(prefix("fullpool")).build()) {
      Session s = session("p", T0, 2);
      await(store.save(s));
      try (Connection taken = users.getConnection()) {
        assertThat(taken.isValid(2)).isTrue();
        Throwable t = catchThrowable(() -> await(store.load("p")));
        assertThat(t).isInstanceOf(StorageUnavailableException.class)
            .hasCauseInstanceOf(SQLTransientConnectionException.class)
            .hasMessageContaining("no connection available");
      }
      assertThat(await(store.load("p"))).isEqualTo(s);
    }
  }

  @Test
  void openingWhileTheServerIsDownFailsUnavailableWithinTheConnectTimeout() {
    long start = System.nanoTime();
    Throwable t = catchThrowable(() -> MySqlSessionStorage.open("mariadb://root@127.0.0.1:1/test?connectTimeout=500ms"));
    assertUnavailableWithCause(t);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
  }

  @Test
  void closingWhileWritesRunFailsThemAmbiguousAndQueuedOnesClosed() throws Exception {
    MySqlSessionStorage store = MySqlSessionStorage.open(server.storeUrl(prefix("close"), "poolSize=1"));
    Session original = session("c", T0, 1);
    await(store.save(original));
    Map<String, Throwable> outcomes = new ConcurrentHashMap<>();
    try (Connection locker = server.connect()) {
      locker.setAutoCommit(false);
      try (PreparedStatement ps = locker.prepareStatement(
          "SELECT id FROM " + store.tableNames().sessions() + " WHERE id = 'c' FOR UPDATE")) {
        ps.executeQuery().close();
      }
      CompletableFuture<Revision> running = store.save(session("c", T0, 2));
      CompletableFuture<Revision> queued = store.save(session("c", T0, 3));
      Thread.sleep(300);
      Thread closer = new Thread(store::close);
      closer.start();
      running.whenComplete((r, e) -> outcomes.put("running", e == null ? new AssertionError("succeeded") : Futures.unwrap(e)));
      queued.whenComplete((r, e) -> outcomes.put("queued", e == null ? new AssertionError("succeeded") : Futures.unwrap(e)));
      // Released before close's 30 s wait ends: the running save commits after all.
      Thread.sleep(500);
      locker.rollback();
      closer.join(60_000);
    }
    assertThat(outcomes.get("queued")).isInstanceOf(org.sessionkit.StorageClosedException.class);
    Throwable running = outcomes.get("running");
    assertThat(running == null || running instanceof AssertionError || running instanceof SessionStorageException)
        .as("running write: %s", running).isTrue();
    try (MySqlSessionStorage again = MySqlSessionStorage.open(server.storeUrl(
        store.tableNames().prefix(), ""))) {
      assertThat(await(again.load("c")).messages()).hasSizeBetween(1, 2);
      assertThat(catchThrowable(() -> await(again.load("none")))).isInstanceOf(SessionNotFoundException.class);
    }
  }

  /** Retries {@code call} for up to 30 s while it fails with the unavailable error. */
  private static <T> T eventually(java.util.function.Supplier<T> call) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return call.get();
      } catch (StorageUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
