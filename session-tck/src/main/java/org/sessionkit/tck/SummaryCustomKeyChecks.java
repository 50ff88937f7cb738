package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;

/**
 * The kit's checks of one clause — summaries with chosen custom keys: a listing that asks for
 * keys of the sessions' custom state returns, in each summary, exactly those of the keys a
 * session has, with their values exact (3 vs 3.0, big integers, JSON null as a value), current
 * after every write; a listing that asks for none returns none. Whether the store reads
 * messages to do it is checked by the CORRUPTIBLE group when the store can damage a body only.
 * Wired into the kit as its nested group {@code SummaryCustomKeys}.
 */
abstract class SummaryCustomKeyChecks extends CheckGroup {

  SummaryCustomKeyChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  static Map<String, JsonValue> sidebar(int i) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("title", new JsonValue.JsonString("chat " + i + " \u00e9\uD83D\uDE00"));
    m.put("pinned", i % 2 == 0 ? JsonValue.TRUE : JsonValue.FALSE);
    m.put("score", i % 3 == 0 ? JsonValue.of(3) : new JsonValue.JsonDecimal(new BigDecimal("3.0")));
    m.put("big", JsonValue.of(new BigInteger("18446744073709551616").add(BigInteger.valueOf(i))));
    m.put("null", JsonValue.NULL);
    m.put("nested", new JsonValue.JsonObject(Map.of("tags", new JsonValue.JsonArray(List.of(new JsonValue.JsonString("t" + i))))));
    m.put("secret", new JsonValue.JsonString("not asked for"));
    return m;
  }

  private static final Set<String> ASKED = Set.of("title", "pinned", "score", "big", "null", "nested", "absent");

  private List<Session> sessions(int n) {
    List<Session> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Session s = Samples.small("side/" + i, Samples.T0.plusSeconds(i % 5), 1 + i % 3, "c" + i);
      if (i % 4 != 3) {
        Map<String, JsonValue> custom = sidebar(i);
        if (i % 4 == 2) {
          custom.remove("title");
          custom.remove("null");
        }
        s = s.withState(st -> st.withCustom(custom));
      }
      out.add(s);
    }
    return out;
  }

  /** What a summary of {@code s} with {@code keys} carries, computed by the kit itself. */
  static Map<String, JsonValue> expectedCustom(Session s, Set<String> keys) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    s.state().custom().forEach((k, v) -> {
      if (keys.contains(k)) {
        m.put(k, v);
      }
    });
    return m;
  }

  @Test
  @DisplayName("each summary carries exactly the asked keys a session has, values exact; absent keys are left out, JSON null is kept")
  void summariesCarryTheAskedKeys() {
    SessionStorage store = fresh();
    List<Session> sessions = sessions(23);
    saveAll(store, sessions);
    Map<String, Session> byId = new LinkedHashMap<>();
    sessions.forEach(s -> byId.put(s.id(), s));
    for (int size : new int[] {1, 7, 1000}) {
      ListQuery q = ListQuery.withPrefix("side/").limit(size).withCustomKeys(ASKED.toArray(String[]::new));
      List<SessionSummary> walked = flatten(walk(store, q, sessions.size()));
      assertThat(walked).as("summaries of %s", describe(q)).hasSize(sessions.size());
      for (SessionSummary s : walked) {
        checkCustom(s, expectedCustom(byId.get(s.id()), ASKED), describe(q));
      }
    }
    for (SessionSummary s : collect(store.stream(ListQuery.firstPage().limit(5).withCustomKeys("title", "score")), sessions.size())) {
      checkCustom(s, expectedCustom(byId.get(s.id()), Set.of("title", "score")), "a stream with custom keys title and score");
    }
    for (SessionSummary s : await(store.list(ListQuery.firstPage().limit(100))).summaries()) {
      assertThat(s.custom()).as("custom of %s in a listing that asks for no keys", Samples.show(s.id())).isEmpty();
    }
    for (SessionSummary s : await(store.list())) {
      assertThat(s.custom()).as("custom of %s in list()", Samples.show(s.id())).isEmpty();
    }
    SessionSummary one = await(store.list(ListQuery.withPrefix("side/0").limit(1).withCustomKeys("score"))).summaries().get(0);
    assertThat(one.custom().get("score")).as("custom score of side/0, an integer 3").isInstanceOf(JsonValue.JsonInteger.class);
    SessionSummary two = await(store.list(ListQuery.withPrefix("side/1").limit(100).withCustomKeys("score"))).summaries().stream()
        .filter(x -> x.id().equals("side/1")).findFirst().orElseThrow(() -> new AssertionError("no summary of side/1"));
    assertThat(two.custom().get("score")).as("custom score of side/1, a decimal 3.0").isEqualTo(new JsonValue.JsonDecimal(new BigDecimal("3.0")));
  }

  @Test
  @DisplayName("the keys follow writes: a save, an append that replaces the state (removing a key) and an update")
  void customKeysFollowWrites() {
    SessionStorage store = fresh();
    Session s = Samples.small("w", Samples.T0, 1, "w").withState(st -> st.withCustom(sidebar(1)));
    await(store.save(s));
    ListQuery q = ListQuery.withPrefix("w").withCustomKeys("title", "pinned", "added");
    checkCustom(single(store, q), expectedCustom(s, q.customKeys()), "after save");
    SessionState replaced = SessionState.initial("/w").withCustom("pinned", JsonValue.TRUE).withCustom("added", JsonValue.of(7));
    Append a = Append.of(List.of(Message.user("more")), replaced, Samples.T0.plusSeconds(1));
    Revision r = await(store.append("w", a));
    SessionSummary afterAppend = single(store, q);
    checkCustom(afterAppend, Map.of("pinned", JsonValue.TRUE, "added", JsonValue.of(7)), "after an append that replaced the state");
    assertThat(afterAppend.revision()).as("revision of the summary after the append").isEqualTo(r);
    await(store.update("w", x -> x.withState(st -> st.withCustom("title", new JsonValue.JsonString("renamed")))));
    checkCustom(single(store, q), Map.of("title", new JsonValue.JsonString("renamed"), "pinned", JsonValue.TRUE, "added", JsonValue.of(7)),
        "after an update that set the title");
    await(store.save(Samples.small("w", Samples.T0, 1, "w")));
    checkCustom(single(store, q), Map.of(), "after a save without custom state");
  }

  private SessionSummary single(SessionStorage store, ListQuery q) {
    List<SessionSummary> found = await(store.list(q)).summaries();
    assertThat(found).as("summaries of %s", describe(q)).hasSize(1);
    return found.get(0);
  }

  private static void checkCustom(SessionSummary s, Map<String, JsonValue> expected, String what) {
    if (!s.custom().equals(expected)) {
      throw new AssertionError(what + ": custom of the summary of " + Samples.show(s.id()) + ": expected "
          + abbreviate(Samples.show(expected.toString())) + " but was " + abbreviate(Samples.show(s.custom().toString())));
    }
  }
}
