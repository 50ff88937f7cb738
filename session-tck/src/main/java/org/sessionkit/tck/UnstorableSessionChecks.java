package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.ImageSource;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;

/**
 * The kit's checks of one clause — Sessions that can't be stored faithfully fail with
 * InvalidSessionException before anything is written. Wired into the kit as its nested group
 * {@code UnstorableSessions}.
 */
abstract class UnstorableSessionChecks extends CheckGroup {

  UnstorableSessionChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

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
