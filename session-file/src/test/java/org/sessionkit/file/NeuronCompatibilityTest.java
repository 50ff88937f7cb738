package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.sessionkit.file.FileSessionStorageTest.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionSummary;
import org.sessionkit.spi.StoredDocument;
import org.sessionkit.VersionedSession;

/** A directory neuron 0.3 wrote is readable as is, and what we write is a neuron document. */
class NeuronCompatibilityTest {

  @TempDir Path dir;

  private FileSessionStorage store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  static byte[] fixture() throws IOException {
    try (InputStream in = NeuronCompatibilityTest.class.getResourceAsStream("/neuron/example-session.json")) {
      return in.readAllBytes();
    }
  }

  @Test
  void theNeuronFixtureDirectoryListsAndLoads() throws IOException {
    byte[] neuron = fixture();
    assertThat(neuron[neuron.length - 1]).isEqualTo((byte) '}'); // pretty, no final newline
    Files.write(dir.resolve("sess-7f3a9c.json"), neuron);
    store = FileSessionStorage.builder(dir).fsync(false).build();

    List<SessionSummary> all = await(store.list());
    assertThat(all).hasSize(1);
    SessionSummary summary = all.get(0);
    assertThat(summary.id()).isEqualTo("sess-7f3a9c");
    assertThat(summary.messageCount()).isEqualTo(6);
    assertThat(summary.createdAt()).isEqualTo(Instant.parse("2026-02-24T15:04:05.123456789Z"));
    assertThat(summary.updatedAt()).isEqualTo(Instant.parse("2026-02-24T15:06:41.987654321Z"));
    assertThat(await(store.problems())).isEmpty();

    VersionedSession loaded = await(store.loadVersioned("sess-7f3a9c"));
    assertThat(loaded.session().state().cwd()).isEqualTo("/home/alice/projects/demo");
    assertThat(loaded.session().messages()).hasSize(6);
    // A document without our head has a revision derived from its bytes: the same in the
    // listing and the load, and usable for a conditional write.
    assertThat(loaded.revision()).isEqualTo(summary.revision());
    assertThat(loaded.revision().value()).startsWith("d");
    Revision next = await(store.saveIf(loaded.session().withMessage(Message.user("again")), loaded.revision()));
    assertThat(await(store.loadVersioned("sess-7f3a9c")).revision()).isEqualTo(next);
    // The fixture's own bytes are not changed by reading it.
    assertThat(neuron).isEqualTo(fixture());
  }

  @Test
  void aRewriteByNeuronChangesTheRevision() throws IOException {
    Files.write(dir.resolve("sess-7f3a9c.json"), fixture());
    store = FileSessionStorage.builder(dir).fsync(false).build();
    Revision before = await(store.loadVersioned("sess-7f3a9c")).revision();
    // neuron rewrites the file in place with one more message (and drops our head if any).
    Session changed = await(store.load("sess-7f3a9c")).withMessage(Message.user("from neuron"));
    Files.write(dir.resolve("sess-7f3a9c.json"), SessionCodec.defaults().encodePretty(changed));
    Revision after = await(store.loadVersioned("sess-7f3a9c")).revision();
    assertThat(after).isNotEqualTo(before);
    assertThat(await(store.list()).get(0).revision()).isEqualTo(after);
    assertThat(await(store.list()).get(0).messageCount()).isEqualTo(7);
  }

  @Test
  void whatWeWriteIsAPlainNeuronDocumentWithOneExtraLeadingField() throws IOException {
    store = FileSessionStorage.builder(dir).fsync(false).build();
    Session s = neuronSession();
    await(store.save(s));
    byte[] written = Files.readAllBytes(dir.resolve("sess-7f3a9c.json"));
    String text = new String(written, UTF_8);
    assertThat(text).startsWith("{\"sessionkit\":{");
    assertThat(text.indexOf("\"messages\"")).isGreaterThan(text.indexOf("\"updated_at\""));
    // Read as neuron would: the unknown field is ignored, the session is the same.
    StoredDocument doc = SessionCodec.defaults().decodeDocument(written, "written");
    assertThat(doc.session()).isEqualTo(s);
    assertThat(doc.metadata()).isPresent();
    // Stripping our head (as neuron does when it rewrites) leaves an equal plain document.
    String plain = "{" + text.substring(text.indexOf("\"id\""));
    assertThat(SessionCodec.defaults().decode(plain.getBytes(UTF_8), "plain")).isEqualTo(s);
  }

  private Session neuronSession() throws IOException {
    return SessionCodec.defaults().decode(fixture(), "fixture");
  }
}
