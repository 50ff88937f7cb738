package org.sessionkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.sessionkit.mysql.Fixtures.await;
import static org.sessionkit.mysql.Fixtures.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.mysql.internal.Ids;

/**
 * The same store through MySQL Connector/J ({@code driver=mysql}) instead of MariaDB's, against
 * the test server: values and ids exact, conditions and keys, slices, and the failure kinds —
 * a statement timeout is plain, a commit whose answer is lost is ambiguous — with the other
 * driver's exceptions. The whole kit runs with MariaDB Connector/J ({@link
 * MySqlSessionStorageTckTest}); this covers what depends on the driver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlConnectorJTest {

  private static final Instant T0 = Instant.parse("2025-07-07T07:07:07.070707070Z");

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

  private String url(String hosts, String prefix, String options) {
    return "mysql://" + db.user() + "@" + hosts + "/" + db.database() + "?driver=mysql&tablePrefix=" + prefix
        + (options.isEmpty() ? "" : "&" + options);
  }

  private MySqlSessionStorage open(String hosts, String prefix, String options) {
    MySqlSessionStorage s = MySqlSessionStorage.open(url(hosts, prefix, options));
    opened.add(s);
    return s;
  }

  @Test
  void valuesIdsAndListingOrderAreExact() {
    MySqlSessionStorage store = open(db.hosts(), db.newPrefix(), "");
    Session rich = Fixtures.rich("rich");
    await(store.save(rich));
    assertThat(await(store.load("rich"))).isEqualTo(rich);
    List<String> ids = List.of("A", "a", "x", "x ", "😀", "\uFFFD", "e\u0301", "\u00e9");
    for (String id : ids) {
      await(store.save(session(id, T0, 1)));
    }
    List<String> expected = new ArrayList<>(ids);
    expected.sort(SessionIds.CODE_POINT_ORDER);
    assertThat(await(store.list(ListQuery.firstPage().limit(100).updatedBefore(T0.plusSeconds(1)).updatedAfter(T0.minusSeconds(1))))
        .summaries()).extracting(SessionSummary::id).containsExactlyElementsOf(expected);
  }

  @Test
  void conditionsKeysAndSlicesBehaveAsWithTheOtherDriver() {
    MySqlSessionStorage store = open(db.hosts(), db.newPrefix(), "");
    Revision r1 = await(store.save(session("c", T0, 30)));
    Append turn = Append.of(List.of(Message.user("next")), session("c", T0, 0).state(), T0.plusSeconds(1))
        .ifRevision(r1).withIdempotencyKey(IdempotencyKey.of("turn"));
    Revision r2 = await(store.append("c", turn));
    assertThat(await(store.append("c", turn))).isEqualTo(r2);
    assertThatThrownBy(() -> await(store.saveIf(session("c", T0, 1), r1))).isInstanceOf(RevisionConflictException.class);
    assertThat(await(store.loadTail("c", 5)).messages()).hasSize(5).last().isEqualTo(Message.user("next"));
    assertThat(await(store.update("c", s -> s.withMessage(Message.user("u")))).session().messages()).hasSize(32);
    assertThat(await(store.deleteMatching(org.sessionkit.DeleteFilter.idPrefix("c")))).isEqualTo(1L);
  }

  @Test
  void aLockWaitBeyondTheStatementTimeoutIsAPlainUnavailableError() throws Exception {
    MySqlSessionStorage store = open(db.hosts(), db.newPrefix(), "statementTimeout=1s");
    Session original = session("t", T0, 2);
    Revision r = await(store.save(original));
    try (Connection locker = db.connect()) {
      locker.setAutoCommit(false);
      try (PreparedStatement ps = locker.prepareStatement(
          "SELECT id FROM " + store.tableNames().sessions() + " WHERE id = ? FOR UPDATE")) {
        ps.setBytes(1, Ids.bytes("t"));
        ps.executeQuery().close();
      }
      Throwable t = catchThrowable(() -> await(store.save(session("t", T0, 5))));
      assertThat(t).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(AmbiguousOutcomeException.class)
          .hasCauseInstanceOf(SQLException.class);
      assertThat(t.getMessage()).containsAnyOf("statement timeout", "lock wait timeout");
      locker.rollback();
    }
    VersionedSession after = await(store.loadVersioned("t"));
    assertThat(after.session()).isEqualTo(original);
    assertThat(after.revision()).isEqualTo(r);
  }

  @Test
  void aCommitWhoseAnswerIsLostIsAmbiguousAndALostStatementIsNot() throws Exception {
    String[] hostPort = db.hosts().split(":");
    try (CuttingProxy proxy = new CuttingProxy(hostPort[0], hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 3306)) {
      MySqlSessionStorage store = open("127.0.0.1:" + proxy.port(), db.newPrefix(), "poolSize=2");
      Session original = session("a", T0, 2);
      await(store.save(original));
      Append turn = Append.of(List.of(Message.user("turn")), original.state(), T0)
          .withIdempotencyKey(IdempotencyKey.of("turn-1"));
      proxy.cutOnNext("INSERT", CuttingProxy.When.BEFORE);
      Throwable lost = catchThrowable(() -> await(store.append("a", turn)));
      assertThat(lost).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(AmbiguousOutcomeException.class);
      assertThat(await(store.load("a"))).isEqualTo(original);
      proxy.cutOnNext("COMMIT", CuttingProxy.When.AFTER);
      Throwable ambiguous = catchThrowable(() -> await(store.append("a", turn)));
      assertThat(ambiguous).isInstanceOf(AmbiguousOutcomeException.class).hasCauseInstanceOf(SQLException.class);
      Revision retried = await(store.append("a", turn));
      VersionedSession now = await(store.loadVersioned("a"));
      assertThat(now.revision()).isEqualTo(retried);
      assertThat(now.session().messages()).hasSize(3);
      assertThat(proxy.cuts()).isEqualTo(2);
    }
  }
}
