package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.InvalidIdException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.IterationUsage;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.TokenUsage;
import org.sessionkit.ToolResultItem;

/**
 * The kit's checks of one clause — Isolation: nothing a caller holds changes what the store
 * returns. Wired into the kit as its nested group {@code Isolation}.
 */
abstract class IsolationChecks extends CheckGroup {

  IsolationChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

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
    assertThatThrownBy(() -> loaded.messages().add(Message.user("x")),
        "changing a loaded session: %s", "loaded.messages().add(Message.user(\"x\"))")
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> loaded.messages().get(1).content().clear(),
        "changing a loaded session: %s", "loaded.messages().get(1).content().clear()")
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> loaded.state().custom().put("x", JsonValue.NULL),
        "changing a loaded session: %s", "loaded.state().custom().put(\"x\", JsonValue.NULL)")
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> loaded.state().tokenUsage().iterations().orElseThrow().clear(),
        "changing a loaded session: %s", "loaded.state().tokenUsage().iterations().orElseThrow().clear()")
        .isInstanceOf(UnsupportedOperationException.class);
    JsonValue.JsonArray array = (JsonValue.JsonArray) loaded.state().custom().get("mixed array");
    assertThatThrownBy(() -> array.elements().clear(),
        "changing a loaded session: %s", "array.elements().clear()")
        .isInstanceOf(UnsupportedOperationException.class);
    JsonValue.JsonObject object = (JsonValue.JsonObject) loaded.state().custom().get("tricky keys");
    assertThatThrownBy(() -> object.members().clear(),
        "changing a loaded session: %s", "object.members().clear()")
        .isInstanceOf(UnsupportedOperationException.class);
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
    assertThat(ids(await(store.list()))).as("ids listed after rejected writes").containsExactly("keep");
  }

  @Test
  @DisplayName("two fresh stores are independent: what one holds, the other doesn't; closing one leaves the other working")
  void freshStoresAreIndependent() {
    SessionStorage a = fresh();
    SessionStorage b = fresh();
    await(a.save(Samples.small("mine", Samples.T0, 1, "a")));
    fails(SessionNotFoundException.class, () -> b.load("mine"));
    assertThat(await(b.list())).as("list() of the other fresh store").isEmpty();
    await(b.save(Samples.small("mine", Samples.T0, 3, "b")));
    assertSameSession(Samples.small("mine", Samples.T0, 1, "a"), await(a.load("mine")), "store a after a write to store b");
    a.close();
    assertSameSession(Samples.small("mine", Samples.T0, 3, "b"), await(b.load("mine")), "store b after store a closed");
    await(b.delete("mine"));
  }
}
