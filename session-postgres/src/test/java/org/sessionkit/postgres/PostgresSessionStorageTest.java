package org.sessionkit.postgres;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
import org.sessionkit.Futures;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.TokenUsage;
import org.sessionkit.VersionedSession;

/** The store's own behaviour against a real server (the TCK covers the whole contract). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresSessionStorageTest {

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
  void dropSchemas() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  private PostgresSessionStorage open() {
    PostgresSessionStorage s = db.open();
    opened.add(s);
    return s;
  }

  private <T extends SessionStorage> T track(T s) {
    opened.add(s);
    return s;
  }

  private static <T> T await(CompletableFuture<T> f) {
    return Futures.await(f, 30, SECONDS);
  }

  static Session session(String id, Instant updated, int messages) {
    List<Message> ms = IntStream.range(0, messages)
        .mapToObj(i -> i % 2 == 0 ? Message.user("question " + i) : Message.assistant("answer " + i))
        .collect(Collectors.toList());
    return new Session(id, ms, SessionState.initial("/work"), updated.minusSeconds(60), updated);
  }

  /** A session with every kind of value the format must keep exactly. */
  static Session rich(String id) {
    Map<String, JsonValue> input = new LinkedHashMap<>();
    input.put("int", JsonValue.of(3));
    input.put("decimal", new JsonValue.JsonDecimal(new BigDecimal("3.0")));
    input.put("exponent", new JsonValue.JsonDecimal(new BigDecimal("1.5E+300")));
    input.put("big", JsonValue.of(new BigInteger("123456789012345678901234567890")));
    input.put("negativeBig", JsonValue.of(new BigInteger("-98765432109876543210")));
    input.put("nul", JsonValue.of("a\u0000b"));
    input.put("controls", JsonValue.of("\u0001\u001f\u007f\t\n\"\\"));
    input.put("null", JsonValue.NULL);
    input.put("emoji", JsonValue.of("😀 e\u0301 \uFFFD"));
    input.put("nested", JsonValue.array(JsonValue.emptyObject(), JsonValue.array(), JsonValue.TRUE));
    Message tool = Message.of(Role.ASSISTANT,
        new ContentBlock.Thinking("hmm\u0000", "sig"),
        new ContentBlock.ToolUse("tu_1", "read", JsonValue.object(input)));
    Message result = Message.of(Role.USER,
        ContentBlock.ToolResult.ofText("tu_1", "line1\nline2\u0000"),
        new ContentBlock.Compaction("summary"));
    TokenUsage usage = new TokenUsage(-1L, 42, OptionalLong.of(0), OptionalLong.empty(),
        OptionalLong.of(Long.MIN_VALUE), Optional.of(List.of()));
    SessionState state = new SessionState("C:\\work\\dir\u0000", usage, -2L, input);
    return new Session(id, List.of(Message.system("sys"), Message.user("hi\u0000"), tool, result),
        state, Instant.parse("2024-02-29T23:59:59.999999999Z"), Instant.parse("2024-03-01T00:00:00.000000001Z"));
  }

  // ---------------------------------------------------------------- values

  @Test
  void saveThenLoadReturnsAnEqualSessionWithEveryValueExact() {
    PostgresSessionStorage store = open();
    Session s = rich("rich");
    await(store.save(s));
    assertThat(await(store.load("rich"))).isEqualTo(s);
    // And from a fresh instance on the same tables.
    try (PostgresSessionStorage other = PostgresSessionStorage.open(
        db.storeUrl(store.tableNames().schema(), ""))) {
      assertThat(await(other.load("rich"))).isEqualTo(s);
    }
  }

  @Test
  void instantsAtTheEdgesOfTheYearRangeKeepEveryNanosecond() {
    PostgresSessionStorage store = open();
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
    assertThat(await(store.list())).extracting(SessionSummary::id)
        .containsExactly("late", "early", "early2");
  }

  @Test
  void hostileIdsAreStoredAsDataAndNeverAsSql() {
    PostgresSessionStorage store = open();
    List<String> ids = List.of("it's", "a\"b", "back\\slash", "100%", "under_score", "%", "_",
        "'; DROP TABLE sessions; --", "$1", "?", "e\u0301", "\u00e9", "A", "a", "😀", "\uFFFF",
        "x".repeat(SessionIds.MAX_CODE_POINTS - 1) + "😀", " lead and trail ", "...");
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
    PostgresSessionStorage store = open();
    // U+FFFD sorts before an emoji in code points, after it in UTF-16 units.
    List<String> ids = List.of("b", "a", "\uFFFD", "😀", "B", "a b", "ab");
    for (String id : ids) {
      await(store.save(session(id, T0, 0)));
    }
    await(store.save(session("newest", T0.plusNanos(1), 0)));
    await(store.save(session("oldest", T0.minusNanos(1), 0)));
    List<String> expected = new ArrayList<>(ids);
    expected.sort(SessionIds.CODE_POINT_ORDER);
    expected.add(0, "newest");
    expected.add("oldest");
    assertThat(await(store.list())).extracting(SessionSummary::id).containsExactlyElementsOf(expected);
  }

  @Test
  void pagesWalkEverySessionOnceAlsoOnAnotherInstance() {
    PostgresSessionStorage store = open();
    List<Session> all = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      // Many equal instants, so that pages end in the middle of a tie.
      all.add(session(String.format("s%02d", (i * 7) % 57), T0.plusNanos(i / 10), i % 3));
    }
    for (Session s : all) {
      await(store.save(s));
    }
    List<String> expected = all.stream()
        .sorted(Comparator.comparing((Session s) -> s.updatedAt()).reversed()
            .thenComparing(Session::id, SessionIds.CODE_POINT_ORDER))
        .map(Session::id).collect(Collectors.toList());
    try (PostgresSessionStorage other = PostgresSessionStorage.open(
        db.storeUrl(store.tableNames().schema(), ""))) {
      List<String> walked = new ArrayList<>();
      ListQuery q = ListQuery.firstPage().limit(5);
      int pages = 0;
      while (true) {
        SessionStorage s = pages % 2 == 0 ? store : other;
        SessionPage p = await(s.list(q));
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
  }

  @Test
  void prefixAndTimeFiltersSelectExactlyTheMatchingSessions() {
    PostgresSessionStorage store = open();
    List<String> ids = List.of("user-1/a", "user-1/b", "user-10/a", "user-1", "user-2/a", "user-\uD7FF",
        "user-\uD7FFx", "user-\uE000", "user-\uDBFF\uDFFF", "user-\uDBFF\uDFFFz", "user-\uFFFF",
        "user-😀", "other");
    List<Session> all = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Session s = session(ids.get(i), T0.plusSeconds(i), 0);
      all.add(s);
      await(store.save(s));
    }
    List<String> prefixes = List.of("user-1", "user-1/", "user-\uD7FF", "user-\uDBFF\uDFFF", "user-\uFFFF",
        "user-", "u", "other", "none", "user-😀");
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
  void everyWriteMakesANewRevisionNeverReusedAfterDeleteAndCreate() {
    PostgresSessionStorage store = open();
    Revision r1 = await(store.create(session("a", T0, 1)));
    Revision r2 = await(store.save(session("a", T0.plusSeconds(1), 2)));
    assertThat(r2).isNotEqualTo(r1);
    assertThat(await(store.loadVersioned("a")).revision()).isEqualTo(r2);
    await(store.delete("a"));
    Revision r3 = await(store.create(session("a", T0, 1)));
    assertThat(r3).isNotIn(r1, r2);
    assertThatThrownBy(() -> await(store.saveIf(session("a", T0, 5), r1)))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(await(store.load("a")).messages()).hasSize(1);
  }

  @Test
  void conditionalWritesWithAStaleRevisionConflictAndChangeNothing() {
    PostgresSessionStorage store = open();
    Session s = session("c", T0, 3);
    Revision r = await(store.save(s));
    Revision r2 = await(store.saveIf(session("c", T0.plusSeconds(1), 4), r));
    assertThatThrownBy(() -> await(store.saveIf(session("c", T0.plusSeconds(2), 1), r)))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.saveIf(session("c", T0, 1), Revision.of("not-a-number"))))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.deleteIf("c", r))).isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.append("c", Append.of(List.of(Message.user("x")),
        SessionState.initial("/"), T0).ifRevision(r)))).isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.create(session("c", T0, 0))))
        .isInstanceOf(RevisionConflictException.class);
    VersionedSession stored = await(store.loadVersioned("c"));
    assertThat(stored.session()).isEqualTo(session("c", T0.plusSeconds(1), 4));
    assertThat(stored.revision()).isEqualTo(r2);
    assertThatThrownBy(() -> await(store.saveIf(session("missing", T0, 1), r2)))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(store.load("missing"))).isInstanceOf(SessionNotFoundException.class);
    await(store.deleteIf("c", r2));
    assertThatThrownBy(() -> await(store.delete("c"))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.deleteIf("c", r2))).isInstanceOf(SessionNotFoundException.class);
    assertThatThrownBy(() -> await(store.append("c", Append.of(List.of(), SessionState.initial("/"), T0))))
        .isInstanceOf(SessionNotFoundException.class);
  }

  // ---------------------------------------------------------------- append and rewrite costs

  @Test
  void appendInsertsOnlyTheNewRowsAndLeavesEarlierRowsUntouched() throws SQLException {
    PostgresSessionStorage store = open();
    Session s = session("long", T0, 1000);
    await(store.save(s));
    Map<Integer, String> before = rowVersions(store, "long");
    SessionState state = s.state().withEventCount(7);
    Revision r = await(store.append("long",
        Append.of(List.of(Message.user("next"), Message.assistant("reply")), state, T0.plusSeconds(5))));
    Map<Integer, String> after = rowVersions(store, "long");
    assertThat(after).hasSize(1002);
    for (int i = 0; i < 1000; i++) {
      assertThat(after.get(i)).as("row %d", i).isEqualTo(before.get(i));
    }
    VersionedSession loaded = await(store.loadVersioned("long"));
    assertThat(loaded.revision()).isEqualTo(r);
    assertThat(loaded.session()).isEqualTo(
        new Session("long", concat(s.messages(), List.of(Message.user("next"), Message.assistant("reply"))),
            state, s.createdAt(), T0.plusSeconds(5)));
    assertThat(await(store.list()).get(0).messageCount()).isEqualTo(1002);
  }

  @Test
  void saveRewritesOnlyChangedMessagesAndDropsTheSurplus() throws SQLException {
    PostgresSessionStorage store = open();
    Session s = session("rw", T0, 50);
    await(store.save(s));
    Map<Integer, String> before = rowVersions(store, "rw");
    List<Message> changed = new ArrayList<>(s.messages().subList(0, 30));
    changed.set(10, Message.user("edited"));
    Session shorter = new Session("rw", changed, s.state(), s.createdAt(), T0.plusSeconds(1));
    await(store.save(shorter));
    Map<Integer, String> after = rowVersions(store, "rw");
    assertThat(after).hasSize(30);
    for (int i = 0; i < 30; i++) {
      if (i == 10) {
        assertThat(after.get(i)).isNotEqualTo(before.get(i));
      } else {
        assertThat(after.get(i)).as("row %d", i).isEqualTo(before.get(i));
      }
    }
    assertThat(await(store.load("rw"))).isEqualTo(shorter);
    await(store.save(s));
    assertThat(await(store.load("rw"))).isEqualTo(s);
  }

  private Map<Integer, String> rowVersions(PostgresSessionStorage store, String id) throws SQLException {
    Map<Integer, String> out = new LinkedHashMap<>();
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT position, xmin::text || '/' || ctid::text FROM "
            + store.tableNames().messages() + " WHERE session_id = ? ORDER BY position")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getInt(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void concurrentAppendsAndUpdatesFromManyThreadsLoseNothing() {
    PostgresSessionStorage store = open();
    await(store.save(session("hot", T0, 0)));
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int n = i;
      all.add(store.append("hot", Append.of(List.of(Message.user("append " + n)), SessionState.initial("/work"), T0)));
      all.add(store.update("hot", cur -> cur.withMessage(Message.assistant("update " + n))));
    }
    all.forEach(PostgresSessionStorageTest::await);
    List<String> texts = await(store.load("hot")).messages().stream()
        .map(m -> ((ContentBlock.Text) m.content().get(0)).text()).collect(Collectors.toList());
    assertThat(texts).hasSize(80);
    for (int i = 0; i < 40; i++) {
      assertThat(texts).contains("append " + i, "update " + i);
    }
  }

  // ---------------------------------------------------------------- unstorable sessions

  @Test
  void sessionsThatCantBeStoredFailInvalidBeforeAnythingIsWritten() {
    Session s = session("limit", T0, 6);
    int size = SessionCodec.defaults().encode(s).length;
    String schema = db.newSchema();
    try (PostgresSessionStorage exact = PostgresSessionStorage.builder(db.storeUrl(schema, ""))
            .codec(SessionCodec.builder().maxDocumentBytes(size).build()).build();
        PostgresSessionStorage tight = PostgresSessionStorage.builder(db.storeUrl(schema, ""))
            .codec(SessionCodec.builder().maxDocumentBytes(size - 1).build()).build()) {
      assertThatThrownBy(() -> await(tight.save(s))).isInstanceOf(InvalidSessionException.class);
      assertThatThrownBy(() -> await(tight.load("limit"))).isInstanceOf(SessionNotFoundException.class);
      await(exact.save(s));
      assertThat(await(tight.load("limit"))).isEqualTo(s);
      Revision r = await(exact.loadVersioned("limit")).revision();
      List<Session> bad = List.of(
          s.withMessage(Message.user("lone \uD800 surrogate")),
          s.withUpdatedAt(Instant.parse("+10000-01-01T00:00:00Z")),
          new Session("limit", s.messages(), s.state().withCwd("\uDC00"), s.createdAt(), s.updatedAt()));
      for (Session b : bad) {
        assertThatThrownBy(() -> await(exact.save(b))).isInstanceOf(InvalidSessionException.class);
      }
      assertThatThrownBy(() -> await(exact.append("limit", Append.of(List.of(Message.user("\uD800")),
          s.state(), T0)))).isInstanceOf(InvalidSessionException.class);
      assertThatThrownBy(() -> await(exact.append("limit", Append.of(List.of(),
          s.state(), Instant.parse("-0001-01-01T00:00:00Z"))))).isInstanceOf(InvalidSessionException.class);
      assertThatThrownBy(() -> await(tight.append("limit", Append.of(List.of(Message.user("x".repeat(size))),
          s.state(), T0)))).isInstanceOf(InvalidSessionException.class);
      VersionedSession after = await(exact.loadVersioned("limit"));
      assertThat(after.session()).isEqualTo(s);
      assertThat(after.revision()).isEqualTo(r);
    }
  }

  // ---------------------------------------------------------------- schema

  @Test
  void withoutCreateSchemaMissingTablesAreAConfigurationError() {
    String schema = db.newSchema();
    assertThatThrownBy(() -> PostgresSessionStorage.open(db.storeUrl(schema, "createSchema=false")))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("no sessionkit tables")
        .hasMessageContaining("createSchema=true");
  }

  @Test
  void aNewerLayoutVersionIsRefused() throws SQLException {
    PostgresSessionStorage store = open();
    String schema = store.tableNames().schema();
    store.close();
    db.execute("INSERT INTO " + store.tableNames().schemaVersion() + " (version, description) VALUES (3, 'future')");
    assertThatThrownBy(() -> PostgresSessionStorage.open(db.storeUrl(schema, "")))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("layout version 3")
        .hasMessageContaining("upgrade sessionkit");
  }

  @Test
  void thePreReleaseLayoutOneIsRefusedWithWhatToDo() throws SQLException {
    String schema = db.newSchema();
    // The tables of layout 1 as far as the version check is concerned.
    db.execute("CREATE SCHEMA " + schema,
        "CREATE TABLE " + schema + ".schema_version (version integer PRIMARY KEY, description text NOT NULL,"
            + " installed timestamptz NOT NULL DEFAULT now())",
        "INSERT INTO " + schema + ".schema_version (version, description) VALUES (1, 'sessions, messages and revisions')");
    assertThatThrownBy(() -> PostgresSessionStorage.open(db.storeUrl(schema, "")))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("layout version 1")
        .hasMessageContaining("does not migrate")
        .hasMessageContaining("another schema");
  }

  @Test
  void theDdlRunByHandMakesTablesAStoreUsesWithoutCreatingThem() throws SQLException {
    String schema = db.newSchema();
    db.execute("CREATE SCHEMA " + schema, PostgresSessionStorage.ddl(schema, "app_"));
    try (PostgresSessionStorage store = PostgresSessionStorage.open(
        db.storeUrl(schema, "tablePrefix=app_&createSchema=false"))) {
      await(store.save(session("x", T0, 2)));
      assertThat(await(store.load("x"))).isEqualTo(session("x", T0, 2));
      assertThat(store.tableNames().sessions()).isEqualTo("\"" + schema + "\".\"app_sessions\"");
    }
    assertThat(PostgresSessionStorage.ddlTemplate()).contains("${schema}", "${prefix}");
  }

  @Test
  void storesOpeningTogetherCreateTheTablesOnce() {
    String schema = db.newSchema();
    List<CompletableFuture<PostgresSessionStorage>> opening = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      opening.add(CompletableFuture.supplyAsync(() -> PostgresSessionStorage.open(db.storeUrl(schema, ""))));
    }
    List<PostgresSessionStorage> stores = opening.stream().map(PostgresSessionStorageTest::await)
        .map(this::track).collect(Collectors.toList());
    await(stores.get(0).save(session("shared", T0, 1)));
    assertThat(await(stores.get(3).load("shared"))).isEqualTo(session("shared", T0, 1));
  }

  @Test
  void namesThatAreNotPlainIdentifiersAreRejected() {
    for (String bad : List.of("a\"b", "a;b", "1abc", "", "pg_catalog", "a b", "x".repeat(64))) {
      assertThatThrownBy(() -> PostgresSessionStorage.ddl(bad, ""))
          .as(bad).isInstanceOf(StorageConfigurationException.class);
    }
    assertThatThrownBy(() -> PostgresSessionStorage.ddl("ok", "bad-prefix"))
        .isInstanceOf(StorageConfigurationException.class);
    assertThatThrownBy(() -> PostgresSessionStorage.open(db.storeUrl("x\"y", "")))
        .isInstanceOf(StorageConfigurationException.class);
  }

  // ---------------------------------------------------------------- opening and closing

  @Test
  void everyUriFormOpensThroughDiscovery() {
    String schema = db.newSchema();
    PgTarget t = PgTarget.of(db.url());
    List<String> uris = List.of(
        db.storeUrl(schema, ""),
        "postgres://" + t.authority() + "/" + t.database() + "?schema=" + schema,
        "jdbc:postgresql://" + t.hostPort() + "/" + t.database() + "?user=" + t.user() + "&schema=" + schema);
    for (int i = 0; i < uris.size(); i++) {
      try (SessionStorage s = SessionStorages.open(uris.get(i))) {
        assertThat(s).isInstanceOf(PostgresSessionStorage.class);
        await(s.save(session("form" + i, T0, 0)));
      }
    }
    try (SessionStorage s = SessionStorages.open(db.storeUrl(schema, ""))) {
      assertThat(await(s.list())).hasSize(3);
    }
  }

  @Test
  void unknownOptionsAreConfigurationErrorsThatNameThem() {
    assertThatThrownBy(() -> SessionStorages.open(db.storeUrl(db.newSchema(), "poolsize=3")))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("poolsize")
        .hasMessageContaining("poolSize");
  }

  @Test
  void closeReleasesEveryConnectionAndFailsLaterCalls() throws Exception {
    String app = "skt-close-" + ProcessHandle.current().pid();
    PostgresSessionStorage store = PostgresSessionStorage.open(
        db.storeUrl(db.newSchema(), "ApplicationName=" + app));
    List<CompletableFuture<?>> work = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      work.add(store.save(session("c" + i, T0, 3)));
    }
    work.forEach(PostgresSessionStorageTest::await);
    assertThat(connections(app)).isPositive();
    store.close();
    store.close();
    // The server ends a backend shortly after its client said goodbye.
    long deadline = System.nanoTime() + SECONDS.toNanos(10);
    while (connections(app) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(connections(app)).isZero();
    assertThatThrownBy(() -> await(store.load("c1"))).isInstanceOf(StorageClosedException.class);
  }

  private int connections(String applicationName) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
      ps.setString(1, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void theStoreNeverClosesAUsersDataSource() throws Exception {
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setDataSource(TestDatabase.dataSource(db.url(), "skt-user-pool"));
    config.setMaximumPoolSize(2);
    try (com.zaxxer.hikari.HikariDataSource users = new com.zaxxer.hikari.HikariDataSource(config)) {
      String schema = db.newSchema();
      PostgresSessionStorage store = PostgresSessionStorage.builder(users).schema(schema).poolSize(2).build();
      await(store.save(session("mine", T0, 2)));
      assertThat(store.toString()).contains(schema);
      store.close();
      assertThat(users.isClosed()).isFalse();
      try (Connection c = users.getConnection()) {
        assertThat(c.isValid(2)).isTrue();
      }
    }
  }

  @Test
  void thePasswordNeverShowsInToStringOrErrors() {
    String schema = db.newSchema();
    PgTarget t = PgTarget.of(db.url());
    String withPassword = "postgresql://" + t.user() + ":s3cr%40t@" + t.hostPort() + "/" + t.database()
        + "?schema=" + schema;
    try (PostgresSessionStorage store = PostgresSessionStorage.open(withPassword)) {
      assertThat(store.toString()).doesNotContain("s3cr").contains("***");
    }
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> PostgresSessionStorage.open(
        "postgresql://u:s3cr%40t@127.0.0.1:1/db?connectTimeout=300ms&bogus=1"));
    assertThat(failure).isInstanceOf(StorageConfigurationException.class);
    for (Throwable x = failure; x != null; x = x.getCause()) {
      assertThat(String.valueOf(x.getMessage())).doesNotContain("s3cr");
    }
    failure = org.assertj.core.api.Assertions.catchThrowable(() -> PostgresSessionStorage.open(
        "postgresql://u:s3cr%40t@127.0.0.1:1/db?connectTimeout=300ms"));
    assertThat(failure).isInstanceOf(org.sessionkit.StorageUnavailableException.class);
    for (Throwable x = failure; x != null; x = x.getCause()) {
      assertThat(String.valueOf(x.getMessage())).doesNotContain("s3cr");
    }
  }

  /** The parts of the test server's URI, to write it in other forms. */
  record PgTarget(String user, String hostPort, String database) {
    static PgTarget of(String url) {
      org.sessionkit.postgres.internal.PgUri u = org.sessionkit.postgres.internal.PgUri.parse(url);
      String rest = u.jdbcUrl().substring("jdbc:postgresql://".length());
      int slash = rest.indexOf('/');
      return new PgTarget(u.user().orElse("postgres"), rest.substring(0, slash), rest.substring(slash + 1));
    }

    String authority() {
      return user + "@" + hostPort;
    }
  }
}
