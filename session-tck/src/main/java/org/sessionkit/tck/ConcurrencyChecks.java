package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.Append;
import org.sessionkit.Revision;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.TokenUsage;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — Concurrency: many threads, one store. Wired into the kit as
 * its nested group {@code Concurrency}.
 */
abstract class ConcurrencyChecks extends CheckGroup {

  ConcurrencyChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("concurrent saves of different ids are all kept")
  void concurrentSavesOfDifferentIdsAreAllKept() {
    SessionStorage store = fresh();
    int threads = sc().threads();
    int each = sc().sessionsPerThread();
    Map<String, Session> saved = new java.util.concurrent.ConcurrentHashMap<>();
    concurrently(threads, t -> {
      for (int i = 0; i < each; i++) {
        Session s = Samples.small("t" + t + "/s" + i, Samples.T0.plusNanos(i * threads + t), 1 + i % 3, t + ":" + i);
        await(store.save(s));
        saved.put(s.id(), s);
      }
    });
    for (Session s : saved.values()) {
      assertSameSession(s, await(store.load(s.id())), "load of " + s.id());
    }
    assertThat(await(store.list())).as("summaries listed after concurrent saves of different ids").hasSize(threads * each);
  }

  @Test
  @DisplayName("readers never see a torn session while a writer replaces it (load, loadVersioned, list, pages), and listings keep the unchanged ones")
  void readersNeverSeeATornSession() {
    SessionStorage store = fresh();
    await(store.save(version(0)));
    List<Session> steady = List.of(Samples.small("steady-1", Samples.T0, 1, "s"), Samples.small("steady-2", Samples.T0.plusSeconds(99_999), 2, "s"));
    saveAll(store, steady);
    AtomicBoolean done = new AtomicBoolean();
    int rounds = sc().raceRounds();
    int[] last = new int[1];
    long deadline = budgetDeadline();
    concurrently(Math.max(4, sc().threads()), t -> {
      if (t == 0) {
        try {
          for (int v = 1; v <= rounds && withinBudget(v - 1, deadline); v++) {
            await(store.save(version(v)));
            last[0] = v;
          }
        } finally {
          done.set(true);
        }
        return;
      }
      do {
        switch (t % 3) {
          case 0:
            checkVersion(await(store.load("torn")), "load");
            break;
          case 1: {
            // The contract lets a listing miss or repeat a session changed while it runs, so
            // only the sessions nobody changes must be there, exactly once.
            List<SessionSummary> list = await(store.list());
            assertThat(ids(list).stream().filter(id -> id.startsWith("steady-")).toList())
                .as("the unchanged sessions in list() while another is being replaced").containsExactly("steady-2", "steady-1");
            list.stream().filter(s -> s.id().equals("torn")).forEach(s -> checkVersionSummary(s, "list()"));
            break;
          }
          default: {
            VersionedSession v = await(store.loadVersioned("torn"));
            checkVersion(v.session(), "loadVersioned");
            SessionPage page = await(store.list(ListQuery.withPrefix("tor").limit(1)));
            page.summaries().forEach(s -> checkVersionSummary(s, "a page"));
            break;
          }
        }
      } while (!done.get());
    });
    checkVersion(await(store.load("torn")), "the end");
    assertThat(await(store.load("torn")).state().eventCount()).as("the version of the last save").isEqualTo(last[0]);
  }

  @Test
  @DisplayName("under concurrent writes, loadVersioned and listings pair each session (or summary) with its own revision")
  void sessionsAndRevisionsBelongTogether() {
    SessionStorage store = fresh();
    Map<Revision, Integer> versionOf = new java.util.concurrent.ConcurrentHashMap<>();
    versionOf.put(await(store.save(version(0))), 0);
    List<VersionedSession> loaded = java.util.Collections.synchronizedList(new ArrayList<>());
    List<SessionSummary> listed = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean done = new AtomicBoolean();
    int rounds = sc().raceRounds();
    long deadline = budgetDeadline();
    concurrently(3, t -> {
      if (t == 0) {
        try {
          // at least the scale's rounds, and on until each reader has read during 50 writes
          for (int v = 1; (v <= rounds || loaded.size() < 50 || listed.size() < 50) && withinBudget(v - 1, deadline); v++) {
            Session next = version(v);
            // saves, appends and updates: every kind of write makes a new pair
            Revision r = v % 3 == 0 ? await(store.save(next))
                : v % 3 == 1 ? await(store.append("torn", Append.of(List.of(Message.user("a" + v)), next.state(), next.updatedAt())))
                : await(store.update("torn", x -> next)).revision();
            versionOf.put(r, v);
          }
        } finally {
          done.set(true);
        }
      } else {
        do {
          if (t == 1) {
            loaded.add(await(store.loadVersioned("torn")));
          } else {
            listed.addAll(await(store.list(ListQuery.withPrefix("torn").limit(1))).summaries());
          }
        } while (!done.get());
      }
    });
    for (VersionedSession v : loaded) {
      int version = (int) v.session().state().eventCount();
      assertThat(versionOf.get(v.revision())).as("the version whose write returned the revision %s that loadVersioned paired "
          + "with version %d of the session", v.revision(), version).isEqualTo(version);
    }
    for (SessionSummary s : listed) {
      int version = (int) Duration.between(Samples.T0, s.updatedAt()).getSeconds();
      assertThat(versionOf.get(s.revision())).as("the version whose write returned the revision %s that a listing paired "
          + "with the summary of version %d (updated %s)", s.revision(), version, s.updatedAt()).isEqualTo(version);
    }
  }

  @Test
  @DisplayName("concurrent deletes of one id: exactly one succeeds, the others fail with SessionNotFoundException")
  void concurrentDeletesExactlyOneSucceeds() {
    SessionStorage store = fresh();
    for (int round = 0; round < 10; round++) {
      await(store.save(Samples.empty("doomed")));
      AtomicInteger ok = new AtomicInteger();
      concurrently(sc().threads(), t -> {
        try {
          await(store.delete("doomed"));
          ok.incrementAndGet();
        } catch (SessionNotFoundException expected) {
          // all but one
        }
      });
      assertThat(ok.get()).as("successful deletes in round %d", round).isEqualTo(1);
    }
  }

  private Session version(int v) {
    List<Message> ms = new ArrayList<>();
    for (int j = 0; j <= v % 5; j++) {
      ms.add(Message.user("v" + v + "/" + j));
    }
    SessionState state = new SessionState("/v" + v, TokenUsage.of(v, v), v, Map.of("v", JsonValue.of(v)));
    return new Session("torn", ms, state, Samples.T0, Samples.T0.plusSeconds(v));
  }

  private void checkVersion(Session s, String how) {
    int v = (int) s.state().eventCount();
    Optional<String> d = SessionDiff.between(version(v), s);
    if (d.isPresent()) {
      fail(how + " returned a torn session (a mix of two writes): " + d.get());
    }
  }

  private void checkVersionSummary(SessionSummary s, String how) {
    long v = Duration.between(Samples.T0, s.updatedAt()).getSeconds();
    assertThat(s.messageCount()).as("%s: message count of the version updated at %s", how, s.updatedAt()).isEqualTo(v % 5 + 1);
  }
}
