package org.sessionkit.tck;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.ImageSource;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.InvalidIdException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.IterationUsage;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.TokenUsage;
import org.sessionkit.ToolResultItem;
import org.sessionkit.VersionedSession;

/**
 * The conformance kit of sessionkit: every clause of the {@link SessionStorage} contract as
 * executable checks. A store proves itself by extending this class in a test:
 *
 * <pre>{@code
 * class MyStoreTckTest extends SessionStorageCompatibilityKit {
 *   @Override
 *   protected SessionStorage newStorage() {
 *     return new MySessionStorage(...);            // a fresh, empty store
 *   }
 * }
 * }</pre>
 *
 * <p>Optional features are declared, not guessed: override {@link #capabilities()} (and the
 * hooks a capability needs: {@link #reopen} for {@link Capability#PERSISTENT} and {@link
 * Capability#CROSS_PROCESS}, {@link #corrupt} for {@link Capability#CORRUPTIBLE}). The checks
 * of an undeclared capability are reported as skipped, never as passed.
 *
 * <p>The checks are grouped by concern in {@link Nested} classes. Heavy checks take their size
 * from {@link #scale()}. Every future the kit waits for has a timeout ({@link
 * TckScale#operationTimeout()}), every check is bounded by a ten-minute {@link Timeout}, and the
 * kit closes every store and stops every thread it started, also when a check fails.
 *
 * <p>Two requirements are easy to miss. A listing may miss or repeat a session that is modified
 * while it runs (keyset semantics), so the kit requires only the unmodified ones. And {@code
 * update}'s change may run on a store's own thread: the kit makes one change wait until another
 * write of the same id has completed, so a store must be able to run a second operation while a
 * change is running (e.g. more than one I/O thread).
 *
 * <p>Not thread safe: JUnit creates one instance per check (per group for the paging checks).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
public abstract class SessionStorageCompatibilityKit {

  private static final Comparator<String> CODE_POINTS = SessionStorageCompatibilityKit::compareCodePoints;

  /** The listing order, written here independently of the API's own implementation. */
  private static final Comparator<SessionSummary> LISTING_ORDER =
      Comparator.comparing(SessionSummary::updatedAt, Comparator.reverseOrder())
          .thenComparing(SessionSummary::id, CODE_POINTS);

  private final List<SessionStorage> opened = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();
  private TckScale cachedScale;

  /** Creates the kit; JUnit calls it through the subclass. */
  protected SessionStorageCompatibilityKit() {}

  // ================================================================== hooks

  /**
   * Returns a new, empty, open store. Called once or more per check; the kit closes every store
   * it gets. Stores returned by two calls must be independent (different locations).
   *
   * @return the store; never {@code null}
   * @throws Exception if it can't be created (the check then fails)
   */
  protected abstract SessionStorage newStorage() throws Exception;

  /**
   * Returns a new instance on the same location as {@code previous} (a store returned by {@link
   * #newStorage()} or by this method). The kit calls it after closing {@code previous} (for
   * {@link Capability#PERSISTENT}) or while {@code previous} is still open (for {@link
   * Capability#CROSS_PROCESS}). Needed only by stores that declare one of those capabilities;
   * the default throws.
   *
   * @return the store; never {@code null}
   * @throws Exception if it can't be opened (the check then fails)
   */
  protected SessionStorage reopen(SessionStorage previous) throws Exception {
    throw new UnsupportedOperationException(
        getClass().getName() + " declares a capability that needs reopen(), but does not override it");
  }

  /**
   * Returns the optional features this store has; the checks of the others are skipped. The
   * default is none (a store like {@code memory:}).
   *
   * @return the capabilities; never {@code null}
   */
  protected Set<Capability> capabilities() {
    return Set.of();
  }

  /**
   * Returns the size of the heavy checks. The default reads the system property {@value
   * TckScale#PROPERTY} ({@code ci} when unset); a slow medium may return a smaller scale.
   *
   * @return the scale; never {@code null}
   */
  protected TckScale scale() {
    return TckScale.fromSystemProperty();
  }

  /**
   * Damages what {@code store} keeps for {@code id}, which the kit has just saved there as a
   * valid session, so that it can no longer be read as a session — as a disk error or an
   * operator editing a file would: e.g. overwrite the document with bytes that are not JSON.
   * Needed only by stores that declare {@link Capability#CORRUPTIBLE}; the default throws. The
   * kit passes only ids made of ASCII letters, digits and {@code -}.
   *
   * @throws Exception if it can't (the check then fails)
   */
  protected void corrupt(SessionStorage store, String id) throws Exception {
    throw new UnsupportedOperationException(
        getClass().getName() + " declares CORRUPTIBLE but does not override corrupt()");
  }

  // ================================================================== lifecycle of a check

  /** Closes every store this check opened and stops every thread it started. */
  @AfterEach
  final void tckCloseEverythingTheCheckOpened() throws InterruptedException {
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
    }
    for (ExecutorService pool : pools) {
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    pools.clear();
    List<Throwable> failures = new ArrayList<>();
    for (SessionStorage s : opened) {
      try {
        s.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    opened.clear();
    if (!failures.isEmpty()) {
      throw new AssertionError("close() must never throw, but threw " + failures.get(0), failures.get(0));
    }
  }

  // ================================================================== the checks

  @Nested
  @DisplayName("Round trips: load returns what was saved, equal in every field")
  class RoundTrips {

    @Test
    @DisplayName("an empty session: no messages, the initial state")
    void emptySessionRoundTrips() {
      roundTrip(fresh(), Samples.empty("empty"));
    }

    @Test
    @DisplayName("every content block variant, every image and document source and every role, in one session")
    void everyContentBlockVariantRoundTrips() {
      roundTrip(fresh(), Samples.everyBlock("blocks"));
    }

    @Test
    @DisplayName("each message of every kind on its own")
    void eachKindOfMessageRoundTripsAlone() {
      SessionStorage store = fresh();
      Session all = Samples.everyBlock("x");
      for (int i = 0; i < all.messages().size(); i++) {
        roundTrip(store, new Session("message-" + i, List.of(all.messages().get(i)), all.state(), Samples.T0, Samples.T0));
      }
    }

    @Test
    @DisplayName("token usage with only the required counters: optional counters and iterations stay absent")
    void tokenUsageWithOnlyRequiredCountersRoundTrips() {
      Session s = Samples.empty("usage-min").withState(st -> st.withTokenUsage(TokenUsage.of(5, 7)));
      Session loaded = roundTrip(fresh(), s);
      assertThat(loaded.state().tokenUsage().cacheReadTokens()).isEmpty();
      assertThat(loaded.state().tokenUsage().iterations()).isEmpty();
    }

    @Test
    @DisplayName("token usage with every counter (zeros included) and iterations with and without their optional counters")
    void tokenUsageWithEveryCounterRoundTrips() {
      TokenUsage usage =
          new TokenUsage(0, 1, OptionalLong.of(0), OptionalLong.of(2), OptionalLong.of(3),
              Optional.of(List.of(
                  new IterationUsage(1, 2, OptionalLong.of(3), OptionalLong.of(4)),
                  new IterationUsage(5, 6, OptionalLong.empty(), OptionalLong.of(0)),
                  new IterationUsage(7, 8, OptionalLong.of(0), OptionalLong.empty()),
                  IterationUsage.of(0, 0))));
      roundTrip(fresh(), Samples.empty("usage-max").withState(st -> st.withTokenUsage(usage)));
    }

    @Test
    @DisplayName("iterations absent and iterations present but empty stay two different values")
    void absentAndEmptyIterationsStayDistinct() {
      SessionStorage store = fresh();
      TokenUsage absent = TokenUsage.of(1, 1);
      TokenUsage empty = new TokenUsage(1, 1, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.of(List.of()));
      Session a = roundTrip(store, Samples.empty("iterations-absent").withState(st -> st.withTokenUsage(absent)));
      Session e = roundTrip(store, Samples.empty("iterations-empty").withState(st -> st.withTokenUsage(empty)));
      assertThat(a.state().tokenUsage().iterations()).as("absent iterations").isEmpty();
      assertThat(e.state().tokenUsage().iterations()).as("empty iterations").contains(List.of());
    }

    @Test
    @DisplayName("unsigned 64-bit counts up to u64::MAX (event count, tokens, iterations)")
    void unsignedSixtyFourBitMaximaRoundTrip() {
      long max = Samples.U64_MAX;
      long high = Long.MIN_VALUE; // 2^63 as an unsigned value
      TokenUsage usage = new TokenUsage(max, high, OptionalLong.of(max), OptionalLong.of(high), OptionalLong.of(max),
          Optional.of(List.of(new IterationUsage(max, high, OptionalLong.of(max), OptionalLong.of(Long.MAX_VALUE)))));
      SessionState state = new SessionState("/", usage, max, Map.of());
      roundTrip(fresh(), new Session("u64", List.of(), state, Samples.T0, Samples.T0));
    }

    @Test
    @DisplayName("custom values of every JSON type: null, booleans, 3 vs 3.0, 100-digit and u64::MAX integers, exponents, control and non-ASCII characters, nesting")
    void customValuesOfEveryJsonTypeRoundTrip() {
      Session s = Samples.empty("custom").withState(st -> st.withCustom(Samples.everyJsonValue()));
      Session loaded = roundTrip(fresh(), s);
      Map<String, JsonValue> c = loaded.state().custom();
      assertThat(c.get("integer 3")).isInstanceOf(JsonValue.JsonInteger.class);
      assertThat(c.get("decimal 3.0")).isInstanceOf(JsonValue.JsonDecimal.class).hasToString("3.0");
      assertThat(c.get("null")).isEqualTo(JsonValue.NULL);
      assertThat(c.keySet()).isEqualTo(s.state().custom().keySet());
    }

    @Test
    @DisplayName("tool call input of every JSON type, as an object, an array and a scalar")
    void toolInputOfEveryJsonTypeRoundTrips() {
      Map<String, JsonValue> values = Samples.everyJsonValue();
      Message m = Message.of(Role.ASSISTANT,
          new ContentBlock.ToolUse("t1", "object", new JsonValue.JsonObject(values)),
          new ContentBlock.ToolUse("t2", "array", new JsonValue.JsonArray(List.copyOf(values.values()))),
          new ContentBlock.ToolUse("t3", "string", new JsonValue.JsonString("\u0000😀")),
          new ContentBlock.ToolUse("t4", "decimal", Samples.everyJsonValue().get("decimal 3.0")),
          new ContentBlock.ToolUse("t5", "false", JsonValue.FALSE));
      roundTrip(fresh(), new Session("tool-input", List.of(m), SessionState.initial("/"), Samples.T0, Samples.T0));
    }

    @Test
    @DisplayName("timestamps keep every nanosecond, before 1970, at year 0000 and at the end of 9999")
    void timestampsKeepNanosecondsAndTheWholeRange() {
      List<Instant> instants = List.of(
          Samples.T0,
          Instant.parse("2026-02-24T15:04:05Z"),
          Instant.parse("2026-02-24T15:04:05.100Z"),
          Instant.parse("2026-02-24T15:04:05.123456Z"),
          Instant.parse("2026-02-24T15:04:05.000000100Z"),
          Instant.parse("2026-02-24T15:04:05.000000001Z"),
          Instant.parse("2026-02-24T15:04:05.999999999Z"),
          Instant.parse("1969-12-31T23:59:59.999999999Z"),
          Instant.EPOCH,
          Instant.parse("0000-01-01T00:00:00Z"),
          Instant.parse("9999-12-31T23:59:59.999999999Z"));
      SessionStorage store = fresh();
      List<SessionSummary> expected = new ArrayList<>();
      for (int i = 0; i < instants.size(); i++) {
        Instant created = instants.get(i);
        Instant updated = instants.get((i + 1) % instants.size());
        Session s = new Session("time-" + i, List.of(Message.user("at " + created)), SessionState.initial("/"), created, updated);
        Revision r = await(store.save(s));
        assertSameSession(s, await(store.load(s.id())), "load of a session created at " + created);
        expected.add(s.summary(r));
      }
      expected.sort(LISTING_ORDER);
      assertListing("list() of sessions with nanosecond timestamps", expected, await(store.list()));
    }

    @Test
    @DisplayName("the store never changes updatedAt itself, even when it is older than createdAt or than the stored one")
    void theStoreNeverChangesUpdatedAt() {
      SessionStorage store = fresh();
      Session s = new Session("old", List.of(Message.user("hi")), SessionState.initial("/"),
          Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2001-09-09T01:46:40.000000001Z"));
      roundTrip(store, s);
      Session older = new Session("old", List.of(Message.user("hi"), Message.assistant("x")), SessionState.initial("/"),
          s.createdAt(), Instant.parse("1999-12-31T23:59:59Z"));
      roundTrip(store, older);
      Revision r = await(store.append("old", Append.of(List.of(), older.state(), Instant.parse("1970-01-01T00:00:00.000000001Z"))));
      assertUnchanged(store, older.withUpdatedAt(Instant.parse("1970-01-01T00:00:00.000000001Z")), r);
    }

    @Test
    @DisplayName("paths and strings are kept exactly: no normalisation of cwd, line ends, spaces or Unicode forms")
    void pathsAndStringsAreKeptExactly() {
      SessionStorage store = fresh();
      List<String> texts = List.of("a//b/./c/../", "C:\\Users\\x\\", "", " ", "日本/😀", "line\r\nend\r", "trailing  ",
          "caf\u00e9", "cafe\u0301", "\u0000nul", "\uFEFF", "\uDBFF\uDFFF", "tab\tend");
      for (int i = 0; i < texts.size(); i++) {
        String t = texts.get(i);
        Session s = new Session("text-" + i, List.of(Message.user(t), Message.of(Role.ASSISTANT,
            new ContentBlock.Thinking(t, t), new ContentBlock.ToolUse(t, t, new JsonValue.JsonString(t)))),
            SessionState.initial(t).withCustom(t, new JsonValue.JsonString(t)), Samples.T0, Samples.T0);
        roundTrip(store, s);
      }
    }

    @Test
    @DisplayName("a large session (thousands of messages, a multi-megabyte inline image at full scale)")
    void largeSessionRoundTrips() {
      Session big = Samples.large("large", sc().largeSessionMessages(), sc().largeStringChars());
      roundTrip(fresh(), big);
    }

    @Test
    @DisplayName("loadVersioned returns the session and the revision that save returned")
    void loadVersionedReturnsTheSavedRevision() {
      SessionStorage store = fresh();
      Session s = Samples.everyBlock("versioned");
      Revision r = await(store.save(s));
      VersionedSession v = await(store.loadVersioned("versioned"));
      assertSameSession(s, v.session(), "loadVersioned");
      assertThat(v.revision()).as("revision of loadVersioned").isEqualTo(r);
    }
  }

  @Nested
  @DisplayName("Overwrite and delete")
  class OverwriteAndDelete {

    @Test
    @DisplayName("save of an existing id replaces the whole session (fewer messages, other state)")
    void saveReplacesTheWholeSession() {
      SessionStorage store = fresh();
      await(store.save(Samples.everyBlock("s")));
      Session second = Samples.small("s", Samples.T0.minusSeconds(10), 1, "second");
      Revision r = await(store.save(second));
      assertSameSession(second, await(store.load("s")), "load after overwrite");
      assertListing("list() after overwrite", List.of(second.summary(r)), await(store.list()));
    }

    @Test
    @DisplayName("load of an unknown id fails with SessionNotFoundException")
    void loadOfUnknownIdFailsWithNotFound() {
      SessionStorage store = fresh();
      fails(SessionNotFoundException.class, () -> store.load("nobody"));
      fails(SessionNotFoundException.class, () -> store.loadVersioned("nobody"));
      await(store.save(Samples.empty("somebody")));
      fails(SessionNotFoundException.class, () -> store.load("Somebody"));
      fails(SessionNotFoundException.class, () -> store.load("somebody "));
    }

    @Test
    @DisplayName("delete removes the session from load and list")
    void deleteRemovesTheSession() {
      SessionStorage store = fresh();
      await(store.save(Samples.empty("a")));
      Revision rb = await(store.save(Samples.small("b", Samples.T0, 2, "b")));
      await(store.delete("a"));
      fails(SessionNotFoundException.class, () -> store.load("a"));
      assertListing("list() after delete", List.of(Samples.small("b", Samples.T0, 2, "b").summary(rb)), await(store.list()));
      assertSameSession(Samples.small("b", Samples.T0, 2, "b"), await(store.load("b")), "the other session");
    }

    @Test
    @DisplayName("a second delete of the same id fails with SessionNotFoundException")
    void secondDeleteFailsWithNotFound() {
      SessionStorage store = fresh();
      await(store.save(Samples.empty("a")));
      await(store.delete("a"));
      fails(SessionNotFoundException.class, () -> store.delete("a"));
    }

    @Test
    @DisplayName("delete of an id that was never stored fails with SessionNotFoundException")
    void deleteOfUnknownIdFailsWithNotFound() {
      SessionStorage store = fresh();
      fails(SessionNotFoundException.class, () -> store.delete("never"));
      await(store.save(Samples.empty("other")));
      fails(SessionNotFoundException.class, () -> store.delete("never"));
      assertThat(ids(await(store.list()))).containsExactly("other");
    }

    @Test
    @DisplayName("a deleted id can be saved and created again")
    void deletedIdCanBeStoredAgain() {
      SessionStorage store = fresh();
      await(store.save(Samples.empty("again")));
      await(store.delete("again"));
      Session s2 = Samples.small("again", Samples.T0, 3, "second life");
      await(store.create(s2));
      assertSameSession(s2, await(store.load("again")), "load after delete and create");
      await(store.delete("again"));
      Session s3 = Samples.small("again", Samples.T0, 1, "third life");
      await(store.save(s3));
      assertSameSession(s3, await(store.load("again")), "load after delete and save");
    }
  }

  @Nested
  @DisplayName("Listing: one summary per session, most recently updated first, then ids in code-point order")
  class Listing {

    @Test
    @DisplayName("an empty store lists nothing: list(), a first page, a stream and problems() are empty")
    void emptyStoreListsNothing() {
      SessionStorage store = fresh();
      assertThat(await(store.list())).isEmpty();
      SessionPage page = await(store.list(ListQuery.firstPage()));
      assertThat(page.summaries()).isEmpty();
      assertThat(page.nextCursor()).isEmpty();
      assertThat(page.problems()).isEmpty();
      assertThat(collect(store.stream(ListQuery.firstPage().limit(1)))).isEmpty();
      assertThat(await(store.problems())).isEmpty();
    }

    @Test
    @DisplayName("list() has exactly one summary per session with its id, timestamps, message count and revision")
    void listHasOneExactSummaryPerSession() {
      SessionStorage store = fresh();
      List<Session> sessions = List.of(
          Samples.empty("zero"),
          Samples.small("one", Samples.T0.plusSeconds(1), 1, "one"),
          Samples.small("seven", Samples.T0.plusSeconds(2), 7, "seven"),
          Samples.everyBlock("blocks"),
          Samples.large("large", 50, 10));
      List<SessionSummary> expected = saveAll(store, sessions);
      assertListing("list()", expected, await(store.list()));
      assertListing("first page", expected, await(store.list(ListQuery.firstPage())).summaries());
    }

    @Test
    @DisplayName("the order is updatedAt descending, ties broken by code point (not String.compareTo: U+E000 sorts before U+1F600)")
    void listOrderIsUpdatedAtDescendingThenCodePoints() {
      SessionStorage store = fresh();
      List<Session> sessions = new ArrayList<>();
      for (String suffix : Samples.TIE_SUFFIXES) {
        sessions.add(Samples.small("x" + suffix, Samples.T0, 1, "tie"));
        sessions.add(Samples.small("y" + suffix, Samples.T0.plusNanos(1), 1, "tie"));
        sessions.add(Samples.small("z" + suffix, Samples.T0.minusNanos(1), 1, "tie"));
      }
      sessions.add(Samples.small("w", Samples.T0.minusSeconds(1), 0, "older"));
      sessions.add(Samples.small("W", Samples.T0.plusSeconds(1), 0, "newer"));
      List<SessionSummary> expected = saveAll(store, sessions);
      List<String> byUtf16 = expected.stream().map(SessionSummary::id).filter(id -> id.startsWith("x")).sorted().toList();
      List<String> byCodePoint = expected.stream().map(SessionSummary::id).filter(id -> id.startsWith("x")).toList();
      assertThat(byCodePoint).as("the kit's own sample: code-point order differs from String.compareTo").isNotEqualTo(byUtf16);
      assertListing("list()", expected, await(store.list()));
      assertListing("first page", expected, await(store.list(ListQuery.firstPage())).summaries());
    }

    @Test
    @DisplayName("list after deletes and overwrites shows the current sessions only")
    void listAfterDeletesAndOverwrites() {
      SessionStorage store = fresh();
      saveAll(store, List.of(Samples.small("a", Samples.T0, 1, "a"), Samples.small("b", Samples.T0.plusSeconds(1), 2, "b"),
          Samples.small("c", Samples.T0.plusSeconds(2), 3, "c")));
      await(store.delete("b"));
      Session c2 = Samples.small("c", Samples.T0.minusSeconds(5), 5, "c2");
      Revision rc = await(store.save(c2));
      Revision ra = await(store.loadVersioned("a")).revision();
      assertListing("list() after delete and overwrite",
          List.of(Samples.small("a", Samples.T0, 1, "a").summary(ra), c2.summary(rc)), await(store.list()));
      await(store.delete("a"));
      await(store.delete("c"));
      assertThat(await(store.list())).isEmpty();
    }

    @Test
    @DisplayName("message counts count messages, not content blocks")
    void messageCountsCountMessages() {
      SessionStorage store = fresh();
      Message multi = Message.of(Role.USER, ContentBlock.text("a"), ContentBlock.text("b"), ContentBlock.text("c"),
          new ContentBlock.Image(new ImageSource.Url("u")));
      Session s = new Session("multi", List.of(multi, multi, new Message(Role.ASSISTANT, List.of())),
          SessionState.initial("/"), Samples.T0, Samples.T0);
      await(store.save(s));
      assertThat(await(store.list())).singleElement().extracting(SessionSummary::messageCount).isEqualTo(3L);
      await(store.save(Samples.everyBlock("blocks")));
      assertThat(summaryOf(store, "blocks").messageCount()).isEqualTo(Samples.everyBlock("b").messages().size());
    }

    @Test
    @DisplayName("a healthy store reports no problem entries")
    void healthyStoreReportsNoProblems() {
      SessionStorage store = fresh();
      saveAll(store, List.of(Samples.everyBlock("a"), Samples.empty("b")));
      assertThat(await(store.problems())).isEmpty();
      assertThat(await(store.list(ListQuery.firstPage().limit(1))).problems()).isEmpty();
    }

    @Test
    @DisplayName("changing a list the store returned changes nothing the store returns later")
    void returnedListsAreNotTheStoresOwn() {
      SessionStorage store = fresh();
      saveAll(store, List.of(Samples.empty("a"), Samples.empty("b")));
      List<SessionSummary> first = await(store.list());
      try {
        first.clear();
      } catch (UnsupportedOperationException expected) {
        // an unmodifiable list is the best answer
      }
      assertThat(ids(await(store.list()))).containsExactly("a", "b");
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("Paged listing: keyset pages, prefix and time filters, cursors")
  class Paging {

    /** Filled once for the read-only checks of this group; closed after the last one. */
    private SessionStorage shared;

    /** What the shared store holds, in listing order. */
    private List<SessionSummary> all;

    @BeforeAll
    void storeTheSessionsToPage() {
      shared = untracked();
      all = saveAll(shared, Samples.pagingSessions(sc().pagingSessions()));
    }

    @AfterAll
    void closeTheSharedStore() {
      if (shared != null) {
        shared.close();
      }
    }

    @ParameterizedTest(name = "pages of {0}")
    @ValueSource(ints = {1, 2, 7, 100, 1000})
    @DisplayName("walking every page returns every session exactly once, in listing order, ties included")
    void walkingAllPagesReturnsEverySessionOnceInOrder(int pageSize) {
      List<SessionPage> pages = walk(shared, ListQuery.firstPage().limit(pageSize), all.size());
      assertListing("walk with pages of " + pageSize, all, flatten(pages));
      assertThat(pages.get(pages.size() - 1).nextCursor()).as("cursor of the last page").isEmpty();
    }

    @Test
    @DisplayName("list() holds the same summaries as the pages, revisions included")
    void listEqualsThePages() {
      assertListing("list()", all, await(shared.list()));
    }

    @Test
    @DisplayName("ties on updatedAt are ordered by code point, also with supplementary characters and U+E000-U+FFFF")
    void tiesAreOrderedByCodePoint() {
      List<SessionSummary> ties = all.stream().filter(s -> s.updatedAt().equals(Samples.TIE_TIME)).toList();
      List<String> tieIds = ids(ties);
      assertThat(tieIds).as("the kit's sample: code-point order differs from String.compareTo")
          .isNotEqualTo(tieIds.stream().sorted().toList());
      for (int size : new int[] {1, 3, 1000}) {
        List<SessionSummary> walked = flatten(walk(shared, ListQuery.firstPage().limit(size)
            .updatedAfter(Samples.TIE_TIME.minusNanos(1)).updatedBefore(Samples.TIE_TIME.plusNanos(1)), ties.size()));
        assertListing("the sessions updated at one instant, pages of " + size, ties, walked);
      }
    }

    @ParameterizedTest(name = "prefix {0}")
    @ValueSource(strings = {"user-1", "user-1/", "user-10/", "user-12/chat-", "tie/", "tie/\uD83D\uDE00", "tie/\uE000",
        "t\uD83D\uDE00/", "t\uE000/", "t", "p", "p/1", "p/10", "pq", "p\uD83D\uDE00", "P", "s/\uDBFF\uDFFF", "zzz-none"})
    @DisplayName("a prefix filter returns exactly the ids that start with it, in order, across pages (case-sensitive, code points)")
    void prefixFilterReturnsExactlyTheMatchingIds(String prefix) {
      List<SessionSummary> expected = all.stream().filter(s -> s.id().startsWith(prefix)).toList();
      for (int size : new int[] {7, 1000}) {
        List<SessionSummary> walked = flatten(walk(shared, ListQuery.withPrefix(prefix).limit(size), expected.size()));
        assertListing("prefix " + Samples.show(prefix) + ", pages of " + size, expected, walked);
      }
    }

    @Test
    @DisplayName("a prefix that is a whole id returns that id and the longer ones only")
    void prefixThatIsAWholeId() {
      assertThat(ids(flatten(walk(shared, ListQuery.withPrefix("p/1").limit(1), 3)))).containsExactly("p/1", "p/10");
      assertThat(ids(flatten(walk(shared, ListQuery.withPrefix("p/10").limit(1), 3)))).containsExactly("p/10");
      assertThat(ids(flatten(walk(shared, ListQuery.withPrefix("p").limit(2), 8))))
          .containsExactly("p", "p/1", "p/10", "p/2", "pq", "p\uE000", "p\uD83D\uDE00");
    }

    @Test
    @DisplayName("an empty prefix filters nothing")
    void emptyPrefixFiltersNothing() {
      assertListing("prefix \"\"", all, flatten(walk(shared, ListQuery.withPrefix("").limit(1000), all.size())));
    }

    @Test
    @DisplayName("updatedBefore alone: strictly before the bound")
    void updatedBeforeIsStrict() {
      for (Instant bound : boundaries()) {
        checkFilter(ListQuery.firstPage().updatedBefore(bound), s -> s.updatedAt().isBefore(bound), 7, 1000);
      }
    }

    @Test
    @DisplayName("updatedAfter alone: strictly after the bound")
    void updatedAfterIsStrict() {
      for (Instant bound : boundaries()) {
        checkFilter(ListQuery.firstPage().updatedAfter(bound), s -> s.updatedAt().isAfter(bound), 7, 1000);
      }
    }

    @Test
    @DisplayName("updatedAfter and updatedBefore together, and with a prefix")
    void boundsCombined() {
      List<Instant> b = boundaries();
      for (int i = 0; i < b.size(); i++) {
        for (int j = 0; j < b.size(); j++) {
          Instant after = b.get(i);
          Instant before = b.get(j);
          checkFilter(ListQuery.firstPage().updatedAfter(after).updatedBefore(before),
              s -> s.updatedAt().isAfter(after) && s.updatedAt().isBefore(before), 1000);
        }
      }
      Instant after = Samples.T0.plusSeconds(2);
      Instant before = Samples.T0.plusSeconds(8);
      checkFilter(ListQuery.firstPage().updatedAfter(after).updatedBefore(before),
          s -> s.updatedAt().isAfter(after) && s.updatedAt().isBefore(before), 7);
      for (String prefix : List.of("user-1", "t\uD83D\uDE00/", "tie/", "p")) {
        checkFilter(ListQuery.withPrefix(prefix).updatedAfter(after).updatedBefore(before),
            s -> s.id().startsWith(prefix) && s.updatedAt().isAfter(after) && s.updatedAt().isBefore(before), 7, 1000);
      }
    }

    @Test
    @DisplayName("bounds one nanosecond around an instant select exactly the sessions updated at it")
    void boundsOneNanosecondApart() {
      for (Instant t : List.of(Samples.T0, Samples.T0.plusNanos(1), Samples.TIE_TIME, Samples.T0.plusSeconds(10))) {
        checkFilter(ListQuery.firstPage().updatedAfter(t.minusNanos(1)).updatedBefore(t.plusNanos(1)),
            s -> s.updatedAt().equals(t), 1, 1000);
      }
    }

    @Test
    @DisplayName("filters that match nothing give one empty page without a cursor")
    void filtersThatMatchNothing() {
      List<ListQuery> empty = List.of(
          ListQuery.withPrefix("no such prefix"),
          ListQuery.withPrefix("P"),
          ListQuery.firstPage().updatedBefore(Samples.T0),
          ListQuery.firstPage().updatedAfter(Samples.T0.plusSeconds(11)),
          ListQuery.firstPage().updatedAfter(Samples.TIE_TIME).updatedBefore(Samples.TIE_TIME),
          ListQuery.firstPage().updatedAfter(Samples.T0.plusSeconds(6)).updatedBefore(Samples.T0.plusSeconds(2)),
          ListQuery.withPrefix("tie/").updatedBefore(Samples.TIE_TIME));
      for (ListQuery q : empty) {
        SessionPage page = await(shared.list(q));
        assertThat(page.summaries()).as("summaries of %s", describe(q)).isEmpty();
        assertThat(page.nextCursor()).as("cursor of %s", describe(q)).isEmpty();
      }
    }

    private List<Instant> boundaries() {
      return List.of(Samples.T0.minusSeconds(1), Samples.T0, Samples.T0.plusNanos(1), Samples.T0.plusSeconds(3),
          Samples.TIE_TIME, Samples.TIE_TIME.plusNanos(1), Samples.T0.plusSeconds(10).plusNanos(1), Samples.T0.plusSeconds(11));
    }

    private void checkFilter(ListQuery query, java.util.function.Predicate<SessionSummary> filter, int... pageSizes) {
      List<SessionSummary> expected = all.stream().filter(filter).toList();
      for (int size : pageSizes) {
        ListQuery q = query.limit(size);
        assertListing(describe(q), expected, flatten(walk(shared, q, expected.size())));
      }
    }

    @Test
    @DisplayName("a page size covering everything gives one page without a cursor")
    void onePageWhenTheLimitCoversEverything() {
      SessionPage page = await(shared.list(ListQuery.withPrefix("p").limit(1000)));
      assertThat(ids(page.summaries())).hasSize(7);
      assertThat(page.nextCursor()).isEmpty();
      SessionPage exact = await(shared.list(ListQuery.withPrefix("p").limit(7)));
      assertThat(ids(exact.summaries())).hasSize(7);
      if (exact.nextCursor().isPresent()) {
        // A store may not know that a full page was the last one; the next page must be empty.
        SessionPage after = await(shared.list(ListQuery.withPrefix("p").limit(7).after(exact.nextCursor().get())));
        assertThat(after.summaries()).as("page after the last full page").isEmpty();
        assertThat(after.nextCursor()).isEmpty();
      }
    }

    @Test
    @DisplayName("a cursor can be used again and again: the same page each time")
    void cursorsCanBeReused() {
      ListQuery q = ListQuery.firstPage().limit(7);
      SessionPage first = await(shared.list(q));
      String cursor = first.nextCursor().orElseThrow();
      SessionPage second = await(shared.list(q.after(cursor)));
      SessionPage again = await(shared.list(q.after(cursor)));
      assertThat(again).isEqualTo(second);
      List<SessionSummary> rest1 = flatten(walk(shared, q.after(cursor), all.size()));
      List<SessionSummary> rest2 = flatten(walk(shared, q.after(cursor), all.size()));
      assertListing("walk from a reused cursor", all.subList(7, all.size()), rest1);
      assertThat(rest2).isEqualTo(rest1);
      ListQuery filtered = ListQuery.withPrefix("user-1").limit(3);
      String fc = await(shared.list(filtered)).nextCursor().orElseThrow();
      List<SessionSummary> expected = all.stream().filter(s -> s.id().startsWith("user-1")).skip(3).toList();
      assertListing("walk from a reused cursor of a filtered query", expected, flatten(walk(shared, filtered.after(fc), all.size())));
      assertListing("again", expected, flatten(walk(shared, filtered.after(fc), all.size())));
    }

    @Test
    @DisplayName("garbage cursors fail with InvalidArgumentException")
    void garbageCursorsFailWithInvalidArgument() {
      String real = await(shared.list(ListQuery.firstPage().limit(3))).nextCursor().orElseThrow();
      int mid = real.length() / 2;
      char flipped = real.charAt(mid) == 'A' ? 'B' : 'A';
      List<String> garbage = List.of("", " ", "garbage", "null", "0", "-1", "%%%%", "c1", "c1AAAA", "\uD800",
          "eyJ1cGRhdGVkQXQiOjB9", real.substring(0, mid), real.substring(0, mid) + flipped + real.substring(mid + 1),
          real + "AAAA", new StringBuilder(real).reverse().toString(), real.toUpperCase(java.util.Locale.ROOT) + "x");
      for (String g : garbage) {
        if (g.equals(real)) {
          continue;
        }
        fails(InvalidArgumentException.class, () -> shared.list(ListQuery.firstPage().after(g)),
            "list with cursor " + Samples.show(g));
      }
    }

    @Test
    @DisplayName("page sizes outside 1..1000 fail with InvalidArgumentException; 1 and 1000 work")
    void pageSizesOutsideTheRangeFail() {
      for (int bad : new int[] {0, -1, 1001, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
        fails(InvalidArgumentException.class, () -> shared.list(ListQuery.firstPage().limit(bad)), "page size " + bad);
      }
      assertThat(await(shared.list(ListQuery.firstPage().limit(1))).summaries()).hasSize(1);
      assertThat(await(shared.list(ListQuery.firstPage().limit(1000))).summaries()).hasSize(Math.min(1000, all.size()));
      assertThat(ListQuery.firstPage().limit()).isEqualTo(ListQuery.DEFAULT_LIMIT);
      assertThat(await(shared.list(ListQuery.firstPage())).summaries()).hasSize(Math.min(ListQuery.DEFAULT_LIMIT, all.size()));
    }

    @Test
    @DisplayName("a prefix that is not well-formed UTF-16 fails with InvalidArgumentException")
    void malformedPrefixFails() {
      fails(InvalidArgumentException.class, () -> shared.list(ListQuery.withPrefix("user-\uD800")));
      fails(InvalidArgumentException.class, () -> shared.list(ListQuery.withPrefix("\uDC00")));
    }

    @Test
    @DisplayName("stream(query) walks every page: all sessions, a filtered query, and a garbage cursor fails")
    void streamWalksEveryPage() {
      assertListing("stream of pages of 7", all, collect(shared.stream(ListQuery.firstPage().limit(7))));
      assertListing("stream of pages of 1000", all, collect(shared.stream(ListQuery.firstPage().limit(1000))));
      Instant after = Samples.T0.plusSeconds(3);
      assertListing("stream with prefix and bound",
          all.stream().filter(s -> s.id().startsWith("user-1") && s.updatedAt().isAfter(after)).toList(),
          collect(shared.stream(ListQuery.withPrefix("user-1").updatedAfter(after).limit(3))));
      assertThatThrownBy(() -> collect(shared.stream(ListQuery.firstPage().after("garbage"))))
          .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    @DisplayName("stream(query) is lazy: it fetches a page only when it needs one")
    void streamIsLazy() {
      SessionStorage store = fresh();
      try (Stream<SessionSummary> stream = store.stream(ListQuery.firstPage().limit(1))) {
        saveAll(store, List.of(Samples.small("x1", Samples.T0.plusSeconds(3), 1, "x"),
            Samples.small("x2", Samples.T0.plusSeconds(2), 1, "x"), Samples.small("x3", Samples.T0.plusSeconds(1), 1, "x")));
        Iterator<SessionSummary> it = stream.iterator();
        assertThat(it.hasNext()).as("a session saved after the stream was created, before it was read").isTrue();
        assertThat(it.next().id()).isEqualTo("x1");
        await(store.save(Samples.small("x4", Samples.T0, 1, "x")));
        List<String> rest = new ArrayList<>();
        it.forEachRemaining(s -> rest.add(s.id()));
        assertThat(rest).as("the rest, including a session saved (at the end of the order) while reading").containsExactly("x2", "x3", "x4");
      }
    }

    @Test
    @DisplayName("sessions added, changed or deleted during a walk don't disturb the others: each untouched one comes exactly once, in order")
    void changesDuringAWalkDoNotDisturbTheOthers() {
      SessionStorage store = fresh();
      List<Session> stable = new ArrayList<>();
      List<Session> moving = new ArrayList<>();
      for (int i = 0; i < 70; i++) {
        stable.add(Samples.small("s/" + i, Samples.T0.plusSeconds(i % 9), 1, "stable"));
      }
      for (int i = 0; i < 30; i++) {
        moving.add(Samples.small("v/" + i, Samples.T0.plusSeconds(i % 9).plusNanos(i % 2), 1, "moving"));
      }
      List<SessionSummary> expected = saveAll(store, stable);
      saveAll(store, moving);
      ListQuery q = ListQuery.firstPage().limit(7);
      List<SessionSummary> seen = new ArrayList<>();
      Optional<String> cursor = Optional.empty();
      int round = 0;
      do {
        SessionPage page = await(store.list(cursor.map(q::after).orElse(q)));
        seen.addAll(page.summaries());
        cursor = page.nextCursor();
        if (round < 30) {
          await(store.delete("v/" + round));
        }
        if (round + 15 < 30) {
          await(store.save(Samples.small("v/" + (round + 15), Samples.T0.plusSeconds((round * 5) % 9), 2, "moved")));
        }
        await(store.save(Samples.small("n/" + round, Samples.T0.plusSeconds(round % 9).plusNanos(3), 1, "new")));
        round++;
      } while (cursor.isPresent() && round < 1_000);
      List<SessionSummary> stableSeen = seen.stream().filter(s -> s.id().startsWith("s/")).toList();
      assertListing("the untouched sessions of a walk with concurrent changes", expected, stableSeen);
    }
  }

  @Nested
  @DisplayName("Session ids: one rule, exact round trips, no collisions")
  class Ids {

    @Test
    @DisplayName("tricky valid ids (/, \\, .., %2e%2e, spaces, case, NFC/NFD, emoji, 256 code points…) round-trip and list back exactly")
    void trickyValidIdsRoundTripAndListBackExactly() {
      SessionStorage store = fresh();
      List<String> tricky = Samples.trickyIds();
      List<Session> sessions = new ArrayList<>();
      for (int i = 0; i < tricky.size(); i++) {
        sessions.add(Samples.small(tricky.get(i), Samples.T0.plusNanos(i), 1 + i % 3, "id" + i));
      }
      List<SessionSummary> expected = saveAll(store, sessions);
      for (Session s : sessions) {
        assertSameSession(s, await(store.load(s.id())), "load of id " + Samples.show(s.id()));
      }
      assertListing("list() of the tricky ids", expected, await(store.list()));
      for (Session s : sessions) {
        await(store.delete(s.id()));
        fails(SessionNotFoundException.class, () -> store.load(s.id()), "load after delete of " + Samples.show(s.id()));
      }
      assertThat(await(store.list())).isEmpty();
    }

    @Test
    @DisplayName("tricky valid ids work with every operation: create, loadVersioned, saveIf, update, append, prefix listing, deleteIf")
    void trickyValidIdsWorkWithEveryOperation() {
      SessionStorage store = fresh();
      for (String id : Samples.trickyIds()) {
        String what = "id " + Samples.show(id);
        Session s = Samples.small(id, Samples.T0, 1, "x");
        Revision r1 = await(store.create(s));
        assertThat(await(store.loadVersioned(id)).revision()).as(what).isEqualTo(r1);
        Session s2 = s.withMessage(Message.assistant("two")).withUpdatedAt(Samples.T0.plusSeconds(1));
        Revision r2 = await(store.saveIf(s2, r1));
        VersionedSession u = await(store.update(id, x -> x.withState(st -> st.withEventCount(9))));
        Revision r3 = await(store.append(id, Append.of(List.of(Message.user("three")), u.session().state(),
            Samples.T0.plusSeconds(2)).ifRevision(u.revision())));
        Session expected = u.session().withMessage(Message.user("three")).withUpdatedAt(Samples.T0.plusSeconds(2));
        assertSameSession(expected, await(store.load(id)), what);
        assertThat(List.of(r1, r2, u.revision(), r3)).as("revisions of %s", what).doesNotHaveDuplicates();
        assertThat(ids(await(store.list(ListQuery.withPrefix(id).limit(1000))).summaries())).as("prefix listing of %s", what).contains(id);
        await(store.deleteIf(id, r3));
        fails(SessionNotFoundException.class, () -> store.load(id), what);
      }
      assertThat(await(store.list())).isEmpty();
    }

    @Test
    @DisplayName("invalid ids (empty, ., .., 257 code points, control characters, lone surrogates) fail with InvalidIdException on every operation, and nothing is stored")
    void invalidIdsFailOnEveryOperation() {
      SessionStorage store = fresh();
      Revision some = await(store.save(Samples.empty("valid")));
      for (Map.Entry<String, String> e : Samples.invalidIds().entrySet()) {
        String id = e.getKey();
        Session s = Samples.small(id, Samples.T0, 1, "bad");
        String why = e.getValue() + " " + Samples.show(id);
        fails(InvalidIdException.class, () -> store.save(s), "save of " + why);
        fails(InvalidIdException.class, () -> store.create(s), "create of " + why);
        fails(InvalidIdException.class, () -> store.saveIf(s, some), "saveIf of " + why);
        fails(InvalidIdException.class, () -> store.load(id), "load of " + why);
        fails(InvalidIdException.class, () -> store.loadVersioned(id), "loadVersioned of " + why);
        fails(InvalidIdException.class, () -> store.delete(id), "delete of " + why);
        fails(InvalidIdException.class, () -> store.deleteIf(id, some), "deleteIf of " + why);
        fails(InvalidIdException.class, () -> store.update(id, x -> x), "update of " + why);
        fails(InvalidIdException.class,
            () -> store.append(id, Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0)), "append of " + why);
      }
      assertThat(ids(await(store.list()))).as("nothing but the valid session is stored").containsExactly("valid");
    }

    @Test
    @DisplayName("the limits are exact: 256 code points are valid (also as 512 UTF-16 units), '...' is valid")
    void limitsAreExact() {
      SessionStorage store = fresh();
      for (String id : List.of("y".repeat(256), "\uD83D\uDE03".repeat(256), "...", ". .", "._", "z".repeat(128) + "\uDBFF\uDFFF".repeat(128))) {
        roundTrip(store, Samples.small(id, Samples.T0, 1, "limit"));
      }
    }

    @Test
    @DisplayName("ids that differ only in encoding-sensitive ways stay distinct: a/b vs a%2Fb, A vs a, NFC vs NFD, ß vs ss…")
    void encodingSensitiveIdsStayDistinct() {
      List<List<String>> groups = List.of(
          List.of("a/b", "a%2Fb", "a%2fb", "a_b", "a\\b", "a:b", "a%5Cb"),
          List.of("A", "a"),
          List.of("Report", "report", "REPORT"),
          List.of("caf\u00e9", "cafe\u0301", "CAF\u00c9"),
          List.of("\u212b", "\u00c5", "A\u030a"),
          List.of("ß", "ss", "SS", "\u1e9e"),
          List.of("x", "x.json", "x.JSON", "x.json.tmp"),
          List.of("a b", "a+b", "a%20b", "a_b2"),
          List.of(".x", "x.", "%2Ex"),
          List.of("\uD83D\uDE00", "%F0%9F%98%80", "\\uD83D\\uDE00"));
      SessionStorage store = fresh();
      List<Session> sessions = new ArrayList<>();
      int n = 0;
      for (List<String> group : groups) {
        for (String id : group) {
          sessions.add(Samples.small(id, Samples.T0.plusNanos(n), 1 + n % 4, "distinct-" + n));
          n++;
        }
      }
      List<SessionSummary> expected = saveAll(store, sessions);
      for (Session s : sessions) {
        assertSameSession(s, await(store.load(s.id())), "load of " + Samples.show(s.id()));
      }
      assertListing("list() of ids that differ only in encoding", expected, await(store.list()));
      for (List<String> group : groups) {
        await(store.delete(group.get(0)));
        for (String other : group.subList(1, group.size())) {
          assertThat(await(store.load(other)).id()).as("%s survives the delete of %s", Samples.show(other), Samples.show(group.get(0)))
              .isEqualTo(other);
        }
      }
    }
  }

  @Nested
  @DisplayName("Revisions and conditional writes")
  class Revisions {

    @Test
    @DisplayName("the revision save returns is the one loadVersioned and list report")
    void saveReturnsTheRevisionThatReadsReport() {
      SessionStorage store = fresh();
      Session s = Samples.small("r", Samples.T0, 2, "r");
      Revision r = await(store.save(s));
      assertThat(await(store.loadVersioned("r")).revision()).isEqualTo(r);
      assertThat(summaryOf(store, "r").revision()).isEqualTo(r);
      assertThat(await(store.list(ListQuery.firstPage())).summaries()).singleElement().extracting(SessionSummary::revision).isEqualTo(r);
    }

    @Test
    @DisplayName("every write produces a new revision, also a save of identical content and a save after delete")
    void everyWriteProducesANewRevision() {
      SessionStorage store = fresh();
      Session s = Samples.small("w", Samples.T0, 1, "w");
      List<Revision> revisions = new ArrayList<>();
      revisions.add(await(store.save(s)));
      revisions.add(await(store.save(s)));
      revisions.add(await(store.saveIf(s, revisions.get(1))));
      revisions.add(await(store.update("w", x -> x.withMessage(Message.user("u")).withUpdatedAt(Samples.T0))).revision());
      revisions.add(await(store.append("w", Append.of(List.of(), s.state(), Samples.T0))));
      revisions.add(await(store.append("w", Append.of(List.of(Message.user("a")), s.state(), Samples.T0))));
      await(store.delete("w"));
      revisions.add(await(store.create(s)));
      await(store.delete("w"));
      revisions.add(await(store.save(s)));
      assertThat(revisions).as("revisions of successive writes").doesNotHaveDuplicates();
      assertThat(await(store.loadVersioned("w")).revision()).isEqualTo(revisions.get(revisions.size() - 1));
    }

    @Test
    @DisplayName("reads don't change the revision")
    void readsDoNotChangeTheRevision() {
      SessionStorage store = fresh();
      Revision r = await(store.save(Samples.small("r", Samples.T0, 1, "r")));
      for (int i = 0; i < 3; i++) {
        await(store.load("r"));
        await(store.loadVersioned("r"));
        await(store.list());
        await(store.list(ListQuery.withPrefix("r")));
        await(store.problems());
      }
      assertThat(await(store.loadVersioned("r")).revision()).isEqualTo(r);
      await(store.saveIf(Samples.small("r", Samples.T0, 2, "r2"), r));
    }

    @Test
    @DisplayName("saveIf with the current revision replaces the session and returns a new revision")
    void saveIfWithTheCurrentRevisionReplaces() {
      SessionStorage store = fresh();
      Revision r1 = await(store.save(Samples.small("c", Samples.T0, 1, "one")));
      Session two = Samples.small("c", Samples.T0.plusSeconds(1), 2, "two");
      Revision r2 = await(store.saveIf(two, r1));
      assertThat(r2).isNotEqualTo(r1);
      VersionedSession v = await(store.loadVersioned("c"));
      assertSameSession(two, v.session(), "load after saveIf");
      assertThat(v.revision()).isEqualTo(r2);
    }

    @Test
    @DisplayName("saveIf with a stale revision fails with RevisionConflictException and changes nothing")
    void saveIfWithAStaleRevisionFailsAndChangesNothing() {
      SessionStorage store = fresh();
      Revision r1 = await(store.save(Samples.small("c", Samples.T0, 1, "one")));
      Session two = Samples.small("c", Samples.T0.plusSeconds(1), 2, "two");
      Revision r2 = await(store.save(two));
      fails(RevisionConflictException.class, () -> store.saveIf(Samples.small("c", Samples.T0.plusSeconds(2), 3, "three"), r1));
      assertUnchanged(store, two, r2);
    }

    @Test
    @DisplayName("saveIf of an id that is not stored fails with RevisionConflictException and creates nothing")
    void saveIfOfAnAbsentSessionFails() {
      SessionStorage store = fresh();
      Revision other = await(store.save(Samples.empty("other")));
      fails(RevisionConflictException.class, () -> store.saveIf(Samples.empty("absent"), other));
      fails(SessionNotFoundException.class, () -> store.load("absent"));
      assertThat(ids(await(store.list()))).containsExactly("other");
    }

    @Test
    @DisplayName("a revision from before a delete never matches the recreated session")
    void revisionsAreNotReusedAfterDelete() {
      SessionStorage store = fresh();
      Revision old = await(store.save(Samples.small("d", Samples.T0, 1, "old")));
      await(store.delete("d"));
      Session again = Samples.small("d", Samples.T0, 1, "old");
      Revision fresh = await(store.save(again));
      assertThat(fresh).isNotEqualTo(old);
      fails(RevisionConflictException.class, () -> store.saveIf(Samples.small("d", Samples.T0, 5, "stale"), old));
      fails(RevisionConflictException.class, () -> store.deleteIf("d", old));
      assertUnchanged(store, again, fresh);
    }

    @Test
    @DisplayName("create stores a new id and returns its revision")
    void createStoresANewId() {
      SessionStorage store = fresh();
      Session s = Samples.everyBlock("new");
      Revision r = await(store.create(s));
      assertUnchanged(store, s, r);
    }

    @Test
    @DisplayName("create of an existing id fails with RevisionConflictException and changes nothing")
    void createOfAnExistingIdFails() {
      SessionStorage store = fresh();
      Session s = Samples.small("exists", Samples.T0, 2, "first");
      Revision r = await(store.save(s));
      fails(RevisionConflictException.class, () -> store.create(Samples.small("exists", Samples.T0.plusSeconds(1), 1, "second")));
      assertUnchanged(store, s, r);
    }

    @Test
    @DisplayName("deleteIf with the current revision deletes")
    void deleteIfWithTheCurrentRevisionDeletes() {
      SessionStorage store = fresh();
      Revision r = await(store.save(Samples.empty("d")));
      await(store.deleteIf("d", r));
      fails(SessionNotFoundException.class, () -> store.load("d"));
      assertThat(await(store.list())).isEmpty();
    }

    @Test
    @DisplayName("deleteIf with a stale revision fails with RevisionConflictException and keeps the session")
    void deleteIfWithAStaleRevisionFails() {
      SessionStorage store = fresh();
      Revision r1 = await(store.save(Samples.empty("d")));
      Session two = Samples.small("d", Samples.T0, 1, "two");
      Revision r2 = await(store.save(two));
      fails(RevisionConflictException.class, () -> store.deleteIf("d", r1));
      assertUnchanged(store, two, r2);
    }

    @Test
    @DisplayName("deleteIf of an unknown id fails with SessionNotFoundException")
    void deleteIfOfAnUnknownIdFails() {
      SessionStorage store = fresh();
      Revision r = await(store.save(Samples.empty("known")));
      fails(SessionNotFoundException.class, () -> store.deleteIf("unknown", r));
    }

    @Test
    @DisplayName("concurrent saveIf calls from one revision: exactly one wins, the others conflict")
    void concurrentConditionalSavesExactlyOneWins() {
      SessionStorage store = fresh();
      int threads = sc().threads();
      for (int round = 0; round < 10; round++) {
        Revision base = await(store.save(Samples.small("race", Samples.T0, 1, "base" + round)));
        List<Optional<Revision>> results = Collections.synchronizedList(new ArrayList<>());
        Map<Revision, Session> byRevision = new java.util.concurrent.ConcurrentHashMap<>();
        concurrently(threads, t -> {
          Session mine = Samples.small("race", Samples.T0, 2, "thread" + t);
          try {
            Revision r = await(store.saveIf(mine, base));
            byRevision.put(r, mine);
            results.add(Optional.of(r));
          } catch (RevisionConflictException e) {
            results.add(Optional.empty());
          }
        });
        assertThat(results.stream().filter(Optional::isPresent).count()).as("winners of round %d", round).isEqualTo(1);
        Revision winner = results.stream().flatMap(Optional::stream).findFirst().orElseThrow();
        assertUnchanged(store, byRevision.get(winner), winner);
      }
    }

    @Test
    @DisplayName("concurrent creates of one id: exactly one wins, the others conflict")
    void concurrentCreatesExactlyOneWins() {
      SessionStorage store = fresh();
      for (int round = 0; round < 10; round++) {
        String id = "created-" + round;
        AtomicInteger wins = new AtomicInteger();
        Map<Revision, Session> byRevision = new java.util.concurrent.ConcurrentHashMap<>();
        concurrently(sc().threads(), t -> {
          Session mine = Samples.small(id, Samples.T0, 1 + t, "thread" + t);
          try {
            byRevision.put(await(store.create(mine)), mine);
            wins.incrementAndGet();
          } catch (RevisionConflictException e) {
            // expected for all but one
          }
        });
        assertThat(wins.get()).as("successful creates of %s", id).isEqualTo(1);
        Map.Entry<Revision, Session> w = byRevision.entrySet().iterator().next();
        assertUnchanged(store, w.getValue(), w.getKey());
      }
    }
  }

  @Nested
  @DisplayName("update: a pure change, retried on conflict, losing nothing")
  class Update {

    @Test
    @DisplayName("update applies the change and returns the saved session and its revision")
    void updateAppliesTheChange() {
      SessionStorage store = fresh();
      Revision r0 = await(store.save(Samples.everyBlock("u")));
      VersionedSession v = await(store.update("u", s -> s.withMessage(Message.user("more")).withUpdatedAt(Samples.T0.plusSeconds(9))
          .withState(st -> st.withCustom("k", JsonValue.of(1)))));
      Session expected = Samples.everyBlock("u").withMessage(Message.user("more")).withUpdatedAt(Samples.T0.plusSeconds(9))
          .withState(st -> st.withCustom("k", JsonValue.of(1)));
      assertSameSession(expected, v.session(), "the session update returned");
      assertThat(v.revision()).isNotEqualTo(r0);
      assertUnchanged(store, expected, v.revision());
    }

    @Test
    @DisplayName("the change receives the current stored session")
    void theChangeSeesTheCurrentSession() {
      SessionStorage store = fresh();
      await(store.save(Samples.small("u", Samples.T0, 1, "first")));
      Session current = Samples.small("u", Samples.T0.plusSeconds(1), 3, "second");
      await(store.save(current));
      List<Session> seen = new ArrayList<>();
      await(store.update("u", s -> {
        seen.add(s);
        return s;
      }));
      assertThat(seen).isNotEmpty();
      assertSameSession(current, seen.get(seen.size() - 1), "what the change received");
    }

    @Test
    @DisplayName("update of an unknown id fails with SessionNotFoundException and creates nothing")
    void updateOfAnUnknownIdFailsWithNotFound() {
      SessionStorage store = fresh();
      AtomicInteger calls = new AtomicInteger();
      fails(SessionNotFoundException.class, () -> store.update("nobody", s -> {
        calls.incrementAndGet();
        return s;
      }));
      assertThat(calls.get()).as("calls of the change").isZero();
      assertThat(await(store.list())).isEmpty();
    }

    @Test
    @DisplayName("an exception thrown by the change arrives through the future as is, and nothing changes")
    void anExceptionOfTheChangePassesThroughAsIs() {
      SessionStorage store = fresh();
      Session s = Samples.small("u", Samples.T0, 1, "u");
      Revision r = await(store.save(s));
      ChangeFailed thrown = new ChangeFailed();
      ChangeFailed arrived = fails(ChangeFailed.class, () -> store.update("u", x -> {
        throw thrown;
      }));
      assertThat(arrived).as("the exception the change threw").isSameAs(thrown);
      IllegalStateException ise = new IllegalStateException("mine");
      assertThat(fails(IllegalStateException.class, () -> store.update("u", x -> {
        throw ise;
      }))).isSameAs(ise);
      assertUnchanged(store, s, r);
    }

    @Test
    @DisplayName("a change that returns another id fails with InvalidSessionException and stores nothing")
    void changingTheIdFails() {
      SessionStorage store = fresh();
      Session s = Samples.small("u", Samples.T0, 1, "u");
      Revision r = await(store.save(s));
      fails(InvalidSessionException.class, () -> store.update("u", x -> x.withId("v")));
      fails(SessionNotFoundException.class, () -> store.load("v"));
      assertUnchanged(store, s, r);
    }

    @Test
    @DisplayName("update retries when another writer saves between its load and its save: both writes are kept")
    void updateRetriesWhenAnotherWriterGetsThereFirst() throws Exception {
      SessionStorage store = fresh();
      await(store.save(Samples.small("u", Samples.T0, 1, "base")));
      CountDownLatch inChange = new CountDownLatch(1);
      CountDownLatch proceed = new CountDownLatch(1);
      AtomicInteger calls = new AtomicInteger();
      ExecutorService pool = pool(1);
      Future<VersionedSession> updated = pool.submit(() -> await(store.update("u", s -> {
        if (calls.incrementAndGet() == 1) {
          inChange.countDown();
          awaitLatch(proceed);
        }
        return s.withMessage(Message.user("from update")).withUpdatedAt(Samples.T0.plusSeconds(2));
      })));
      awaitLatch(inChange);
      await(store.update("u", s -> s.withMessage(Message.user("interloper")).withUpdatedAt(Samples.T0.plusSeconds(1))));
      proceed.countDown();
      VersionedSession v = updated.get(timeoutMillis(), MILLISECONDS);
      assertThat(labels(await(store.load("u")))).as("messages after two overlapping writes")
          .containsExactly("base#0", "interloper", "from update");
      assertThat(calls.get()).as("calls of the change").isGreaterThanOrEqualTo(2);
      assertUnchanged(store, v.session(), v.revision());
    }

    @Test
    @DisplayName("N threads x M updates of one id lose nothing: every message kept, each thread's in its order")
    void concurrentUpdatesOfOneIdLoseNothing() {
      SessionStorage store = fresh();
      await(store.save(Samples.empty("hot")));
      int threads = sc().threads();
      int each = sc().updatesPerThread();
      concurrently(threads, t -> {
        for (int i = 0; i < each; i++) {
          String label = t + ":" + i;
          await(store.update("hot", s -> s.withMessage(Message.user(label))
              .withState(st -> st.withEventCount(st.eventCount() + 1)).withUpdatedAt(Samples.T0)));
        }
      });
      Session end = await(store.load("hot"));
      assertEveryThreadsLabelsInOrder(labels(end), threads, each, "messages after concurrent updates");
      assertThat(end.state().eventCount()).as("event count after concurrent updates").isEqualTo((long) threads * each);
      assertThat(summaryOf(store, "hot").messageCount()).isEqualTo((long) threads * each);
    }

    @Test
    @DisplayName("concurrent updates of different ids don't interfere")
    void concurrentUpdatesOfDifferentIds() {
      SessionStorage store = fresh();
      int threads = sc().threads();
      for (int t = 0; t < threads; t++) {
        await(store.save(Samples.empty("own-" + t)));
      }
      int each = sc().updatesPerThread();
      concurrently(threads, t -> {
        for (int i = 0; i < each; i++) {
          String label = t + ":" + i;
          await(store.update("own-" + t, s -> s.withMessage(Message.user(label)).withUpdatedAt(Samples.T0)));
        }
      });
      for (int t = 0; t < threads; t++) {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < each; i++) {
          expected.add(t + ":" + i);
        }
        assertThat(labels(await(store.load("own-" + t)))).isEqualTo(expected);
      }
    }
  }

  @Nested
  @DisplayName("append: a turn added atomically at the end")
  class Appending {

    @Test
    @DisplayName("append adds the messages after the stored ones, in order, and replaces state and updatedAt; id and createdAt stay")
    void appendAddsMessagesAndReplacesStateAndUpdatedAt() {
      SessionStorage store = fresh();
      Session s = Samples.everyBlock("a");
      Revision r0 = await(store.save(s));
      List<Message> turn = List.of(Message.user("next question"), Samples.everyBlock("x").messages().get(2), Message.assistant("answer"));
      SessionState state = s.state().withEventCount(99).withCustom("turn", JsonValue.of(2))
          .withTokenUsage(s.state().tokenUsage().plus(TokenUsage.of(10, 20)));
      Instant at = Samples.T0.plusSeconds(500).plusNanos(1);
      Revision r1 = await(store.append("a", Append.of(turn, state, at)));
      Session expected = new Session("a", concat(s.messages(), turn), state, s.createdAt(), at);
      assertThat(r1).isNotEqualTo(r0);
      assertUnchanged(store, expected, r1);
    }

    @Test
    @DisplayName("an append without messages replaces only the state and updatedAt")
    void appendOfNoMessagesReplacesStateAndUpdatedAt() {
      SessionStorage store = fresh();
      Session s = Samples.small("a", Samples.T0, 3, "a");
      await(store.save(s));
      SessionState state = s.state().withCwd("/elsewhere");
      Revision r = await(store.append("a", Append.of(List.of(), state, Samples.T0.minusSeconds(1))));
      assertUnchanged(store, new Session("a", s.messages(), state, s.createdAt(), Samples.T0.minusSeconds(1)), r);
    }

    @Test
    @DisplayName("append to a session without messages")
    void appendToAnEmptySession() {
      SessionStorage store = fresh();
      Session s = Samples.empty("e");
      await(store.save(s));
      Revision r = await(store.append("e", Append.of(List.of(Message.user("first")), s.state(), Samples.T0)));
      assertUnchanged(store, s.withMessage(Message.user("first")).withUpdatedAt(Samples.T0), r);
    }

    @Test
    @DisplayName("append to an unknown id fails with SessionNotFoundException and creates nothing")
    void appendToAnUnknownIdFailsWithNotFound() {
      SessionStorage store = fresh();
      fails(SessionNotFoundException.class,
          () -> store.append("nobody", Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0)));
      fails(SessionNotFoundException.class, () -> store.load("nobody"));
      assertThat(await(store.list())).isEmpty();
      Revision other = await(store.save(Samples.empty("other")));
      fails(SessionNotFoundException.class, () -> store.append("nobody",
          Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0).ifRevision(other)));
      assertThat(ids(await(store.list()))).containsExactly("other");
    }

    @Test
    @DisplayName("a conditional append with the current revision succeeds")
    void conditionalAppendWithTheCurrentRevisionSucceeds() {
      SessionStorage store = fresh();
      Session s = Samples.small("c", Samples.T0, 1, "c");
      Revision r0 = await(store.save(s));
      Revision r1 = await(store.append("c", Append.of(List.of(Message.user("x")), s.state(), Samples.T0).ifRevision(r0)));
      Revision r2 = await(store.append("c", Append.of(List.of(Message.user("y")), s.state(), Samples.T0).ifRevision(r1)));
      assertUnchanged(store, s.withMessages(List.of(Message.user("x"), Message.user("y"))).withUpdatedAt(Samples.T0), r2);
    }

    @Test
    @DisplayName("a conditional append with a stale revision fails with RevisionConflictException and changes nothing")
    void conditionalAppendWithAStaleRevisionFails() {
      SessionStorage store = fresh();
      Revision r0 = await(store.save(Samples.small("c", Samples.T0, 1, "c")));
      Session current = Samples.small("c", Samples.T0.plusSeconds(1), 2, "current");
      Revision r1 = await(store.save(current));
      fails(RevisionConflictException.class, () -> store.append("c",
          Append.of(List.of(Message.user("lost")), SessionState.initial("/x"), Samples.T0.plusSeconds(5)).ifRevision(r0)));
      assertUnchanged(store, current, r1);
    }

    @Test
    @DisplayName("each append returns a new revision, the one loadVersioned and list report")
    void eachAppendReturnsANewRevision() {
      SessionStorage store = fresh();
      Session s = Samples.empty("r");
      List<Revision> seen = new ArrayList<>();
      seen.add(await(store.save(s)));
      for (int i = 0; i < 5; i++) {
        Revision r = await(store.append("r", Append.of(i % 2 == 0 ? List.of() : List.of(Message.user("m" + i)), s.state(), Samples.T0)));
        assertThat(await(store.loadVersioned("r")).revision()).as("revision after append %d", i).isEqualTo(r);
        assertThat(summaryOf(store, "r").revision()).as("summary revision after append %d", i).isEqualTo(r);
        seen.add(r);
      }
      assertThat(seen).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("hundreds of appends of every kind of message round-trip exactly")
    void hundredsOfAppendsRoundTripExactly() {
      SessionStorage store = fresh();
      Session expected = Samples.small("long", Samples.T0, 2, "start");
      Revision r = await(store.save(expected));
      List<Message> kinds = Samples.everyBlock("k").messages();
      for (int i = 0; i < sc().sequentialAppends(); i++) {
        List<Message> turn = new ArrayList<>();
        for (int j = 0; j <= i % 3; j++) {
          turn.add(j == 0 ? Message.user("turn " + i) : kinds.get((i + j) % kinds.size()));
        }
        SessionState state = expected.state().withEventCount(i).withCustom("turn", JsonValue.of(i))
            .withTokenUsage(expected.state().tokenUsage().plus(TokenUsage.of(i, 1)));
        Instant at = Samples.T0.plusSeconds(i).plusNanos(i);
        Append append = Append.of(turn, state, at);
        r = await(store.append("long", i % 2 == 0 ? append.ifRevision(r) : append));
        expected = append.applyTo(expected);
      }
      assertUnchanged(store, expected, r);
    }

    @Test
    @DisplayName("summaries and listing order follow appends: message count, updatedAt, revision")
    void summariesAndOrderFollowAppends() {
      SessionStorage store = fresh();
      Session a = Samples.small("a", Samples.T0.plusSeconds(1), 1, "a");
      Session b = Samples.small("b", Samples.T0.plusSeconds(2), 1, "b");
      Session c = Samples.small("c", Samples.T0.plusSeconds(3), 1, "c");
      saveAll(store, List.of(a, b, c));
      assertThat(ids(await(store.list()))).containsExactly("c", "b", "a");
      Revision ra = await(store.append("a", Append.of(List.of(Message.user("1"), Message.user("2")), a.state(), Samples.T0.plusSeconds(4))));
      Revision rc = await(store.append("c", Append.of(List.of(Message.user("3")), c.state(), Samples.T0)));
      Revision rb = await(store.loadVersioned("b")).revision();
      List<SessionSummary> expected = List.of(
          new SessionSummary("a", a.createdAt(), Samples.T0.plusSeconds(4), 3, ra),
          b.summary(rb),
          new SessionSummary("c", c.createdAt(), Samples.T0, 2, rc));
      assertListing("list() after appends", expected, await(store.list()));
      assertListing("pages of 1 after appends", expected, flatten(walk(store, ListQuery.firstPage().limit(1), 3)));
    }

    @Test
    @DisplayName("concurrent appends from many threads are all kept, each thread's in its own order")
    void concurrentAppendsAreAllKept() {
      SessionStorage store = fresh();
      Session base = Samples.empty("hot");
      await(store.save(base));
      int threads = sc().threads();
      int each = sc().appendsPerThread();
      concurrently(threads, t -> {
        for (int i = 0; i < each; i++) {
          await(store.append("hot", Append.of(List.of(Message.user(t + ":" + i)),
              base.state().withCustom("last", new JsonValue.JsonString(t + ":" + i)), Samples.T0.plusSeconds(t))));
        }
      });
      Session end = await(store.load("hot"));
      assertEveryThreadsLabelsInOrder(labels(end), threads, each, "messages after concurrent appends");
      assertThat(end.state().custom().get("last")).as("the state is the one of the last append")
          .isEqualTo(new JsonValue.JsonString(labels(end).get(labels(end).size() - 1)));
      assertThat(summaryOf(store, "hot").messageCount()).isEqualTo((long) threads * each);
    }

    @Test
    @DisplayName("appends racing with saves and deletes of the same id never leave a torn or resurrected session")
    void appendsRacingWithSavesAndDeletes() {
      SessionStorage store = fresh();
      String id = "race";
      await(store.save(raceBase(id, 0)));
      int threads = Math.max(3, sc().threads());
      int rounds = sc().raceRounds();
      int each = sc().appendsPerThread();
      AtomicBoolean done = new AtomicBoolean();
      concurrently(threads, t -> {
        if (t == 0) {
          try {
            for (int r = 1; r <= rounds; r++) {
              if (r % 5 == 0) {
                try {
                  await(store.delete(id));
                } catch (SessionNotFoundException alreadyGone) {
                  // deleted twice in a row: fine
                }
              } else {
                await(store.save(raceBase(id, r)));
              }
            }
          } finally {
            done.set(true);
          }
        } else if (t == 1) {
          do {
            try {
              checkRaceSession(await(store.load(id)), "a session loaded during the race");
            } catch (SessionNotFoundException deleted) {
              // between a delete and the next save
            }
          } while (!done.get());
        } else {
          for (int i = 0; i < each || !done.get(); i++) {
            String label = "a" + t + ":" + i;
            try {
              await(store.append(id, Append.of(List.of(Message.user(label)),
                  SessionState.initial("/append").withCustom("writer", new JsonValue.JsonString(label)), Samples.T0.plusSeconds(1))));
            } catch (SessionNotFoundException deleted) {
              // an append to a deleted session fails; it must not recreate it
            }
          }
        }
      });
      try {
        checkRaceSession(await(store.load(id)), "the session the race left");
      } catch (SessionNotFoundException deleted) {
        // the race ended with a delete
      }
      await(store.save(raceBase(id, rounds + 1)));
      await(store.append(id, Append.of(List.of(Message.user("last")), SessionState.initial("/end"), Samples.T0)));
      assertThat(labels(await(store.load(id)))).containsExactly("base-" + (rounds + 1), "last");
    }

    private Session raceBase(String id, int k) {
      return new Session(id, List.of(Message.user("base-" + k)),
          SessionState.initial("/save").withCustom("writer", new JsonValue.JsonString("save-" + k)), Samples.T0, Samples.T0.plusMillis(k));
    }

    /** A session of the race is one save followed by appends, each with its own state: never a mix. */
    private void checkRaceSession(Session s, String what) {
      List<String> l = labels(s);
      assertThat(l).as("%s: it starts with the message of a save", what).isNotEmpty();
      assertThat(l.get(0)).as("%s: it starts with the message of a save, not an append (no resurrection)", what).startsWith("base-");
      JsonValue writer = s.state().custom().get("writer");
      String expectedWriter = l.size() == 1 ? "save-" + l.get(0).substring(5) : l.get(l.size() - 1);
      assertThat(writer).as("%s: its state belongs to its last write (messages %s)", what, l)
          .isEqualTo(new JsonValue.JsonString(expectedWriter));
      Map<String, Integer> lastOfThread = new HashMap<>();
      for (String label : l.subList(1, l.size())) {
        assertThat(label).as("%s: after the saved message come appended ones only", what).startsWith("a");
        String thread = label.substring(0, label.indexOf(':'));
        int index = Integer.parseInt(label.substring(label.indexOf(':') + 1));
        Integer before = lastOfThread.put(thread, index);
        assertThat(before == null || before < index).as("%s: %s comes after %s:%s, in its thread's order", what, label, thread, before).isTrue();
      }
    }
  }

  @Nested
  @DisplayName("Concurrency: many threads, one store")
  class Concurrency {

    @Test
    @DisplayName("concurrent saves of different ids are all kept")
    void concurrentSavesOfDifferentIdsAreAllKept() {
      SessionStorage store = fresh();
      int threads = sc().threads();
      int each = sc().sessionsPerThread();
      Map<String, Session> saved = new java.util.concurrent.ConcurrentHashMap<>();
      concurrently(threads, t -> {
        for (int i = 0; i < each; i++) {
          Session s = Samples.small("t" + t + "/s" + i, Samples.T0.plusNanos(i * threads + t), 1 + i % 3, t + ":" + i);
          await(store.save(s));
          saved.put(s.id(), s);
        }
      });
      for (Session s : saved.values()) {
        assertSameSession(s, await(store.load(s.id())), "load of " + s.id());
      }
      assertThat(await(store.list())).hasSize(threads * each);
    }

    @Test
    @DisplayName("readers never see a torn session while a writer replaces it (load, loadVersioned, list, pages), and listings keep the unchanged ones")
    void readersNeverSeeATornSession() {
      SessionStorage store = fresh();
      await(store.save(version(0)));
      List<Session> steady = List.of(Samples.small("steady-1", Samples.T0, 1, "s"), Samples.small("steady-2", Samples.T0.plusSeconds(99_999), 2, "s"));
      saveAll(store, steady);
      AtomicBoolean done = new AtomicBoolean();
      int rounds = sc().raceRounds();
      concurrently(Math.max(4, sc().threads()), t -> {
        if (t == 0) {
          try {
            for (int v = 1; v <= rounds; v++) {
              await(store.save(version(v)));
            }
          } finally {
            done.set(true);
          }
          return;
        }
        do {
          switch (t % 3) {
            case 0:
              checkVersion(await(store.load("torn")), "load");
              break;
            case 1: {
              // The contract lets a listing miss or repeat a session changed while it runs, so
              // only the sessions nobody changes must be there, exactly once.
              List<SessionSummary> list = await(store.list());
              assertThat(ids(list).stream().filter(id -> id.startsWith("steady-")).toList())
                  .as("the unchanged sessions in list() while another is being replaced").containsExactly("steady-2", "steady-1");
              list.stream().filter(s -> s.id().equals("torn")).forEach(s -> checkVersionSummary(s, "list()"));
              break;
            }
            default: {
              VersionedSession v = await(store.loadVersioned("torn"));
              checkVersion(v.session(), "loadVersioned");
              SessionPage page = await(store.list(ListQuery.withPrefix("tor").limit(1)));
              page.summaries().forEach(s -> checkVersionSummary(s, "a page"));
              break;
            }
          }
        } while (!done.get());
      });
      checkVersion(await(store.load("torn")), "the end");
      assertThat(await(store.load("torn")).state().eventCount()).isEqualTo(rounds);
    }

    @Test
    @DisplayName("concurrent deletes of one id: exactly one succeeds, the others fail with SessionNotFoundException")
    void concurrentDeletesExactlyOneSucceeds() {
      SessionStorage store = fresh();
      for (int round = 0; round < 10; round++) {
        await(store.save(Samples.empty("doomed")));
        AtomicInteger ok = new AtomicInteger();
        concurrently(sc().threads(), t -> {
          try {
            await(store.delete("doomed"));
            ok.incrementAndGet();
          } catch (SessionNotFoundException expected) {
            // all but one
          }
        });
        assertThat(ok.get()).as("successful deletes in round %d", round).isEqualTo(1);
      }
    }

    private Session version(int v) {
      List<Message> ms = new ArrayList<>();
      for (int j = 0; j <= v % 5; j++) {
        ms.add(Message.user("v" + v + "/" + j));
      }
      SessionState state = new SessionState("/v" + v, TokenUsage.of(v, v), v, Map.of("v", JsonValue.of(v)));
      return new Session("torn", ms, state, Samples.T0, Samples.T0.plusSeconds(v));
    }

    private void checkVersion(Session s, String how) {
      int v = (int) s.state().eventCount();
      Optional<String> d = SessionDiff.between(version(v), s);
      if (d.isPresent()) {
        fail(how + " returned a torn session (a mix of two writes): " + d.get());
      }
    }

    private void checkVersionSummary(SessionSummary s, String how) {
      long v = Duration.between(Samples.T0, s.updatedAt()).getSeconds();
      assertThat(s.messageCount()).as("%s: message count of the version updated at %s", how, s.updatedAt()).isEqualTo(v % 5 + 1);
    }
  }

  @Nested
  @DisplayName("Isolation: nothing a caller holds changes what the store returns")
  class Isolation {

    @Test
    @DisplayName("changing the collections a session was built from changes nothing stored")
    void changingTheSourceCollectionsChangesNothing() {
      List<Message> messages = new ArrayList<>(List.of(Message.user("one")));
      List<ContentBlock> blocks = new ArrayList<>(List.of(ContentBlock.text("b1")));
      List<IterationUsage> iterations = new ArrayList<>(List.of(IterationUsage.of(1, 2)));
      Map<String, JsonValue> custom = new LinkedHashMap<>(Map.of("k", JsonValue.of(1)));
      List<JsonValue> array = new ArrayList<>(List.of(JsonValue.of(1)));
      List<ToolResultItem> items = new ArrayList<>(List.of(ToolResultItem.text("r")));
      messages.add(new Message(Role.ASSISTANT, blocks));
      messages.add(Message.of(Role.USER, new ContentBlock.ToolResult("t", items, false)));
      custom.put("array", new JsonValue.JsonArray(array));
      TokenUsage usage = new TokenUsage(1, 2, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.of(iterations));
      Session s = new Session("iso", messages, new SessionState("/", usage, 0, custom), Samples.T0, Samples.T0);
      SessionStorage store = fresh();
      Revision r = await(store.save(s));
      messages.clear();
      blocks.add(ContentBlock.text("b2"));
      iterations.add(IterationUsage.of(3, 4));
      custom.put("k", JsonValue.of(2));
      array.add(JsonValue.NULL);
      items.add(ToolResultItem.text("r2"));
      Session expected = new Session("iso",
          List.of(Message.user("one"), new Message(Role.ASSISTANT, List.of(ContentBlock.text("b1"))),
              Message.of(Role.USER, new ContentBlock.ToolResult("t", List.of(ToolResultItem.text("r")), false))),
          new SessionState("/", new TokenUsage(1, 2, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
              Optional.of(List.of(IterationUsage.of(1, 2)))), 0,
              Map.of("k", JsonValue.of(1), "array", new JsonValue.JsonArray(List.of(JsonValue.of(1))))),
          Samples.T0, Samples.T0);
      assertUnchanged(store, expected, r);
    }

    @Test
    @DisplayName("sessions the store returns can't be modified, and modifying the lists it returns changes nothing stored")
    void returnedValuesCannotChangeTheStore() {
      SessionStorage store = fresh();
      Session s = Samples.everyBlock("iso").withState(st -> st.withCustom(Samples.everyJsonValue()));
      Revision r = await(store.save(s));
      Session loaded = await(store.load("iso"));
      assertThatThrownBy(() -> loaded.messages().add(Message.user("x"))).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> loaded.messages().get(1).content().clear()).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> loaded.state().custom().put("x", JsonValue.NULL)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> loaded.state().tokenUsage().iterations().orElseThrow().clear()).isInstanceOf(UnsupportedOperationException.class);
      JsonValue.JsonArray array = (JsonValue.JsonArray) loaded.state().custom().get("mixed array");
      assertThatThrownBy(() -> array.elements().clear()).isInstanceOf(UnsupportedOperationException.class);
      JsonValue.JsonObject object = (JsonValue.JsonObject) loaded.state().custom().get("tricky keys");
      assertThatThrownBy(() -> object.members().clear()).isInstanceOf(UnsupportedOperationException.class);
      for (List<?> returned : List.<List<?>>of(await(store.list()), await(store.problems()))) {
        try {
          returned.clear();
        } catch (UnsupportedOperationException expected) {
          // unmodifiable: the best answer
        }
      }
      assertUnchanged(store, s, r);
    }

    @Test
    @DisplayName("a session the caller holds doesn't change when the store changes")
    void heldSessionsDoNotChange() {
      SessionStorage store = fresh();
      Session s = Samples.small("held", Samples.T0, 2, "held");
      await(store.save(s));
      Session loaded = await(store.load("held"));
      await(store.save(Samples.small("held", Samples.T0, 5, "other")));
      await(store.append("held", Append.of(List.of(Message.user("more")), SessionState.initial("/x"), Samples.T0)));
      await(store.delete("held"));
      assertSameSession(Samples.small("held", Samples.T0, 2, "held"), loaded, "a session loaded earlier");
      assertSameSession(Samples.small("held", Samples.T0, 2, "held"), s, "the session that was saved");
    }

    @Test
    @DisplayName("rejected writes leave no trace: create of an existing id, stale saveIf/append/deleteIf, failed or id-changing update, invalid ids")
    void rejectedWritesLeaveNoTrace() {
      SessionStorage store = fresh();
      Session s = Samples.small("keep", Samples.T0, 2, "keep");
      Revision stale = await(store.save(Samples.empty("keep")));
      Revision r = await(store.save(s));
      Session other = Samples.small("keep", Samples.T0.plusSeconds(1), 7, "intruder");
      fails(RevisionConflictException.class, () -> store.create(other));
      assertUnchanged(store, s, r);
      fails(RevisionConflictException.class, () -> store.saveIf(other, stale));
      assertUnchanged(store, s, r);
      fails(RevisionConflictException.class, () -> store.append("keep",
          Append.of(List.of(Message.user("x")), other.state(), other.updatedAt()).ifRevision(stale)));
      assertUnchanged(store, s, r);
      fails(RevisionConflictException.class, () -> store.deleteIf("keep", stale));
      assertUnchanged(store, s, r);
      fails(ChangeFailed.class, () -> store.update("keep", x -> {
        throw new ChangeFailed();
      }));
      assertUnchanged(store, s, r);
      fails(InvalidSessionException.class, () -> store.update("keep", x -> other.withId("elsewhere")));
      assertUnchanged(store, s, r);
      fails(InvalidIdException.class, () -> store.save(other.withId("..")));
      assertUnchanged(store, s, r);
      assertThat(ids(await(store.list()))).containsExactly("keep");
    }

    @Test
    @DisplayName("two fresh stores are independent: what one holds, the other doesn't; closing one leaves the other working")
    void freshStoresAreIndependent() {
      SessionStorage a = fresh();
      SessionStorage b = fresh();
      await(a.save(Samples.small("mine", Samples.T0, 1, "a")));
      fails(SessionNotFoundException.class, () -> b.load("mine"));
      assertThat(await(b.list())).isEmpty();
      await(b.save(Samples.small("mine", Samples.T0, 3, "b")));
      assertSameSession(Samples.small("mine", Samples.T0, 1, "a"), await(a.load("mine")), "store a after a write to store b");
      a.close();
      assertSameSession(Samples.small("mine", Samples.T0, 3, "b"), await(b.load("mine")), "store b after store a closed");
      await(b.delete("mine"));
    }
  }

  @Nested
  @DisplayName("Sessions that can't be stored faithfully fail with InvalidSessionException before anything is written")
  class UnstorableSessions {

    @Test
    @DisplayName("a lone surrogate in any string (text, thinking, tool input, keys, cwd, sources)")
    void loneSurrogatesAnywhere() {
      String bad = "bad\uD800text";
      List<Session> sessions = List.of(
          withMessage("s1", Message.user(bad)),
          withMessage("s2", Message.user("\uDC00")),
          withMessage("s3", Message.of(Role.ASSISTANT, new ContentBlock.Thinking("ok", bad))),
          withMessage("s4", Message.of(Role.ASSISTANT, new ContentBlock.ToolUse("t", "n", new JsonValue.JsonString(bad)))),
          withMessage("s5", Message.of(Role.ASSISTANT, new ContentBlock.ToolUse("t", "n",
              new JsonValue.JsonObject(Map.of(bad, JsonValue.NULL))))),
          withMessage("s6", Message.of(Role.USER, ContentBlock.ToolResult.ofText("t", bad))),
          withMessage("s7", Message.of(Role.USER, new ContentBlock.Image(new ImageSource.Url(bad)))),
          withMessage("s8", Message.of(Role.ASSISTANT, new ContentBlock.Compaction(bad))),
          Samples.empty("s9").withState(st -> st.withCwd(bad)),
          Samples.empty("s10").withState(st -> st.withCustom("k", new JsonValue.JsonString(bad))),
          Samples.empty("s11").withState(st -> st.withCustom(bad, JsonValue.TRUE)));
      refusedEverywhere(sessions);
    }

    @Test
    @DisplayName("a timestamp outside years 0000-9999")
    void timestampsOutsideTheRange() {
      Session base = Samples.small("t", Samples.T0, 1, "t");
      refusedEverywhere(List.of(
          new Session("t1", base.messages(), base.state(), Instant.parse("+10000-01-01T00:00:00Z"), Samples.T0),
          new Session("t2", base.messages(), base.state(), Samples.T0, Instant.parse("+10000-01-01T00:00:00Z")),
          new Session("t3", base.messages(), base.state(), Instant.parse("-0001-12-31T23:59:59.999999999Z"), Samples.T0),
          new Session("t4", base.messages(), base.state(), Samples.T0, Instant.MAX),
          new Session("t5", base.messages(), base.state(), Instant.MIN, Samples.T0)));
    }

    @Test
    @DisplayName("JSON nesting deeper than 128 levels in custom or in a tool input")
    void nestingDeeperThanTheLimit() {
      refusedEverywhere(List.of(
          Samples.empty("n1").withState(st -> st.withCustom("deep", Samples.nested(200, JsonValue.NULL))),
          withMessage("n2", Message.of(Role.ASSISTANT, new ContentBlock.ToolUse("t", "n", Samples.nested(200, JsonValue.of(1)))))));
    }

    @Test
    @DisplayName("nesting well within the limit (60 levels) round-trips")
    void nestingWithinTheLimitRoundTrips() {
      SessionStorage store = fresh();
      roundTrip(store, Samples.empty("deep1").withState(st -> st.withCustom("deep", Samples.nested(60, JsonValue.NULL))));
      roundTrip(store, withMessage("deep2", Message.of(Role.ASSISTANT, new ContentBlock.ToolUse("t", "n", Samples.nested(60, JsonValue.of(1))))));
    }

    @Test
    @DisplayName("every write refuses an unstorable session and leaves the stored one as it was: saveIf, create, update, append")
    void everyWriteRefusesAndChangesNothing() {
      SessionStorage store = fresh();
      Session good = Samples.small("w", Samples.T0, 2, "good");
      Revision r = await(store.save(good));
      Message bad = Message.user("lone \uDBFF surrogate");
      Session badSession = good.withMessage(bad);
      fails(InvalidSessionException.class, () -> store.save(badSession));
      assertUnchanged(store, good, r);
      fails(InvalidSessionException.class, () -> store.saveIf(badSession, r));
      assertUnchanged(store, good, r);
      fails(InvalidSessionException.class, () -> store.update("w", s -> s.withMessage(bad)));
      assertUnchanged(store, good, r);
      fails(InvalidSessionException.class, () -> store.update("w", s -> s.withUpdatedAt(Instant.parse("+10000-01-01T00:00:00Z"))));
      assertUnchanged(store, good, r);
      fails(InvalidSessionException.class, () -> store.append("w", Append.of(List.of(bad), good.state(), Samples.T0)));
      assertUnchanged(store, good, r);
      fails(InvalidSessionException.class, () -> store.append("w", Append.of(List.of(), good.state().withCwd("\uDC00"), Samples.T0)));
      assertUnchanged(store, good, r);
      fails(InvalidSessionException.class,
          () -> store.append("w", Append.of(List.of(), good.state(), Instant.parse("+10000-01-01T00:00:00Z")).ifRevision(r)));
      assertUnchanged(store, good, r);
      fails(InvalidSessionException.class, () -> store.create(withMessage("new", bad)));
      fails(SessionNotFoundException.class, () -> store.load("new"));
    }

    private Session withMessage(String id, Message m) {
      return new Session(id, List.of(Message.user("fine"), m), SessionState.initial("/"), Samples.T0, Samples.T0);
    }

    private void refusedEverywhere(List<Session> sessions) {
      SessionStorage store = fresh();
      for (Session s : sessions) {
        fails(InvalidSessionException.class, () -> store.save(s), "save of " + s.id());
        fails(InvalidSessionException.class, () -> store.create(s), "create of " + s.id());
        fails(SessionNotFoundException.class, () -> store.load(s.id()), "load of refused " + s.id());
      }
      assertThat(await(store.list())).as("nothing was stored").isEmpty();
    }
  }

  @Nested
  @DisplayName("Errors and lifecycle: typed failures through the future, close")
  class ErrorsAndLifecycle {

    @Test
    @DisplayName("each failure type arrives through the future, never thrown by the call")
    void eachFailureArrivesThroughTheFuture() {
      SessionStorage store = fresh();
      Revision r = await(store.save(Samples.empty("here")));
      Append append = Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0);
      fails(SessionNotFoundException.class, () -> store.load("absent"));
      fails(SessionNotFoundException.class, () -> store.loadVersioned("absent"));
      fails(SessionNotFoundException.class, () -> store.delete("absent"));
      fails(SessionNotFoundException.class, () -> store.update("absent", s -> s));
      fails(SessionNotFoundException.class, () -> store.append("absent", append));
      fails(RevisionConflictException.class, () -> store.create(Samples.empty("here")));
      await(store.save(Samples.empty("here")));
      fails(RevisionConflictException.class, () -> store.saveIf(Samples.empty("here"), r));
      fails(RevisionConflictException.class, () -> store.deleteIf("here", r));
      fails(RevisionConflictException.class, () -> store.append("here", append.ifRevision(r)));
      fails(InvalidIdException.class, () -> store.load(""));
      fails(InvalidIdException.class, () -> store.save(Samples.empty("a\u0000")));
      fails(InvalidSessionException.class, () -> store.update("here", s -> s.withId("there")));
      fails(InvalidArgumentException.class, () -> store.list(ListQuery.firstPage().limit(0)));
      fails(InvalidArgumentException.class, () -> store.list(ListQuery.firstPage().after("not a cursor")));
      store.close();
      fails(StorageClosedException.class, () -> store.load("here"));
    }

    @Test
    @DisplayName("a null argument throws NullPointerException at once, the only exception a call throws")
    void nullArgumentsThrowAtOnce() {
      SessionStorage store = fresh();
      Session s = Samples.empty("n");
      Revision r = await(store.save(s));
      Append a = Append.of(List.of(), s.state(), Samples.T0);
      Map<String, Runnable> calls = new LinkedHashMap<>();
      calls.put("save(null)", () -> store.save(null));
      calls.put("saveIf(null, r)", () -> store.saveIf(null, r));
      calls.put("saveIf(s, null)", () -> store.saveIf(s, null));
      calls.put("create(null)", () -> store.create(null));
      calls.put("load(null)", () -> store.load(null));
      calls.put("loadVersioned(null)", () -> store.loadVersioned(null));
      calls.put("list(null)", () -> store.list(null));
      calls.put("stream(null)", () -> store.stream(null));
      calls.put("delete(null)", () -> store.delete(null));
      calls.put("deleteIf(null, r)", () -> store.deleteIf(null, r));
      calls.put("deleteIf(id, null)", () -> store.deleteIf("n", null));
      calls.put("update(null, f)", () -> store.update(null, x -> x));
      calls.put("update(id, null)", () -> store.update("n", null));
      calls.put("append(null, a)", () -> store.append(null, a));
      calls.put("append(id, null)", () -> store.append("n", null));
      calls.forEach((name, call) -> assertThatThrownBy(call::run).as(name).isInstanceOf(NullPointerException.class));
      assertUnchanged(store, s, r);
    }

    @Test
    @DisplayName("after close() every operation fails with StorageClosedException")
    void everyOperationFailsAfterClose() {
      SessionStorage store = fresh();
      Session s = Samples.small("c", Samples.T0, 1, "c");
      Revision r = await(store.save(s));
      store.close();
      Append a = Append.of(List.of(Message.user("x")), s.state(), Samples.T0);
      fails(StorageClosedException.class, () -> store.save(s), "save");
      fails(StorageClosedException.class, () -> store.saveIf(s, r), "saveIf");
      fails(StorageClosedException.class, () -> store.create(Samples.empty("new")), "create");
      fails(StorageClosedException.class, () -> store.load("c"), "load");
      fails(StorageClosedException.class, () -> store.loadVersioned("c"), "loadVersioned");
      fails(StorageClosedException.class, () -> store.list(), "list()");
      fails(StorageClosedException.class, () -> store.list(ListQuery.firstPage()), "list(query)");
      fails(StorageClosedException.class, () -> store.delete("c"), "delete");
      fails(StorageClosedException.class, () -> store.deleteIf("c", r), "deleteIf");
      fails(StorageClosedException.class, () -> store.update("c", x -> x), "update");
      fails(StorageClosedException.class, () -> store.append("c", a), "append");
      fails(StorageClosedException.class, () -> store.problems(), "problems");
      assertThatThrownBy(() -> collect(store.stream(ListQuery.firstPage()))).as("stream")
          .isInstanceOf(StorageClosedException.class);
    }

    @Test
    @DisplayName("close() is idempotent and never throws, also on a store never used")
    void closeIsIdempotent() {
      SessionStorage unused = fresh();
      unused.close();
      unused.close();
      SessionStorage used = fresh();
      await(used.save(Samples.empty("x")));
      used.close();
      used.close();
      used.close();
      fails(StorageClosedException.class, () -> used.load("x"));
      fails(StorageClosedException.class, () -> unused.list());
    }

    @Test
    @DisplayName("operations in flight when the store closes complete or fail with StorageClosedException; none hangs")
    void operationsInFlightWhenClosing() {
      SessionStorage store = fresh();
      await(store.save(Samples.small("base", Samples.T0, 3, "base")));
      List<CompletableFuture<?>> futures = new CopyOnWriteArrayList<>();
      concurrently(Math.max(3, sc().threads()), t -> {
        if (t == 0) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
          while (futures.size() < 50 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
          store.close();
          return;
        }
        for (int i = 0; i < 300; i++) {
          futures.add(store.save(Samples.small("f" + t + "-" + i, Samples.T0, 1, "f")));
          futures.add(store.load("base"));
          futures.add(store.list(ListQuery.firstPage().limit(5)));
        }
      });
      for (CompletableFuture<?> f : futures) {
        try {
          f.get(timeoutMillis(), MILLISECONDS);
        } catch (ExecutionException e) {
          Throwable cause = Futures.unwrap(e.getCause());
          assertThat(cause).as("an operation that raced with close()")
              .isInstanceOfAny(StorageClosedException.class, StorageUnavailableException.class);
        } catch (TimeoutException e) {
          fail("an operation in flight during close() did not complete within " + sc().operationTimeout());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          fail("interrupted");
        }
      }
      fails(StorageClosedException.class, () -> store.load("base"));
    }
  }

  @Nested
  @DisplayName("Persistence (PERSISTENT): everything survives closing and reopening")
  class Persistence {

    @BeforeEach
    void needsPersistence() {
      assume(Capability.PERSISTENT);
    }

    @Test
    @DisplayName("every kind of session, every tricky id, deletes, overwrites and appends survive reopening, with their revisions")
    void everythingSurvivesReopening() {
      SessionStorage first = fresh();
      List<Session> sessions = new ArrayList<>(List.of(
          Samples.empty("empty"),
          Samples.everyBlock("blocks"),
          Samples.empty("custom").withState(st -> st.withCustom(Samples.everyJsonValue())),
          Samples.empty("iterations-empty").withState(st -> st.withTokenUsage(new TokenUsage(1, 2, OptionalLong.empty(),
              OptionalLong.empty(), OptionalLong.empty(), Optional.of(List.of())))),
          new Session("u64", List.of(), new SessionState("/", new TokenUsage(Samples.U64_MAX, Samples.U64_MAX,
              OptionalLong.of(Samples.U64_MAX), OptionalLong.empty(), OptionalLong.empty(), Optional.empty()), Samples.U64_MAX, Map.of()),
              Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z")),
          Samples.large("large", sc().largeSessionMessages(), sc().largeStringChars()),
          Samples.small("to-delete", Samples.T0, 1, "gone"),
          Samples.small("to-overwrite", Samples.T0, 4, "before"),
          Samples.small("to-append", Samples.T0, 1, "before")));
      List<String> tricky = Samples.trickyIds();
      for (int i = 0; i < tricky.size(); i++) {
        sessions.add(Samples.small(tricky.get(i), Samples.T0.plusNanos(i), 1, "id" + i));
      }
      saveAll(first, sessions);
      await(first.delete("to-delete"));
      await(first.save(Samples.small("to-overwrite", Samples.T0, 2, "after")));
      for (int i = 0; i < 20; i++) {
        await(first.append("to-append", Append.of(List.of(Message.user("turn " + i)), SessionState.initial("/" + i), Samples.T0.plusSeconds(i))));
      }
      Map<String, VersionedSession> before = new LinkedHashMap<>();
      for (SessionSummary s : await(first.list())) {
        before.put(s.id(), await(first.loadVersioned(s.id())));
      }
      List<SessionSummary> listed = await(first.list());
      first.close();
      SessionStorage second = reopened(first);
      for (VersionedSession v : before.values()) {
        VersionedSession after = await(second.loadVersioned(v.session().id()));
        assertSameSession(v.session(), after.session(), "after reopening, " + Samples.show(v.session().id()));
        assertThat(after.revision()).as("revision of %s after reopening", Samples.show(v.session().id())).isEqualTo(v.revision());
      }
      assertListing("list() after reopening", listed, await(second.list()));
      fails(SessionNotFoundException.class, () -> second.load("to-delete"));
      assertThat(before).hasSize(sessions.size() - 1);
    }

    @Test
    @DisplayName("revisions from before reopening still work for conditional writes; stale ones still conflict")
    void revisionsSurviveReopening() {
      SessionStorage first = fresh();
      Revision stale = await(first.save(Samples.small("r", Samples.T0, 1, "one")));
      Revision current = await(first.save(Samples.small("r", Samples.T0, 2, "two")));
      Revision toDelete = await(first.save(Samples.empty("d")));
      first.close();
      SessionStorage second = reopened(first);
      fails(RevisionConflictException.class, () -> second.saveIf(Samples.small("r", Samples.T0, 9, "stale"), stale));
      Session three = Samples.small("r", Samples.T0, 3, "three");
      Revision r3 = await(second.saveIf(three, current));
      assertThat(r3).isNotIn(stale, current);
      await(second.deleteIf("d", toDelete));
      Revision r4 = await(second.append("r", Append.of(List.of(Message.user("x")), three.state(), Samples.T0).ifRevision(r3)));
      second.close();
      SessionStorage third = reopened(second);
      assertUnchanged(third, three.withMessage(Message.user("x")).withUpdatedAt(Samples.T0), r4);
      fails(SessionNotFoundException.class, () -> third.load("d"));
    }

    @Test
    @DisplayName("a cursor from before reopening continues the walk on the reopened store")
    void cursorsSurviveReopening() {
      SessionStorage first = fresh();
      List<SessionSummary> all = saveAll(first, Samples.pagingSessions(80));
      ListQuery q = ListQuery.firstPage().limit(7);
      SessionPage page = await(first.list(q));
      first.close();
      SessionStorage second = reopened(first);
      List<SessionSummary> walked = new ArrayList<>(page.summaries());
      walked.addAll(flatten(walk(second, q.after(page.nextCursor().orElseThrow()), all.size())));
      assertListing("a walk continued on a reopened store", all, walked);
    }
  }

  @Nested
  @DisplayName("Several instances on one location (CROSS_PROCESS): they behave as one store")
  class SeveralInstances {

    @BeforeEach
    void needsSeveralInstances() {
      assume(Capability.CROSS_PROCESS);
    }

    @Test
    @DisplayName("each instance sees the other's saves, overwrites, appends and deletes at once")
    void eachInstanceSeesTheOthersWrites() {
      SessionStorage a = fresh();
      SessionStorage b = reopened(a);
      Session s = Samples.everyBlock("shared");
      Revision r1 = await(a.save(s));
      assertSameSession(s, await(b.load("shared")), "instance b after a save on a");
      Session s2 = Samples.small("shared", Samples.T0, 2, "two");
      Revision r2 = await(b.save(s2));
      assertUnchanged(a, s2, r2);
      assertThat(r2).isNotEqualTo(r1);
      Revision r3 = await(a.append("shared", Append.of(List.of(Message.user("x")), s2.state(), Samples.T0)));
      assertUnchanged(b, s2.withMessage(Message.user("x")).withUpdatedAt(Samples.T0), r3);
      assertListing("the two instances list the same", await(a.list()), await(b.list()));
      await(a.delete("shared"));
      fails(SessionNotFoundException.class, () -> b.load("shared"));
      fails(SessionNotFoundException.class, () -> b.delete("shared"));
    }

    @Test
    @DisplayName("conditional writes hold across instances: a revision from one is valid on the other, a stale one conflicts")
    void conditionalWritesHoldAcrossInstances() {
      SessionStorage a = fresh();
      SessionStorage b = reopened(a);
      Revision r1 = await(a.save(Samples.small("c", Samples.T0, 1, "one")));
      Session two = Samples.small("c", Samples.T0, 2, "two");
      Revision r2 = await(b.saveIf(two, r1));
      fails(RevisionConflictException.class, () -> a.saveIf(Samples.small("c", Samples.T0, 3, "stale"), r1));
      fails(RevisionConflictException.class, () -> a.create(Samples.small("c", Samples.T0, 3, "dup")));
      fails(RevisionConflictException.class, () -> a.deleteIf("c", r1));
      fails(RevisionConflictException.class, () -> a.append("c", Append.of(List.of(), two.state(), Samples.T0).ifRevision(r1)));
      assertUnchanged(a, two, r2);
      assertUnchanged(b, two, r2);
      await(a.deleteIf("c", r2));
      fails(SessionNotFoundException.class, () -> b.load("c"));
    }

    @Test
    @DisplayName("concurrent updates and appends through two instances lose nothing")
    void concurrentWritesThroughTwoInstancesLoseNothing() {
      SessionStorage a = fresh();
      SessionStorage b = reopened(a);
      await(a.save(Samples.empty("hot")));
      int threads = sc().threads();
      int each = sc().updatesPerThread();
      concurrently(threads, t -> {
        SessionStorage mine = t % 2 == 0 ? a : b;
        for (int i = 0; i < each; i++) {
          String label = t + ":" + i;
          if (i % 2 == 0) {
            await(mine.update("hot", s -> s.withMessage(Message.user(label)).withUpdatedAt(Samples.T0)));
          } else {
            await(mine.append("hot", Append.of(List.of(Message.user(label)), SessionState.initial("/"), Samples.T0)));
          }
        }
      });
      assertEveryThreadsLabelsInOrder(labels(await(b.load("hot"))), threads, each, "messages written through two instances");
    }

    @Test
    @DisplayName("concurrent creates through two instances: exactly one wins")
    void concurrentCreatesThroughTwoInstances() {
      SessionStorage a = fresh();
      SessionStorage b = reopened(a);
      for (int round = 0; round < 10; round++) {
        String id = "c" + round;
        AtomicInteger wins = new AtomicInteger();
        concurrently(sc().threads(), t -> {
          try {
            await((t % 2 == 0 ? a : b).create(Samples.small(id, Samples.T0, 1, "t" + t)));
            wins.incrementAndGet();
          } catch (RevisionConflictException expected) {
            // all but one
          }
        });
        assertThat(wins.get()).as("successful creates of %s", id).isEqualTo(1);
      }
    }

    @Test
    @DisplayName("a cursor from one instance continues on the other")
    void cursorsWorkAcrossInstances() {
      SessionStorage a = fresh();
      SessionStorage b = reopened(a);
      List<SessionSummary> all = saveAll(a, Samples.pagingSessions(80));
      ListQuery q = ListQuery.firstPage().limit(7);
      List<SessionSummary> walked = new ArrayList<>();
      Optional<String> cursor = Optional.empty();
      int page = 0;
      do {
        SessionStorage s = page++ % 2 == 0 ? a : b;
        SessionPage p = await(s.list(cursor.map(q::after).orElse(q)));
        walked.addAll(p.summaries());
        cursor = p.nextCursor();
      } while (cursor.isPresent() && page < 1_000);
      assertListing("a walk alternating between two instances", all, walked);
    }

    @Test
    @DisplayName("closing one instance leaves the other working")
    void closingOneLeavesTheOther() {
      SessionStorage a = fresh();
      SessionStorage b = reopened(a);
      Session s = Samples.small("x", Samples.T0, 2, "x");
      Revision r = await(a.save(s));
      a.close();
      fails(StorageClosedException.class, () -> a.load("x"));
      assertUnchanged(b, s, r);
      await(b.save(Samples.empty("y")));
    }
  }

  @Nested
  @DisplayName("Problem entries (CORRUPTIBLE): an unreadable entry never breaks a listing and is never hidden")
  class ProblemEntries {

    @BeforeEach
    void needsCorruptibleEntries() {
      assume(Capability.CORRUPTIBLE);
    }

    private SessionStorage storeWithACorruptEntry(List<Session> good) {
      SessionStorage store = fresh();
      saveAll(store, good);
      await(store.save(Samples.small("broken-1", Samples.T0.plusSeconds(1), 2, "broken")));
      try {
        corrupt(store, "broken-1");
      } catch (Exception e) {
        throw new AssertionError("corrupt(store, \"broken-1\") failed", e);
      }
      return store;
    }

    private List<Session> good() {
      return List.of(Samples.small("good-1", Samples.T0, 1, "g"), Samples.small("good-2", Samples.T0.plusSeconds(2), 2, "g"),
          Samples.small("good-3", Samples.T0.plusSeconds(1), 3, "g"), Samples.small("good-4", Samples.T0.minusSeconds(1), 0, "g"));
    }

    @Test
    @DisplayName("list(), pages and streams don't fail; problems() and the pages of a walk report the entry")
    void listingsReportTheCorruptEntry() {
      List<Session> good = good();
      SessionStorage store = storeWithACorruptEntry(good);
      List<String> goodIds = good.stream().map(Session::id).toList();
      assertThat(ids(await(store.list()))).as("list() with a corrupt entry").containsAll(goodIds);
      assertThat(await(store.problems())).as("problems()").anySatisfy(p -> assertNamesBroken(p));
      List<SessionPage> pages = walk(store, ListQuery.firstPage().limit(2), 10);
      assertThat(ids(flatten(pages))).as("a walk in pages of 2").containsAll(goodIds).doesNotHaveDuplicates();
      assertThat(pages.stream().flatMap(p -> p.problems().stream()).toList()).as("problems of the pages of a walk")
          .anySatisfy(p -> assertNamesBroken(p));
      assertThat(ids(collect(store.stream(ListQuery.firstPage().limit(3))))).as("stream").containsAll(goodIds);
    }

    @Test
    @DisplayName("load, loadVersioned, update and append of the entry fail with CorruptDocumentException naming it")
    void readingTheCorruptEntryFails() {
      SessionStorage store = storeWithACorruptEntry(good());
      for (CorruptDocumentException e : List.of(
          fails(CorruptDocumentException.class, () -> store.load("broken-1")),
          fails(CorruptDocumentException.class, () -> store.loadVersioned("broken-1")),
          fails(CorruptDocumentException.class, () -> store.update("broken-1", s -> s)),
          fails(CorruptDocumentException.class,
              () -> store.append("broken-1", Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0))))) {
        assertThat(e.getMessage()).as("the message names the entry").contains("broken-1");
      }
      assertSameSession(good().get(0), await(store.load("good-1")), "a good session beside a corrupt one");
    }

    @Test
    @DisplayName("save replaces a corrupt entry and delete removes one; the problem is gone")
    void saveAndDeleteRecoverACorruptEntry() {
      SessionStorage store = storeWithACorruptEntry(good());
      Session fixed = Samples.small("broken-1", Samples.T0, 1, "fixed");
      Revision r = await(store.save(fixed));
      assertUnchanged(store, fixed, r);
      assertThat(await(store.problems())).as("problems after the entry was replaced").isEmpty();
      await(store.save(Samples.small("broken-2", Samples.T0, 1, "b")));
      corruptOrFail(store, "broken-2");
      await(store.delete("broken-2"));
      fails(SessionNotFoundException.class, () -> store.load("broken-2"));
      assertThat(await(store.problems())).as("problems after the entry was deleted").isEmpty();
      assertThat(ids(await(store.list()))).doesNotContain("broken-2").contains("broken-1");
    }

    private void corruptOrFail(SessionStorage store, String id) {
      try {
        corrupt(store, id);
      } catch (Exception e) {
        throw new AssertionError("corrupt(store, " + id + ") failed", e);
      }
    }

    private void assertNamesBroken(ListingProblem p) {
      assertThat(p.id().map(id -> id.equals("broken-1")).orElse(false) || p.location().contains("broken-1"))
          .as("the problem %s names the entry broken-1 (by id or location)", p).isTrue();
      assertThat(p.reason()).as("the reason of %s", p).isNotBlank();
    }
  }

  // ================================================================== helpers

  /** An exception of the caller's own, thrown by an {@code update} change. */
  private static final class ChangeFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ChangeFailed() {
      super("thrown by the change on purpose");
    }
  }

  /** A body run by each of several threads. */
  @FunctionalInterface
  private interface ThreadBody {
    void run(int thread) throws Exception;
  }

  private TckScale sc() {
    if (cachedScale == null) {
      cachedScale = Objects.requireNonNull(scale(), "scale() returned null");
    }
    return cachedScale;
  }

  private long timeoutMillis() {
    return sc().operationTimeout().toMillis();
  }

  private void assume(Capability c) {
    Assumptions.assumeTrue(Objects.requireNonNull(capabilities(), "capabilities() returned null").contains(c),
        () -> "needs Capability." + c + ", which this store does not declare");
  }

  /** A new store that this check owns; closed after it. */
  private SessionStorage fresh() {
    SessionStorage s = untracked();
    opened.add(s);
    return s;
  }

  /** A new store the caller must close. */
  private SessionStorage untracked() {
    SessionStorage s;
    try {
      s = newStorage();
    } catch (Exception e) {
      throw new AssertionError("newStorage() failed: " + e, e);
    }
    return Objects.requireNonNull(s, "newStorage() returned null");
  }

  private SessionStorage reopened(SessionStorage previous) {
    SessionStorage s;
    try {
      s = reopen(previous);
    } catch (Exception e) {
      throw new AssertionError("reopen() failed: " + e, e);
    }
    Objects.requireNonNull(s, "reopen() returned null");
    opened.add(s);
    return s;
  }

  private ExecutorService pool(int threads) {
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "sessionkit-tck-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pools.add(pool);
    return pool;
  }

  private <T> T await(CompletableFuture<T> future) {
    if (future == null) {
      throw new AssertionError("the store returned null instead of a future");
    }
    return Futures.await(future, timeoutMillis(), MILLISECONDS);
  }

  private <E extends Throwable> E fails(Class<E> type, Supplier<? extends CompletableFuture<?>> call) {
    return fails(type, call, "an operation expected to fail with " + type.getSimpleName());
  }

  /**
   * Asserts that {@code call} returns a future (it must not throw) that fails with {@code type}
   * within the timeout.
   */
  private <E extends Throwable> E fails(Class<E> type, Supplier<? extends CompletableFuture<?>> call, String what) {
    CompletableFuture<?> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": expected a future failing with " + type.getSimpleName()
          + ", but the call threw " + e + " (failures must arrive through the future)", e);
    }
    if (future == null) {
      throw new AssertionError(what + ": the store returned null instead of a future");
    }
    Throwable cause;
    try {
      Object value = future.get(timeoutMillis(), MILLISECONDS);
      throw new AssertionError(what + ": expected a failure with " + type.getSimpleName()
          + ", but the future completed with " + abbreviate(String.valueOf(value)));
    } catch (ExecutionException e) {
      cause = Futures.unwrap(e.getCause());
    } catch (CancellationException e) {
      cause = e;
    } catch (TimeoutException e) {
      throw new AssertionError(what + ": the future did not complete within " + sc().operationTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + ": interrupted", e);
    }
    if (!type.isInstance(cause)) {
      throw new AssertionError(what + ": expected a failure with " + type.getSimpleName() + ", but it failed with " + cause, cause);
    }
    return type.cast(cause);
  }

  /** Runs {@code body} on {@code threads} threads started together; rethrows the first failure. */
  private void concurrently(int threads, ThreadBody body) {
    ExecutorService pool = pool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        awaitLatch(start);
        body.run(thread);
        return null;
      }));
    }
    start.countDown();
    long deadline = System.nanoTime() + sc().operationTimeout().multipliedBy(5).toNanos();
    try {
      for (Future<?> f : futures) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      Throwable cause = Futures.unwrap(e.getCause());
      if (cause instanceof AssertionError ae) {
        throw ae;
      }
      throw new AssertionError("a thread of a concurrent check failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new AssertionError("the threads of a concurrent check did not finish within "
          + sc().operationTimeout().multipliedBy(5), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(timeoutMillis(), MILLISECONDS)) {
        throw new AssertionError("a thread of the check waited more than " + sc().operationTimeout() + " for another");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Saves a session and checks that load, loadVersioned and the summary return it exactly. */
  private Session roundTrip(SessionStorage store, Session s) {
    Revision r = await(store.save(s));
    if (r == null) {
      throw new AssertionError("save returned a null revision");
    }
    Session loaded = await(store.load(s.id()));
    assertSameSession(s, loaded, "load of " + Samples.show(s.id()) + " after save");
    assertUnchanged(store, s, r);
    return loaded;
  }

  /** Checks that the store holds exactly {@code expected} with revision {@code revision}. */
  private void assertUnchanged(SessionStorage store, Session expected, Revision revision) {
    VersionedSession v = await(store.loadVersioned(expected.id()));
    assertSameSession(expected, v.session(), "loadVersioned of " + Samples.show(expected.id()));
    assertThat(v.revision()).as("revision of %s", Samples.show(expected.id())).isEqualTo(revision);
    assertThat(summaryOf(store, expected.id())).as("summary of %s", Samples.show(expected.id()))
        .isEqualTo(expected.summary(revision));
  }

  private SessionSummary summaryOf(SessionStorage store, String id) {
    // A prefix page finds the summary without listing a large store; it is the same listing.
    List<SessionSummary> found = new ArrayList<>();
    for (SessionPage p : walk(store, ListQuery.withPrefix(id).limit(1000), 100_000)) {
      p.summaries().stream().filter(s -> s.id().equals(id)).forEach(found::add);
    }
    if (found.size() != 1) {
      throw new AssertionError("expected one summary of " + Samples.show(id) + " in the listing, found " + found.size());
    }
    return found.get(0);
  }

  private static void assertSameSession(Session expected, Session actual, String what) {
    if (actual == null) {
      throw new AssertionError(what + ": the store returned null");
    }
    Optional<String> d = SessionDiff.between(expected, actual);
    if (d.isPresent()) {
      fail(what + ": the session differs: " + d.get());
    }
  }

  /** Saves all sessions (several writes in flight) and returns their summaries in listing order. */
  private List<SessionSummary> saveAll(SessionStorage store, List<Session> sessions) {
    List<SessionSummary> out = new ArrayList<>(sessions.size());
    for (int from = 0; from < sessions.size(); from += 64) {
      List<Session> batch = sessions.subList(from, Math.min(sessions.size(), from + 64));
      List<CompletableFuture<Revision>> futures = batch.stream().map(store::save).toList();
      for (int i = 0; i < batch.size(); i++) {
        out.add(batch.get(i).summary(await(futures.get(i))));
      }
    }
    out.sort(LISTING_ORDER);
    return out;
  }

  /** Walks every page of {@code query}; fails if the walk does not end. */
  private List<SessionPage> walk(SessionStorage store, ListQuery query, int expectedAtMost) {
    List<SessionPage> pages = new ArrayList<>();
    ListQuery q = query;
    while (true) {
      SessionPage p = await(store.list(q));
      if (p.summaries().size() > query.limit()) {
        fail(describe(query) + ": page " + (pages.size() + 1) + " holds " + p.summaries().size() + " summaries, more than the page size");
      }
      pages.add(p);
      if (p.nextCursor().isEmpty()) {
        return pages;
      }
      if (p.summaries().isEmpty()) {
        fail(describe(query) + ": page " + pages.size() + " is empty but has a next cursor");
      }
      if (pages.size() > expectedAtMost + 2) {
        fail(describe(query) + ": the walk did not end after " + pages.size() + " pages");
      }
      q = query.after(p.nextCursor().get());
    }
  }

  private static List<SessionSummary> flatten(List<SessionPage> pages) {
    return pages.stream().flatMap(p -> p.summaries().stream()).toList();
  }

  private static List<SessionSummary> collect(Stream<SessionSummary> stream) {
    try (stream) {
      return stream.toList();
    }
  }

  private static List<String> ids(List<SessionSummary> summaries) {
    return summaries.stream().map(SessionSummary::id).toList();
  }

  private static List<String> labels(Session s) {
    return s.messages().stream().map(Samples::label).toList();
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static void assertEveryThreadsLabelsInOrder(List<String> labels, int threads, int each, String what) {
    assertThat(labels).as("%s: count", what).hasSize(threads * each);
    assertThat(labels).as("%s: no duplicates", what).doesNotHaveDuplicates();
    Map<Integer, List<Integer>> byThread = new HashMap<>();
    for (String l : labels) {
      int colon = l.indexOf(':');
      byThread.computeIfAbsent(Integer.parseInt(l.substring(0, colon)), k -> new ArrayList<>())
          .add(Integer.parseInt(l.substring(colon + 1)));
    }
    for (int t = 0; t < threads; t++) {
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < each; i++) {
        expected.add(i);
      }
      assertThat(byThread.getOrDefault(t, List.of())).as("%s: thread %d's messages, in its order", what, t).isEqualTo(expected);
    }
  }

  /** Compares listings and says what differs in a few lines instead of printing thousands of summaries. */
  private static void assertListing(String what, List<SessionSummary> expected, List<SessionSummary> actual) {
    if (expected.equals(actual)) {
      return;
    }
    Map<String, Integer> counts = new HashMap<>();
    actual.forEach(s -> counts.merge(s.id(), 1, Integer::sum));
    Set<String> expectedIds = new HashSet<>(ids(expected));
    List<String> missing = ids(expected).stream().filter(id -> !counts.containsKey(id)).map(Samples::show).toList();
    List<String> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(e -> Samples.show(e.getKey())).toList();
    List<String> unexpected = counts.keySet().stream().filter(id -> !expectedIds.contains(id)).map(Samples::show).toList();
    StringBuilder b = new StringBuilder(what).append(": expected ").append(expected.size())
        .append(" summaries, got ").append(actual.size());
    if (!missing.isEmpty()) {
      b.append("; missing ").append(missing.size()).append(": ").append(first(missing));
    }
    if (!twice.isEmpty()) {
      b.append("; returned more than once: ").append(first(twice));
    }
    if (!unexpected.isEmpty()) {
      b.append("; unexpected: ").append(first(unexpected));
    }
    if (missing.isEmpty() && twice.isEmpty() && unexpected.isEmpty()) {
      for (int i = 0; i < expected.size(); i++) {
        SessionSummary e = expected.get(i);
        SessionSummary a = actual.get(i);
        if (!e.id().equals(a.id())) {
          b.append("; wrong order at position ").append(i).append(": expected ").append(Samples.show(e.id()))
              .append(" (updated ").append(e.updatedAt()).append(") but was ").append(Samples.show(a.id()))
              .append(" (updated ").append(a.updatedAt()).append(")");
          break;
        }
        if (!e.equals(a)) {
          b.append("; wrong summary at position ").append(i).append(": expected ").append(e).append(" but was ").append(a);
          break;
        }
      }
    }
    fail(b.toString());
  }

  private static String first(List<String> items) {
    return items.stream().limit(8).collect(Collectors.joining(", ")) + (items.size() > 8 ? ", …" : "");
  }

  private static String describe(ListQuery q) {
    return "query(limit " + q.limit() + q.idPrefix().map(p -> ", prefix " + Samples.show(p)).orElse("")
        + q.updatedAfter().map(t -> ", after " + t).orElse("") + q.updatedBefore().map(t -> ", before " + t).orElse("")
        + (q.cursor().isPresent() ? ", with cursor" : "") + ")";
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  /** Code-point order, written independently of {@code SessionIds}. */
  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
