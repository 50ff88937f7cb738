package org.sessionkit.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionState;
import org.sessionkit.VersionedSession;

/**
 * The program that the multi-process tests run in child JVMs (with the test class path).
 *
 * <ul>
 *   <li>{@code increment DIR ID N}: N times, increments the custom {@code counter} of session
 *       ID and adds a message {@code PID:i}, alternating {@code update} and {@code append}; then
 *       tries {@code create} of {@code race-0..race-49} and prints {@code won k} for each it won.
 *   <li>{@code keyed DIR ID N COORD NAME}: appends the turns {@code turn 0..N-1} with keys
 *       {@code turn-i}, in lock step with the other process through files in COORD, printing
 *       {@code rev i REVISION}.
 *   <li>{@code crash SEED FSYNC ID...}: prints {@code ready} (after a warm-up on a scratch
 *       directory if the system property {@code sessionkit.child.warmup} is true), waits for a
 *       line naming the directory, then writes self-checking sessions ({@link #check}) there
 *       forever from three threads; prints {@code writing} after the first completed write.
 *       The parent kills it.
 * </ul>
 */
public final class ChildMain {

  private ChildMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, UTF_8);
    switch (args[0]) {
      case "increment":
        increment(Path.of(args[1]), args[2], Integer.parseInt(args[3]), out);
        break;
      case "keyed":
        keyed(Path.of(args[1]), args[2], Integer.parseInt(args[3]), Path.of(args[4]), args[5], out);
        break;
      case "crash":
        crash(Long.parseLong(args[1]), Boolean.parseBoolean(args[2]), List.of(args).subList(3, args.length), out);
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
  }

  /**
   * Appends turns {@code turn 0..n-1} to {@code id} with the keys {@code turn-i}, in lock step
   * with the other process: each records in {@code coord/<me>} how many turns it completed and
   * starts turn i only once both completed turn i-1, so that both call with each key at about
   * the same time (and neither lags more than the remembered keys behind). Prints {@code rev i
   * REVISION} for each.
   */
  private static void keyed(Path dir, String id, int n, Path coord, String me, PrintStream out) throws Exception {
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
      for (int i = 0; i < n; i++) {
        progress(coord, me, i);
        awaitBoth(coord, i);
        Append turn = Append.of(List.of(Message.user("turn " + i)), SessionState.initial("/w"), Instant.EPOCH)
            .withIdempotencyKey(org.sessionkit.IdempotencyKey.of("turn-" + i));
        out.println("rev " + i + " " + Futures.await(store.append(id, turn), 60, SECONDS).value());
      }
      progress(coord, me, n);
    }
  }

  private static void progress(Path coord, String me, int done) throws IOException {
    Path temp = coord.resolve(me + ".tmp");
    Files.writeString(temp, Integer.toString(done));
    Files.move(temp, coord.resolve(me), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void awaitBoth(Path coord, int done) throws Exception {
    long deadline = System.nanoTime() + SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      int ready = 0;
      try (var files = Files.list(coord)) {
        for (Path p : files.filter(p -> !p.toString().endsWith(".tmp")).toList()) {
          try {
            if (Integer.parseInt(Files.readString(p).trim()) >= done) {
              ready++;
            }
          } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
            // Being replaced: look again.
          }
        }
      }
      if (ready >= 2) {
        return;
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("the other process did not keep up");
  }

  private static void increment(Path dir, String id, int n, PrintStream out) {
    String me = Long.toString(ProcessHandle.current().pid());
    try (FileSessionStorage store = FileSessionStorage.builder(dir).fsync(false).build()) {
      for (int i = 0; i < n; i++) {
        String label = me + ":" + i;
        if (i % 2 == 0) {
          Futures.await(store.update(id, s -> withCounter(s.withMessage(Message.user(label)), counter(s) + 1)), 60, SECONDS);
        } else {
          // append needs the state it installs: read, then append only if nothing changed.
          while (true) {
            VersionedSession v = Futures.await(store.loadVersioned(id), 60, SECONDS);
            Session next = withCounter(v.session(), counter(v.session()) + 1);
            try {
              Futures.await(store.append(id, Append.of(List.of(Message.user(label)), next.state(), next.updatedAt())
                  .ifRevision(v.revision())), 60, SECONDS);
              break;
            } catch (RevisionConflictException e) {
              // The other process got there first: read again.
            }
          }
        }
      }
      for (int k = 0; k < 50; k++) {
        try {
          Futures.await(store.create(Session.create("race-" + k, me)), 60, SECONDS);
          out.println("won " + k);
        } catch (RevisionConflictException e) {
          // The other process created it.
        }
      }
    }
    out.println("done");
  }

  static long counter(Session s) {
    JsonValue v = s.state().custom().getOrDefault("counter", JsonValue.of(0));
    return ((JsonValue.JsonInteger) v).longValueExact();
  }

  private static Session withCounter(Session s, long counter) {
    return s.withState(st -> st.withCustom("counter", JsonValue.of(counter)));
  }

  // ------------------------------------------------------------------------------ crash

  private static void crash(long seed, boolean fsync, List<String> ids, PrintStream out) throws Exception {
    if (Boolean.getBoolean("sessionkit.child.warmup")) {
      warmUp(seed);
    }
    out.println("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, UTF_8));
    String line = in.readLine();
    if (line == null) {
      return; // no directory (the run that records the class archive), or the parent is gone
    }
    writeForever(Path.of(line), seed, fsync, ids, out);
  }

  /**
   * Runs the write path on a scratch directory: the run that records the class-sharing archive
   * does it, so that the archive holds every class a writer needs.
   */
  private static void warmUp(long seed) throws IOException {
    Path scratch = Files.createTempDirectory("sk-warmup");
    try (FileSessionStorage warm = FileSessionStorage.builder(scratch).fsync(false).build()) {
      Random r = new Random(seed);
      for (int i = 0; i < 6; i++) {
        write(warm, "w", r);
      }
      Futures.await(warm.list(), 30, SECONDS);
    } finally {
      try (java.util.stream.Stream<Path> files = Files.list(scratch)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.delete(f);
        }
      }
      Files.delete(scratch);
    }
  }

  private static void writeForever(Path dir, long seed, boolean fsync, List<String> ids, PrintStream out)
      throws InterruptedException {
    FileSessionStorage store = FileSessionStorage.builder(dir).fsync(fsync).build();
    int threads = 3;
    List<Thread> writers = new ArrayList<>();
    Object firstWrite = new Object();
    boolean[] announced = {false};
    for (int t = 0; t < threads; t++) {
      int tt = t;
      Thread w = new Thread(() -> {
        Random r = new Random(seed * 31 + tt);
        List<String> mine = new ArrayList<>();
        for (int i = tt; i < ids.size(); i += threads) {
          mine.add(ids.get(i));
        }
        while (true) {
          write(store, mine.get(r.nextInt(mine.size())), r);
          synchronized (firstWrite) {
            if (!announced[0]) {
              announced[0] = true;
              out.println("writing");
            }
          }
        }
      });
      w.setDaemon(true);
      w.start();
      writers.add(w);
    }
    for (Thread w : writers) {
      w.join();
    }
  }

  /** One random write of a self-checking session: a new version by save, update or append. */
  private static void write(FileSessionStorage store, String id, Random r) {
    VersionedSession current;
    try {
      current = Futures.await(store.loadVersioned(id), 60, SECONDS);
    } catch (SessionNotFoundException e) {
      Futures.await(store.save(fresh(id, 1, r)), 60, SECONDS);
      return;
    }
    long version = version(current.session()) + 1;
    switch (r.nextInt(3)) {
      case 0:
        Futures.await(store.saveIf(fresh(id, version, r), current.revision()), 60, SECONDS);
        break;
      case 1:
        Futures.await(store.update(id, s -> seal(s.withMessages(messages(r, version, s.messages().size(), 1 + r.nextInt(3))), version)), 60, SECONDS);
        break;
      default:
        Session s = current.session();
        List<Message> added = messages(r, version, s.messages().size(), 1 + r.nextInt(3));
        Session sealed = seal(s.withMessages(added), version);
        Futures.await(store.append(id, Append.of(added, sealed.state(), sealed.updatedAt()).ifRevision(current.revision())), 60, SECONDS);
        break;
    }
  }

  private static Session fresh(String id, long version, Random r) {
    Session s = Session.create(id, "/crash");
    return seal(s.withMessages(messages(r, version, 0, 1 + r.nextInt(30))), version);
  }

  private static List<Message> messages(Random r, long version, int from, int count) {
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int size = r.nextInt(10) == 0 ? r.nextInt(64 * 1024) : r.nextInt(2048);
      StringBuilder b = new StringBuilder("m" + (from + i) + "/v" + version + ":");
      for (int j = 0; j < size; j++) {
        b.append((char) ('a' + r.nextInt(26)));
      }
      out.add(Message.user(b.toString()));
    }
    return out;
  }

  /** Stamps a version, the message count and a checksum of all message texts into custom. */
  private static Session seal(Session s, long version) {
    return s.withUpdatedAt(Instant.now())
        .withState((SessionState st) -> st.withCustom(Map.of(
            "version", JsonValue.of(version),
            "count", JsonValue.of(s.messages().size()),
            "checksum", JsonValue.of(checksum(s)))));
  }

  static long version(Session s) {
    return ((JsonValue.JsonInteger) s.state().custom().get("version")).longValueExact();
  }

  private static long checksum(Session s) {
    CRC32 crc = new CRC32();
    for (Message m : s.messages()) {
      crc.update(((ContentBlock.Text) m.content().get(0)).text().getBytes(UTF_8));
    }
    return crc.getValue();
  }

  /**
   * Checks a session written by {@code crash}: messages numbered consecutively from 0, count and
   * checksum as sealed. Returns its version.
   *
   * @throws AssertionError if it is not a whole version
   */
  static long check(Session s) {
    Map<String, JsonValue> c = s.state().custom();
    long count = ((JsonValue.JsonInteger) c.get("count")).longValueExact();
    long sum = ((JsonValue.JsonInteger) c.get("checksum")).longValueExact();
    if (count != s.messages().size()) {
      throw new AssertionError(s.id() + ": " + s.messages().size() + " messages, sealed with " + count);
    }
    for (int i = 0; i < s.messages().size(); i++) {
      String text = ((ContentBlock.Text) s.messages().get(i).content().get(0)).text();
      if (!text.startsWith("m" + i + "/")) {
        throw new AssertionError(s.id() + ": message " + i + " is " + text.substring(0, Math.min(20, text.length())));
      }
    }
    if (checksum(s) != sum) {
      throw new AssertionError(s.id() + ": checksum mismatch");
    }
    return version(s);
  }

  /** Reads the process's output up to a line, for the parent. */
  static String awaitLine(BufferedReader in, String expected) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals(expected)) {
        return line;
      }
    }
    throw new IOException("the child process ended before printing '" + expected + "'");
  }
}
