package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;

/**
 * The kit's checks of one clause — Problem entries (CORRUPTIBLE): an unreadable entry never
 * breaks a listing and is never hidden. Wired into the kit as its nested group {@code
 * ProblemEntries}.
 */
abstract class ProblemEntryChecks extends CheckGroup {

  ProblemEntryChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @BeforeEach
  void needsCorruptibleEntries() {
    assume(Capability.CORRUPTIBLE);
  }

  private SessionStorage storeWithACorruptEntry(List<Session> good) {
    SessionStorage store = fresh();
    saveAll(store, good);
    await(store.save(Samples.small("broken-1", Samples.T0.plusSeconds(1), 2, "broken")));
    corruptOrFail(store, "broken-1");
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
    assertThat(ids(collect(store.stream(ListQuery.firstPage().limit(3)), 10))).as("stream").containsAll(goodIds);
  }

  @Test
  @DisplayName("load, loadVersioned, loadTail, loadBefore, update and append of the entry fail with CorruptDocumentException naming it")
  void readingTheCorruptEntryFails() {
    SessionStorage store = storeWithACorruptEntry(good());
    for (CorruptDocumentException e : List.of(
        fails(CorruptDocumentException.class, () -> store.load("broken-1")),
        fails(CorruptDocumentException.class, () -> store.loadVersioned("broken-1")),
        fails(CorruptDocumentException.class, () -> store.update("broken-1", s -> s)),
        fails(CorruptDocumentException.class,
            () -> store.append("broken-1", Append.of(List.of(Message.user("x")), SessionState.initial("/"), Samples.T0))),
        fails(CorruptDocumentException.class, () -> store.loadTail("broken-1", 1)),
        fails(CorruptDocumentException.class, () -> store.loadBefore("broken-1", 5, 1)))) {
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
    assertThat(ids(await(store.list()))).as("ids listed after the corrupt entry was deleted").doesNotContain("broken-2").contains("broken-1");
  }

  @Test
  @DisplayName("a corrupt body under an intact head: load fails, listings still list it from the head (custom keys too), problems() finds it")
  void problemsFindsACorruptBodyUnderAnIntactHead() {
    SessionStorage store = fresh();
    List<Session> good = good();
    saveAll(store, good);
    Session victim = Samples.small("broken-1", Samples.T0.plusSeconds(1), 3, "broken")
        .withState(st -> st.withCustom("title", new JsonValue.JsonString("still listed")));
    Revision r = await(store.save(victim));
    boolean damaged;
    try {
      damaged = kit.corruptBody(store, "broken-1");
    } catch (Exception e) {
      throw new AssertionError("corruptBody(store, \"broken-1\") failed: " + e, e);
    }
    Assumptions.assumeTrue(damaged, "needs corruptBody(store, id), which this store's test does not implement");
    for (CorruptDocumentException e : List.of(
        fails(CorruptDocumentException.class, () -> store.load("broken-1"), "load of a session with a corrupt body"),
        fails(CorruptDocumentException.class, () -> store.loadVersioned("broken-1"), "loadVersioned of a session with a corrupt body"))) {
      assertThat(e.getMessage()).as("the message of the corrupt-document error names the entry").contains("broken-1");
    }
    assertThat(await(store.problems())).as("problems(), the full check, with a corrupt body under an intact head")
        .anySatisfy(p -> assertNamesBroken(p));
    List<SessionSummary> listed = await(store.list(ListQuery.withPrefix("broken-").withCustomKeys("title"))).summaries();
    assertThat(listed).as("a listing of the entry whose head is intact").hasSize(1);
    assertThat(listed.get(0)).as("its summary, read from the head with the custom key title")
        .isEqualTo(victim.summary(r, java.util.Set.of("title")));
    assertThat(ids(await(store.list()))).as("list()").containsAll(good.stream().map(Session::id).toList());
    Session fixed = Samples.small("broken-1", Samples.T0, 1, "fixed");
    Revision r2 = await(store.save(fixed));
    assertUnchanged(store, fixed, r2);
    assertThat(await(store.problems())).as("problems() after the entry was replaced").isEmpty();
  }


  private void assertNamesBroken(ListingProblem p) {
    assertThat(p.id().map(id -> id.equals("broken-1")).orElse(false) || p.location().contains("broken-1"))
        .as("the problem %s names the entry broken-1 (by id or location)", p).isTrue();
    assertThat(p.reason()).as("the reason of %s", p).isNotBlank();
  }
}
