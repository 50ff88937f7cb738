package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;

/**
 * The kit's checks of one clause — Overwrite and delete. Wired into the kit as its nested group
 * {@code OverwriteAndDelete}.
 */
abstract class OverwriteAndDeleteChecks extends CheckGroup {

  OverwriteAndDeleteChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

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
    assertThat(ids(await(store.list()))).as("ids listed after deletes of unknown ids").containsExactly("other");
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
