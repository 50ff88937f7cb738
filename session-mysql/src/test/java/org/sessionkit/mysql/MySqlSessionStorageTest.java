package org.sessionkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.sessionkit.mysql.Fixtures.await;
import static org.sessionkit.mysql.Fixtures.rich;
import static org.sessionkit.mysql.Fixtures.session;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.mysql.internal.Ids;
import org.sessionkit.spi.SessionCodec;

/** The store's own behaviour against a real server (the TCK covers the whole contract). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlSessionStorageTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123456789Z");

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
    return track(db.open());
  }

  private MySqlSessionStorage reopen(MySqlSessionStorage store, String options) {
    return track(MySqlSessionStorage.open(db.storeUrl(store.tableNames().prefix(), options)));
  }

  private <T extends SessionStorage> T track(T s) {
    opened.add(s);
    return s;
  }

  // ---------------------------------------------------------------- values and ids

  @Test
  void saveThenLoadReturnsAnEqualSessionWithEveryValueExactAlsoFromAnotherInstance() {
    MySqlSessionStorage store = open();
    Session s = rich("rich");
    await(store.save(s));
    assertThat(await(store.load("rich"))).isEqualTo(s);
    assertThat(await(reopen(store, "").load("rich"))).isEqualTo(s);
  }

  @Test
  void theStoredBytesAreTheCodecsNotARewrittenJsonValue() throws SQLException {
    MySqlSessionStorage store = open();
    Session s = rich("bytes");
    await(store.save(s));
    SessionCodec codec = SessionCodec.defaults();
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT state FROM " + store.tableNames().sessions() + " WHERE id = ?")) {
      ps.setBytes(1, Ids.bytes("bytes"));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getBytes(1)).isEqualTo(codec.encodeState(s.state()));
      }
    }
  }

  @Test
  void instantsAtTheEdgesOfTheYearRangeKeepEveryNanosecond() {
    MySqlSessionStorage store = open();
    Session early = session("early", Instant.parse("0000-01-01T00:01:00Z"), 1)
        .withUpdatedAt(Instant.parse("0000-01-01T00:00:00.000000001Z"));
    Session early2 = new Session("early2", List.of(), SessionState.initial(""),
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("0000-01-01T00:00:00Z"));
    Session late = new Session("late", List.of(), SessionState.initial(""),
        Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"));
    for (Session s : List.of(early, early2, late)) {
      await(store.save(s));
      assertThat(await(store.load(s.id()))).isEqualTo(s);
    }
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactly("late", "early", "early2");
  }

  @Test
  void idsThatTheServersCollationsWouldMergeAreDistinctSessions() {
    MySqlSessionStorage store = open();
    // utf8mb4_general_ci: A = a, e-acute = e, ß = s; utf8mb4_bin pads: x = "x ".
    List<String> ids = List.of("A", "a", "x", "x ", "x  ", "e", "\u00e9", "e\u0301", "s", "\u00df", "ss",
        "😀", "😁", "\uFFFD", " lead");
    for (String id : ids) {
      await(store.save(session(id, T0, 1).withState(s -> s.withCwd("/" + id))));
    }
    for (String id : ids) {
      Session loaded = await(store.load(id));
      assertThat(loaded.id()).isEqualTo(id);
      assertThat(loaded.state().cwd()).isEqualTo("/" + id);
    }
    assertThat(await(store.list())).hasSize(ids.size());
    assertThat(page(store, ListQuery.withPrefix("x"))).containsExactly("x", "x ", "x  ");
    assertThat(page(store, ListQuery.withPrefix("x "))).containsExactly("x ", "x  ");
    assertThat(page(store, ListQuery.withPrefix("A"))).containsExactly("A");
    await(store.delete("x "));
    assertThat(await(store.load("x")).id()).isEqualTo("x");
    assertThatThrownBy(() -> await(store.load("x "))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void hostileIdsAreStoredAsDataAndNeverAsSql() {
    MySqlSessionStorage store = open();
    List<String> ids = List.of("it's", "a\"b", "back\\slash", "100%", "under_score", "%", "_", "`tick`",
        "'; DROP TABLE sessions; --", "?", "\uFFFF", "x".repeat(SessionIds.MAX_CODE_POINTS - 1) + "😀",
        "😀".repeat(SessionIds.MAX_CODE_POINTS), "...");
    for (String id : ids) {
      await(store.save(session(id, T0, 1)));
    }
    for (String id : ids) {
      assertThat(await(store.load(id)).id()).isEqualTo(id);
    }
    assertThat(await(store.list())).hasSize(ids.size());
    // LIKE wildcards in a prefix match only themselves.
    assertThat(page(store, ListQuery.withPrefix("%"))).containsExactly("%");
    assertThat(page(store, ListQuery.withPrefix("_"))).containsExactly("_");
    assertThat(page(store, ListQuery.withPrefix("100%"))).containsExactly("100%");
    assertThat(page(store, ListQuery.withPrefix("'"))).containsExactly("'; DROP TABLE sessions; --");
    assertThat(page(store, ListQuery.withPrefix("\u0001"))).isEmpty();
    assertThat(page(store, ListQuery.withPrefix("\u0000"))).isEmpty();
  }

  private static List<String> page(SessionStorage store, ListQuery q) {
    return await(store.list(q)).summaries().stream().map(SessionSummary::id).collect(Collectors.toList());
  }

  // ---------------------------------------------------------------- listing

  @Test
  void listingIsUpdatedDescendingThenIdInCodePointOrder() {
    MySqlSessionStorage store = open();
    // U+FFFD sorts before an emoji in code points, after it in UTF-16 units.
    List<String> ids = List.of("b", "a", "\uFFFD", "😀", "B", "a b", "ab", "a", "\u00e9");
    for (String id : ids) {
      await(store.save(session(id, T0, 0)));
    }
    await(store.save(session("newest", T0.plusNanos(1), 0)));
    await(store.save(session("oldest", T0.minusNanos(1), 0)));
    List<String> expected = new ArrayList<>(ids.stream().distinct().collect(Collectors.toList()));
    expected.sort(SessionIds.CODE_POINT_ORDER);
    expected.add(0, "newest");
    expected.add("oldest");
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactlyElementsOf(expected);
  }

  @Test
  void pagesWalkEverySessionOnceAlsoOnAnotherInstance() {
    MySqlSessionStorage store = open();
    List<Session> all = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      // Many equal instants, so that pages end in the middle of a tie; negative seconds too.
      Instant at = i % 4 == 0 ? Instant.parse("1960-01-01T00:00:00.5Z").plusNanos(i / 10) : T0.plusNanos(i / 10);
      all.add(session(String.format("s%02d", (i * 7) % 57), at, i % 3));
    }
    for (Session s : all) {
      await(store.save(s));
    }
    List<String> expected = all.stream()
        .sorted(Comparator.comparing((Session s) -> s.updatedAt()).reversed()
            .thenComparing(Session::id, SessionIds.CODE_POINT_ORDER))
        .map(Session::id).collect(Collectors.toList());
    MySqlSessionStorage other = reopen(store, "");
    List<String> walked = new ArrayList<>();
    ListQuery q = ListQuery.firstPage().limit(5);
    int pages = 0;
    while (true) {
      SessionPage p = await((pages % 2 == 0 ? store : other).list(q));
      p.summaries().forEach(x -> walked.add(x.id()));
      pages++;
      if (p.nextCursor().isEmpty()) {
        break;
      }
      q = q.after(p.nextCursor().get());
    }
    assertThat(walked).containsExactlyElementsOf(expected);
    assertThat(pages).isEqualTo(12);
  }

  @Test
  void prefixAndTimeFiltersSelectExactlyTheMatchingSessions() {
    MySqlSessionStorage store = open();
    List<String> ids = List.of("user-1/a", "user-1/b", "user-10/a", "user-1", "user-2/a", "user-\uD7FF",
        "user-\uD7FFx", "user-\uE000", "user-\uDBFF\uDFFF", "user-\uDBFF\uDFFFz", "user-\uFFFF",
        "user-😀", "other", "user-~", "user-\u00a1");
    List<Session> all = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Session s = session(ids.get(i), T0.plusSeconds(i), 0);
      all.add(s);
      await(store.save(s));
    }
    List<String> prefixes = List.of("user-1", "user-1/", "user-\uD7FF", "user-\uDBFF\uDFFF", "user-\uFFFF",
        "user-", "u", "other", "none", "user-😀", "user-~");
    for (String prefix : prefixes) {
      for (Optional<Instant> before : List.of(Optional.<Instant>empty(), Optional.of(T0.plusSeconds(8)))) {
        for (Optional<Instant> after : List.of(Optional.<Instant>empty(), Optional.of(T0.plusSeconds(2)))) {
          ListQuery q = ListQuery.withPrefix(prefix).limit(2);
          if (before.isPresent()) {
            q = q.updatedBefore(before.get());
          }
          if (after.isPresent()) {
            q = q.updatedAfter(after.get());
          }
          List<String> expected = all.stream()
              .filter(s -> s.id().startsWith(prefix))
              .filter(s -> before.isEmpty() || s.updatedAt().isBefore(before.get()))
              .filter(s -> after.isEmpty() || s.updatedAt().isAfter(after.get()))
              .sorted(Comparator.comparing(Session::updatedAt).reversed())
              .map(Session::id).collect(Collectors.toList());
          List<String> walked = new ArrayList<>();
          while (true) {
            SessionPage p = await(store.list(q));
            p.summaries().forEach(x -> walked.add(x.id()));
            if (p.nextCursor().isEmpty()) {
              break;
            }
            q = q.after(p.nextCursor().get());
          }
          assertThat(walked).as("prefix %s before %s after %s", prefix, before, after)
              .containsExactlyElementsOf(expected);
        }
      }
    }
  }

  // ---------------------------------------------------------------- revisions

  @Test
  void everyWriteMakesANewRevisionNeverReusedAfterDeleteAndCreateNorByAnotherInstance() {
    MySqlSessionStorage store = open();
    MySqlSessionStorage other = reopen(store, "");
    List<Revision> seen = new ArrayList<>();
    seen.add(await(store.create(session("a", T0, 1))));
    seen.add(await(other.save(session("a", T0.plusSeconds(1), 2))));
    seen.add(await(store.append("a", Append.of(List.of(Message.user("x")), SessionState.initial("/"), T0))));
    seen.add(await(other.update("a", s -> s)).revision());
    assertThat(await(store.loadVersioned("a")).revision()).isEqualTo(seen.get(seen.size() - 1));
    await(store.delete("a"));
    seen.add(await(store.create(session("a", T0, 1))));
    seen.add(await(other.save(session("b", T0, 1))));
    assertThat(seen).doesNotHaveDuplicates();
    for (Revision r : seen.subList(0, seen.size() - 2)) {
      assertThatThrownBy(() -> await(store.saveIf(session("a", T0, 5), r))).isInstanceOf(RevisionConflictException.class);
    }
    assertThat(await(store.load("a")).messages()).hasSize(1);
  }

  @Test
  void conditionalWritesWithAStaleRevisionConflictAndChangeNothing() {
    MySqlSessionStorage store = open();
    Session s = session("c", T0, 3);
    Revision r = await(store.save(s));
    Revision r2 = await(store.saveIf(session("c", T0.plusSeconds(1), 4), r));
    assertThatThrownBy(() -> await(store.saveIf(session("c", T0.plusSeconds(2), 1), r)))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.saveIf(session("c", T0, 1), Revision.of("not-one-of-ours"))))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.deleteIf("c", r))).isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.append("c", Append.of(List.of(Message.user("x")),
        SessionState.initial("/"), T0).ifRevision(r)))).isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.create(session("c", T0, 0)))).isInstanceOf(RevisionConflictException.class);
    VersionedSession stored = await(store.loadVersioned("c"));
    assertThat(stored.session()).isEqualTo(session("c", T0.plusSeconds(1), 4));
    assertThat(stored.revision()).isEqualTo(r2);
    assertThatThrownBy(() -> await(store.saveIf(session("missing", T0, 1), r2)))
        .isInstanceOf(RevisionConflictException.class);
    await(store.deleteIf("c", r2));
    assertThatThrownBy(() -> await(store.delete("c"))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.deleteIf("c", r2))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.append("c", Append.of(List.of(), SessionState.initial("/"), T0))))
        .isInstanceOf(SessionNotFoundException.class);
  }

  // ---------------------------------------------------------------- what a write touches

  /** Triggers on the messages table that record every row event, for the cost checks. */
  private String audit(MySqlSessionStorage store) throws SQLException {
    String table = "audit_" + store.tableNames().prefix();
    String m = store.tableNames().messages();
    db.execute("CREATE TABLE `" + table + "` (n INT AUTO_INCREMENT PRIMARY KEY, ev VARCHAR(40))",
        "CREATE TRIGGER `" + table + "i` AFTER INSERT ON " + m + " FOR EACH ROW INSERT INTO `" + table
            + "` (ev) VALUES (CONCAT('insert ', NEW.position))",
        "CREATE TRIGGER `" + table + "u` AFTER UPDATE ON " + m + " FOR EACH ROW INSERT INTO `" + table
            + "` (ev) VALUES (CONCAT('update ', NEW.position))",
        "CREATE TRIGGER `" + table + "d` AFTER DELETE ON " + m + " FOR EACH ROW INSERT INTO `" + table
            + "` (ev) VALUES (CONCAT('delete ', OLD.position))");
    return table;
  }

  private List<String> events(String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT ev FROM `" + table + "` ORDER BY n")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    db.execute("DELETE FROM `" + table + "`");
    return out;
  }

  @Test
  void appendAndAnAppendingUpdateInsertOnlyTheNewMessageRows() throws SQLException {
    MySqlSessionStorage store = open();
    Session s = session("long", T0, 1000);
    await(store.save(s));
    String audit = audit(store);
    SessionState state = s.state().withEventCount(7);
    await(store.append("long", Append.of(List.of(Message.user("next"), Message.assistant("reply")), state,
        T0.plusSeconds(5))));
    assertThat(events(audit)).containsExactly("insert 1000", "insert 1001");
    await(store.update("long", x -> x.withMessage(Message.user("third"))));
    assertThat(events(audit)).containsExactly("insert 1002");
    await(store.update("long", x -> new Session(x.id(), x.messages().subList(0, 990), x.state(), x.createdAt(),
        x.updatedAt())));
    assertThat(events(audit)).hasSize(13).allSatisfy(e -> assertThat(e).startsWith("delete "));
    Session loaded = await(store.load("long"));
    assertThat(loaded.messages()).hasSize(990).isEqualTo(s.messages().subList(0, 990));
    assertThat(loaded.state()).isEqualTo(state);
  }

  @Test
  void aSaveDropsTheSurplusRowsOfAShorterSession() throws SQLException {
    MySqlSessionStorage store = open();
    await(store.save(session("s", T0, 10)));
    await(store.save(session("s", T0, 4)));
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + store.tableNames().messages()
            + " WHERE session_id = ?")) {
      ps.setBytes(1, Ids.bytes("s"));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(4);
      }
    }
    assertThat(await(store.load("s"))).isEqualTo(session("s", T0, 4));
  }

  @Test
  void aSessionLargerThanOnePacketIsWrittenInSeveralStatements() throws SQLException {
    long packet;
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@max_allowed_packet")) {
      rs.next();
      packet = rs.getLong(1);
    }
    MySqlSessionStorage store = open();
    // Ten messages of 1/8 of a packet each (with characters the driver escapes): more than one
    // packet in all, so the rows go in several statements.
    String text = "x".repeat((int) (packet / 8)) + "\"'\\\u0000";
    List<Message> messages = IntStream.range(0, 10).mapToObj(i -> Message.user(i + text)).collect(Collectors.toList());
    Session big = new Session("big", messages, SessionState.initial("/"), T0, T0);
    long start = System.nanoTime();
    await(store.save(big));
    long saveMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(await(store.load("big"))).isEqualTo(big);
    await(store.append("big", Append.of(messages.subList(0, 2), big.state(), T0)));
    assertThat(await(store.load("big")).messages()).hasSize(12);
    System.getLogger(getClass().getName()).log(System.Logger.Level.INFO,
        "save of " + (10 * packet / 8 / 1024 / 1024) + " MiB in 10 messages: " + saveMillis + " ms");
    // One message that can't fit into one packet at all is refused before any write.
    Session tooBig = new Session("too-big", List.of(Message.user("x".repeat((int) packet))), SessionState.initial("/"), T0, T0);
    assertThatThrownBy(() -> await(store.save(tooBig))).isInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("max_allowed_packet");
    assertThatThrownBy(() -> await(store.load("too-big"))).isInstanceOf(SessionNotFoundException.class);
  }

  @Test
  void sessionsThatCantBeStoredFailInvalidBeforeAnythingIsWritten() {
    MySqlSessionStorage store = open();
    Session s = session("limit", T0, 2);
    Revision r = await(store.save(s));
    List<Session> bad = List.of(
        s.withUpdatedAt(Instant.parse("+10000-01-01T00:00:00Z")),
        new Session("limit", s.messages(), s.state().withCwd("\uDC00"), s.createdAt(), s.updatedAt()),
        s.withMessage(Message.user("\uD800")));
    for (Session b : bad) {
      assertThatThrownBy(() -> await(store.save(b))).isInstanceOf(InvalidSessionException.class);
      assertThatThrownBy(() -> await(store.update("limit", x -> b))).isInstanceOf(InvalidSessionException.class);
    }
    assertThatThrownBy(() -> await(store.append("limit", Append.of(List.of(Message.user("\uD800")),
        s.state(), T0)))).isInstanceOf(InvalidSessionException.class);
    assertThatThrownBy(() -> await(store.append("limit", Append.of(List.of(),
        s.state(), Instant.parse("-0001-01-01T00:00:00Z"))))).isInstanceOf(InvalidSessionException.class);
    VersionedSession after = await(store.loadVersioned("limit"));
    assertThat(after.session()).isEqualTo(s);
    assertThat(after.revision()).isEqualTo(r);
  }

  // ---------------------------------------------------------------- schema

  @Test
  void withoutCreateSchemaMissingTablesAreAConfigurationError() {
    assertThatThrownBy(() -> MySqlSessionStorage.open(db.storeUrl(db.newPrefix(), "createSchema=false")))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("no sessionkit tables")
        .hasMessageContaining("createSchema=true");
  }

  @Test
  void anUnknownDatabaseIsAConfigurationError() {
    String url = db.storeUrl(db.newPrefix(), "").replace("/" + db.database() + "?", "/no_such_db_skt?");
    assertThatThrownBy(() -> MySqlSessionStorage.open(url))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void aNewerLayoutVersionIsRefused() throws SQLException {
    MySqlSessionStorage store = open();
    store.close();
    db.execute("INSERT INTO " + store.tableNames().schemaVersion() + " (version, description) VALUES (2, 'future')");
    assertThatThrownBy(() -> MySqlSessionStorage.open(db.storeUrl(store.tableNames().prefix(), "")))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("layout version 2")
        .hasMessageContaining("upgrade sessionkit");
  }

  @Test
  void theDdlRunByHandMakesTablesAStoreUsesWithoutCreatingThem() throws SQLException {
    String prefix = "app" + db.newPrefix();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      for (String statement : org.sessionkit.mysql.internal.SchemaManager.statements(MySqlSessionStorage.ddl(prefix))) {
        s.execute(statement);
      }
    }
    MySqlSessionStorage store = track(MySqlSessionStorage.open(db.storeUrl(prefix, "createSchema=false")));
    await(store.save(session("x", T0, 2)));
    assertThat(await(store.load("x"))).isEqualTo(session("x", T0, 2));
    assertThat(store.tableNames().sessions()).isEqualTo("`" + prefix + "sessions`");
    assertThat(MySqlSessionStorage.ddlTemplate()).contains("${prefix}").doesNotContain("${schema}");
  }

  @Test
  void tablesLeftHalfCreatedAreCompletedByTheNextStore() throws SQLException {
    String prefix = db.newPrefix();
    List<String> statements = org.sessionkit.mysql.internal.SchemaManager.statements(MySqlSessionStorage.ddl(prefix));
    // As if the first creator died after two tables: no version recorded yet.
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute(statements.get(0));
      s.execute(statements.get(2));
    }
    assertThatThrownBy(() -> MySqlSessionStorage.open(db.storeUrl(prefix, "createSchema=false")))
        .isInstanceOf(StorageConfigurationException.class);
    MySqlSessionStorage store = track(MySqlSessionStorage.open(db.storeUrl(prefix, "")));
    await(store.save(session("x", T0, 2)));
    assertThat(await(store.load("x"))).isEqualTo(session("x", T0, 2));
  }

  @Test
  void storesOpeningTogetherCreateTheTablesOnce() {
    String prefix = db.newPrefix();
    List<CompletableFuture<MySqlSessionStorage>> opening = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      opening.add(CompletableFuture.supplyAsync(() -> MySqlSessionStorage.open(db.storeUrl(prefix, ""))));
    }
    List<MySqlSessionStorage> stores = opening.stream().map(Fixtures::await).map(this::track).collect(Collectors.toList());
    await(stores.get(0).save(session("shared", T0, 1)));
    assertThat(await(stores.get(3).load("shared"))).isEqualTo(session("shared", T0, 1));
  }

  @Test
  void prefixesThatAreNotPlainIdentifiersAreRejected() {
    for (String bad : List.of("a`b", "a;b", "1abc", "a b", "a-b", "x".repeat(43))) {
      assertThatThrownBy(() -> MySqlSessionStorage.ddl(bad)).as(bad).isInstanceOf(StorageConfigurationException.class);
    }
    assertThat(MySqlSessionStorage.ddl("")).contains("CREATE TABLE IF NOT EXISTS `sessions`");
    assertThatThrownBy(() -> MySqlSessionStorage.open(db.storeUrl("x`y", ""))).isInstanceOf(StorageConfigurationException.class);
  }

  // ---------------------------------------------------------------- opening and closing

  @Test
  void everyUriFormOpensThroughDiscoveryEachWithItsDriver() {
    String prefix = db.newPrefix();
    String where = db.hosts() + "/" + db.database();
    List<String> uris = List.of(
        "mariadb://" + db.user() + "@" + where + "?tablePrefix=" + prefix,
        // MySQL Connector/J (the mysql scheme prefers it; the tests have both drivers).
        "mysql://" + db.user() + "@" + where + "?tablePrefix=" + prefix,
        "jdbc:mariadb://" + where + "?user=" + db.user() + "&tablePrefix=" + prefix,
        "jdbc:mysql://" + where + "?user=" + db.user() + "&tablePrefix=" + prefix + "&driver=mariadb");
    for (int i = 0; i < uris.size(); i++) {
      try (SessionStorage s = SessionStorages.open(uris.get(i))) {
        assertThat(s).isInstanceOf(MySqlSessionStorage.class);
        assertThat(s.kind()).isEqualTo("mysql");
        await(s.ping());
        await(s.save(session("form" + i, T0, 0)));
      }
    }
    try (SessionStorage s = SessionStorages.open(uris.get(0))) {
      assertThat(await(s.list())).hasSize(4);
    }
  }

  @Test
  void unknownOptionsAreConfigurationErrorsThatNameThem() {
    assertThatThrownBy(() -> SessionStorages.open(db.storeUrl(db.newPrefix(), "poolsize=3")))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("poolsize")
        .hasMessageContaining("poolSize");
  }

  private int connections(String database) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void closeReleasesEveryConnectionAndFailsLaterCalls() throws Exception {
    closeStores();
    MySqlSessionStorage store = db.open();
    List<CompletableFuture<?>> work = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      work.add(store.save(session("c" + i, T0, 3)));
    }
    work.forEach(Fixtures::await);
    assertThat(connections(db.database())).isPositive();
    store.close();
    store.close();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (connections(db.database()) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(connections(db.database())).isZero();
    assertThatThrownBy(() -> await(store.load("c1"))).isInstanceOf(StorageClosedException.class);
  }

  @Test
  void theStoreNeverClosesAUsersDataSource() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:mariadb://" + db.hosts() + "/" + db.database());
    config.setUsername(db.user());
    config.setMaximumPoolSize(2);
    try (HikariDataSource users = new HikariDataSource(config)) {
      String prefix = db.newPrefix();
      MySqlSessionStorage store = MySqlSessionStorage.builder(users).tablePrefix(prefix).poolSize(2).build();
      await(store.save(session("mine", T0, 2)));
      assertThat(await(store.load("mine"))).isEqualTo(session("mine", T0, 2));
      assertThat(store.toString()).contains(prefix);
      store.close();
      assertThat(users.isClosed()).isFalse();
      try (Connection c = users.getConnection()) {
        assertThat(c.isValid(2)).isTrue();
      }
    }
  }

  @Test
  void thePasswordNeverShowsInToStringOrErrors() {
    String withPassword = "mariadb://" + db.user() + ":s3cr%40t@" + db.hosts() + "/" + db.database()
        + "?tablePrefix=" + db.newPrefix();
    Throwable wrongPassword = catchThrowable(() -> MySqlSessionStorage.open(withPassword));
    assertThat(wrongPassword).isInstanceOf(StorageUnavailableException.class).hasMessageContaining("***");
    Throwable bogus = catchThrowable(() -> MySqlSessionStorage.open(
        "mysql://u:s3cr%40t@127.0.0.1:1/db?connectTimeout=300ms&bogus=1"));
    assertThat(bogus).isInstanceOf(StorageConfigurationException.class);
    Throwable refused = catchThrowable(() -> MySqlSessionStorage.open(
        "mysql://u:s3cr%40t@127.0.0.1:1/db?connectTimeout=300ms&password=s3cr3t2"));
    assertThat(refused).isInstanceOf(StorageUnavailableException.class);
    for (Throwable failure : List.of(wrongPassword, bogus, refused)) {
      for (Throwable x = failure; x != null; x = x.getCause()) {
        assertThat(String.valueOf(x.getMessage())).doesNotContain("s3cr");
      }
    }
  }

  @Test
  void textContentSurvivesEveryKindOfCharacter() {
    MySqlSessionStorage store = open();
    StringBuilder all = new StringBuilder();
    for (int cp = 1; cp < 0x3000; cp += 7) {
      if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
        all.appendCodePoint(cp);
      }
    }
    all.append("😀🐬𝄞\u0000");
    Session s = session("chars", T0, 0).withMessage(Message.of(org.sessionkit.Role.USER,
        new ContentBlock.Text(all.toString())));
    await(store.save(s));
    assertThat(await(store.load("chars"))).isEqualTo(s);
  }
}
