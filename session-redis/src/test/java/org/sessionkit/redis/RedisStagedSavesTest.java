package org.sessionkit.redis;

import static org.sessionkit.redis.TestRedis.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.VersionedSession;
import org.sessionkit.redis.internal.Connections;
import org.sessionkit.redis.internal.KeyLayout;
import org.sessionkit.redis.internal.Scripts;

/**
 * Saves of many kilobytes of messages push them to a staging list first and rename it into
 * place (so that they never pass through Lua); loads read with plain commands and check the
 * head's revision around them; appends check the stored state by its digest. These tests show
 * that each keeps the contract: nothing left behind, nothing torn, damage still refused.
 */
class RedisStagedSavesTest {

  @RegisterExtension static final SharedStore SHARED = new SharedStore();
  private static final String PREFIX = SHARED.prefix();

  /** A session of {@code n} messages of about 600 bytes, each naming {@code version}. */
  private static Session large(String id, int n, int version) {
    List<Message> messages = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      messages.add(Message.user("version " + version + " message " + i + " " + "x".repeat(600)));
    }
    return new Session(id, messages, SessionState.initial("/v" + version), Sessions.T0, Sessions.T0.plusSeconds(version));
  }

  private static List<String> stagingKeys() {
    List<String> found = new ArrayList<>();
    TestRedis.raw(redis -> {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<byte[]> page = redis.scan(cursor, ScanArgs.Builder.matches(PREFIX + "*:t:*").limit(1000));
        page.getKeys().forEach(k -> found.add(new String(k, StandardCharsets.UTF_8)));
        cursor = page;
      } while (!cursor.isFinished());
    });
    return found;
  }

  @Test
  void largeSavesRoundTripAndLeaveNoStagingList() {
    Session s = large("staged/one", 80, 1);
    Revision saved = await(SHARED.store().save(s));
    VersionedSession loaded = await(SHARED.store().loadVersioned(s.id()));
    assertThat(loaded.session()).isEqualTo(s);
    assertThat(loaded.revision()).isEqualTo(saved);
    // replaced by a smaller and then by an empty session: the old messages go
    Session smaller = large("staged/one", 30, 2);
    await(SHARED.store().save(smaller));
    assertThat(await(SHARED.store().load(s.id()))).isEqualTo(smaller);
    Session empty = new Session(s.id(), List.of(), SessionState.initial("/"), Sessions.T0, Sessions.T0);
    await(SHARED.store().save(empty));
    assertThat(await(SHARED.store().load(s.id()))).isEqualTo(empty);
    await(SHARED.store().save(s));
    assertThat(await(SHARED.store().load(s.id()))).isEqualTo(s);
    assertThat(stagingKeys()).isEmpty();
  }

  @Test
  void refusedAndReplayedLargeSavesChangeNothingAndLeaveNoStagingList() {
    Session first = large("staged/refused", 40, 1);
    Revision r1 = await(SHARED.store().create(first));
    assertThatThrownBy(() -> await(SHARED.store().create(large("staged/refused", 40, 2))))
        .isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> await(SHARED.store().saveIf(large("staged/refused", 40, 3), new Revision("not-the-revision"))))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(await(SHARED.store().loadVersioned(first.id())).revision()).isEqualTo(r1);
    assertThat(await(SHARED.store().load(first.id()))).isEqualTo(first);
    IdempotencyKey key = IdempotencyKey.of("staged-key-1");
    Session second = large("staged/refused", 50, 4);
    Revision r2 = await(SHARED.store().saveIf(second, r1, key));
    // the retry of an applied keyed write answers its revision, and writes nothing
    assertThat(await(SHARED.store().saveIf(second, r1, key))).isEqualTo(r2);
    assertThat(await(SHARED.store().loadVersioned(first.id()))).isEqualTo(new VersionedSession(second, r2));
    assertThat(stagingKeys()).isEmpty();
  }

  @Test
  void aSaveScriptThatFindsNoWholeStagingListChangesNothingAndAsksForTheMessagesAgain() {
    KeyLayout layout = KeyLayout.of(PREFIX, 1);
    String hex = KeyLayout.hex("staged/script");
    String staging = layout.staging(0, hex, "rev-1");
    TestRedis.raw(redis -> {
      // one message too few behind the token
      redis.rpush(bytes(staging), bytes("rev-1"), bytes("{}"));
      byte[][] keys = {
        bytes(layout.head(0, hex)), bytes(layout.messages(0, hex)), bytes(layout.updatedIndex(0)),
        bytes(layout.idIndex(0)), bytes(layout.writeTimeIndex(0)), bytes(staging)
      };
      byte[][] args = {
        bytes("a"), bytes(""), bytes("rev-1"), bytes(KeyLayout.member(Sessions.T0, hex)), bytes(hex),
        bytes("staged/script"), bytes("2026-02-24T15:04:05.123456789Z"), bytes("2026-02-24T15:04:05.123456789Z"),
        bytes("{}"), bytes("100"), bytes(""), bytes("1000"), bytes("0"), bytes("0"), bytes(layout.shardStart(0) + "h:"),
        bytes(layout.shardStart(0) + "m:"), bytes("0"), bytes("2"), bytes("rev-1")
      };
      List<Object> reply = redis.eval(Scripts.SAVE.source(), ScriptOutputType.MULTI, keys, args);
      assertThat(new String((byte[]) reply.get(0), StandardCharsets.UTF_8)).isEqualTo("restage");
      assertThat(redis.exists(keys[0], keys[1], keys[5])).as("no head, no list, no staging list").isZero();
      assertThat(redis.zscore(keys[2], args[3])).as("no listing entry").isNull();
    });
  }

  @Test
  void aStagingListNeverExistsWithoutItsExpiry() {
    String staging = KeyLayout.of(PREFIX, 1).staging(0, KeyLayout.hex("staged/abandoned"), "rev-9");
    RedisClient client = RedisClient.create(RedisURI.create(TestRedis.URL.replaceFirst("\\?.*$", "")));
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      // as a client that stops right after pushing its messages, before the save script
      Connections.stage(c.async(), new Connections.Staged(bytes(staging), bytes("rev-9"),
          new byte[][] {bytes("{\"a\":1}"), bytes("{\"b\":2}")}, 5_000));
      assertThat(c.sync().lrange(bytes(staging), 0, -1)).extracting(b -> new String(b, StandardCharsets.UTF_8))
          .containsExactly("rev-9", "{\"a\":1}", "{\"b\":2}");
      assertThat(c.sync().pttl(bytes(staging))).isBetween(1L, 5_000L);
      c.sync().del(bytes(staging));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void aLargeSaveOnAServerThatLostItsScriptsStillLandsAndLeavesNothingBehind() throws Exception {
    try (PrivateRedis server = PrivateRedis.start();
        RedisSessionStorage s = RedisSessionStorage.open(server.uri("prefix=p:&timeout=10s"))) {
      await(s.save(large("lost/one", 40, 1)));
      // as after a restart or a failover, and another client's save: the save script is cached,
      // the staging script is not, so the save sends its messages as arguments (and the staging
      // script runs neither now nor after the save)
      server.admin(a -> {
        a.scriptFlush();
        a.scriptLoad(new String(Scripts.SAVE.source(), StandardCharsets.UTF_8));
      });
      Session two = large("lost/one", 30, 2);
      await(s.save(two));
      assertThat(await(s.load("lost/one"))).isEqualTo(two);
      PrivateRedis.sleep(200);
      server.admin(a -> assertThat(a.keys("*:t:*")).as("staging lists").isEmpty());
      // the server has been asked to cache it again: the next large save is staged
      server.admin(a -> a.configResetstat());
      Session three = large("lost/one", 35, 3);
      await(s.save(three));
      assertThat(await(s.load("lost/one"))).isEqualTo(three);
      server.admin(a -> {
        assertThat(a.info("commandstats")).as("a staged save renames its list").contains("cmdstat_rename:calls=1,");
        assertThat(a.keys("*:t:*")).as("staging lists").isEmpty();
      });
    }
  }

  @Test
  void loadsRacingWithLargeSavesSeeOneWholeVersionWithItsOwnRevision() throws Exception {
    String id = "staged/race";
    Map<Integer, Revision> revisionOf = new ConcurrentHashMap<>();
    revisionOf.put(0, await(SHARED.store().save(large(id, 20, 0))));
    AtomicBoolean done = new AtomicBoolean();
    List<VersionedSession> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread writer = new Thread(() -> {
      try {
        for (int v = 1; v <= 150; v++) {
          // counts 20 to 24 and versions that differ in every message
          revisionOf.put(v, await(SHARED.store().save(large(id, 20 + v % 5, v))));
        }
      } finally {
        done.set(true);
      }
    });
    writer.start();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread reader = new Thread(() -> {
        while (!done.get()) {
          seen.add(await(SHARED.store().loadVersioned(id)));
        }
      });
      reader.start();
      readers.add(reader);
    }
    writer.join();
    for (Thread r : readers) {
      r.join();
    }
    assertThat(seen).isNotEmpty();
    for (VersionedSession v : seen) {
      int version = Integer.parseInt(v.session().state().cwd().substring(2));
      assertThat(v.session()).as("version %d as loaded", version).isEqualTo(large(id, 20 + version % 5, version));
      assertThat(v.revision()).as("the revision of version %d", version).isEqualTo(revisionOf.get(version));
    }
    assertThat(stagingKeys()).isEmpty();
  }

  @Test
  void appendRefusesAStateChangedOutsideTheStoreEvenIfItIsStillJson() {
    String id = "staged/state";
    await(SHARED.store().save(Sessions.plain(id, 2, Sessions.T0)));
    TestRedis.raw(redis -> redis.hset(bytes(TestRedis.head(PREFIX, id)), bytes("s"), bytes("{\"cwd\":\"/elsewhere\"}")));
    assertThatThrownBy(() -> await(SHARED.store().append(id, Append.of(List.of(Message.user("x")), SessionState.initial("/"), Sessions.T0))))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(id);
  }

  @Test
  void appendToAHeadWithoutAStateDigestChecksThatTheStateIsJson() {
    String fine = "staged/no-digest";
    String broken = "staged/no-digest-broken";
    await(SHARED.store().save(Sessions.plain(fine, 2, Sessions.T0)));
    await(SHARED.store().save(Sessions.plain(broken, 2, Sessions.T0)));
    TestRedis.raw(redis -> {
      redis.hdel(bytes(TestRedis.head(PREFIX, fine)), bytes("h"));
      redis.hdel(bytes(TestRedis.head(PREFIX, broken)), bytes("h"));
      redis.hset(bytes(TestRedis.head(PREFIX, broken)), bytes("s"), bytes("{\"cwd\": oops"));
    });
    await(SHARED.store().append(fine, Append.of(List.of(Message.user("x")), SessionState.initial("/next"), Sessions.T0)));
    assertThat(await(SHARED.store().load(fine)).messages()).hasSize(3);
    // and the append recorded the digest again
    await(SHARED.store().append(fine, Append.of(List.of(Message.user("y")), SessionState.initial("/next"), Sessions.T0)));
    TestRedis.raw(redis -> assertThat(redis.hexists(bytes(TestRedis.head(PREFIX, fine)), bytes("h"))).isTrue());
    assertThatThrownBy(() -> await(SHARED.store().append(broken, Append.of(List.of(Message.user("x")), SessionState.initial("/"), Sessions.T0))))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(broken);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
