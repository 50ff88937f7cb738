package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.ContentBlock;
import org.sessionkit.ImageSource;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Role;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;

/**
 * The kit's checks of one clause — Listing: one summary per session, most recently updated first,
 * then ids in code-point order. Wired into the kit as its nested group {@code Listing}.
 */
abstract class ListingChecks extends CheckGroup {

  ListingChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("an empty store lists nothing: list(), a first page, a stream and problems() are empty")
  void emptyStoreListsNothing() {
    SessionStorage store = fresh();
    assertThat(await(store.list())).as("list() of an empty store").isEmpty();
    SessionPage page = await(store.list(ListQuery.firstPage()));
    assertThat(page.summaries()).as("first page of an empty store").isEmpty();
    assertThat(page.nextCursor()).as("cursor of the first page of an empty store").isEmpty();
    assertThat(page.problems()).as("problems of the first page of an empty store").isEmpty();
    assertThat(collect(store.stream(ListQuery.firstPage().limit(1)), 0)).as("stream of an empty store").isEmpty();
    assertThat(await(store.problems())).as("problems() of an empty store").isEmpty();
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
    assertThat(await(store.list())).as("list() after every session was deleted").isEmpty();
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
    assertThat(await(store.list())).as("message count of a session of three multi-block messages").singleElement().extracting(SessionSummary::messageCount).isEqualTo(3L);
    await(store.save(Samples.everyBlock("blocks")));
    assertThat(summaryOf(store, "blocks").messageCount()).as("message count of the session with every block").isEqualTo(Samples.everyBlock("b").messages().size());
  }

  @Test
  @DisplayName("a healthy store reports no problem entries")
  void healthyStoreReportsNoProblems() {
    SessionStorage store = fresh();
    saveAll(store, List.of(Samples.everyBlock("a"), Samples.empty("b")));
    assertThat(await(store.problems())).as("problems() of a healthy store").isEmpty();
    assertThat(await(store.list(ListQuery.firstPage().limit(1))).problems()).as("problems of a page of a healthy store").isEmpty();
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
    assertThat(ids(await(store.list()))).as("ids listed after the caller changed a list the store returned").containsExactly("a", "b");
  }
}
