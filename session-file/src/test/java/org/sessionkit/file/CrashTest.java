package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.sessionkit.file.FileSessionStorageTest.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * Kills writers with SIGKILL ({@code destroyForcibly}) at random moments, many times, and
 * checks after each kill that every session loads whole: its messages numbered consecutively
 * and its checksum right (so it is one complete version, never a torn mix), its version never
 * older than after the previous kill, no problem entry in the listing, and the temporary files
 * the kill left removed when a store opens the directory.
 *
 * <p>Each kill hits a JVM that is writing: a child prints {@code writing} after its first
 * completed write and then writes without pause from three threads (saves, conditional saves,
 * updates and appends of sessions of random sizes up to a few hundred KB, half of the children
 * with fsync). To keep JVM start-up off the critical path, the next child is started (and warms
 * up on a scratch directory) while the current one writes; it touches the shared directory
 * only once told to, after the previous child is dead and checked. Children map a class-data
 * sharing archive made at the start ({@link Children#withSharedClasses}), which cuts the CPU
 * time of a start by about a third.
 *
 * <p>Scale: {@code ci} 200 kills; {@code full} ({@code -Dsessionkit.test.scale=full}) 1,000, which
 * fits surefire's 15-minute fork limit on a busy two-core machine (about 0.6 s of CPU a kill).
 * A SIGKILL keeps the page cache, so this proves atomicity; {@link WriteFailureTest} proves the
 * order of the forces that make writes durable.
 */
class CrashTest {

  private static final boolean FULL = "full".equals(System.getProperty("sessionkit.test.scale", "ci"));
  private static final int KILLS = FULL ? 1_000 : 200;
  private static final int WARM = 2;

  @TempDir Path dir;

  private static final List<String> IDS = List.of(
      "crash-0", "crash-1", "crash-2", "crash-3", "crash-4", "crash-5",
      "Crash-6", "user/7", "ü 8", "😀9", "long-" + "長".repeat(200), "crash-11");

  private record Child(Process process, BufferedReader out, Writer in) {}

  private Child start(Children children, Path stderr, long seed) throws IOException {
    List<String> args = new ArrayList<>(List.of("crash", Long.toString(seed), Boolean.toString(seed % 2 == 0)));
    args.addAll(IDS);
    Process p = children.start(stderr, args.toArray(String[]::new));
    return new Child(p,
        new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8)),
        new OutputStreamWriter(p.getOutputStream(), UTF_8));
  }

  private long temporaryFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
    }
  }

  @Test
  @Timeout(value = 14, unit = TimeUnit.MINUTES)
  void killedWritersNeverLeaveATornOrLostSession(@TempDir Path work) throws Exception {
    Children children = Children.withSharedClasses(work);
    Path stderr = work.resolve("children.log");
    Random random = new Random(20260301);
    Deque<Child> warm = new ArrayDeque<>();
    Map<String, Long> versions = new HashMap<>();
    long sessionsChecked = 0;
    long writesSeen = 0;
    long temporaryLeft = 0;
    long childCpuNanos = 0;
    long checkNanos = 0;
    long started = System.nanoTime();
    long seed = 0;
    try {
      for (int i = 0; i < WARM; i++) {
        warm.add(start(children, stderr, seed++));
      }
      for (int kill = 0; kill < KILLS; kill++) {
        Child child = warm.poll();
        warm.add(start(children, stderr, seed++));
        ChildMain.awaitLine(child.out(), "ready");
        child.in().write(dir + "\n");
        child.in().flush();
        ChildMain.awaitLine(child.out(), "writing");
        Thread.sleep(random.nextInt(10) == 0 ? 50 + random.nextInt(200) : random.nextInt(30));
        assertThat(child.process().isAlive()).as("child writing until killed; errors: %s",
            Files.readString(stderr)).isTrue();
        childCpuNanos += child.process().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        child.process().destroyForcibly();
        assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

        long checkStart = System.nanoTime();
        temporaryLeft += temporaryFiles();
        try (FileSessionStorage check = FileSessionStorage.builder(dir).fsync(false)
            .tempGracePeriod(Duration.ZERO).build()) {
          assertThat(temporaryFiles()).as("temporary files removed at open").isZero();
          assertThat(await(check.problems())).as("problems after kill %d", kill).isEmpty();
          List<SessionSummary> all = await(check.list());
          for (SessionSummary summary : all) {
            VersionedSession v = await(check.loadVersioned(summary.id()));
            long version = ChildMain.check(v.session());
            long before = versions.getOrDefault(summary.id(), 0L);
            assertThat(version).as("%s went back in time", summary.id()).isGreaterThanOrEqualTo(before);
            assertThat(summary.messageCount()).isEqualTo(v.session().messages().size());
            assertThat(summary.revision()).isEqualTo(v.revision());
            writesSeen += version - before;
            versions.put(summary.id(), version);
            sessionsChecked++;
          }
        }
        checkNanos += System.nanoTime() - checkStart;
        if ((kill + 1) % 100 == 0) {
          System.out.printf(Locale.ROOT, "[crash-test] %d kills, %.0f s, %d session loads checked%n",
              kill + 1, (System.nanoTime() - started) / 1e9, sessionsChecked);
        }
      }
    } finally {
      for (Child c : warm) {
        c.process().destroyForcibly();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(Locale.ROOT,
        "[crash-test] %d kills in %.1f s (children %s class sharing): %d session loads checked whole, "
            + "%d writes completed between kills, %d temporary files left by kills (all removed at the next "
            + "open), %d sessions at the end; a child used %.0f ms of CPU on average (start and writing), "
            + "a check took %.0f ms on average%n",
        KILLS, seconds, children.sharesClasses() ? "with" : "without", sessionsChecked, writesSeen,
        temporaryLeft, versions.size(), childCpuNanos / 1e6 / KILLS, checkNanos / 1e6 / KILLS);
    assertThat(writesSeen).isGreaterThanOrEqualTo(KILLS);
    assertThat(versions).hasSize(IDS.size());
  }
}
