package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;

/**
 * The kit's checks of one clause — {@code deleteMatching}: deletes exactly the sessions its
 * filter selects (an id prefix taken literally, code point by code point, whatever characters
 * a query language would treat specially; strict time bounds), completes with how many it
 * deleted, refuses an empty filter unless the caller says {@code all()}, and never deletes a
 * session written after the sweep read it. Wired into the kit as its nested group {@code
 * BulkDelete}.
 */
abstract class BulkDeleteChecks extends CheckGroup {

  BulkDeleteChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  /**
   * Ids holding the characters that SQL {@code LIKE}, {@code GLOB}, regular expressions, Redis
   * {@code MATCH} and file globs treat specially, each beside the ids a wrong pattern would
   * also select.
   */
  static List<String> lookAlikeIds() {
    return List.of(
        "a_b", "a_b/1", "aXb", "a/b", "a-b", "ab",
        "a%b", "a%b/1", "a%%b", "aYYb", "a%",
        "a*b", "a*b/1", "a*", "a**b", "aZZZb",
        "a?b", "a?b/1", "aQb",
        "a[b]", "a[b]/1", "ab]", "a[", "a[b", "a[c]",
        "a\\b", "a\\b/1", "a\\\\b", "a\\",
        "a.b", "a.b/1", "a.c", "a..b", "aRb",
        "a^b", "a$b", "a(b)", "a{b}", "a|b", "a+b",
        "A_B", "a_", "_b", "%", "_", "*", "?", "[", "\\", ".a");
  }

  /** The prefixes the kit filters by: special characters alone, inside and at the end. */
  static List<String> lookAlikePrefixes() {
    return List.of("a_b", "a_", "_", "a%b", "a%", "%", "a*b", "a*", "*", "a?b", "?", "a[b]", "a[b", "a[", "[",
        "a\\b", "a\\", "\\", "a.b", "a.", ".", "a^", "a$", "a(", "a{", "a|", "a+", "A_", "a");
  }

  private List<Session> lookAlikeSessions() {
    List<String> ids = lookAlikeIds();
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      sessions.add(Samples.small(ids.get(i), Samples.T0.plusSeconds(i % 7), 1 + i % 2, "l" + i));
    }
    return sessions;
  }

  @Test
  @DisplayName("a prefix deletes exactly the ids that start with it, _ % * ? [ ] \\ . and look-alikes taken literally, and counts them")
  void prefixDeletesExactlyTheMatchingIds() {
    for (String prefix : lookAlikePrefixes()) {
      SessionStorage store = fresh();
      List<SessionSummary> all = saveAll(store, lookAlikeSessions());
      checkDeletion(store, all, DeleteFilter.idPrefix(prefix), s -> s.id().startsWith(prefix), "prefix " + Samples.show(prefix));
      store.close();
    }
  }

  @Test
  @DisplayName("time bounds are strict, alone, together and with a prefix; the count is exact")
  void boundsDeleteExactlyTheMatchingSessions() {
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sessions.add(Samples.small((i % 2 == 0 ? "even/" : "odd/") + i, Samples.T0.plusSeconds(i % 10).plusNanos(i % 3), 1, "b" + i));
    }
    Instant t3 = Samples.T0.plusSeconds(3);
    Instant t6 = Samples.T0.plusSeconds(6).plusNanos(1);
    List<DeleteFilter> filters = List.of(DeleteFilter.updatedBefore(t3), DeleteFilter.updatedBefore(t3).andUpdatedAfter(Samples.T0),
        DeleteFilter.updatedBefore(t6).andUpdatedAfter(t3), DeleteFilter.idPrefix("even/").andUpdatedAfter(t3),
        DeleteFilter.idPrefix("odd/").andUpdatedBefore(t6).andUpdatedAfter(t3.minusNanos(1)),
        DeleteFilter.updatedBefore(Samples.T0), DeleteFilter.idPrefix("nobody"));
    for (DeleteFilter f : filters) {
      SessionStorage store = fresh();
      List<SessionSummary> all = saveAll(store, sessions);
      checkDeletion(store, all, f, s -> f.matches(s.id(), s.updatedAt()), describe(f));
      store.close();
    }
  }

  /** Runs {@code deleteMatching(filter)} and checks that exactly the {@code selected} sessions are gone. */
  private void checkDeletion(SessionStorage store, List<SessionSummary> all, DeleteFilter filter, Predicate<SessionSummary> selected,
      String what) {
    List<SessionSummary> kept = all.stream().filter(selected.negate()).toList();
    long count = await(store.deleteMatching(filter));
    List<String> wronglyDeleted = new ArrayList<>();
    for (SessionSummary s : kept) {
      try {
        await(store.load(s.id()));
      } catch (SessionNotFoundException e) {
        wronglyDeleted.add(Samples.show(s.id()));
      }
    }
    assertThat(wronglyDeleted).as("deleteMatching(%s) deleted ids it does not select", what).isEmpty();
    assertListing("list() after deleteMatching(" + what + ")", kept, await(store.list()));
    assertThat(count).as("the count deleteMatching(%s) completed with", what).isEqualTo(all.size() - kept.size());
    assertThat(await(store.deleteMatching(filter))).as("the count of deleteMatching(%s) run again", what).isZero();
  }

  @Test
  @DisplayName("deleted sessions are gone from load, list, prefix and time-bounded pages, streams and problems()")
  void deletedSessionsAreGoneFromEveryListing() {
    SessionStorage store = fresh();
    List<SessionSummary> all = saveAll(store, Samples.pagingSessions(Math.min(300, sc().pagingSessions())));
    long count = await(store.deleteMatching(DeleteFilter.idPrefix("user-1")));
    List<SessionSummary> kept = all.stream().filter(s -> !s.id().startsWith("user-1")).toList();
    assertThat(count).as("sessions deleted by prefix user-1").isEqualTo(all.size() - kept.size());
    for (SessionSummary gone : all.stream().filter(s -> s.id().startsWith("user-1")).limit(20).toList()) {
      fails(SessionNotFoundException.class, () -> store.load(gone.id()), "load of " + Samples.show(gone.id()) + " after deleteMatching");
    }
    assertListing("prefix listing user-1 after deleting it", List.of(),
        flatten(walk(store, ListQuery.withPrefix("user-1").limit(7), all.size())));
    assertListing("prefix listing user- after deleting user-1",
        kept.stream().filter(s -> s.id().startsWith("user-")).toList(),
        flatten(walk(store, ListQuery.withPrefix("user-").limit(7), all.size())));
    Instant after = Samples.T0.plusSeconds(2);
    Instant before = Samples.T0.plusSeconds(8);
    assertListing("time-bounded listing after deleteMatching",
        kept.stream().filter(s -> s.updatedAt().isAfter(after) && s.updatedAt().isBefore(before)).toList(),
        flatten(walk(store, ListQuery.firstPage().updatedAfter(after).updatedBefore(before).limit(13), all.size())));
    assertListing("stream after deleteMatching", kept, collect(store.stream(ListQuery.firstPage().limit(50)), all.size()));
    assertThat(await(store.problems())).as("problems() after deleteMatching").isEmpty();
  }

  @Test
  @DisplayName("DeleteFilter.all() deletes every session and counts them; an empty filter is refused before it reaches a store")
  void allDeletesEverythingAndAnEmptyFilterIsRefused() {
    assertThatThrownBy(() -> new DeleteFilter(Optional.empty(), Optional.empty(), Optional.empty(), false), "an empty filter")
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> DeleteFilter.idPrefix(""), "an empty prefix").isInstanceOf(InvalidArgumentException.class);
    SessionStorage store = fresh();
    List<SessionSummary> all = saveAll(store, lookAlikeSessions());
    SessionStorage other = fresh();
    await(other.save(Samples.empty("elsewhere")));
    assertThat(await(store.deleteMatching(DeleteFilter.all()))).as("count of deleteMatching(all())").isEqualTo(all.size());
    assertThat(await(store.list())).as("list() after deleteMatching(all())").isEmpty();
    assertThat(await(store.deleteMatching(DeleteFilter.all()))).as("count of deleteMatching(all()) on an empty store").isZero();
    assertThat(ids(await(other.list()))).as("another store after deleteMatching(all())").containsExactly("elsewhere");
    await(store.save(Samples.empty("again")));
    assertThat(ids(await(store.list()))).as("a session saved after deleteMatching(all())").containsExactly("again");
  }

  @Test
  @DisplayName("a prefix that is not well-formed UTF-16 fails with InvalidArgumentException and deletes nothing")
  void malformedPrefixFails() {
    SessionStorage store = fresh();
    saveAll(store, List.of(Samples.empty("a"), Samples.empty("b")));
    fails(InvalidArgumentException.class, () -> store.deleteMatching(DeleteFilter.idPrefix("a\uD800")), "prefix with a lone surrogate");
    fails(InvalidArgumentException.class, () -> store.deleteMatching(DeleteFilter.idPrefix("\uDC00")), "prefix of a lone low surrogate");
    assertThat(ids(await(store.list()))).as("sessions after refused deletions").containsExactly("a", "b");
  }

  @Test
  @DisplayName("a session written while the sweep runs, so that it no longer matches, survives with its write")
  void aSessionWrittenDuringTheSweepSurvives() {
    SessionStorage store = fresh();
    int n = Math.max(200, Math.min(1_500, sc().pagingSessions()));
    List<Session> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sessions.add(Samples.small("sweep/" + i, Samples.T0.plusNanos(i), 1, "s" + i));
    }
    saveAll(store, sessions);
    Instant cutoff = Samples.T0.plusSeconds(60);
    Map<String, Revision> movedOut = new ConcurrentHashMap<>();
    AtomicBoolean sweeping = new AtomicBoolean(true);
    long[] count = new long[1];
    concurrently(2, t -> {
      if (t == 0) {
        try {
          count[0] = await(store.deleteMatching(DeleteFilter.updatedBefore(cutoff)));
        } finally {
          sweeping.set(false);
        }
        return;
      }
      // Append to the sessions, round after round, for as long as the sweep runs: each append
      // that lands moves its session out of the filter, so the sweep must leave it.
      do {
        for (int i = 0; i < n && sweeping.get(); i++) {
          String id = "sweep/" + i;
          try {
            movedOut.put(id, await(store.append(id, Append.of(List.of(Message.user("kept")), sessions.get(i).state(),
                cutoff.plusSeconds(1)))));
          } catch (SessionNotFoundException alreadyDeleted) {
            // the sweep was first: fine
          }
        }
      } while (sweeping.get());
    });
    List<String> lost = new ArrayList<>();
    for (Map.Entry<String, Revision> e : movedOut.entrySet()) {
      try {
        Revision now = await(store.loadVersioned(e.getKey())).revision();
        assertThat(now).as("revision of %s, appended during the sweep", Samples.show(e.getKey())).isEqualTo(e.getValue());
      } catch (SessionNotFoundException deleted) {
        lost.add(Samples.show(e.getKey()));
      }
    }
    assertThat(lost).as("sessions deleted by a sweep although an append had moved them out of its filter (%d appends landed)",
        movedOut.size()).isEmpty();
    long remaining = await(store.list()).size();
    assertThat(count[0]).as("the count of the sweep, given %d sessions of %d remain", remaining, n).isEqualTo(n - remaining);
  }

  static String describe(DeleteFilter f) {
    if (f.everything()) {
      return "all()";
    }
    return "filter(" + f.idPrefix().map(p -> "prefix " + Samples.show(p)).orElse("")
        + f.updatedAfter().map(t -> " after " + t).orElse("") + f.updatedBefore().map(t -> " before " + t).orElse("") + ")";
  }
}
