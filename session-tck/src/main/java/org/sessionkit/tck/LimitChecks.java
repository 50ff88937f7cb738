package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.ContentBlock;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — the limits of common media sit inside what the contract
 * allows, at every scale (smoke included): a listing of more than 1,000 sessions (a page cap, a
 * {@code LIMIT 1000}), strings longer than 65,535 characters (a {@code TEXT} or {@code
 * VARCHAR(65535)} column, a 16-bit length) in every place a string goes, more than 65,535
 * messages in one session (the bind-parameter limit of one statement), thousands of custom and
 * metadata keys; each value read back from a fresh instance too when the store is persistent.
 * Wired into the kit as its nested group {@code Limits}.
 */
abstract class LimitChecks extends CheckGroup {

  /** More than a page of the largest size and more than a common LIMIT 1000. */
  static final int MANY_SESSIONS = 1_050;

  /** More than a 16-bit count of anything. */
  static final int BEYOND_16_BITS = 70_000;

  LimitChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("listings of more than 1,000 sessions: list(), pages of 1000, a stream, a prefix and a time bound all reach the last one")
  void listingsOfMoreThanAThousandSessions() {
    SessionStorage store = fresh();
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < MANY_SESSIONS; i++) {
      sessions.add(Samples.small((i % 50 == 0 ? "other/" : "many/") + i, Samples.T0.plusSeconds(i % 7).plusNanos(i), i % 2, "m"));
    }
    List<SessionSummary> all = saveAll(store, sessions);
    assertListing("list() of " + all.size() + " sessions", all, await(store.list()));
    assertListing("pages of 1000 over " + all.size() + " sessions", all, flatten(walk(store, ListQuery.firstPage().limit(1000), all.size())));
    assertListing("a stream over " + all.size() + " sessions", all, collect(store.stream(ListQuery.firstPage().limit(1000)), all.size()));
    List<SessionSummary> many = all.stream().filter(s -> s.id().startsWith("many/")).toList();
    assertListing("prefix many/ (" + many.size() + " sessions), pages of 1000", many,
        flatten(walk(store, ListQuery.withPrefix("many/").limit(1000), all.size())));
    java.time.Instant bound = Samples.T0.plusSeconds(1);
    List<SessionSummary> later = all.stream().filter(s -> s.updatedAt().isAfter(bound)).toList();
    assertThat(later.size()).as("the kit's sample: sessions updated after the bound").isGreaterThan(ListQuery.MAX_LIMIT / 2);
    assertListing("updatedAfter, pages of 1000", later, flatten(walk(store, ListQuery.firstPage().updatedAfter(bound).limit(1000), all.size())));
  }

  @Test
  @DisplayName("strings longer than 65,535 characters (ASCII, 2-byte and 4-byte UTF-8) in every place a string goes, exactly kept")
  void stringsLongerThanSixteenBitsRoundTrip() {
    SessionStorage store = fresh();
    List<Session> sessions = List.of(
        longStrings("ascii-65535", "a".repeat(65_535)),
        longStrings("ascii-65536", "b".repeat(65_536)),
        longStrings("ascii-70000", "c".repeat(BEYOND_16_BITS - 1) + "!"),
        longStrings("two-byte", "\u00e9".repeat(BEYOND_16_BITS)),
        longStrings("four-byte", "\uD83D\uDE00".repeat(BEYOND_16_BITS / 2 + 1)));
    List<VersionedSession> stored = new ArrayList<>();
    for (Session s : sessions) {
      Revision r = await(store.save(s));
      assertSameSession(s, await(store.load(s.id())), "load of " + s.id() + " holding strings of " + describeLength(s));
      stored.add(new VersionedSession(s, r));
    }
    assertStillThereOnAFreshInstance(store, stored);
  }

  @Test
  @DisplayName("more than 65,535 messages in one session, and thousands of custom and metadata keys")
  void manyMessagesAndKeys() {
    SessionStorage store = fresh();
    List<Message> messages = new ArrayList<>(BEYOND_16_BITS);
    for (int i = 0; i < BEYOND_16_BITS; i++) {
      messages.add(i % 2 == 0 ? Message.user("q" + i) : Message.assistant("a" + i));
    }
    Map<String, JsonValue> keys = new LinkedHashMap<>();
    for (int i = 0; i < 2_000; i++) {
      keys.put("k" + i, i % 2 == 0 ? JsonValue.of(i) : new JsonValue.JsonString("v" + i));
    }
    messages.set(7, messages.get(7).withMetadata(keys));
    Session s = new Session("many", messages, SessionState.initial("/").withCustom(keys), Samples.T0, Samples.T0);
    Revision r = await(store.save(s));
    assertSameSession(s, await(store.load("many")), "load of a session of " + BEYOND_16_BITS + " messages");
    assertThat(summaryOf(store, "many").messageCount()).as("message count of a session of %d messages", BEYOND_16_BITS)
        .isEqualTo(BEYOND_16_BITS);
    assertThat(await(store.loadTail("many", 3)).totalMessages()).as("total of a slice of it").isEqualTo(BEYOND_16_BITS);
    assertStillThereOnAFreshInstance(store, List.of(new VersionedSession(s, r)));
  }

  /** A session with {@code big} in every place a string goes. */
  static Session longStrings(String id, String big) {
    Map<String, JsonValue> custom = new LinkedHashMap<>();
    custom.put("value", new JsonValue.JsonString(big));
    custom.put(big, JsonValue.of(1));
    custom.put("array", new JsonValue.JsonArray(List.of(new JsonValue.JsonString(big))));
    Message user = Message.user(big).withMetadata("note", new JsonValue.JsonString(big));
    Message assistant = Message.of(Role.ASSISTANT, new ContentBlock.Thinking(big, big),
        new ContentBlock.ToolUse("toolu_1", "write", new JsonValue.JsonObject(Map.of("content", new JsonValue.JsonString(big)))));
    Message result = Message.of(Role.USER, ContentBlock.ToolResult.ofText("toolu_1", big));
    return new Session(id, List.of(user, assistant, result), SessionState.initial(big).withCustom(custom), Samples.T0, Samples.T0);
  }

  private static String describeLength(Session s) {
    String big = s.state().cwd();
    return big.length() + " UTF-16 units";
  }

  /**
   * When the store is persistent, closes it, opens a fresh instance on its location and checks
   * that every session is still there, equal, with its revision (values must survive a fresh
   * instance, not only the one that wrote them).
   */
  private void assertStillThereOnAFreshInstance(SessionStorage store, List<VersionedSession> stored) {
    if (!kit.capabilities().contains(Capability.PERSISTENT)) {
      return;
    }
    store.close();
    SessionStorage fresh = reopened(store);
    for (VersionedSession v : stored) {
      VersionedSession again = await(fresh.loadVersioned(v.session().id()));
      assertSameSession(v.session(), again.session(), "a fresh instance's load of " + Samples.show(v.session().id()));
      assertThat(again.revision()).as("revision of %s on a fresh instance", Samples.show(v.session().id())).isEqualTo(v.revision());
    }
  }
}
