package org.sessionkit;

import org.sessionkit.spi.SessionCodec;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SessionCodecLimitsTest {

  static final SessionCodec CODEC = SessionCodec.defaults();

  /** A document whose custom value {@code "d"} makes the document {@code depth} levels deep. */
  static byte[] documentOfDepth(int depth) {
    int arrays = depth - 3; // root 1, state 2, custom 3
    return SessionCodecRoundTripTest.utf8(
        SessionCodecRoundTripTest.documentWithCustom("{\"d\":" + "[".repeat(arrays) + "]".repeat(arrays) + "}"));
  }

  @Test
  void readAccepts128LevelsAndRejects129() {
    assertThat(CODEC.decode(documentOfDepth(128), "d").state().custom()).containsKey("d");
    assertThatThrownBy(() -> CODEC.decode(documentOfDepth(129), "deep.json"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageStartingWith("corrupt session document \"deep.json\": JSON nesting deeper than 128 levels");
  }

  @Test
  void readRejects129LevelsInIgnoredFieldsAndInStreams() {
    String unknown = "{\"x\":" + "[".repeat(128) + "]".repeat(128) + "}";
    byte[] doc = SessionCodecCorruptDocumentTest.BASE.replace("{\"id\"", "{\"x\":" + unknown.substring(5, unknown.length() - 1) + ",\"id\"").getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.decode(doc, "d"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("nesting deeper than 128");
    assertThatThrownBy(() -> CODEC.decodeDocument(new ByteArrayInputStream(documentOfDepth(129)), "d"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("nesting deeper than 128");
    assertThatThrownBy(() -> CODEC.readHead(documentOfDepth(129), "d"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("nesting deeper than 128");
  }

  @Test
  void veryDeepInputFailsCleanly() {
    byte[] doc = ("[".repeat(1_000_000)).getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.decodeValue(doc, "v"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("nesting deeper than 128");
  }

  @Test
  void partsAreReadWithTheDepthTheyHaveInADocument() {
    String arrays128 = "[".repeat(128) + "]".repeat(128);
    assertThat(CODEC.decodeValue(arrays128.getBytes(UTF_8), "v")).isNotNull();
    String arrays129 = "[".repeat(129) + "]".repeat(129);
    assertThatThrownBy(() -> CODEC.decodeValue(arrays129.getBytes(UTF_8), "v"))
        .isExactlyInstanceOf(CorruptDocumentException.class);
    // A message sits at level 3 and its tool input at level 7: 122 levels of input fit.
    String message = "{\"role\":\"User\",\"content\":[{\"ToolUse\":{\"id\":\"i\",\"name\":\"n\",\"input\":%s}}]}";
    int ok = 122;
    assertThat(CODEC.decodeMessage(String.format(message, "[".repeat(ok) + "]".repeat(ok)).getBytes(UTF_8), "m")).isNotNull();
    assertThatThrownBy(() -> CODEC.decodeMessage(String.format(message, "[".repeat(ok + 1) + "]".repeat(ok + 1)).getBytes(UTF_8), "m"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("nesting deeper than 128");
    // Also in an ignored field of a message.
    String ignored = "{\"role\":\"User\",\"content\":[],\"x\":" + "[".repeat(126) + "]".repeat(126) + "}";
    assertThatThrownBy(() -> CODEC.decodeMessage(ignored.getBytes(UTF_8), "m"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("nesting deeper than 128");
    // A state sits at level 2: its custom at 3, custom's values from 4.
    String state = "{\"cwd\":\"/\",\"token_usage\":{\"input_tokens\":0,\"output_tokens\":0},\"event_count\":0,\"custom\":{\"d\":%s}}";
    assertThat(CODEC.decodeState(String.format(state, "[".repeat(125) + "]".repeat(125)).getBytes(UTF_8), "s")).isNotNull();
    assertThatThrownBy(() -> CODEC.decodeState(String.format(state, "[".repeat(126) + "]".repeat(126)).getBytes(UTF_8), "s"))
        .isExactlyInstanceOf(CorruptDocumentException.class);
  }

  @Test
  void thirtyMegabyteBase64StringLoads() {
    char[] data = new char[30 * 1024 * 1024];
    Arrays.fill(data, 'A');
    String base64 = new String(data);
    Session s =
        SessionCodecRoundTripTest.session(
            "img", Message.of(Role.USER, new ContentBlock.Image(new ImageSource.Base64("image/png", base64))));
    byte[] doc = CODEC.encode(s);
    assertThat(doc.length).isGreaterThan(30 * 1024 * 1024);
    assertThat(CODEC.decode(doc, "img")).isEqualTo(s);
  }

  @Test
  void documentLargerThanTheLimitIsCorruptOnRead() throws Exception {
    byte[] doc = SessionCodecRoundTripTest.fixture();
    SessionCodec exact = SessionCodec.builder().maxDocumentBytes(doc.length).build();
    assertThat(exact.decode(doc, "f").id()).isEqualTo("sess-7f3a9c");
    assertThat(exact.decodeDocument(new ByteArrayInputStream(doc), "f").session().id()).isEqualTo("sess-7f3a9c");
    SessionCodec smaller = SessionCodec.builder().maxDocumentBytes(doc.length - 1).build();
    assertThatThrownBy(() -> smaller.decode(doc, "big.json"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("\"big.json\"")
        .hasMessageContaining("larger than the limit of " + (doc.length - 1) + " bytes");
    SessionCodec tiny = SessionCodec.builder().maxDocumentBytes(100).build();
    byte[] large = CODEC.encode(SessionCodecRoundTripTest.session("l", Message.user("x".repeat(100_000))));
    assertThatThrownBy(() -> tiny.decodeDocument(new ByteArrayInputStream(large), "big.json"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("larger than the limit of 100 bytes");
    assertThatThrownBy(() -> tiny.readHead(new ByteArrayInputStream(large), "big.json"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("larger than the limit of 100 bytes");
  }

  @Test
  void longStringsAndKeysAreLimitedOnlyByTheDocumentSize() {
    String longKey = "k".repeat(100_000);
    byte[] doc =
        SessionCodecRoundTripTest.utf8(SessionCodecRoundTripTest.documentWithCustom("{\"" + longKey + "\":\"" + "v".repeat(25_000_000) + "\"}"));
    assertThat(CODEC.decode(doc, "l").state().custom()).containsKey(longKey);
  }

  @Test
  void integersOfThousandsOfDigitsLoadAndLongerNumbersAreCorrupt() {
    String digits = "9".repeat(5_000);
    assertThat(CODEC.decodeValue(digits.getBytes(UTF_8), "n")).isEqualTo(JsonValue.of(new BigInteger(digits)));
    String tooLong = "9".repeat(20_000);
    assertThatThrownBy(() -> CODEC.decodeValue(tooLong.getBytes(UTF_8), "n"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("\"n\"");
    assertThatThrownBy(() -> CODEC.decodeValue("1e99999999999".getBytes(UTF_8), "n"))
        .isExactlyInstanceOf(CorruptDocumentException.class);
  }

  @Test
  void builderRejectsANonPositiveLimit() {
    assertThatThrownBy(() -> SessionCodec.builder().maxDocumentBytes(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(SessionCodec.defaults().maxDocumentBytes()).isEqualTo(SessionCodec.DEFAULT_MAX_DOCUMENT_BYTES);
    assertThat(SessionCodec.DEFAULT_MAX_DOCUMENT_BYTES).isEqualTo(256L * 1024 * 1024);
    assertThat(SessionCodec.MAX_NESTING_DEPTH).isEqualTo(128);
    assertThat(SessionCodec.builder().maxDocumentBytes(5L << 32).build().maxDocumentBytes()).isEqualTo(5L << 32);
  }
}
