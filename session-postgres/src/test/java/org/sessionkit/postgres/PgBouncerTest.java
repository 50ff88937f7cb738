package org.sessionkit.postgres;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.StorageUnavailableException;

/**
 * What {@code pooler=transaction} changes behind PgBouncer in transaction mode (the whole kit
 * runs through it in {@link PgBouncerTckTest}): without it PgBouncer refuses the store's startup
 * options; with it the statement timeout still holds (set with {@code SET LOCAL}), and stores
 * opening together create the tables once under a transaction-scoped advisory lock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBouncerTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private TestDatabase db;
  private PrivatePgBouncer bouncer;
  private final List<PostgresSessionStorage> opened = new ArrayList<>();

  @BeforeAll
  void server() {
    db = TestDatabase.shared();
  }

  @BeforeEach
  void startBouncer() throws Exception {
    db.require();
    if (bouncer == null) {
      bouncer = PrivatePgBouncer.start(db.host(), db.port(), db.database());
    }
  }

  @AfterEach
  void closeStores() {
    opened.forEach(PostgresSessionStorage::close);
    opened.clear();
  }

  @AfterAll
  void stop() throws SQLException {
    try {
      db.close();
    } finally {
      if (bouncer != null) {
        bouncer.close();
      }
    }
  }

  private PostgresSessionStorage open(String schema, String options) {
    PostgresSessionStorage s = PostgresSessionStorage.open(db.storeUrlVia(bouncer.port(), schema, options));
    opened.add(s);
    return s;
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  @Test
  void withoutTheOptionPgBouncerRefusesTheStartupOptionsOfTheStore() {
    Throwable t = catchThrowable(() -> open(db.newSchema(), "connectTimeout=1s"));
    assertThat(t).isInstanceOf(StorageUnavailableException.class);
    // PgBouncer's own words reach the message.
    Throwable root = t;
    StringBuilder messages = new StringBuilder();
    while (root != null) {
      messages.append(root.getMessage()).append('\n');
      root = root.getCause();
    }
    assertThat(messages.toString()).contains("options");
  }

  @Test
  void theStatementTimeoutHoldsThroughThePoolerAndFailsPlain() throws Exception {
    String schema = db.newSchema();
    PostgresSessionStorage store = open(schema, "pooler=transaction&statementTimeout=400ms");
    await(store.save(PostgresSessionStorageTest.session("t", T0, 2)));
    try (Connection locker = db.connect()) {
      locker.setAutoCommit(false);
      try (Statement s = locker.createStatement()) {
        s.executeQuery("SELECT 1 FROM " + store.tableNames().sessions() + " WHERE id = 't' FOR UPDATE").close();
      }
      long start = System.nanoTime();
      Throwable save = catchThrowable(() -> await(store.save(PostgresSessionStorageTest.session("t", T0, 3))));
      Throwable append = catchThrowable(() -> await(store.append("t", org.sessionkit.Append.of(
          List.of(Message.user("x")), org.sessionkit.SessionState.initial("/"), T0))));
      Throwable update = catchThrowable(() -> await(store.update("t", s -> s, IdempotencyKey.of("k"))));
      long millis = (System.nanoTime() - start) / 1_000_000;
      for (Throwable t : List.of(save, append, update)) {
        assertThat(t).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(AmbiguousOutcomeException.class)
            .hasMessageContaining("statement timeout");
      }
      assertThat(millis).isLessThan(15_000);
      locker.rollback();
    }
    // The setting was local: after the timeouts the same pooled connections work as before, and
    // a plain connection through PgBouncer has no statement timeout left behind.
    assertThat(await(store.load("t")).messages()).hasSize(2);
    try (Connection c = TestDatabase.dataSource(db.storeUrlVia(bouncer.port(), "x", ""), "skt-bouncer-check")
        .getConnection(); Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SHOW statement_timeout")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("0");
    }
  }

  @Test
  void storesOpeningTogetherThroughThePoolerCreateTheTablesOnce() {
    for (int round = 0; round < 3; round++) {
      String schema = db.newSchema();
      List<CompletableFuture<PostgresSessionStorage>> opening = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opening.add(CompletableFuture.supplyAsync(
            () -> PostgresSessionStorage.open(db.storeUrlVia(bouncer.port(), schema, "pooler=transaction"))));
      }
      List<PostgresSessionStorage> stores = opening.stream().map(PgBouncerTest::await).collect(Collectors.toList());
      opened.addAll(stores);
      Session s = PostgresSessionStorageTest.session("shared", T0, 1);
      await(stores.get(0).save(s));
      assertThat(await(stores.get(3).load("shared"))).isEqualTo(s);
    }
  }
}
