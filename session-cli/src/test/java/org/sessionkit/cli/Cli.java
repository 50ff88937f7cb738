package org.sessionkit.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * Runs the command end to end through picocli, with captured standard streams, and gives tests
 * named stores: {@code mem:NAME} is a memory store shared by every run of this instance (the
 * real {@code memory:} is new and empty each time it is opened); a URI registered with {@link
 * #wrap} is opened through the test's wrapper; anything else is opened by discovery, as the
 * program does.
 */
final class Cli implements AutoCloseable {

  /** What one run printed and returned. */
  record Result(int code, String out, String err, byte[] outBytes) {
    /** Standard output and error together, for messages of failed assertions. */
    @Override
    public String toString() {
      return "exit " + code + "\n--- out:\n" + out + "\n--- err:\n" + err;
    }
  }

  private final Map<String, MemorySessionStorage> memory = new ConcurrentHashMap<>();
  private final Map<String, UnaryOperator<SessionStorage>> wrappers = new ConcurrentHashMap<>();

  /** Returns the memory store {@code mem:name}, creating it empty on first use. */
  MemorySessionStorage memory(String name) {
    return memory.computeIfAbsent(name, n -> new MemorySessionStorage());
  }

  /** Makes the command open {@code uri} through {@code wrapper} (applied to the opened store). */
  void wrap(String uri, UnaryOperator<SessionStorage> wrapper) {
    wrappers.put(uri, wrapper);
  }

  private SessionStorage open(String uri) {
    UnaryOperator<SessionStorage> w = wrappers.get(uri);
    SessionStorage store;
    if (uri.startsWith("mem:")) {
      store = new ForwardingStorage(memory(uri.substring(4)));
    } else {
      store = SessionStorages.open(uri);
    }
    return w == null ? store : w.apply(store);
  }

  /** Runs {@code args} with an empty standard input. */
  Result run(String... args) {
    return runWithInput(new byte[0], args);
  }

  /** Runs {@code args} with {@code stdin} as the standard input. */
  Result runWithInput(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    InputStream in = new ByteArrayInputStream(stdin);
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Sessionkit.commandLine(this::open, in, o, e).execute(args);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), out.toByteArray());
  }

  @Override
  public void close() {
    memory.values().forEach(SessionStorage::close);
  }
}
