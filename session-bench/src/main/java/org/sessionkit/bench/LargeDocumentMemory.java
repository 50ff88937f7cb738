package org.sessionkit.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.file.FileSessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * How much heap loading a document dominated by one large string needs (issue 17, item 8): the
 * smallest {@code -Xmx} with which a fresh JVM loads it, found by bisection over child JVMs, and
 * the bytes one load allocates. Not a JMH benchmark and not a CI test: a measurement to run by
 * hand (see BENCHMARKS.md, "Heap needed to load a large document").
 *
 * <pre>
 * ./mvnw -B -q -pl session-bench -am package -DskipTests
 * java -cp session-bench/target/benchmarks.jar org.sessionkit.bench.LargeDocumentMemory measure /tmp/big 100
 * </pre>
 *
 * <p>STORE is a directory (the file store there, without fsync) or a store URI (e.g. {@code
 * postgresql://postgres@127.0.0.1:5432/test?tablePrefix=heap_}).
 *
 * <ul>
 *   <li>{@code write STORE MB [ascii|latin1|utf8]}: saves the session {@code big} holding one
 *       text of MB MiB: base64-like ASCII by default; {@code latin1}: {@code é}, two bytes in
 *       UTF-8, one in a String; {@code utf8}: CJK, three bytes in UTF-8, two in a String.
 *   <li>{@code load STORE}: loads it and prints {@code ok}, or exits with status 3 on {@link
 *       OutOfMemoryError}.
 *   <li>{@code measure STORE MB [ascii|latin1|utf8] [gc options…]}: writes it (a directory only
 *       if it has no {@code big.json} yet), then bisects the smallest {@code -Xmx} (in MiB, to 8
 *       MiB) with which {@code load} succeeds, and prints it with its ratio to the document's
 *       size (the compact document the codec writes).
 *   <li>{@code alloc DIR MB [ascii|latin1|utf8] [URI…]}: in this JVM (give it a large heap),
 *       saves the session to the memory store, to the file store in DIR and to the stores at the
 *       URIs, loads it three times from each and prints the bytes allocated by the last load (all
 *       threads, the stores' included).
 * </ul>
 */
public final class LargeDocumentMemory {

  private LargeDocumentMemory() {}

  /** Runs one of the modes above. */
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "write" -> write(args[1], Integer.parseInt(args[2]), args.length > 3 ? args[3] : "ascii");
      case "load" -> load(args[1]);
      case "alloc" -> alloc(Path.of(args[1]), Integer.parseInt(args[2]), args.length > 3 ? args[3] : "ascii",
          List.of(args).subList(Math.min(4, args.length), args.length));
      case "measure" -> measure(args[1], Integer.parseInt(args[2]), args.length > 3 ? args[3] : "ascii",
          List.of(args).subList(Math.min(4, args.length), args.length));
      default -> throw new IllegalArgumentException("mode: write, load or measure");
    }
  }

  private static void write(String target, int mib, String kind) {
    try (SessionStorage store = open(target)) {
      Futures.await(store.save(session(mib, kind)), 5, TimeUnit.MINUTES);
    }
  }

  /** The store at {@code target}: a URI, or the file store in a directory. */
  private static SessionStorage open(String target) {
    return target.contains("://")
        ? SessionStorages.open(target)
        : FileSessionStorage.builder(Path.of(target)).fsync(false).threads(1).build();
  }

  private static Session session(int mib, String kind) {
    StringBuilder text = new StringBuilder(mib << 20);
    if (kind.equals("latin1")) {
      // 2 bytes in UTF-8, 1 byte in a (Latin-1) String.
      for (int i = 0; i < (mib << 20) / 2; i++) {
        text.append('\u00e9');
      }
    } else if (kind.equals("utf8")) {
      // 3 bytes in UTF-8, 1 char (2 bytes) in a String: about mib MiB of document.
      for (int i = 0; i < (mib << 20) / 3; i++) {
        text.append((char) ('\u4e00' + (i % 5000)));
      }
    } else {
      String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      for (int i = 0; i < mib << 20; i++) {
        text.append(alphabet.charAt((i * 31 + (i >>> 7)) & 63));
      }
    }
    return new Session("big", List.of(Message.user("here is the image"),
        new Message(org.sessionkit.Role.USER, List.of(new ContentBlock.Text(text.toString())), java.util.Map.of()),
        Message.assistant("a picture of a cat")), SessionState.initial("/w"), Instant.EPOCH, Instant.EPOCH);
  }

  private static void alloc(Path dir, int mib, String kind, List<String> uris) {
    Session s = session(mib, kind);
    List<java.util.Map.Entry<String, SessionStorage>> stores = new ArrayList<>();
    stores.add(java.util.Map.entry("memory", MemorySessionStorage.builder().build()));
    stores.add(java.util.Map.entry("file", FileSessionStorage.builder(dir).fsync(false).threads(1).build()));
    for (String uri : uris) {
      stores.add(java.util.Map.entry(uri.substring(0, uri.indexOf(':')), SessionStorages.open(uri)));
    }
    try {
      for (var entry : stores) {
        Futures.await(entry.getValue().save(s), 5, TimeUnit.MINUTES);
        long allocated = 0;
        for (int i = 0; i < 3; i++) {
          long before = allocatedBytes();
          Session loaded = Futures.await(entry.getValue().load("big"), 5, TimeUnit.MINUTES);
          allocated = allocatedBytes() - before;
          if (!loaded.equals(s)) {
            throw new IllegalStateException("loaded another session");
          }
        }
        System.out.printf(Locale.ROOT, "%s store, %s text of %d MiB: one load allocates %.1f MiB%n",
            entry.getKey(), kind, mib, allocated / 1048576.0);
      }
    } finally {
      stores.forEach(e -> e.getValue().close());
    }
  }

  /** Bytes allocated so far by all live threads (the stores' threads live as long as the stores). */
  private static long allocatedBytes() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, a);
    }
    return total;
  }

  private static void load(String target) {
    try (SessionStorage store = open(target)) {
      Session s = Futures.await(store.load("big"), 5, TimeUnit.MINUTES);
      long peak = 0;
      for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == java.lang.management.MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      System.out.println("ok " + s.messages().size() + " peak-used=" + (peak >> 20) + "MiB");
    } catch (OutOfMemoryError e) {
      System.exit(3);
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      if (root instanceof OutOfMemoryError) {
        System.exit(3);
      }
      throw e;
    }
  }

  private static void measure(String target, int mib, String kind, List<String> jvmOptions) throws Exception {
    long size;
    if (target.contains("://")) {
      Session s = session(mib, kind);
      size = SessionCodec.defaults().encode(s).length;
      try (SessionStorage store = SessionStorages.open(target)) {
        Futures.await(store.save(s), 5, TimeUnit.MINUTES);
      }
    } else {
      Path dir = Path.of(target);
      Files.createDirectories(dir);
      Path file = dir.resolve("big.json");
      if (!Files.exists(file)) {
        write(target, mib, kind);
      }
      size = Files.size(file);
    }
    int low = 8;  // fails (or assumed to)
    int high = 64;
    while (!loads(target, high, jvmOptions)) {
      low = high;
      high *= 2;
      if (high > 64 * 1024) {
        throw new IllegalStateException("does not load even with 64 GiB");
      }
    }
    while (high - low > 8) {
      int mid = (low + high) / 2;
      if (loads(target, mid, jvmOptions)) {
        high = mid;
      } else {
        low = mid;
      }
    }
    System.out.printf(Locale.ROOT, "document %.1f MiB (%s); smallest -Xmx that loads it: %d MiB = %.2f x the document%s%n",
        size / 1048576.0, kind, high, high * 1048576.0 / size, jvmOptions.isEmpty() ? "" : " with " + jvmOptions);
  }

  private static boolean loads(String target, int xmxMib, List<String> jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + xmxMib + "m");
    command.add("-Xms" + Math.min(xmxMib, 16) + "m");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LargeDocumentMemory.class.getName());
    command.add("load");
    command.add(target);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("load did not finish");
    }
    // Drivers may log to the same output (SLF4J's warnings): look for the line.
    String okLine = out.lines().filter(l -> l.startsWith("ok")).findFirst().orElse("");
    boolean ok = p.exitValue() == 0 && !okLine.isEmpty();
    System.out.printf(Locale.ROOT, "  -Xmx%dm: %s%n", xmxMib, ok ? okLine : "fails (exit " + p.exitValue() + ")");
    return ok;
  }
}
