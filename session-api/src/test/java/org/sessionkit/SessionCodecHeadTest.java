package org.sessionkit;

import org.sessionkit.spi.DocumentHead;
import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.spi.SessionCodec;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionCodecHeadTest {

  static final SessionCodec CODEC = SessionCodec.defaults();
  static final Instant C = Instant.parse("2026-02-24T15:04:05.123456789Z");
  static final Instant U = Instant.parse("2026-02-24T15:06:41.5Z");

  static Session sessionWith(int messages, int textLength) {
    List<Message> list = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      list.add(i % 2 == 0 ? Message.user("q".repeat(textLength)) : Message.assistant("a".repeat(textLength)));
    }
    return new Session("s-1", list, SessionState.initial("/w"), C, U);
  }

  static byte[] withMetadata(Session s, String revision) {
    return CODEC.encode(s, DocumentMetadata.of(Revision.of(revision), s.messages().size()));
  }

  /** Counts the bytes read through it. */
  static final class CountingInputStream extends FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      count += skipped;
      return skipped;
    }
  }

  @Test
  void headOfASessionkitDocumentComesFromItsMetadata() throws IOException {
    Session s = sessionWith(3, 10);
    byte[] doc = withMetadata(s, "rev-1");
    DocumentHead expected =
        new DocumentHead("s-1", C, U, 3, Optional.of(new DocumentMetadata(1, Revision.of("rev-1"), 3)));
    assertThat(CODEC.readHead(doc, "h")).isEqualTo(expected);
    assertThat(CODEC.readHead(new ByteArrayInputStream(doc), "h")).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"role\":\"Us", "!!! not JSON at all", "{\"role\":\"Nobody\",\"content\":7}]}", ""})
  void headOfASessionkitDocumentIsReadWithoutParsingTheMessages(String garbage) throws IOException {
    byte[] doc = withMetadata(sessionWith(2, 10), "r");
    String text = new String(doc, UTF_8);
    String truncated = text.substring(0, text.indexOf("\"messages\":[") + "\"messages\":[".length()) + garbage;
    byte[] bad = truncated.getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.decode(bad, "t")).isInstanceOf(CorruptDocumentException.class);
    DocumentHead head = CODEC.readHead(bad, "t");
    assertThat(head.id()).isEqualTo("s-1");
    assertThat(head.createdAt()).isEqualTo(C);
    assertThat(head.updatedAt()).isEqualTo(U);
    assertThat(head.messageCount()).isEqualTo(2);
    assertThat(CODEC.readHead(new ByteArrayInputStream(bad), "t")).isEqualTo(head);
  }

  @Test
  void headStopsBeforeTheStateToo() {
    byte[] doc = withMetadata(sessionWith(1, 10), "r");
    String text = new String(doc, UTF_8);
    byte[] bad = (text.substring(0, text.indexOf("\"state\":{") + "\"state\":{".length()) + "\"cwd\":12,,,").getBytes(UTF_8);
    assertThat(CODEC.readHead(bad, "t").id()).isEqualTo("s-1");
  }

  @Test
  void headOfAOneMegabyteDocumentReadsAtMost16Kilobytes() throws IOException {
    Session s = sessionWith(1000, 1000);
    byte[] doc = withMetadata(s, "r");
    assertThat(doc.length).isGreaterThan(1_000_000);
    CountingInputStream in = new CountingInputStream(new ByteArrayInputStream(doc));
    DocumentHead head = CODEC.readHead(in, "big");
    assertThat(head.messageCount()).isEqualTo(1000);
    assertThat(head.id()).isEqualTo("s-1");
    assertThat(in.count).isLessThanOrEqualTo(16 * 1024);
  }

  @Test
  void headOfANeuronDocumentIsFoundByStreamingThroughIt() throws IOException {
    byte[] fixture = SessionCodecRoundTripTest.fixture();
    DocumentHead expected =
        new DocumentHead(
            "sess-7f3a9c",
            Instant.parse("2026-02-24T15:04:05.123456789Z"),
            Instant.parse("2026-02-24T15:06:41.987654321Z"),
            6,
            Optional.empty());
    assertThat(CODEC.readHead(fixture, "f")).isEqualTo(expected);
    assertThat(CODEC.readHead(new ByteArrayInputStream(fixture), "f")).isEqualTo(expected);
    Session s = sessionWith(7, 5);
    assertThat(CODEC.readHead(CODEC.encode(s), "p").messageCount()).isEqualTo(7);
    assertThat(CODEC.readHead(CODEC.encodePretty(s), "p").messageCount()).isEqualTo(7);
  }

  @Test
  void headPicksUpFieldsWhereverTheyAre() {
    String doc =
        "{\"updated_at\":\"2026-02-24T15:06:41.5+01:00\",\"extra\":{\"a\":[1,2]},\"messages\":[{\"role\":\"User\",\"content\":[]},"
            + "{\"role\":\"User\",\"content\":[{\"Text\":\"[]{}\"}]}],\"state\":{\"x\":[{}]},\"id\":\"late\","
            + "\"created_at\":\"2026-02-24T15:04:05.123456789Z\"}";
    DocumentHead head = CODEC.readHead(doc.getBytes(UTF_8), "x");
    assertThat(head)
        .isEqualTo(new DocumentHead("late", C, Instant.parse("2026-02-24T14:06:41.5Z"), 2, Optional.empty()));
  }

  @Test
  void headOfADocumentWithMetadataInAnOddOrderStillWorks() {
    String doc =
        "{\"sessionkit\":{\"format\":1,\"revision\":\"r\",\"message_count\":42},\"messages\":[],"
            + "\"id\":\"s\",\"state\":{},\"created_at\":\"2026-02-24T15:04:05.123456789Z\","
            + "\"updated_at\":\"2026-02-24T15:06:41.5Z\"}";
    DocumentHead head = CODEC.readHead(doc.getBytes(UTF_8), "x");
    assertThat(head.messageCount()).isEqualTo(42);
    assertThat(head.metadata()).contains(new DocumentMetadata(1, Revision.of("r"), 42));
    assertThat(head.updatedAt()).isEqualTo(U);
  }

  @Test
  void headCountComesFromTheMetadataWithoutCountingMessages() {
    String doc =
        "{\"sessionkit\":{\"format\":1,\"revision\":\"r\",\"message_count\":42},\"id\":\"s\","
            + "\"created_at\":\"2026-02-24T15:04:05Z\",\"updated_at\":\"2026-02-24T15:04:05Z\",\"state\":{},\"messages\":[]}";
    assertThat(CODEC.readHead(doc.getBytes(UTF_8), "x").messageCount()).isEqualTo(42);
  }

  @Test
  void headRejectsMissingOrMalformedFieldsAsCorrupt() {
    String ok =
        "{\"id\":\"s\",\"messages\":[],\"state\":{},\"created_at\":\"2026-02-24T15:04:05Z\",\"updated_at\":\"2026-02-24T15:04:05Z\"}";
    assertThat(CODEC.readHead(ok.getBytes(UTF_8), "x").messageCount()).isZero();
    assertHeadCorrupt(ok.replace("\"id\":\"s\",", ""), "missing required field \"id\"");
    assertHeadCorrupt(ok.replace("\"id\":\"s\"", "\"id\":5"), "expected a string");
    assertHeadCorrupt(ok.replace("\"id\":\"s\"", "\"id\":\"\\ud800\""), "lone surrogate");
    assertHeadCorrupt(ok.replace(",\"created_at\":\"2026-02-24T15:04:05Z\"", ""), "missing required field \"created_at\"");
    assertHeadCorrupt(ok.replace(",\"updated_at\":\"2026-02-24T15:04:05Z\"", ""), "missing required field \"updated_at\"");
    assertHeadCorrupt(ok.replace("\"created_at\":\"2026-02-24T15:04:05Z\"", "\"created_at\":\"2026-02-24T15:04:05\""), "no UTC offset");
    assertHeadCorrupt(ok.replace("\"messages\":[],", ""), "missing required field \"messages\"");
    assertHeadCorrupt(ok.replace("\"messages\":[]", "\"messages\":{}"), "expected an array");
    assertHeadCorrupt(ok.replace("\"messages\":[]", "\"messages\":[1]"), "expected an object (a message)");
    assertHeadCorrupt(ok.replace("\"state\":{},", ""), "missing required field \"state\"");
    assertHeadCorrupt(ok + "x", "Unrecognized token");
    assertHeadCorrupt(ok.replace("\"id\":\"s\"", "\"id\":\"s\",\"id\":\"t\""), "Duplicate field 'id'");
    assertHeadCorrupt(ok.substring(0, 40), "truncated document");
    assertHeadCorrupt("[]", "must be a JSON object");
    assertHeadCorrupt("\ufeff" + ok, "byte-order mark");
    assertHeadCorrupt("{\"sessionkit\":{\"format\":2}," + ok.substring(1), "format 2 is newer than this version of sessionkit knows");
    assertHeadCorrupt(
        "{\"sessionkit\":{\"format\":1,\"revision\":\"r\",\"message_count\":1},\"id\":\"s\",\"created_at\":\"x\"",
        "invalid RFC 3339 timestamp \"x\"");
  }

  static void assertHeadCorrupt(String doc, String expected) {
    byte[] bytes = doc.getBytes(UTF_8);
    assertThatThrownBy(() -> CODEC.readHead(bytes, "heads/x.json"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageStartingWith("corrupt session document \"heads/x.json\": ")
        .hasMessageContaining(expected);
    assertThatThrownBy(() -> CODEC.readHead(new ByteArrayInputStream(bytes), "heads/x.json"))
        .isExactlyInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void streamFailuresArriveAsIoExceptions() {
    InputStream failing =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("disk on fire");
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            throw new IOException("disk on fire");
          }
        };
    assertThatThrownBy(() -> CODEC.readHead(failing, "x")).isExactlyInstanceOf(IOException.class).hasMessage("disk on fire");
    assertThatThrownBy(() -> CODEC.decodeDocument(failing, "x")).isExactlyInstanceOf(IOException.class).hasMessage("disk on fire");
    byte[] doc = SessionCodecRoundTripTest.fixture();
    InputStream failsLater =
        new FilterInputStream(new ByteArrayInputStream(doc)) {
          int served;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (served > 100) {
              throw new IOException("cable cut");
            }
            int n = super.read(b, off, Math.min(len, 50));
            served += Math.max(n, 0);
            return n;
          }
        };
    assertThatThrownBy(() -> CODEC.decodeDocument(failsLater, "x")).isExactlyInstanceOf(IOException.class).hasMessage("cable cut");
  }

  @Test
  void streamsAreNotClosed() throws IOException {
    boolean[] closed = {false};
    InputStream in =
        new ByteArrayInputStream(SessionCodecRoundTripTest.fixture()) {
          @Override
          public void close() {
            closed[0] = true;
          }
        };
    CODEC.readHead(in, "x");
    assertThat(closed[0]).isFalse();
  }
}
