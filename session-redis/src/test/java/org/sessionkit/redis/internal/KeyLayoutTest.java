package org.sessionkit.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.SessionIds;
import org.sessionkit.StorageConfigurationException;

class KeyLayoutTest {

  private static final Instant MIN = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");

  @Test
  void hexOfAnIdRoundTripsAndNeverContainsBracesOrColons() {
    for (String id : List.of("a", "{", "}", "a:b", " ", "😀", "\uFFFF", "e\u0301", "é")) {
      String hex = KeyLayout.hex(id);
      assertThat(hex).matches("[0-9a-f]+");
      assertThat(KeyLayout.idOfHex(hex)).contains(id);
    }
    assertThat(KeyLayout.hex("é")).isNotEqualTo(KeyLayout.hex("e\u0301"));
    assertThat(KeyLayout.idOfHex("c3")).isEmpty(); // a truncated UTF-8 sequence
    assertThat(KeyLayout.idOfHex("6")).isEmpty();
    assertThat(KeyLayout.idOfHex("zz")).isEmpty();
    assertThat(KeyLayout.idOfHex("")).isEmpty();
  }

  @Test
  void memberByteOrderIsTheListingOrder() {
    Random random = new Random(42);
    List<ListPosition> positions = new ArrayList<>();
    String[] ids = {"a", "b", "ab", "A", "😀", "\uFFFF", "\uE000", "\u00e9", "zz", "{", "}"};
    Instant[] times = {MIN, MAX, Instant.EPOCH, Instant.EPOCH.minusNanos(1), Instant.EPOCH.plusNanos(1),
        Instant.parse("2026-02-24T15:04:05.123456789Z"), Instant.parse("1969-12-31T23:59:59Z")};
    for (Instant t : times) {
      for (String id : ids) {
        positions.add(new ListPosition(t, id));
      }
    }
    for (int i = 0; i < 2_000; i++) {
      long seconds = MIN.getEpochSecond() + (long) (random.nextDouble() * (MAX.getEpochSecond() - MIN.getEpochSecond()));
      positions.add(new ListPosition(Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000)), ids[random.nextInt(ids.length)]));
    }
    List<ListPosition> byMember = new ArrayList<>(positions);
    byMember.sort(Comparator.comparing(p -> KeyLayout.member(p.updatedAt(), KeyLayout.hex(p.id()))));
    List<ListPosition> byContract = new ArrayList<>(positions);
    byContract.sort(ListPosition::compareTo);
    assertThat(byMember).containsExactlyElementsOf(byContract);
  }

  @Test
  void theTimePartHasAFixedWidthAndCoversYearsZeroToNineThousandNineHundredNinetyNine() {
    for (Instant t : List.of(MIN, MAX, Instant.EPOCH, Instant.parse("2026-02-24T15:04:05.000000001Z"))) {
      assertThat(KeyLayout.member(t, KeyLayout.hex("x"))).hasSize(KeyLayout.TIME_LENGTH + 2).matches("[0-9a-f]+");
    }
    assertThat(KeyLayout.time(MIN)).isEqualTo("ffffffffff3b9ac9ff");
    assertThat(KeyLayout.time(MAX)).isGreaterThan("0000000000").isLessThan(KeyLayout.time(MAX.minusNanos(1)));
    assertThatThrownBy(() -> KeyLayout.time(MAX.plusNanos(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyLayout.time(MIN.minusNanos(1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prefixesAreCheckedAndEndWithAColon() {
    assertThat(KeyLayout.of("app", 1).prefix()).isEqualTo("app:");
    assertThat(KeyLayout.of("app:sessions:", 1).prefix()).isEqualTo("app:sessions:");
    KeyLayout one = KeyLayout.of("a/b-c_d.e", 1);
    assertThat(one.head(0, "61")).isEqualTo("a/b-c_d.e:{" + KeyLayout.tag(0, 1) + "}:h:61");
    for (String bad : List.of("", "a{b", "a}b", "a*", "a?", "a[b]", "a b", "ä", "x".repeat(129))) {
      assertThatThrownBy(() -> KeyLayout.of(bad, 1)).isInstanceOf(StorageConfigurationException.class);
    }
    for (int bad : new int[] {0, -1, KeyLayout.MAX_SHARDS + 1}) {
      assertThatThrownBy(() -> KeyLayout.of("p", bad)).isInstanceOf(StorageConfigurationException.class);
    }
  }

  @Test
  void everyKeyOfAShardCarriesTheShardsHashTagAndSessionsSpreadOverTheShards() {
    KeyLayout keys = KeyLayout.of("p", 16);
    int[] perShard = new int[16];
    for (int i = 0; i < 16_000; i++) {
      String id = "user-" + i + "/chat";
      int shard = keys.shardOf(id);
      perShard[shard]++;
      String tag = "{" + KeyLayout.tag(shard, 16) + "}";
      assertThat(keys.head(id)).startsWith("p:" + tag + ":h:");
      assertThat(keys.messages(id)).startsWith("p:" + tag + ":m:");
      assertThat(keys.updatedIndex(shard)).isEqualTo("p:" + tag + ":u");
    }
    for (int n : perShard) {
      assertThat(n).isBetween(800, 1200);
    }
  }

  @Test
  void shardTagsSpreadEvenlyOverTheClusterSlots() {
    for (int n : new int[] {1, 3, 16, 100, KeyLayout.MAX_SHARDS}) {
      for (int i = 0; i < n; i++) {
        int slot = KeyLayout.slot(KeyLayout.tag(i, n));
        assertThat(slot).as("shard %d of %d", i, n)
            .isGreaterThanOrEqualTo((int) ((long) i * 16384 / n))
            .isLessThan((int) ((long) (i + 1) * 16384 / n));
      }
    }
    // The slot function is Redis' CRC16 (XMODEM) modulo 16384: CLUSTER KEYSLOT of these.
    assertThat(KeyLayout.slot("foo")).isEqualTo(12182);
    assertThat(KeyLayout.slot("123456789")).isEqualTo(0x31C3 % 16384);
  }

  @Test
  void keysOfTheLayoutAreRecognised() {
    KeyLayout keys = KeyLayout.of("p", 4);
    String id = "a}:h";
    String hex = KeyLayout.hex(id);
    int shard = keys.shardOf(id);
    assertThat(keys.parse(keys.head(id))).contains(new KeyLayout.KeyKind("h", shard, hex));
    assertThat(keys.parse(keys.messages(id))).contains(new KeyLayout.KeyKind("m", shard, hex));
    assertThat(keys.parse(keys.idIndex(3))).contains(new KeyLayout.KeyKind("i", 3, ""));
    assertThat(keys.parse(keys.meta())).contains(new KeyLayout.KeyKind("meta", -1, ""));
    assertThat(keys.parse("p:idx:id")).isEmpty();
    assertThat(keys.parse("p:{999}:h:61")).isEmpty();
    assertThat(keys.parse("q:{0}:h:61")).isEmpty();
  }

  @Test
  void lexBoundsFollowTheRequest() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    PageRequest all = PageRequest.all(10);
    assertThat(LexRange.of(all)).isEqualTo(new LexRange("-", "+", false));
    PageRequest before = new PageRequest(10, Optional.empty(), Optional.of(t), Optional.empty(), Optional.empty());
    assertThat(LexRange.of(before).start()).isEqualTo("(" + KeyLayout.time(t) + "~");
    PageRequest after = new PageRequest(10, Optional.empty(), Optional.empty(), Optional.of(t), Optional.empty());
    assertThat(LexRange.of(after).stop()).isEqualTo("(" + KeyLayout.time(t));
    PageRequest both = before.after(new ListPosition(t.minusSeconds(1), "x"));
    assertThat(LexRange.of(both).start()).isEqualTo("(" + KeyLayout.member(t.minusSeconds(1), KeyLayout.hex("x")));
    PageRequest never = new PageRequest(10, Optional.empty(), Optional.of(Instant.MIN), Optional.empty(), Optional.empty());
    assertThat(LexRange.of(never).empty()).isTrue();
    PageRequest always = new PageRequest(10, Optional.empty(), Optional.of(Instant.MAX), Optional.of(Instant.MIN), Optional.empty());
    assertThat(LexRange.of(always)).isEqualTo(new LexRange("-", "+", false));
    assertThat(SessionIds.isValid("x")).isTrue();
  }
}
