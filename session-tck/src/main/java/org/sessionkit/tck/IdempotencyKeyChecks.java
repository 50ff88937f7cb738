package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — idempotency keys: {@code create}, {@code saveIf}, {@code
 * update} and {@code append} with a key apply at most once per session. The key is checked
 * before the revision condition, so a retry of an applied write completes with the revision
 * that write produced and applies nothing, even when the session has changed since; of two
 * concurrent calls with one key, one applies and both complete with the same revision; the keys
 * of a session's last {@value IdempotencyKey#REMEMBERED} keyed writes are remembered, across
 * unkeyed writes and, for persistent stores, across reopening; deleting a session forgets them.
 * Wired into the kit as its nested group {@code IdempotencyKeys}.
 */
abstract class IdempotencyKeyChecks extends CheckGroup {

  IdempotencyKeyChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  private static IdempotencyKey key(String k) {
    return IdempotencyKey.of(k);
  }

  private static Append turn(String label, int at) {
    return Append.of(List.of(Message.user(label)), SessionState.initial("/k").withCustom("last", new JsonValue.JsonString(label)),
        Samples.T0.plusSeconds(at));
  }

  @Test
  @DisplayName("a retried create completes with the first create's revision instead of a conflict, and stores nothing new")
  void retriedCreateAppliesOnce() {
    SessionStorage store = fresh();
    Session s = Samples.small("c", Samples.T0, 2, "first");
    Revision r = await(store.create(s, key("create-1")));
    assertThat(await(store.create(s, key("create-1")))).as("revision of the retried create").isEqualTo(r);
    Session other = Samples.small("c", Samples.T0, 5, "other");
    assertThat(await(store.create(other, key("create-1")))).as("revision of a retried create carrying another session").isEqualTo(r);
    assertUnchanged(store, s, r);
    fails(RevisionConflictException.class, () -> store.create(other, key("create-2")), "create with a new key of an existing id");
    fails(RevisionConflictException.class, () -> store.create(other), "create without a key of an existing id");
    assertUnchanged(store, s, r);
  }

  @Test
  @DisplayName("a retried saveIf completes with its revision although the expected one is now stale (the key is checked first)")
  void retriedSaveIfAppliesOnce() {
    SessionStorage store = fresh();
    Revision r1 = await(store.save(Samples.small("s", Samples.T0, 1, "one")));
    Session two = Samples.small("s", Samples.T0.plusSeconds(1), 2, "two");
    Revision r2 = await(store.saveIf(two, r1, key("save-2")));
    assertThat(r2).as("revision of a keyed saveIf, compared with the one before it (%s)", r1).isNotEqualTo(r1);
    assertThat(await(store.saveIf(two, r1, key("save-2")))).as("revision of the retried saveIf").isEqualTo(r2);
    assertUnchanged(store, two, r2);
    fails(RevisionConflictException.class, () -> store.saveIf(Samples.small("s", Samples.T0, 3, "three"), r1, key("save-3")),
        "saveIf with a stale revision and a new key");
    assertUnchanged(store, two, r2);
  }

  @Test
  @DisplayName("a retried append applies its messages once, also with an expected revision that its first attempt made stale")
  void retriedAppendAppliesOnce() {
    SessionStorage store = fresh();
    Session s = Samples.small("a", Samples.T0, 1, "base");
    Revision r0 = await(store.save(s));
    Append a = turn("once", 1).ifRevision(r0).withIdempotencyKey(key("turn-1"));
    Revision r1 = await(store.append("a", a));
    for (int i = 0; i < 3; i++) {
      assertThat(await(store.append("a", a))).as("revision of retry %d of an applied append", i + 1).isEqualTo(r1);
    }
    Append unconditional = turn("once", 1).withIdempotencyKey(key("turn-1"));
    assertThat(await(store.append("a", unconditional))).as("revision of a retry without the expected revision").isEqualTo(r1);
    assertUnchanged(store, a.applyTo(s), r1);
  }

  @Test
  @DisplayName("a retried update applies its change once and completes with the first revision")
  void retriedUpdateAppliesOnce() {
    SessionStorage store = fresh();
    await(store.save(Samples.small("u", Samples.T0, 1, "base")));
    Revision r = await(store.update("u", x -> x.withMessage(Message.user("updated")), key("update-1")));
    assertThat(await(store.update("u", x -> x.withMessage(Message.user("updated")), key("update-1"))))
        .as("revision of the retried update").isEqualTo(r);
    VersionedSession v = await(store.loadVersioned("u"));
    assertThat(labels(v.session())).as("messages after an update and its retry").containsExactly("base#0", "updated");
    assertThat(v.revision()).as("revision after the retry").isEqualTo(r);
  }

  @Test
  @DisplayName("a retry still applies nothing after later writes of the session, keyed and unkeyed (save, append, update)")
  void retryAfterLaterWritesAppliesNothing() {
    SessionStorage store = fresh();
    Session s = Samples.small("later", Samples.T0, 1, "base");
    await(store.save(s));
    Append first = turn("first", 1).withIdempotencyKey(key("first"));
    Revision r1 = await(store.append("later", first));
    await(store.append("later", turn("unkeyed", 2)));
    await(store.update("later", x -> x.withMessage(Message.user("by update"))));
    await(store.append("later", turn("keyed", 3).withIdempotencyKey(key("second"))));
    Session current = await(store.load("later")).withMessage(Message.user("by save"));
    Revision saved = await(store.save(current));
    assertThat(await(store.append("later", first))).as("revision of a retry after later writes").isEqualTo(r1);
    assertUnchanged(store, current, saved);
  }

  @Test
  @DisplayName("different keys are different writes: each applies")
  void differentKeysEachApply() {
    SessionStorage store = fresh();
    Session s = Samples.empty("d");
    await(store.save(s));
    List<Revision> revisions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      revisions.add(await(store.append("d", turn("t" + i, i).withIdempotencyKey(key("k-" + i)))));
    }
    assertThat(revisions).as("revisions of appends with five different keys").doesNotHaveDuplicates();
    assertThat(labels(await(store.load("d")))).as("messages of five appends with different keys")
        .containsExactly("t0", "t1", "t2", "t3", "t4");
  }

  @Test
  @DisplayName("a key belongs to one session: the same key on another session is a new write")
  void keysBelongToOneSession() {
    SessionStorage store = fresh();
    await(store.save(Samples.empty("x")));
    await(store.save(Samples.empty("y")));
    Revision rx = await(store.append("x", turn("to x", 1).withIdempotencyKey(key("shared"))));
    Revision ry = await(store.append("y", turn("to y", 1).withIdempotencyKey(key("shared"))));
    assertThat(ry).as("revision of y's append, compared with x's (%s)", rx).isNotEqualTo(rx);
    assertThat(labels(await(store.load("y")))).as("messages of y").containsExactly("to y");
    Revision rc = await(store.create(Samples.empty("z"), key("shared")));
    assertThat(rc).as("revision of a create with a key another session used").isNotIn(rx, ry);
  }

  @Test
  @DisplayName("the keys of the last 16 keyed writes are all remembered")
  void theLastSixteenKeysAreRemembered() {
    SessionStorage store = fresh();
    Session s = Samples.empty("window");
    await(store.save(s));
    int writes = IdempotencyKey.REMEMBERED + 4;
    List<Revision> revisions = new ArrayList<>();
    for (int i = 0; i < writes; i++) {
      revisions.add(await(store.append("window", turn("w" + i, i).withIdempotencyKey(key("w-" + i)))));
    }
    VersionedSession before = await(store.loadVersioned("window"));
    for (int i = writes - IdempotencyKey.REMEMBERED; i < writes; i++) {
      assertThat(await(store.append("window", turn("w" + i, i).withIdempotencyKey(key("w-" + i)))))
          .as("revision of a retry of keyed write %d of %d (one of the last %d)", i + 1, writes, IdempotencyKey.REMEMBERED)
          .isEqualTo(revisions.get(i));
    }
    assertUnchanged(store, before.session(), before.revision());
  }

  @Test
  @DisplayName("a write that failed (conflict, not found) records no key: a later write with that key applies")
  void failedWritesRecordNoKey() {
    SessionStorage store = fresh();
    Revision r0 = await(store.save(Samples.small("f", Samples.T0, 1, "base")));
    await(store.save(Samples.small("f", Samples.T0, 2, "base")));
    fails(RevisionConflictException.class, () -> store.append("f", turn("stale", 1).ifRevision(r0).withIdempotencyKey(key("k"))),
        "an append with a stale revision");
    fails(RevisionConflictException.class, () -> store.saveIf(Samples.small("f", Samples.T0, 9, "stale"), r0, key("k")),
        "a saveIf with a stale revision");
    fails(RevisionConflictException.class, () -> store.create(Samples.small("f", Samples.T0, 9, "dup"), key("k")),
        "a create of an existing id");
    fails(SessionNotFoundException.class, () -> store.append("nobody", turn("x", 1).withIdempotencyKey(key("k"))),
        "an append to an unknown id");
    Revision r = await(store.append("f", turn("applied", 2).withIdempotencyKey(key("k"))));
    assertThat(labels(await(store.load("f")))).as("messages after failed keyed writes and one that applied")
        .containsExactly("base#0", "base#1", "applied");
    assertThat(await(store.loadVersioned("f")).revision()).as("revision").isEqualTo(r);
  }

  @Test
  @DisplayName("deleting a session forgets its keys: after a delete, a create or append with an old key applies")
  void deleteForgetsKeys() {
    SessionStorage store = fresh();
    Session s = Samples.small("gone", Samples.T0, 1, "one");
    Revision r1 = await(store.create(s, key("c")));
    Revision r2 = await(store.append("gone", turn("t", 1).withIdempotencyKey(key("a"))));
    await(store.delete("gone"));
    fails(SessionNotFoundException.class, () -> store.append("gone", turn("t", 1).withIdempotencyKey(key("a"))),
        "a retried append after the session was deleted");
    Session again = Samples.small("gone", Samples.T0, 3, "again");
    Revision r3 = await(store.create(again, key("c")));
    assertThat(r3).as("revision of a create after delete with the old key").isNotIn(r1, r2);
    Revision r4 = await(store.append("gone", turn("t", 1).withIdempotencyKey(key("a"))));
    assertThat(r4).as("revision of an append after delete with the old key").isNotIn(r1, r2, r3);
    assertUnchanged(store, turn("t", 1).applyTo(again), r4);
  }

  @Test
  @DisplayName("concurrent calls with one key: one applies, all complete with the same revision (append, create, update, saveIf)")
  void concurrentCallsWithOneKeyApplyOnce() {
    SessionStorage store = fresh();
    int threads = Math.max(4, sc().threads());
    for (int round = 0; round < 5; round++) {
      String id = "race-" + round;
      Set<Revision> created = ConcurrentHashMap.newKeySet();
      concurrently(threads, t -> created.add(await(store.create(Samples.small(id, Samples.T0, 1, "t" + t), key("create")))));
      assertThat(created).as("revisions of %d concurrent creates of %s with one key", threads, id).hasSize(1);
      Revision base = created.iterator().next();
      Set<Revision> appended = ConcurrentHashMap.newKeySet();
      concurrently(threads, t -> appended.add(await(store.append(id, turn("appended", 1).withIdempotencyKey(key("append"))))));
      assertThat(appended).as("revisions of %d concurrent appends with one key", threads).hasSize(1);
      Set<Revision> updated = ConcurrentHashMap.newKeySet();
      AtomicInteger calls = new AtomicInteger();
      concurrently(threads, t -> updated.add(await(store.update(id, x -> {
        calls.incrementAndGet();
        return x.withMessage(Message.user("updated"));
      }, key("update")))));
      assertThat(updated).as("revisions of %d concurrent updates with one key", threads).hasSize(1);
      Revision current = updated.iterator().next();
      Set<Revision> saved = ConcurrentHashMap.newKeySet();
      Session replacement = Samples.small(id, Samples.T0, 1, "replaced");
      concurrently(threads, t -> saved.add(await(store.saveIf(replacement, current, key("save")))));
      assertThat(saved).as("revisions of %d concurrent saveIf calls with one key", threads).hasSize(1);
      assertThat(List.of(base, appended.iterator().next(), current, saved.iterator().next()))
          .as("revisions of the four keyed writes").doesNotHaveDuplicates();
      assertUnchanged(store, replacement, saved.iterator().next());
    }
    Session s = Samples.empty("appends");
    await(store.save(s));
    List<Revision> all = Collections.synchronizedList(new ArrayList<>());
    concurrently(threads, t -> {
      for (int i = 0; i < 10; i++) {
        all.add(await(store.append("appends", turn("m" + i, i).withIdempotencyKey(key("m-" + i)))));
      }
    });
    List<String> labels = labels(await(store.load("appends")));
    assertThat(labels).as("messages after %d threads each sent the same 10 keyed appends", threads)
        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    assertThat(all.stream().collect(Collectors.toSet())).as("distinct revisions of the 10 keyed appends").hasSize(10);
  }

  @Test
  @DisplayName("a retry after reopening applies nothing (PERSISTENT)")
  void retryAfterReopeningAppliesNothing() {
    assume(Capability.PERSISTENT);
    SessionStorage first = fresh();
    Session s = Samples.small("p", Samples.T0, 1, "base");
    await(first.save(s));
    Append a = turn("kept", 1).withIdempotencyKey(key("persisted"));
    Revision r = await(first.append("p", a));
    Revision rc = await(first.create(Samples.empty("q"), key("created")));
    first.close();
    SessionStorage second = reopened(first);
    assertThat(await(second.append("p", a))).as("revision of an append retried on a reopened store").isEqualTo(r);
    assertThat(await(second.create(Samples.empty("q"), key("created")))).as("revision of a create retried on a reopened store")
        .isEqualTo(rc);
    assertUnchanged(second, a.applyTo(s), r);
  }

  @Test
  @DisplayName("a retry through another instance applies nothing (CROSS_PROCESS)")
  void retryThroughAnotherInstanceAppliesNothing() {
    assume(Capability.CROSS_PROCESS);
    SessionStorage a = fresh();
    SessionStorage b = reopened(a);
    Session s = Samples.small("x", Samples.T0, 1, "base");
    await(a.save(s));
    Append turn = turn("once", 1).withIdempotencyKey(key("shared"));
    Revision r = await(a.append("x", turn));
    assertThat(await(b.append("x", turn))).as("revision of the retry on the other instance").isEqualTo(r);
    assertUnchanged(b, turn.applyTo(s), r);
  }
}
