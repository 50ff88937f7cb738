package org.sessionkit.langchain4j;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.InvalidIdException;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.TokenUsage;
import org.sessionkit.memory.MemorySessionStorage;

class SessionChatMemoryStoreTest {

  private final RecordingStorage storage = new RecordingStorage(new MemorySessionStorage());
  private final SessionChatMemoryStore store =
      SessionChatMemoryStore.builder(storage).cwd("/work/agent").build();
  private final ExecutorService otherThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() {
    otherThread.shutdownNow();
    storage.close();
  }

  private Session stored(String id) {
    return Futures.await(storage.inner().load(id), 30, SECONDS);
  }

  private static List<ChatMessage> list(ChatMessage... messages) {
    return new ArrayList<>(List.of(messages));
  }

  @Test
  void anUnknownMemoryHasNoMessagesAndCreatesNothing() {
    assertThat(store.getMessages("nobody")).isEmpty();
    store.updateMessages("nobody", List.of());
    assertThat(Futures.await(storage.inner().list(), 30, SECONDS)).isEmpty();
  }

  @Test
  void everyMappableMessageSurvivesTheStore() {
    List<ChatMessage> all = LangChain4jMessagesTest.everyMappableMessage();
    store.updateMessages("c1", all);
    assertThat(store.getMessages("c1")).isEqualTo(all);
    Session s = stored("c1");
    assertThat(s.state().cwd()).isEqualTo("/work/agent");
    assertThat(s.messages()).isEqualTo(LangChain4jMessages.toSessionMessages(all));
    // a second instance (as after a restart) reads the same
    assertThat(SessionChatMemoryStore.of(storage).getMessages("c1")).isEqualTo(all);
  }

  @Test
  void aTurnThatExtendsTheListIsAppendedNotRewritten() {
    List<ChatMessage> messages = list(SystemMessage.from("be brief"), UserMessage.from("hi"));
    store.getMessages("c");
    store.updateMessages("c", messages);
    assertThat(storage.creates).hasValue(1);
    for (int turn = 0; turn < 5; turn++) {
      List<ChatMessage> read = store.getMessages("c");
      read.add(AiMessage.from("answer " + turn));
      read.add(UserMessage.from("question " + turn));
      store.updateMessages("c", read);
    }
    assertThat(storage.appends).hasValue(5);
    assertThat(storage.conditionalSaves).hasValue(0);
    assertThat(storage.plainSaves).hasValue(0);
    assertThat(stored("c").messages()).hasSize(12);
  }

  @Test
  void aMessageAddedThroughTheWindowMemoryCostsOneReadAndOneAppendAtAnyLength() {
    var memory =
        dev.langchain4j.memory.chat.MessageWindowChatMemory.builder()
            .id("c")
            .maxMessages(10_000)
            .chatMemoryStore(store)
            .build();
    memory.add(UserMessage.from("first"));
    for (int i = 0; i < 300; i++) {
      int loads = storage.loads.get();
      int appends = storage.appends.get();
      int writes = storage.writes();
      memory.add(i % 2 == 0 ? AiMessage.from("answer " + i) : UserMessage.from("question " + i));
      assertThat(storage.loads.get() - loads).as("loads of add %d", i).isEqualTo(1);
      assertThat(storage.appends.get() - appends).as("appends of add %d", i).isEqualTo(1);
      assertThat(storage.writes() - writes).as("writes of add %d", i).isEqualTo(1);
    }
    assertThat(stored("c").messages()).hasSize(301);
  }

  @Test
  void aListThatDropsMessagesIsSavedConditionallyKeepingTheState() {
    store.updateMessages("c", list(UserMessage.from("1"), AiMessage.from("2"), UserMessage.from("3")));
    Futures.await(
        storage.inner().update(
            "c",
            s -> s.withState(st -> st.withCustom("tenant", JsonValue.of("acme")).withTokenUsage(TokenUsage.of(10, 5)))),
        30,
        SECONDS);
    List<ChatMessage> read = store.getMessages("c");
    read.remove(0);
    read.add(AiMessage.from("4"));
    store.updateMessages("c", read);
    assertThat(storage.conditionalSaves).hasValue(1);
    Session s = stored("c");
    assertThat(s.messages()).containsExactly(Message.assistant("2"), Message.user("3"), Message.assistant("4"));
    assertThat(s.state().custom()).containsEntry("tenant", JsonValue.of("acme"));
    assertThat(s.state().tokenUsage()).isEqualTo(TokenUsage.of(10, 5));
    assertThat(s.state().cwd()).isEqualTo("/work/agent");
  }

  @Test
  void aReplacedSystemMessageIsSavedConditionally() {
    var memory =
        dev.langchain4j.memory.chat.MessageWindowChatMemory.builder()
            .id("c")
            .maxMessages(10)
            .alwaysKeepSystemMessageFirst(true)
            .chatMemoryStore(store)
            .build();
    memory.add(SystemMessage.from("be brief"));
    memory.add(UserMessage.from("hi"));
    memory.add(AiMessage.from("hello"));
    memory.add(SystemMessage.from("be verbose"));
    assertThat(stored("c").messages())
        .containsExactly(Message.system("be verbose"), Message.user("hi"), Message.assistant("hello"));
    assertThat(storage.creates).hasValue(1);
    assertThat(storage.appends).hasValue(2);
    assertThat(storage.conditionalSaves).hasValue(1);
  }

  @Test
  void anUnchangedListWritesNothing() {
    store.updateMessages("c", list(UserMessage.from("1")));
    int writes = storage.writes();
    store.updateMessages("c", store.getMessages("c"));
    assertThat(storage.writes()).isEqualTo(writes);
  }

  @Test
  void messagesAnotherWriterAddedBetweenReadAndWriteAreKept() {
    store.updateMessages("c", list(UserMessage.from("q1"), AiMessage.from("a1")));
    List<ChatMessage> read = store.getMessages("c");
    // another instance of the application appends a turn meanwhile
    Futures.await(
        storage.inner().append("c", Append.of(List.of(Message.user("theirs")), stored("c").state(), Instant.now())),
        30,
        SECONDS);
    read.add(UserMessage.from("ours"));
    store.updateMessages("c", read);
    assertThat(stored("c").messages())
        .containsExactly(Message.user("q1"), Message.assistant("a1"), Message.user("theirs"), Message.user("ours"));
  }

  @Test
  void anEvictionDoesNotDropWhatAnotherWriterAdded() {
    store.updateMessages("c", list(UserMessage.from("1"), AiMessage.from("2")));
    List<ChatMessage> read = store.getMessages("c");
    Futures.await(
        storage.inner().append("c", Append.of(List.of(Message.user("theirs")), stored("c").state(), Instant.now())),
        30,
        SECONDS);
    read.remove(0);
    read.add(UserMessage.from("ours"));
    store.updateMessages("c", read);
    assertThat(stored("c").messages())
        .containsExactly(Message.assistant("2"), Message.user("theirs"), Message.user("ours"));
  }

  @Test
  void aClearBetweenReadAndWriteKeepsOnlyTheNewMessages() {
    store.updateMessages("c", list(UserMessage.from("1"), AiMessage.from("2")));
    List<ChatMessage> read = store.getMessages("c");
    Futures.await(storage.inner().delete("c"), 30, SECONDS);
    read.add(UserMessage.from("3"));
    store.updateMessages("c", read);
    assertThat(stored("c").messages()).containsExactly(Message.user("3"));
  }

  @Test
  void aWriteWithoutARead_onThisThread_replacesTheList() throws Exception {
    store.updateMessages("c", list(UserMessage.from("1"), AiMessage.from("2")));
    otherThread.submit(() -> store.updateMessages("c", list(UserMessage.from("fresh")))).get(30, SECONDS);
    assertThat(stored("c").messages()).containsExactly(Message.user("fresh"));
  }

  @Test
  void twoInstancesInterleavingReadsAndWritesKeepBothTurns() {
    SessionChatMemoryStore other = SessionChatMemoryStore.of(storage);
    store.updateMessages("c", list(UserMessage.from("q")));
    List<ChatMessage> mine = store.getMessages("c");
    List<ChatMessage> theirs = other.getMessages("c");
    theirs.add(AiMessage.from("theirs"));
    other.updateMessages("c", theirs);
    mine.add(AiMessage.from("mine"));
    store.updateMessages("c", mine);
    assertThat(stored("c").messages())
        .containsExactly(Message.user("q"), Message.assistant("theirs"), Message.assistant("mine"));
    assertThat(store.getMessages("c")).hasSize(3);
  }

  @Test
  void memoryIdsMapThroughTheConfiguredFunction() {
    SessionChatMemoryStore mapped =
        SessionChatMemoryStore.builder(storage).memoryIdMapping(id -> "user-42/" + id).build();
    mapped.updateMessages(7, list(UserMessage.from("hi")));
    assertThat(stored("user-42/7").messages()).containsExactly(Message.user("hi"));
    assertThat(mapped.getMessages(7)).containsExactly(UserMessage.from("hi"));
    store.updateMessages(7L, list(UserMessage.from("default mapping")));
    assertThat(stored("7").messages()).containsExactly(Message.user("default mapping"));
  }

  @Test
  void invalidMemoryIdsFailClearlyBeforeAnyIo() {
    assertThatThrownBy(() -> store.getMessages(""))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("memory id \"\"")
        .hasMessageContaining("it is empty");
    assertThatThrownBy(() -> store.updateMessages("a\nb", list(UserMessage.from("x"))))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("control character U+000A");
    assertThatThrownBy(() -> store.deleteMessages(".."))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("reserved");
    SessionChatMemoryStore toNull = SessionChatMemoryStore.builder(storage).memoryIdMapping(id -> null).build();
    assertThatThrownBy(() -> toNull.getMessages("x"))
        .isInstanceOf(InvalidIdException.class)
        .hasMessageContaining("returned no session id");
    assertThat(storage.loads).hasValue(0);
    assertThat(storage.writes()).isZero();
    assertThat(storage.deletes).hasValue(0);
  }

  @Test
  void anUnmappableMessageWritesNothing() {
    store.updateMessages("c", list(UserMessage.from("1")));
    int writes = storage.writes();
    List<ChatMessage> read = store.getMessages("c");
    read.add(UserMessage.from(AudioContent.from("AAAA", "audio/wav")));
    assertThatThrownBy(() -> store.updateMessages("c", read))
        .isInstanceOf(UnmappableMessageException.class)
        .hasMessageContaining("message 1 (UserMessage)");
    assertThat(storage.writes()).isEqualTo(writes);
    assertThat(stored("c").messages()).containsExactly(Message.user("1"));
  }

  @Test
  void anUnreadableStoredSessionFailsTheRead() {
    Futures.await(
        storage.inner().save(
            Session.create("c", "/").withMessage(Message.of(org.sessionkit.Role.USER, new org.sessionkit.ContentBlock.Compaction("s")))),
        30,
        SECONDS);
    assertThatThrownBy(() -> store.getMessages("c"))
        .isInstanceOf(UnmappableMessageException.class)
        .hasMessageContaining("Compaction");
  }

  @Test
  void deleteRemovesTheSessionAndIgnoresAMissingOne() {
    store.updateMessages("c", list(UserMessage.from("1")));
    store.deleteMessages("c");
    assertThatThrownBy(() -> stored("c")).isInstanceOf(SessionNotFoundException.class);
    store.deleteMessages("c");
    assertThat(store.getMessages("c")).isEmpty();
  }

  @Test
  void aStoreThatDoesNotAnswerFailsAfterTheTimeout() {
    SessionChatMemoryStore impatient =
        SessionChatMemoryStore.builder(storage).timeout(Duration.ofMillis(200)).build();
    storage.hang = true;
    long start = System.nanoTime();
    assertThatThrownBy(() -> impatient.getMessages("c"))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("did not answer");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aWriterThatAlwaysLosesGivesUpWithAConflict() {
    store.updateMessages("c", list(UserMessage.from("1")));
    List<ChatMessage> read = store.getMessages("c");
    read.add(UserMessage.from("2"));
    storage.alwaysConflict = true;
    assertThatThrownBy(() -> store.updateMessages("c", read))
        .isInstanceOf(RevisionConflictException.class)
        .hasMessageContaining("gave up after " + SessionChatMemoryStore.MAX_WRITE_ATTEMPTS + " attempts");
  }

  @Test
  void updatedAtFollowsTheClockButNeverMovesBackwards() {
    Instant t0 = Instant.parse("2026-03-01T10:00:00.123456789Z");
    SessionChatMemoryStore at0 =
        SessionChatMemoryStore.builder(storage).clock(Clock.fixed(t0, ZoneOffset.UTC)).build();
    at0.updateMessages("c", list(UserMessage.from("1")));
    assertThat(stored("c").createdAt()).isEqualTo(t0);
    assertThat(stored("c").updatedAt()).isEqualTo(t0);
    SessionChatMemoryStore earlier =
        SessionChatMemoryStore.builder(storage).clock(Clock.fixed(t0.minusSeconds(60), ZoneOffset.UTC)).build();
    List<ChatMessage> read = earlier.getMessages("c");
    read.add(AiMessage.from("2"));
    earlier.updateMessages("c", read);
    assertThat(stored("c").updatedAt()).isEqualTo(t0);
    SessionChatMemoryStore later =
        SessionChatMemoryStore.builder(storage).clock(Clock.fixed(t0.plusSeconds(60), ZoneOffset.UTC)).build();
    read = later.getMessages("c");
    read.add(UserMessage.from("3"));
    later.updateMessages("c", read);
    assertThat(stored("c").updatedAt()).isEqualTo(t0.plusSeconds(60));
    assertThat(stored("c").createdAt()).isEqualTo(t0);
  }

  @Test
  void builderRejectsANonPositiveTimeout() {
    assertThatThrownBy(() -> SessionChatMemoryStore.builder(storage).timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SessionChatMemoryStore.builder(storage).timeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void attributesRoundTripWithTheConfiguredCodecs() {
    AttributeCodec<Thread.State> codec = new AttributeCodec<>() {
      @Override public String tag() { return "test.thread_state"; }
      @Override public Class<Thread.State> type() { return Thread.State.class; }
      @Override public org.sessionkit.JsonValue encode(Thread.State v, AttributeCodecs c) { return org.sessionkit.JsonValue.of(v.name()); }
      @Override public Thread.State decode(org.sessionkit.JsonValue j, AttributeCodecs c) {
        return Thread.State.valueOf(((org.sessionkit.JsonValue.JsonString) j).value());
      }
    };
    SessionChatMemoryStore store =
        SessionChatMemoryStore.builder(storage).attributeCodecs(AttributeCodecs.defaults().with(codec)).build();
    List<dev.langchain4j.data.message.ChatMessage> messages = List.of(
        dev.langchain4j.data.message.UserMessage.from("hi"),
        dev.langchain4j.data.message.AiMessage.builder().text("x")
            .attributes(java.util.Map.of("state", Thread.State.BLOCKED, "n", 5L, "bytes", new byte[] {1})).build());
    store.updateMessages("attrs", messages);
    List<dev.langchain4j.data.message.ChatMessage> back = store.getMessages("attrs");
    java.util.Map<String, Object> attributes = ((dev.langchain4j.data.message.AiMessage) back.get(1)).attributes();
    assertThat(attributes.get("state")).isEqualTo(Thread.State.BLOCKED);
    assertThat(attributes.get("n")).isInstanceOf(Long.class).isEqualTo(5L);
    assertThat((byte[]) attributes.get("bytes")).containsExactly(1);
  }
}
