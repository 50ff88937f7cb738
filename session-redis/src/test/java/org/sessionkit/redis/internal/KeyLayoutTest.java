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
    assertThat(KeyLayout.of("app").prefix()).isEqualTo("app:");
    assertThat(KeyLayout.of("app:sessions:").prefix()).isEqualTo("app:sessions:");
    assertThat(KeyLayout.of("a/b-c_d.e").head("61")).isEqualTo("a/b-c_d.e:s:{61}:h");
    for (String bad : List.of("", "a{b", "a}b", "a*", "a?", "a[b]", "a b", "ä", "x".repeat(129))) {
      assertThatThrownBy(() -> KeyLayout.of(bad)).isInstanceOf(StorageConfigurationException.class);
    }
  }

  @Test
  void sessionKeysOfTheLayoutAreRecognised() {
    KeyLayout keys = KeyLayout.of("p");
    String hex = KeyLayout.hex("a}:h");
    assertThat(keys.hexOfSessionKey(keys.head(hex))).contains(hex);
    assertThat(keys.hexOfSessionKey(keys.messages(hex))).contains(hex);
    assertThat(keys.hexOfSessionKey("p:idx:id")).isEmpty();
    assertThat(keys.hexOfSessionKey("q:s:{61}:h")).isEmpty();
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
