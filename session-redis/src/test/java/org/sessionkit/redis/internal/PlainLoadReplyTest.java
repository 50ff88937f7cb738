package org.sessionkit.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A load made of plain reads (head, list, revision again) stands for the load script only when
 * the revision did not change between the two reads of the head; everything else goes to the
 * script. (Two reads a write falls between are rare on a quiet server, so this is checked here
 * rather than hoped for in a race.)
 */
class PlainLoadReplyTest {

  private static final List<byte[]> MESSAGES = List.of(b("{\"role\":\"user\"}"));

  private static List<Object> head(String revision, String writeTime) {
    // id, r, c, u, n, s, k, t: as Scripts.LOAD reads them
    return new ArrayList<>(Arrays.asList(b("id"), revision == null ? null : b(revision), b("c"), b("u"), b("1"),
        b("{}"), b("k"), writeTime == null ? null : b(writeTime)));
  }

  @Test
  void anUnchangedRevisionMakesTheScriptsReply() {
    Optional<List<Object>> reply = RedisStore.plainLoadReply(head("r1", "1000"), b("r1"), MESSAGES, 5_000, 0);
    assertThat(reply).isPresent();
    assertThat(reply.get().get(0)).isEqualTo("ok");
    assertThat(reply.get().get(2)).isEqualTo(new ArrayList<Object>(MESSAGES));
  }

  @Test
  void aRevisionChangedBetweenTheReadsLeavesItToTheScript() {
    assertThat(RedisStore.plainLoadReply(head("r1", "1000"), b("r2"), MESSAGES, 5_000, 0)).isEmpty();
    assertThat(RedisStore.plainLoadReply(head("r1", "1000"), null, MESSAGES, 5_000, 0))
        .as("deleted in between").isEmpty();
  }

  @Test
  void aHeadWithoutRevisionLeavesItToTheScript() {
    // a missing session and a damaged head look alike to HMGET; only the script tells them apart
    assertThat(RedisStore.plainLoadReply(head(null, "1000"), null, MESSAGES, 5_000, 0)).isEmpty();
  }

  @Test
  void aSessionPastItsRetentionIsNotFoundAsTheScriptsDecide() {
    assertThat(RedisStore.plainLoadReply(head("r1", "1000"), b("r1"), MESSAGES, 5_000, 4_000))
        .hasValueSatisfying(r -> assertThat(r).containsExactly("notfound"));
    assertThat(RedisStore.plainLoadReply(head("r1", "1000"), b("r1"), MESSAGES, 4_999, 4_000))
        .hasValueSatisfying(r -> assertThat(r.get(0)).isEqualTo("ok"));
    assertThat(RedisStore.plainLoadReply(head("r1", "not a number"), b("r1"), MESSAGES, 1L << 40, 4_000))
        .hasValueSatisfying(r -> assertThat(r.get(0)).isEqualTo("ok"));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
