package org.sessionkit;

import org.sessionkit.spi.DocumentHead;
import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.spi.StoredDocument;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelTest {

  static final Instant T = Instant.parse("2026-02-24T15:04:05Z");
  static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);

  // ------------------------------------------------------------------ factories

  @Test
  void createMakesAnEmptySessionAtTheClocksInstant() {
    Session s = Session.create("id", "/w", CLOCK);
    assertThat(s.id()).isEqualTo("id");
    assertThat(s.messages()).isEmpty();
    assertThat(s.state()).isEqualTo(new SessionState("/w", TokenUsage.ZERO, 0, Map.of()));
    assertThat(s.createdAt()).isEqualTo(T);
    assertThat(s.updatedAt()).isEqualTo(T);
  }

  @Test
  void messageFactoriesUseTheRightRoleAndBlocks() {
    assertThat(Message.user("u")).isEqualTo(new Message(Role.USER, List.of(new ContentBlock.Text("u"))));
    assertThat(Message.assistant("a").role()).isEqualTo(Role.ASSISTANT);
    assertThat(Message.system("s").role()).isEqualTo(Role.SYSTEM);
    assertThat(Role.USER.wireName()).isEqualTo("User");
    assertThat(Role.ASSISTANT.wireName()).isEqualTo("Assistant");
    assertThat(Role.SYSTEM.wireName()).isEqualTo("System");
    assertThat(ContentBlock.ToolResult.ofText("t", "x").isError()).isFalse();
    assertThat(ContentBlock.ToolResult.ofError("t", "x").isError()).isTrue();
    assertThat(ToolResultItem.text("x")).isEqualTo(new ToolResultItem.Text("x"));
  }

  @Test
  void withMessageAppendsAndMovesUpdatedAtForwardNeverBack() {
    Session s = Session.create("id", "/w", CLOCK);
    Session later = s.withMessage(Message.user("hi"));
    assertThat(later.messages()).containsExactly(Message.user("hi"));
    assertThat(later.updatedAt()).isAfterOrEqualTo(s.updatedAt());
    assertThat(s.messages()).isEmpty();
    Session future = s.withUpdatedAt(Instant.parse("2999-01-01T00:00:00Z"));
    assertThat(future.withMessage(Message.user("x")).updatedAt()).isEqualTo(future.updatedAt());
  }

  @Test
  void withStateKeepsUpdatedAtAndWithIdRenames() {
    Session s = Session.create("id", "/w", CLOCK);
    assertThat(s.withState(st -> st.withEventCount(5)).updatedAt()).isEqualTo(T);
    assertThat(s.withState(st -> st.withEventCount(5)).state().eventCount()).isEqualTo(5);
    assertThat(s.withId("other").id()).isEqualTo("other");
    assertThat(s.summary(Revision.of(3))).isEqualTo(new SessionSummary("id", T, T, 0, Revision.of("3")));
  }

  @Test
  void plusTokenUsageAddsUsage() {
    Session s = Session.create("id", "/w", CLOCK).plusTokenUsage(TokenUsage.of(1, 2)).plusTokenUsage(TokenUsage.of(10, 20));
    assertThat(s.state().tokenUsage()).isEqualTo(TokenUsage.of(11, 22));
  }

  // ------------------------------------------------------------------ validation

  @Test
  void constructorsRefuseJavaNulls() {
    assertThatThrownBy(() -> new Session(null, List.of(), SessionState.initial("/"), T, T)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Session("i", null, SessionState.initial("/"), T, T)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Session("i", List.of(), null, T, T)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Session("i", List.of(), SessionState.initial("/"), null, T)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new SessionState(null, TokenUsage.ZERO, 0, Map.of())).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Message(null, List.of())).isInstanceOf(NullPointerException.class);
    List<ContentBlock> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> new Message(Role.USER, withNull)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ContentBlock.Text(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ContentBlock.ToolUse("i", "n", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new ImageSource.Base64(null, "d")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new DocumentSource.Url(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new TokenUsage(0, 0, null, OptionalLong.empty(), OptionalLong.empty(), Optional.empty()))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> SessionState.initial("/").withCustom("k", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void revisionsAreNeverEmpty() {
    assertThatThrownBy(() -> Revision.of("")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Revision.of(7)).isEqualTo(Revision.of("7"));
    assertThat(Revision.of("abc").toString()).isEqualTo("abc");
  }

  @Test
  void documentRecordsValidateTheirFields() {
    assertThat(DocumentMetadata.of(Revision.of("r"), 3)).isEqualTo(new DocumentMetadata(DocumentMetadata.CURRENT_FORMAT, Revision.of("r"), 3));
    assertThat(DocumentMetadata.CURRENT_FORMAT).isEqualTo(1);
    assertThatThrownBy(() -> new DocumentMetadata(0, Revision.of("r"), 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DocumentMetadata.of(Revision.of("r"), -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DocumentMetadata.of(null, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new DocumentHead("i", T, T, -1, Optional.empty())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DocumentHead("i", T, T, 0, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new StoredDocument(null, Optional.empty())).isInstanceOf(NullPointerException.class);
  }

  // ------------------------------------------------------------------ immutability

  @Test
  void nothingObtainedFromASessionCanChangeIt() {
    Session s = SessionCodecRoundTripTest.everything();
    Session copy = SessionCodec.defaults().decode(SessionCodec.defaults().encode(s), "c");
    assertThatThrownBy(() -> s.messages().add(Message.user("x"))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.messages().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.messages().get(2).content().remove(0)).isInstanceOf(UnsupportedOperationException.class);
    ContentBlock.ToolResult result =
        (ContentBlock.ToolResult) s.messages().get(2).content().stream().filter(b -> b instanceof ContentBlock.ToolResult).findFirst().orElseThrow();
    assertThatThrownBy(() -> result.content().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.state().custom().put("x", JsonValue.NULL)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.state().custom().remove("int")).isInstanceOf(UnsupportedOperationException.class);
    JsonValue.JsonObject nested = (JsonValue.JsonObject) s.state().custom().get("nested");
    assertThatThrownBy(() -> nested.members().clear()).isInstanceOf(UnsupportedOperationException.class);
    JsonValue.JsonArray inner = (JsonValue.JsonArray) nested.members().get("a");
    assertThatThrownBy(() -> inner.elements().set(0, JsonValue.NULL)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.state().tokenUsage().iterations().orElseThrow().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.state().custom().entrySet().iterator().next().setValue(JsonValue.NULL))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(s).isEqualTo(copy);
  }

  @Test
  void collectionsHandedInAreCopied() {
    List<Message> messages = new ArrayList<>(List.of(Message.user("a")));
    Session s = new Session("i", messages, SessionState.initial("/"), T, T);
    messages.add(Message.user("b"));
    assertThat(s.messages()).hasSize(1);

    List<ContentBlock> blocks = new ArrayList<>(List.of(ContentBlock.text("a")));
    Message m = new Message(Role.USER, blocks);
    blocks.clear();
    assertThat(m.content()).hasSize(1);

    Map<String, JsonValue> custom = new HashMap<>(Map.of("k", JsonValue.TRUE));
    SessionState st = new SessionState("/", TokenUsage.ZERO, 0, custom);
    custom.put("k2", JsonValue.FALSE);
    assertThat(st.custom()).containsOnlyKeys("k");
    SessionState st2 = SessionState.initial("/").withCustom(custom);
    custom.clear();
    assertThat(st2.custom()).containsOnlyKeys("k", "k2");

    List<IterationUsage> its = new ArrayList<>(List.of(IterationUsage.of(1, 2)));
    TokenUsage u = new TokenUsage(0, 0, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.of(its));
    its.add(IterationUsage.of(3, 4));
    assertThat(u.iterations().orElseThrow()).hasSize(1);

    List<ToolResultItem> items = new ArrayList<>(List.of(ToolResultItem.text("x")));
    ContentBlock.ToolResult r = new ContentBlock.ToolResult("t", items, false);
    items.clear();
    assertThat(r.content()).hasSize(1);
  }

  @Test
  void customKeepsAJsonNullApartFromAnAbsentKey() {
    SessionState st = SessionState.initial("/").withCustom("note", JsonValue.NULL);
    assertThat(st.custom()).containsEntry("note", JsonValue.NULL);
    assertThat(st.custom().get("missing")).isNull();
  }

  // ------------------------------------------------------------------ TokenUsage.plus

  @Test
  void plusAddsCountsAndMergesOptionalCountersAndIterations() {
    TokenUsage a = new TokenUsage(1, 2, OptionalLong.of(3), OptionalLong.empty(), OptionalLong.empty(), Optional.empty());
    TokenUsage b =
        new TokenUsage(10, 20, OptionalLong.of(30), OptionalLong.of(40), OptionalLong.empty(), Optional.of(List.of(IterationUsage.of(5, 6))));
    TokenUsage sum = a.plus(b);
    assertThat(sum.inputTokens()).isEqualTo(11);
    assertThat(sum.outputTokens()).isEqualTo(22);
    assertThat(sum.cacheReadTokens()).hasValue(33);
    assertThat(sum.cacheCreationTokens()).hasValue(40);
    assertThat(sum.reasoningTokens()).isEmpty();
    assertThat(sum.iterations()).contains(List.of(IterationUsage.of(5, 6)));
    assertThat(TokenUsage.ZERO.plus(TokenUsage.ZERO).iterations()).isEmpty();
    TokenUsage emptyIterations =
        new TokenUsage(0, 0, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.of(List.of()));
    assertThat(emptyIterations.plus(TokenUsage.ZERO).iterations()).contains(List.of());
  }

  @Test
  void plusAddsUnsignedValuesAboveLongMaxValue() {
    TokenUsage a = TokenUsage.of(Long.MAX_VALUE, 0);
    TokenUsage sum = a.plus(TokenUsage.of(Long.MAX_VALUE, 0));
    assertThat(Long.toUnsignedString(sum.inputTokens())).isEqualTo("18446744073709551614");
    TokenUsage max = sum.plus(TokenUsage.of(1, 0));
    assertThat(Long.toUnsignedString(max.inputTokens())).isEqualTo("18446744073709551615");
  }

  @Test
  void plusThrowsOnUnsigned64BitOverflow() {
    TokenUsage max = TokenUsage.of(-1L, -1L); // u64::MAX
    assertThatThrownBy(() -> max.plus(TokenUsage.of(1, 0)))
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("18446744073709551615 + 1");
    TokenUsage cache = new TokenUsage(0, 0, OptionalLong.of(-1L), OptionalLong.empty(), OptionalLong.empty(), Optional.empty());
    assertThatThrownBy(() -> cache.plus(cache)).isInstanceOf(ArithmeticException.class);
    assertThat(max.plus(TokenUsage.ZERO)).isEqualTo(max);
  }

  // ------------------------------------------------------------------ SessionIds

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a", "../x", "a/b", "%2e%2e", "...", ". ", " .", "a\\b", "C:", "sess 1", "UPPER", "\u00e9\u4e2d", "\ud83d\ude00",
        ".hidden", "a..b", "con", "\u00ad", "\u200b"
      })
  void idsThatFollowTheRuleAreValid(String id) {
    assertThat(SessionIds.isValid(id)).isTrue();
    assertThat(SessionIds.requireValid(id)).isSameAs(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "a\u0000b", "tab\t", "new\nline", "\u007f", "\u0085", "\u009f", "x\ud800", "\udc00x", "\ude00\ud83d"})
  void idsThatBreakTheRuleAreInvalid(String id) {
    assertThat(SessionIds.isValid(id)).isFalse();
    assertThatThrownBy(() -> SessionIds.requireValid(id)).isExactlyInstanceOf(InvalidIdException.class).hasMessageStartingWith("invalid session id ");
  }

  @Test
  void idLengthIsCountedInCodePoints() {
    assertThat(SessionIds.isValid("x".repeat(256))).isTrue();
    assertThat(SessionIds.isValid("x".repeat(257))).isFalse();
    String emoji = "\ud83d\ude00";
    assertThat(SessionIds.isValid(emoji.repeat(256))).as("512 UTF-16 units, 256 code points").isTrue();
    assertThat(SessionIds.isValid(emoji.repeat(257))).isFalse();
    assertThatThrownBy(() -> SessionIds.requireValid("x".repeat(257))).hasMessageContaining("longer than 256 code points");
  }

  @Test
  void invalidIdMessagesSayWhyAndQuoteSafely() {
    assertThatThrownBy(() -> SessionIds.requireValid("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> SessionIds.requireValid("..")).hasMessageContaining("reserved");
    assertThatThrownBy(() -> SessionIds.requireValid("a\nb")).hasMessageContaining("control character U+000A at index 1").hasMessageContaining("\\u000a");
    assertThatThrownBy(() -> SessionIds.requireValid("ab\ud800")).hasMessageContaining("lone surrogate at index 2");
    assertThatThrownBy(() -> SessionIds.requireValid(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void exactlyTheUnicodeControlCharactersAreRefusedInIds() {
    for (char c = 0; c < Character.MIN_SURROGATE; c++) {
      boolean control = Character.getType(c) == Character.CONTROL;
      assertThat(SessionIds.isValid("a" + c + "b")).as("U+%04X", (int) c).isEqualTo(!control);
    }
    for (char c = Character.MAX_SURROGATE + 1; c != 0; c++) {
      assertThat(SessionIds.isValid("a" + c)).as("U+%04X", (int) c).isTrue();
    }
  }

  @Test
  void codePointOrderDiffersFromStringCompareToForSupplementaryCharacters() {
    String emoji = "\ud83d\ude00"; // U+1F600
    String privateUse = "\ue000"; // U+E000
    String last = "\uffff";
    assertThat(emoji.compareTo(privateUse)).as("UTF-16 order puts the emoji first").isNegative();
    assertThat(SessionIds.CODE_POINT_ORDER.compare(emoji, privateUse)).as("code point order puts it last").isPositive();
    assertThat(SessionIds.CODE_POINT_ORDER.compare(last, emoji)).isNegative();
    assertThat(SessionIds.CODE_POINT_ORDER.compare("a", "b")).isNegative();
    assertThat(SessionIds.CODE_POINT_ORDER.compare("ab", "a")).isPositive();
    assertThat(SessionIds.CODE_POINT_ORDER.compare("x", "x")).isZero();
    List<String> ids = new ArrayList<>(List.of(emoji, last, privateUse, "z", "\u00e9", "\ud7ff"));
    ids.sort(SessionIds.CODE_POINT_ORDER);
    assertThat(ids).containsExactly("z", "\u00e9", "\ud7ff", privateUse, last, emoji);
  }

  @Test
  void codePointOrderIsUtf8ByteOrder() {
    java.util.Random random = new java.util.Random(7);
    int[] samples = {0x41, 0x7f, 0xe9, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff};
    for (int i = 0; i < 5000; i++) {
      String a = new String(new int[] {samples[random.nextInt(samples.length)], samples[random.nextInt(samples.length)]}, 0, 2);
      String b = new String(new int[] {samples[random.nextInt(samples.length)]}, 0, 1);
      int expected = java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8), b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(Integer.signum(SessionIds.CODE_POINT_ORDER.compare(a, b))).as(a + " vs " + b).isEqualTo(Integer.signum(expected));
    }
  }
}
