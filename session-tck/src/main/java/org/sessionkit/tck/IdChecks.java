package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.InvalidIdException;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — Session ids: one rule, exact round trips, no collisions. Wired
 * into the kit as its nested group {@code Ids}.
 */
abstract class IdChecks extends CheckGroup {

  IdChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

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
    assertThat(await(store.list())).as("list() after every tricky id was deleted").isEmpty();
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
      assertThat(ids(await(store.list(ListQuery.withPrefix(id).limit(1000))).summaries())).as("prefix listing of %s (the only session stored)", what)
          .containsExactly(id);
      await(store.deleteIf(id, r3));
      fails(SessionNotFoundException.class, () -> store.load(id), what);
    }
    assertThat(await(store.list())).as("list() after every tricky id was deleted").isEmpty();
  }

  @Test
  @DisplayName("a prefix listing returns exactly the ids that start with the prefix: _ % * ? [ ] \\ . and look-alikes taken literally, every tricky id as a prefix")
  void prefixListingsTakePrefixesLiterally() {
    SessionStorage store = fresh();
    java.util.LinkedHashSet<String> idSet = new java.util.LinkedHashSet<>(BulkDeleteChecks.lookAlikeIds());
    idSet.addAll(Samples.trickyIds());
    List<Session> sessions = new ArrayList<>();
    int i = 0;
    for (String id : idSet) {
      sessions.add(Samples.small(id, Samples.T0.plusSeconds(i % 5), 1, "p" + i++));
    }
    List<SessionSummary> all = saveAll(store, sessions);
    java.util.LinkedHashSet<String> prefixes = new java.util.LinkedHashSet<>(BulkDeleteChecks.lookAlikePrefixes());
    prefixes.addAll(Samples.trickyIds());
    for (String prefix : prefixes) {
      List<SessionSummary> expected = all.stream().filter(s -> s.id().startsWith(prefix)).toList();
      for (int size : new int[] {3, 1000}) {
        ListQuery q = ListQuery.withPrefix(prefix).limit(size);
        assertListing(describe(q), expected, flatten(walk(store, q, all.size())));
      }
    }
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
