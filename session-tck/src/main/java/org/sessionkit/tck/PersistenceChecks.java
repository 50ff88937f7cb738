package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.TokenUsage;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — Persistence (PERSISTENT): everything survives closing and
 * reopening. Wired into the kit as its nested group {@code Persistence}.
 */
abstract class PersistenceChecks extends CheckGroup {

  PersistenceChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

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
    assertThat(before).as("sessions loaded before reopening").hasSize(sessions.size() - 1);
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
    assertThat(r3).as("revision of a saveIf on the reopened store, compared with those from before").isNotIn(stale, current);
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
