package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.SessionStorage;
import org.sessionkit.tck.Capability;
import org.sessionkit.tck.SessionStorageCompatibilityKit;

/**
 * The whole conformance kit against the file store: persistent, shared by several instances at
 * once (as processes sharing a directory would be), corruptible (a file overwritten with bytes
 * that are not JSON, or a message's role broken behind an intact head), with retention. Durability is relaxed ({@code fsync=false}) to keep the kit fast;
 * {@link WriteFailureTest} proves the forces of durable writes.
 */
class FileSessionStorageTckTest extends SessionStorageCompatibilityKit {

  @TempDir static Path root;

  private static final AtomicInteger STORES = new AtomicInteger();

  @Override
  protected SessionStorage newStorage() {
    return FileSessionStorage.builder(root.resolve("store-" + STORES.incrementAndGet())).fsync(false).build();
  }

  @Override
  protected SessionStorage reopen(SessionStorage previous) {
    return FileSessionStorage.builder(((FileSessionStorage) previous).directory()).fsync(false).build();
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  protected void corrupt(SessionStorage store, String id) throws IOException {
    Files.write(((FileSessionStorage) store).fileOf(id), "{\"id\": not json".getBytes(UTF_8));
  }

  /**
   * Breaks the last message of the document (its role becomes one that does not exist) and
   * leaves the head, which comes before the messages, as it was.
   */
  @Override
  protected boolean corruptBody(SessionStorage store, String id) throws IOException {
    Path file = ((FileSessionStorage) store).fileOf(id);
    String doc = Files.readString(file, UTF_8);
    int last = doc.lastIndexOf("{\"role\":\"");
    if (last < 0 || last < doc.indexOf("\"messages\"")) {
      return false; // no message to break
    }
    int start = last + "{\"role\":\"".length();
    int end = doc.indexOf('"', start);
    Files.writeString(file, doc.substring(0, start) + "Nobody" + doc.substring(end), UTF_8);
    return true;
  }

  @Override
  protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
    return Optional.of(FileSessionStorage.builder(root.resolve("store-" + STORES.incrementAndGet()))
        .fsync(false).retention(retention).clock(clock).build());
  }
}
