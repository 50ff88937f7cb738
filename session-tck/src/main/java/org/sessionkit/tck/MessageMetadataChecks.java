package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The kit's checks of one clause — per-message metadata: a message's {@code metadata} is kept
 * exactly, like the session's custom state (3 stays 3, 3.0 stays 3.0, big integers stay exact,
 * JSON null is a value), by every write and every read, and counts as part of the message.
 * Wired into the kit as its nested group {@code MessageMetadata}.
 */
abstract class MessageMetadataChecks extends CheckGroup {

  MessageMetadataChecks(SessionStorageCompatibilityKit kit) {
    super(kit);
  }

  @Test
  @DisplayName("metadata of every JSON type on messages of every kind round-trips: null, 3 vs 3.0, big integers, nesting, tricky keys")
  void metadataOfEveryJsonTypeRoundTrips() {
    Session s = Samples.withMetadata("meta");
    Session loaded = roundTrip(fresh(), s);
    Map<String, JsonValue> m = loaded.messages().get(0).metadata();
    assertThat(m.get("integer 3")).as("metadata \"integer 3\"").isInstanceOf(JsonValue.JsonInteger.class);
    assertThat(m.get("decimal 3.0")).as("metadata \"decimal 3.0\"").isInstanceOf(JsonValue.JsonDecimal.class).hasToString("3.0");
    assertThat(m.get("null")).as("metadata \"null\"").isEqualTo(JsonValue.NULL);
    assertThat(m.keySet()).as("metadata keys of message 0").isEqualTo(s.messages().get(0).metadata().keySet());
  }

  @Test
  @DisplayName("messages equal but for their metadata stay distinct: 1, 1.0, null and no metadata at all")
  void messagesThatDifferOnlyInMetadataStayDistinct() {
    SessionStorage store = fresh();
    Session s = Samples.withMetadata("twins");
    Session loaded = roundTrip(store, s);
    List<Message> twins = loaded.messages().subList(4, 8);
    assertThat(twins.get(0).metadata().get("turn")).as("metadata 1").isEqualTo(JsonValue.of(1));
    assertThat(twins.get(1).metadata().get("turn")).as("metadata 1.0")
        .isEqualTo(new JsonValue.JsonDecimal(new BigDecimal("1.0")));
    assertThat(twins.get(2).metadata()).as("metadata holding a JSON null").containsEntry("turn", JsonValue.NULL);
    assertThat(twins.get(3).metadata()).as("a message without metadata").isEmpty();
  }

  @Test
  @DisplayName("appended messages keep their metadata; earlier messages keep theirs")
  void appendKeepsMetadata() {
    SessionStorage store = fresh();
    Session s = Samples.withMetadata("append");
    await(store.save(s));
    List<Message> turn = List.of(
        Message.user("next").withMetadata("at", new JsonValue.JsonString("2026-12-06T10:00:00.123456789Z")),
        Message.assistant("reply").withMetadata(Map.of("usage", new JsonValue.JsonObject(Map.of(
            "input", JsonValue.of(12), "ratio", new JsonValue.JsonDecimal(new BigDecimal("0.50")))), "nothing", JsonValue.NULL)),
        Message.assistant("plain"));
    Append append = Append.of(turn, s.state(), Samples.T0.plusSeconds(60));
    Revision r = await(store.append("append", append));
    Session expected = append.applyTo(s);
    assertUnchanged(store, expected, r);
    SessionSlice tail = await(store.loadTail("append", 3));
    assertThat(tail.messages()).as("loadTail of the appended turn, metadata included").isEqualTo(turn);
  }

  @Test
  @DisplayName("update and save can change or remove the metadata of earlier messages")
  void writesReplaceMetadata() {
    SessionStorage store = fresh();
    Session s = Samples.withMetadata("rewrite");
    await(store.save(s));
    VersionedSession v = await(store.update("rewrite", x -> {
      List<Message> ms = new ArrayList<>(x.messages());
      ms.set(0, ms.get(0).withMetadata(Map.of()));
      ms.set(1, ms.get(1).withMetadata("added", JsonValue.TRUE));
      return new Session(x.id(), ms, x.state(), x.createdAt(), x.updatedAt());
    }));
    assertUnchanged(store, v.session(), v.revision());
    assertThat(v.session().messages().get(0).metadata()).as("metadata removed by update").isEmpty();
    Session plain = new Session("rewrite", s.messages().stream().map(m -> m.withMetadata(Map.of())).toList(), s.state(),
        s.createdAt(), s.updatedAt());
    Revision r = await(store.save(plain));
    assertUnchanged(store, plain, r);
  }

  @Test
  @DisplayName("metadata changes nothing in listings: one summary per session, messages counted, not metadata entries")
  void metadataDoesNotChangeSummaries() {
    SessionStorage store = fresh();
    Session a = Samples.withMetadata("a");
    Session b = Samples.small("b", Samples.T0, 3, "b");
    List<SessionSummary> expected = saveAll(store, List.of(a, b));
    assertListing("list() of sessions with metadata", expected, await(store.list()));
    assertListing("a page of sessions with metadata", expected, await(store.list(ListQuery.firstPage().limit(10))).summaries());
    assertThat(summaryOf(store, "a").messageCount()).as("message count of a session with metadata")
        .isEqualTo(a.messages().size());
  }

  @Test
  @DisplayName("metadata survives reopening (PERSISTENT): values exact on a fresh instance")
  void metadataSurvivesReopening() {
    assume(Capability.PERSISTENT);
    SessionStorage first = fresh();
    Session s = Samples.withMetadata("kept");
    Revision r = await(first.save(s));
    Append append = Append.of(List.of(Message.user("later").withMetadata("n", new JsonValue.JsonDecimal(new BigDecimal("3.0")))),
        s.state(), Samples.T0.plusSeconds(9));
    Revision r2 = await(first.append("kept", append.ifRevision(r)));
    first.close();
    SessionStorage second = reopened(first);
    assertUnchanged(second, append.applyTo(s), r2);
  }
}
