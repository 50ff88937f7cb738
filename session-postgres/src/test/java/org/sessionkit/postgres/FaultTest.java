package org.sessionkit.postgres;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.util.PSQLException;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;

/**
 * Faults against a private server: a killed connection, a crash and restart, a statement
 * timeout and a full pool each fail the affected call with {@link StorageUnavailableException}
 * keeping the driver's exception, leave no write half applied, and the store recovers by itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultTest {

  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00.000000001Z");
  private static final AtomicInteger NAMES = new AtomicInteger();

  private PrivatePostgres server;

  /** Starts the server before the first test (each test is skipped when that is impossible). */
  @BeforeEach
  void startServer() throws Exception {
    if (server == null) {
      server = PrivatePostgres.start();
    }
  }

  @AfterAll
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 60, SECONDS);
  }

  private static String name(String what) {
    return what + "_" + NAMES.incrementAndGet();
  }

  private Connection admin() throws SQLException {
    PGSimpleDataSource ds = TestDatabase.dataSource(server.storeUrl("x", ""), "skt-fault-admin");
    return ds.getConnection();
  }

  /** Opens a transaction on {@code c} that locks rows matching {@code where} of {@code table}. */
  private static void lockRows(Connection c, String table, String where) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT 1 FROM " + table + " WHERE " + where + " FOR UPDATE").close();
    }
  }

  /** Waits until a backend of {@code applicationName} waits for a lock; returns its pid. */
  private int waitForLockWait(String applicationName) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Connection c = admin();
        PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity"
            + " WHERE application_name = ? AND wait_event_type = 'Lock'")) {
      ps.setString(1, applicationName);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getInt(1);
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("no backend of " + applicationName + " started waiting for a lock");
  }

  private static Session changed(Session s) {
    List<Message> messages = new java.util.ArrayList<>(s.messages());
    messages.set(0, Message.user("changed"));
    messages.add(Message.assistant("extra"));
    return new Session(s.id(), messages, s.state().withEventCount(99), s.createdAt(), T0.plusSeconds(9));
  }

  private static void assertUnavailableWithCause(Throwable t) {
    assertThat(t).isInstanceOf(StorageUnavailableException.class);
    assertThat(t.getCause()).isInstanceOf(SQLException.class);
  }

  @Test
  void aConnectionKilledInTheMiddleOfASaveFailsItAndLeavesTheSessionAsItWas() throws Exception {
    String app = name("skt_kill");
    try (PostgresSessionStorage store = PostgresSessionStorage.open(
        server.storeUrl(name("kill"), "ApplicationName=" + app))) {
      Session original = PostgresSessionStorageTest.session("k", T0, 5);
      Revision r1 = await(store.save(original));
      try (Connection locker = admin()) {
        // The save updates the session row, then blocks on message 0: killed there, its first
        // statement must be rolled back with it.
        lockRows(locker, store.tableNames().messages(), "session_id = 'k' AND position = 0");
        CompletableFuture<Revision> save = store.save(changed(original));
        int pid = waitForLockWait(app);
        try (Connection killer = admin(); Statement s = killer.createStatement()) {
          s.executeQuery("SELECT pg_terminate_backend(" + pid + ")").close();
        }
        Throwable t = catchThrowable(() -> await(save));
        assertUnavailableWithCause(t);
        // Killed before its commit was sent: nothing can have been applied, and it says so.
        assertThat(t).isNotInstanceOf(AmbiguousOutcomeException.class);
        // Terminated by the administrator (57P01), or the socket closed before the notice was read.
        assertThat(((SQLException) t.getCause()).getSQLState()).isIn("57P01", "08006");
        locker.rollback();
      }
      VersionedSession after = await(store.loadVersioned("k"));
      assertThat(after.session()).isEqualTo(original);
      assertThat(after.revision()).isEqualTo(r1);
      // The pool dropped the dead connection: the store works on.
      await(store.save(changed(original)));
      assertThat(await(store.load("k"))).isEqualTo(changed(original));
    }
  }

  @Test
  void aStatementTimeoutFailsTheCallAndChangesNothing() throws Exception {
    try (PostgresSessionStorage store = PostgresSessionStorage.open(
        server.storeUrl(name("timeout"), "statementTimeout=400ms"))) {
      Session original = PostgresSessionStorageTest.session("t", T0, 3);
      await(store.save(original));
      try (Connection locker = admin()) {
        lockRows(locker, store.tableNames().sessions(), "id = 't'");
        long start = System.nanoTime();
        Throwable save = catchThrowable(() -> await(store.save(changed(original))));
        Throwable append = catchThrowable(() -> await(store.append("t",
            Append.of(List.of(Message.user("more")), SessionState.initial("/"), T0.plusSeconds(1)))));
        long millis = (System.nanoTime() - start) / 1_000_000;
        for (Throwable t : List.of(save, append)) {
          assertUnavailableWithCause(t);
          assertThat(((SQLException) t.getCause()).getSQLState()).isEqualTo("57014");
          assertThat(t).hasMessageContaining("statement timeout");
          // The server's own answer that the statement was cancelled: not ambiguous.
          assertThat(t).isNotInstanceOf(AmbiguousOutcomeException.class);
        }
        assertThat(millis).isLessThan(20_000);
        locker.rollback();
      }
      assertThat(await(store.load("t"))).isEqualTo(original);
      await(store.save(changed(original)));
      assertThat(await(store.load("t"))).isEqualTo(changed(original));
    }
  }

  @Test
  void onAUsersDataSourceTheStatementTimeoutIsTheQueryTimeout() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setDataSource(TestDatabase.dataSource(server.storeUrl("x", ""), "skt-user-timeout"));
    config.setMaximumPoolSize(2);
    try (HikariDataSource users = new HikariDataSource(config);
        PostgresSessionStorage store = PostgresSessionStorage.builder(users).schema(name("usertimeout"))
            .statementTimeout(Duration.ofMillis(300)).build()) {
      Session original = PostgresSessionStorageTest.session("u", T0, 2);
      await(store.save(original));
      try (Connection locker = admin()) {
        lockRows(locker, store.tableNames().sessions(), "id = 'u'");
        Throwable t = catchThrowable(() -> await(store.save(changed(original))));
        assertUnavailableWithCause(t);
        assertThat(((SQLException) t.getCause()).getSQLState()).isEqualTo("57014");
        locker.rollback();
      }
      assertThat(await(store.load("u"))).isEqualTo(original);
    }
  }

  @Test
  void aFullPoolFailsTheCallAfterTheConnectTimeoutAndTheStoreGoesOn() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setDataSource(TestDatabase.dataSource(server.storeUrl("x", ""), "skt-user-pool"));
    config.setMaximumPoolSize(1);
    config.setConnectionTimeout(400);
    try (HikariDataSource users = new HikariDataSource(config);
        PostgresSessionStorage store = PostgresSessionStorage.builder(users).schema(name("fullpool")).build()) {
      Session s = PostgresSessionStorageTest.session("p", T0, 2);
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
    // The pool the store owns, with more callers than connections and the user's executor.
    ExecutorService executor = Executors.newFixedThreadPool(2);
    String app = name("skt_ownpool");
    try (PostgresSessionStorage store = PostgresSessionStorage.builder(
            server.storeUrl(name("ownpool"), "ApplicationName=" + app + "&poolSize=1&connectTimeout=400ms"))
        .executor(executor).build()) {
      Session s = PostgresSessionStorageTest.session("q", T0, 2);
      await(store.save(s));
      try (Connection locker = admin()) {
        lockRows(locker, store.tableNames().sessions(), "id = 'q'");
        CompletableFuture<Revision> blocked = store.save(changed(s));
        waitForLockWait(app);
        Throwable t = catchThrowable(() -> await(store.load("q")));
        assertThat(t).isInstanceOf(StorageUnavailableException.class)
            .hasCauseInstanceOf(SQLTransientConnectionException.class);
        locker.rollback();
        await(blocked);
      }
      assertThat(await(store.load("q"))).isEqualTo(changed(s));
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void aServerCrashFailsCallsUnavailableAndTheStoreRecoversWhenItIsBack() throws Exception {
    String app = name("skt_crash");
    try (PostgresSessionStorage store = PostgresSessionStorage.open(
        server.storeUrl(name("crash"), "ApplicationName=" + app + "&connectTimeout=1s"))) {
      Session original = PostgresSessionStorageTest.session("c", T0, 4);
      await(store.save(original));
      Connection locker = admin();
      lockRows(locker, store.tableNames().messages(), "session_id = 'c' AND position = 0");
      CompletableFuture<Revision> inFlight = store.save(changed(original));
      waitForLockWait(app);
      // Killed while the save holds the session row and waits for a message row.
      server.crash();
      locker.close();
      Throwable crashed = catchThrowable(() -> await(inFlight));
      assertUnavailableWithCause(crashed);
      // It was waiting for a lock inside its transaction, far from its commit.
      assertThat(crashed).isNotInstanceOf(AmbiguousOutcomeException.class);
      long start = System.nanoTime();
      Throwable load = catchThrowable(() -> await(store.load("c")));
      Throwable save = catchThrowable(() -> await(store.save(PostgresSessionStorageTest.session("new", T0, 1))));
      assertUnavailableWithCause(load);
      assertUnavailableWithCause(save);
      assertThat((System.nanoTime() - start) / 1_000_000).as("no call hangs").isLessThan(30_000);

      server.startServer();
      Session loaded = eventually(() -> await(store.load("c")));
      assertThat(loaded).isEqualTo(original);
      assertThat(catchThrowable(() -> await(store.load("new")))).isInstanceOf(org.sessionkit.SessionNotFoundException.class);
      await(store.save(changed(original)));
      assertThat(await(store.load("c"))).isEqualTo(changed(original));
    }
  }

  @Test
  void openingWhileTheServerIsDownFailsUnavailableWithinTheConnectTimeout() {
    long start = System.nanoTime();
    Throwable t = catchThrowable(() -> PostgresSessionStorage.open(
        "postgresql://postgres@127.0.0.1:1/postgres?connectTimeout=500ms"));
    assertThat(t).isInstanceOf(StorageUnavailableException.class).hasCauseInstanceOf(SQLException.class);
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    assertThat(root).isInstanceOfAny(PSQLException.class, java.net.ConnectException.class);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
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
