package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.IterationUsage;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.TokenUsage;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — Round trips: load returns what was saved, equal in every
 * field. Wired into the kit as its nested group {@code RoundTrips}.
 */
abstract class RoundTripChecks extends CheckGroup {

  RoundTripChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

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
    assertThat(loaded.state().tokenUsage().cacheReadTokens()).as("cacheReadTokens of token usage saved without it").isEmpty();
    assertThat(loaded.state().tokenUsage().iterations()).as("iterations of token usage saved without them").isEmpty();
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
    assertThat(c.get("integer 3")).as("custom value \"integer 3\"").isInstanceOf(JsonValue.JsonInteger.class);
    assertThat(c.get("decimal 3.0")).as("custom value \"decimal 3.0\"").isInstanceOf(JsonValue.JsonDecimal.class).hasToString("3.0");
    assertThat(c.get("null")).as("custom value \"null\"").isEqualTo(JsonValue.NULL);
    assertThat(c.keySet()).as("custom keys").isEqualTo(s.state().custom().keySet());
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
