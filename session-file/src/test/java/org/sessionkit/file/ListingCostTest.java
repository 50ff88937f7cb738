package org.sessionkit.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sessionkit.file.FileSessionStorageTest.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;

/**
 * What a listing costs: the bytes it reads through the file-system seam, and its time cold (a
 * new instance, nothing cached) and warm (the same instance again). Sizes from {@code
 * sessionkit.test.scale}: {@code ci} (default) or {@code full} (1,000 sessions of 1 MB; 10,000
 * small sessions for the page timing). Run the full size with
 * {@code ./mvnw -B -q -o -pl session-file -am verify -Dtest=ListingCostTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsessionkit.test.scale=full}.
 */
class ListingCostTest {

  private static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale", "ci"));

  @TempDir Path dir;

  /** Sets every document's modification time a minute back, as if written a while ago. */
  private void age() throws IOException {
    FileTime past = FileTime.from(Instant.now().minusSeconds(60));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".json")).collect(Collectors.toList())) {
        Files.setLastModifiedTime(p, past);
      }
    }
  }

  private long totalBytes() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long sum = 0;
      for (Path p : files.filter(p -> p.toString().endsWith(".json")).collect(Collectors.toList())) {
        sum += Files.size(p);
      }
      return sum;
    }
  }

  private static Session large(String id, int bytes) {
    Session s = Session.create(id, "/work");
    String chunk = "x".repeat(8 * 1024);
    for (int i = 0; i * chunk.length() < bytes; i++) {
      s = s.withMessage(i % 2 == 0 ? Message.user(chunk) : Message.assistant(chunk));
    }
    return s;
  }

  @Test
  void listingLargeSessionsReadsOnlyTheirHeads() throws IOException {
    int sessions = FULL ? 1_000 : 100;
    TestOps ops = new TestOps();
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).fileSystemOps(ops).build()) {
      Session template = large("t", 1 << 20);
      List<CompletableFuture<?>> writes = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        writes.add(store.save(template.withId(String.format("big-%04d", i))));
        if (writes.size() == 8) {
          writes.forEach(FileSessionStorageTest::await);
          writes.clear();
        }
      }
      writes.forEach(FileSessionStorageTest::await);
      age();
    }
    long total = totalBytes();
    try (FileSessionStorage cold = FileSessionStorage.builder(dir).fsync(false).fileSystemOps(ops).build()) {
      ops.resetCounts();
      long t0 = System.nanoTime();
      SessionPage page = await(cold.list(ListQuery.firstPage().limit(20)));
      long coldNanos = System.nanoTime() - t0;
      assertThat(page.summaries()).hasSize(20);
      assertThat(page.summaries().get(0).messageCount()).isEqualTo(128);
      long coldBytes = ops.bytesRead();
      assertThat(ops.filesOpened()).isEqualTo(sessions);

      ops.resetCounts();
      t0 = System.nanoTime();
      await(cold.list(ListQuery.firstPage().limit(20)));
      long warmNanos = System.nanoTime() - t0;
      assertThat(ops.bytesRead()).isZero();

      System.out.printf(Locale.ROOT,
          "[listing-cost] %d sessions of %.1f MB (%.0f MB in all): cold first page read %d bytes (%.4f%% of the bytes, %.0f per file) in %.1f ms; warm read 0 bytes in %.1f ms%n",
          sessions, total / (double) sessions / (1 << 20), total / (double) (1 << 20), coldBytes,
          100.0 * coldBytes / total, coldBytes / (double) sessions, coldNanos / 1e6, warmNanos / 1e6);
      // A head is a few hundred bytes; the reader's buffer makes it at most one buffer a file.
      assertThat(coldBytes).isLessThan(total / 50);
    }
  }

  @Test
  void aPageOverManySessionsIsCheapWhenWarm() throws IOException {
    int sessions = FULL ? 10_000 : 2_000;
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).threads(2).build()) {
      List<CompletableFuture<?>> writes = new ArrayList<>();
      Instant base = Instant.parse("2026-01-01T00:00:00Z");
      for (int i = 0; i < sessions; i++) {
        String id = String.format("user-%02d/session-%05d", i % 50, i);
        Session s = Session.create(id, "/w").withUpdatedAt(base.plusSeconds(i))
            .withMessage(Message.user("hello " + i)).withState(st -> st.withCustom("i", JsonValue.of(7)));
        writes.add(store.save(s));
        if (writes.size() == 64) {
          writes.forEach(FileSessionStorageTest::await);
          writes.clear();
        }
      }
      writes.forEach(FileSessionStorageTest::await);
      age();
    }
    TestOps ops = new TestOps();
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).fileSystemOps(ops).build()) {
      long t0 = System.nanoTime();
      SessionPage cold = await(store.list(ListQuery.firstPage().limit(20)));
      long coldNanos = System.nanoTime() - t0;
      long coldBytes = ops.bytesRead();
      ops.resetCounts();
      long warmBest = Long.MAX_VALUE;
      for (int i = 0; i < 30; i++) {
        t0 = System.nanoTime();
        SessionPage warm = await(store.list(ListQuery.firstPage().limit(20)));
        warmBest = Math.min(warmBest, System.nanoTime() - t0);
        assertThat(warm).isEqualTo(cold);
      }
      assertThat(ops.filesOpened()).isZero();
      long prefixBest = Long.MAX_VALUE;
      for (int i = 0; i < 30; i++) {
        t0 = System.nanoTime();
        SessionPage prefixed = await(store.list(ListQuery.firstPage().limit(20).idPrefix("user-07/")));
        prefixBest = Math.min(prefixBest, System.nanoTime() - t0);
        assertThat(prefixed.summaries()).hasSize(20).allMatch(s -> s.id().startsWith("user-07/"));
      }
      assertThat(cold.summaries()).hasSize(20);
      assertThat(cold.summaries().get(0).id()).isEqualTo(String.format("user-%02d/session-%05d", (sessions - 1) % 50, sessions - 1));
      // Cold again, in a new instance (nothing cached) now that the JVM has compiled the code:
      // what an application pays for the first listing after it opens a store.
      long coldWarmJvmBest = Long.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        try (FileSessionStorage fresh = FileSessionStorage.builder(dir).fsync(false).build()) {
          t0 = System.nanoTime();
          assertThat(await(fresh.list(ListQuery.firstPage().limit(20)))).isEqualTo(cold);
          coldWarmJvmBest = Math.min(coldWarmJvmBest, System.nanoTime() - t0);
        }
      }
      // The raw cost of the metadata a warm listing needs: read the directory, stat every file.
      long rawBest = Long.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        t0 = System.nanoTime();
        long sum = 0;
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
          for (Path p : entries) {
            sum += Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).size();
          }
        }
        rawBest = Math.min(rawBest, System.nanoTime() - t0);
        assertThat(sum).isPositive();
      }
      System.out.printf(Locale.ROOT,
          "[listing-cost] first page (20) of %d sessions: cold %.1f ms in a new instance (%.1f ms as the JVM's "
              + "first listing; %d bytes read, %.0f per file), warm %.1f ms (no file opened; a raw readdir + stat "
              + "of every file takes %.1f ms), warm with a prefix matching 1/50 %.1f ms%n",
          sessions, coldWarmJvmBest / 1e6, coldNanos / 1e6, coldBytes, coldBytes / (double) sessions,
          warmBest / 1e6, rawBest / 1e6, prefixBest / 1e6);
    }
  }
}
