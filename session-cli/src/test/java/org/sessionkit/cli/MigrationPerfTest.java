package org.sessionkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.ListQuery;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.file.FileSessionStorage;

/**
 * Measures {@code sessionkit migrate} from a file store into PostgreSQL against the PostgreSQL
 * store's own bulk save rate for the same sessions at the same concurrency. Not part of the
 * normal build; run it with
 *
 * <pre>
 * ./mvnw -B -o -q -pl session-cli -am verify -Dtest=MigrationPerfTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsessionkit.cli.perf=true [-Dsessionkit.cli.perf.sessions=100000]
 * </pre>
 *
 * It prints one line per measurement; the numbers go to the README.
 */
@EnabledIfSystemProperty(named = "sessionkit.cli.perf", matches = "true")
class MigrationPerfTest {

  private static final int CONCURRENCY = 64;

  @TempDir Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void migratingFromFilesToPostgresApproachesPostgresBulkSaveRate() throws Exception {
    int n = Integer.getInteger("sessionkit.cli.perf.sessions", 100_000);
    List<Session> sessions = Samples.smalls("perf/s-", n);
    Path files = dir.resolve("sessions");
    long t0 = System.nanoTime();
    try (FileSessionStorage store = FileSessionStorage.builder(files).fsync(false).build()) {
      bulk(sessions, store::save);
    }
    report("setup: wrote %,d small sessions (2 messages each) to a file store in %.1f s", n, secondsSince(t0));
    // A migration moves a store at rest: let the directory settle so that listing pages are
    // served from one scan (the file store trusts a scan only of a directory quiet for 3 s).
    Thread.sleep(3500);

    try (Servers servers = new Servers(); Cli cli = new Cli()) {
      String saveTarget = servers.postgres();
      String createTarget = servers.postgres();
      String migrateTarget = servers.postgres();
      String options = saveTarget.substring(saveTarget.indexOf('?'));
      report("PostgreSQL store options: %s", options.replaceAll("schema=[^&]*&?", ""));

      double save;
      try (SessionStorage pg = SessionStorages.open(saveTarget)) {
        long s = System.nanoTime();
        bulk(sessions, pg::save);
        save = n / secondsSince(s);
        assertThat(count(pg)).isEqualTo(n);
      }
      report("baseline: PostgresSessionStorage.save of the same sessions, %d in flight: %,.0f sessions/s", CONCURRENCY, save);

      double create;
      try (SessionStorage pg = SessionStorages.open(createTarget)) {
        long s = System.nanoTime();
        bulk(sessions, pg::create);
        create = n / secondsSince(s);
      }
      report("baseline: PostgresSessionStorage.create (what migrate uses for new sessions), %d in flight: %,.0f sessions/s",
          CONCURRENCY, create);

      long s = System.nanoTime();
      Cli.Result r = cli.run("migrate", "file:" + files, migrateTarget, "--concurrency", String.valueOf(CONCURRENCY),
          "--progress-interval", "10s");
      double migrate = n / secondsSince(s);
      assertThat(r.code()).as(r.toString()).isZero();
      assertThat(r.out()).contains(String.format(Locale.ROOT, "copied %,d · skipped 0 · failed 0", n));
      report("sessionkit migrate file: -> postgresql: (%d in flight): %,.0f sessions/s = %.0f %% of save, %.0f %% of create",
          CONCURRENCY, migrate, 100 * migrate / save, 100 * migrate / create);
      report("  its output: %s", r.out().strip().replace(System.lineSeparator(), " | "));

      long again = System.nanoTime();
      Cli.Result rerun = cli.run("migrate", "file:" + files, migrateTarget, "--progress", "none");
      assertThat(rerun.out()).contains(String.format(Locale.ROOT, "copied 0 · skipped %,d (identical)", n));
      report("rerun (everything identical, nothing written): %,.0f sessions/s", n / secondsSince(again));

      long read = System.nanoTime();
      Cli.Result toMemory = cli.run("migrate", "file:" + files, "mem:sink", "--progress", "none");
      assertThat(toMemory.code()).isZero();
      report("for scale: the source alone, sessionkit migrate file: -> memory: %,.0f sessions/s", n / secondsSince(read));
    }
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  private static void report(String format, Object... args) {
    System.out.println("[perf] " + String.format(Locale.ROOT, format, args));
  }

  /** Writes every session with {@value #CONCURRENCY} writes in flight, as the command does. */
  private static void bulk(List<Session> sessions, Function<Session, CompletableFuture<Revision>> write)
      throws InterruptedException {
    Semaphore permits = new Semaphore(CONCURRENCY);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (Session s : sessions) {
      permits.acquire();
      write.apply(s).whenComplete((r, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
        permits.release();
      });
    }
    permits.acquire(CONCURRENCY);
    assertThat(failure.get()).isNull();
  }

  private static long count(SessionStorage store) {
    try (var all = store.stream(ListQuery.firstPage().limit(ListQuery.MAX_LIMIT))) {
      return all.count();
    }
  }
}
