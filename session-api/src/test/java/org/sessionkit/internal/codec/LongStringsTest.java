package org.sessionkit.internal.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LongStrings} finds string values by Jackson's token offsets wherever they are (root,
 * field value, array element, after whitespace and newlines), decodes them as Jackson does, and
 * leaves the parser able to go on; SessionCodecLongStringTest checks whole documents.
 */
class LongStringsTest {

  static final JsonFactory FACTORY = new JsonFactory();

  /** Reads every string value of {@code json} through LongStrings (null where it declined) and through Jackson. */
  static List<List<String>> strings(String json, int minBytes) throws IOException {
    byte[] b = json.getBytes(UTF_8);
    List<String> own = new ArrayList<>();
    LongStrings longStrings = new LongStrings(b, minBytes);
    try (JsonParser p = FACTORY.createParser(b)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.VALUE_STRING) {
          own.add(longStrings.read(p));
        }
      }
    }
    List<String> jackson = new ArrayList<>();
    try (JsonParser p = FACTORY.createParser(b)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.VALUE_STRING) {
          jackson.add(p.getText());
        }
      }
    }
    return List.of(own, jackson);
  }

  @Test
  void findsStringsWhereverTheyAre() throws IOException {
    String json = "{\"a\":\"first\u00e9\",\n  \"b\" : [ \"x\\n\\u4e00\" ,\r\n\t\"\ud83d\ude00\", 1, {\"c\":\"\"}],\"d\":\"last\"}";
    List<List<String>> r = strings(json, 0);
    assertThat(r.get(0)).containsExactly("first\u00e9", "x\n\u4e00", "\ud83d\ude00", "", "last");
    assertThat(r.get(0)).isEqualTo(r.get(1));
    List<List<String>> root = strings("  \"at the root \u4e00\"  ", 0);
    assertThat(root.get(0)).containsExactly("at the root \u4e00");
  }

  @Test
  void leavesShortStringsToJackson() throws IOException {
    List<List<String>> r = strings("[\"short\", \"0123456789\", \"012345678\\\"\", \"01234567890\"]", 10);
    assertThat(r.get(0)).containsExactly(null, "0123456789", "012345678\"", "01234567890");
  }

  @Test
  void decidesByTheLengthBetweenTheQuotesAtEveryAlignment() throws IOException {
    java.util.Random random = new java.util.Random(8);
    for (int round = 0; round < 2000; round++) {
      StringBuilder json = new StringBuilder(" ".repeat(random.nextInt(9))).append("[\"");
      int spanStart = json.length();
      int n = random.nextInt(40);
      for (int k = 0; k < n; k++) {
        int r = random.nextInt(10);
        json.append(r == 0 ? "\\\"" : r == 1 ? "\\\\" : r == 2 ? "\\n" : String.valueOf((char) ('a' + r)));
      }
      int span = json.length() - spanStart;
      json.append("\", \"after\"]");
      int minBytes = random.nextInt(30);
      List<List<String>> r = strings(json.toString(), minBytes);
      assertThat(r.get(0).get(0)).isEqualTo(span < minBytes ? null : r.get(1).get(0));
    }
  }

  @Test
  void declinesWhatJacksonReadsLeniently() {
    byte[] overlong = {'"', (byte) 0xc0, (byte) 0x80, '"'};
    assertThat(LongStrings.decode(overlong, 0)).isNull();
    byte[] cesu = {'"', (byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed, (byte) 0xb8, (byte) 0x80, '"'};
    assertThat(LongStrings.decode(cesu, 0)).isNull();
    byte[] unterminated = {'"', 'a', 'b'};
    assertThat(LongStrings.decode(unterminated, 0)).isNull();
    byte[] control = {'"', 'a', 0x0a, '"'};
    assertThat(LongStrings.decode(control, 0)).isNull();
  }

  @Test
  void keepsLatin1Compact() {
    // Not observable through String's API, but the values must be equal either way.
    assertThat(LongStrings.decode("\"\u00e9\u00ff\\u00e9\"".getBytes(UTF_8), 0)).isEqualTo("\u00e9\u00ff\u00e9");
    assertThat(LongStrings.decode("\"\u00e9\u0100\"".getBytes(UTF_8), 0)).isEqualTo("\u00e9\u0100");
  }
}
