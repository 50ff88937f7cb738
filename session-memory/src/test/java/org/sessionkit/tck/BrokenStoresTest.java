package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * Proof that the kit catches broken stores: runs the kit (at smoke scale) against every mutant
 * of {@link Mutants} and {@link ContractMutants} and requires each to fail the checks named in
 * its {@link Mutants.CaughtBy} — checks that the correct stores pass; and runs the whole kit
 * against the correct stores, which must fail none and skip only the checks of capabilities
 * they don't declare.
 *
 * <p>A mutant runs the groups (nested classes) that hold its {@code CaughtBy} checks, not the
 * whole kit, so that 80 mutants fit in a couple of minutes on two cores; with the system
 * property {@code sessionkit.tck.mutants.whole=true} each runs the whole kit, which shows every
 * check that catches it (slow); {@code sessionkit.tck.mutants.only=Name,…} runs only the named
 * mutants. The last line of the log is the kill rate.
 */
class BrokenStoresTest {

  private static final System.Logger LOG = System.getLogger(BrokenStoresTest.class.getName());

  /** The memory store at smoke scale, retention included: what the mutants are measured against. */
  static final class MemoryReference extends SessionStorageCompatibilityKit {
    @Override
    protected SessionStorage newStorage() {
      return new MemorySessionStorage();
    }

    @Override
    protected Optional<SessionStorage> newStorageWithRetention(java.time.Duration retention, java.time.Clock clock) {
      return Optional.of(MemorySessionStorage.builder().retention(retention).clock(clock).build());
    }

    @Override
    protected TckScale scale() {
      return TckScale.SMOKE;
    }
  }

  /** What one run of the kit found. */
  record Verdict(int checks, Set<String> failed, Set<String> skipped, Map<String, String> reasons, long millis) {

    /** Why the failed checks failed. */
    Map<String, String> failures() {
      Map<String, String> m = new java.util.TreeMap<>(reasons);
      m.keySet().retainAll(failed);
      return m;
    }
  }

  private static ExecutorService pool;
  private static final Map<Class<?>, Future<Verdict>> RUNS = new ConcurrentHashMap<>();
  private static final Set<Class<?>> KILLED = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void runEveryKitInTheBackground() {
    // Two at a time: the mutants are independent, and the checks are mostly single-threaded
    // waits on completed futures; this halves the wall time on a two-core machine.
    pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "tck-mutant-run");
      t.setDaemon(true);
      return t;
    });
    RUNS.put(MemoryReference.class, pool.submit(() -> run(MemoryReference.class, true)));
    RUNS.put(SharedLocationKit.class, pool.submit(() -> run(SharedLocationKit.class, true)));
    boolean whole = Boolean.getBoolean("sessionkit.tck.mutants.whole");
    for (Class<?> kit : mutants()) {
      RUNS.put(kit, pool.submit(() -> run(kit, whole)));
    }
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    int mutants = mutants().size();
    LOG.log(Level.INFO, () -> "the kit catches " + KILLED.size() + " of " + mutants + " broken stores ("
        + Math.round(100.0 * KILLED.size() / mutants) + "%)");
  }

  @Test
  void theMemoryStorePassesEveryCheckAndSkipsOnlyUndeclaredCapabilities() throws Exception {
    Verdict v = verdict(MemoryReference.class);
    assertThat(v.failed()).as("checks the memory store fails: %s", v.failures()).isEmpty();
    assertThat(v.skipped()).as("checks skipped for the memory store").isNotEmpty();
    for (String id : v.skipped()) {
      assertThat(v.reasons().get(id)).as("why %s was skipped", id).startsWith("Assumption failed: needs Capability.");
    }
    LOG.log(Level.INFO, () -> "memory: " + v.checks() + " checks, " + v.skipped().size() + " skipped (capabilities)");
  }

  @Test
  void theFullCapabilityStorePassesEveryCheckWithoutSkips() throws Exception {
    Verdict v = verdict(SharedLocationKit.class);
    assertThat(v.failed()).as("checks the shared-location store fails: %s", v.failures()).isEmpty();
    assertThat(v.skipped()).as("checks skipped with every capability declared and every hook implemented").isEmpty();
    assertThat(v.checks()).isEqualTo(verdict(MemoryReference.class).checks());
  }

  @Test
  void failureMessagesAreBoundedReadableAndSayWhatWasChecked() throws Exception {
    List<String> bad = new ArrayList<>();
    int messages = 0;
    for (Class<?> m : mutants()) {
      for (Map.Entry<String, String> e : verdict(m).failures().entrySet()) {
        messages++;
        String problem = problemOf(e.getValue());
        if (problem != null) {
          bad.add(m.getSimpleName() + " " + shortName(e.getKey()) + ": " + problem);
        }
      }
    }
    assertThat(messages).as("failure messages of the broken stores").isPositive();
    assertThat(bad).as("failure messages (of %d) that are too long, hold raw control characters or don't say what was checked",
        messages).isEmpty();
  }

  @Test
  void aCursorThatRepeatsAnEntryFailsTheKitInSeconds() throws Exception {
    Class<?> repeating = ListingAndLimitMutants.CursorRepeatsItsEntry.class;
    Assumptions.assumeTrue(RUNS.containsKey(repeating), "the mutant was not run (sessionkit.tck.mutants.only)");
    Verdict v = verdict(repeating);
    assertThat(v.failed()).as("checks failed by a store whose cursor repeats an entry").isNotEmpty();
    assertThat(v.millis()).as("milliseconds the kit took to fail it (walks and streams must be bounded)").isLessThan(60_000);
  }

  /** What is wrong with a failure (its {@code toString()}), or null. */
  static String problemOf(String failure) {
    if (failure.length() > ReadableFailures.MAX_MESSAGE + 300) {
      return "a message of " + failure.length() + " characters";
    }
    for (int i = 0; i < failure.length(); i++) {
      char c = failure.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < failure.length() && Character.isLowSurrogate(failure.charAt(i + 1));
      if (paired) {
        i++;
      } else if ((c < 0x20 && c != '\n' && c != '\t') || c == '\uFFFE' || c == '\uFFFF' || Character.isSurrogate(c)) {
        return String.format("a raw U+%04X at %d", (int) c, i);
      }
    }
    int colon = failure.indexOf(": ");
    String type = colon < 0 ? failure : failure.substring(0, colon);
    String message = colon < 0 ? "" : failure.substring(colon + 2);
    if (type.endsWith("AssertionError") || type.endsWith("AssertionFailedError")) {
      String m = message.stripLeading();
      if (message.startsWith("\n") || m.startsWith("Expecting") || m.startsWith("expected") || m.isEmpty()) {
        return "no description of what was checked: " + message.substring(0, Math.min(120, message.length())).replace('\n', ' ');
      }
    }
    return null;
  }

  @TestFactory
  Stream<DynamicTest> everyBrokenStoreFailsTheKit() {
    List<Class<? extends SessionStorageCompatibilityKit>> mutants = mutants();
    assertThat(Mutants.all()).as("mutants").hasSizeGreaterThanOrEqualTo(70);
    return mutants.stream().map(m -> DynamicTest.dynamicTest(Mutants.describe(m), () -> {
      Set<String> baseline = new LinkedHashSet<>(verdict(MemoryReference.class).failed());
      baseline.addAll(verdict(SharedLocationKit.class).failed());
      Verdict v = verdict(m);
      Set<String> caughtBy = new LinkedHashSet<>(v.failed());
      // Until every correct store passes everything, count only checks that they pass.
      caughtBy.removeAll(baseline);
      LOG.log(Level.INFO, () -> m.getSimpleName() + ": caught by " + caughtBy.size() + " of " + v.checks() + " checks run, in "
          + v.millis() + " ms: " + caughtBy.stream().map(BrokenStoresTest::shortName).limit(6).collect(Collectors.joining(", "))
          + (caughtBy.size() > 6 ? ", …" : ""));
      assertThat(caughtBy).as("checks that fail for the broken store %s", Mutants.describe(m)).isNotEmpty();
      KILLED.add(m);
      Mutants.CaughtBy meant = m.getAnnotation(Mutants.CaughtBy.class);
      assertThat(meant).as("the checks meant to catch %s", m.getSimpleName()).isNotNull();
      for (String check : meant.value()) {
        assertThat(caughtBy).as("%s must be caught by the check %s; failed: %s", m.getSimpleName(), check, v.failures())
            .anySatisfy(id -> assertThat(id).contains(":" + check + "("));
      }
    }));
  }

  /**
   * The mutants to run: all of them, or those named (simple class names, comma-separated) in the
   * system property {@code sessionkit.tck.mutants.only}, to try one while changing the kit.
   */
  static List<Class<? extends SessionStorageCompatibilityKit>> mutants() {
    String only = System.getProperty("sessionkit.tck.mutants.only", "").trim();
    if (only.isEmpty()) {
      return Mutants.all();
    }
    Set<String> names = Set.of(only.split("\\s*,\\s*"));
    return Mutants.all().stream().filter(m -> names.contains(m.getSimpleName())).toList();
  }

  private static Verdict verdict(Class<?> kit) throws Exception {
    return RUNS.get(kit).get(15, TimeUnit.MINUTES);
  }

  /** Runs the whole kit, or only the groups that hold the checks of the kit's {@code CaughtBy}. */
  private static Verdict run(Class<?> kit, boolean whole) {
    long start = System.nanoTime();
    List<DiscoverySelector> selectors = new ArrayList<>();
    Mutants.CaughtBy meant = kit.getAnnotation(Mutants.CaughtBy.class);
    if (whole || meant == null) {
      selectors.add(selectClass(kit));
    } else {
      for (Class<?> group : groupsOf(meant.value())) {
        selectors.add(selectNestedClass(List.of(kit), group));
      }
    }
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectors.toArray(DiscoverySelector[]::new)).execute();
    Set<String> failed = new LinkedHashSet<>();
    Set<String> skipped = new LinkedHashSet<>();
    Map<String, String> reasons = new ConcurrentHashMap<>();
    for (Event e : results.testEvents().failed().list()) {
      String id = check(e.getTestDescriptor().getUniqueId());
      failed.add(id);
      reasons.put(id, e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
          .map(String::valueOf).orElse("?"));
    }
    for (Event e : results.testEvents().aborted().list()) {
      String id = check(e.getTestDescriptor().getUniqueId());
      skipped.add(id);
      reasons.put(id, e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
          .map(Throwable::getMessage).orElse("?"));
    }
    // A failure of a whole group (e.g. its @BeforeAll) is a failed check too.
    for (Event e : results.containerEvents().failed().list()) {
      String id = check(e.getTestDescriptor().getUniqueId());
      failed.add(id);
      reasons.put(id, e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
          .map(String::valueOf).orElse("?"));
    }
    int checks = (int) results.testEvents().started().count();
    return new Verdict(checks, failed, skipped, reasons, (System.nanoTime() - start) / 1_000_000);
  }

  /** The nested groups of the kit that declare (through their …Checks class) the named checks. */
  static Set<Class<?>> groupsOf(String... checks) {
    Set<Class<?>> groups = new LinkedHashSet<>();
    for (String check : checks) {
      Class<?> found = null;
      for (Class<?> group : SessionStorageCompatibilityKit.class.getDeclaredClasses()) {
        if (group.isAnnotationPresent(Nested.class) && declares(group, check)) {
          found = group;
        }
      }
      if (found == null) {
        throw new AssertionError("no group of the kit has a check named " + check);
      }
      groups.add(found);
    }
    return groups;
  }

  private static boolean declares(Class<?> group, String check) {
    for (Class<?> c = group; c != null && c != Object.class; c = c.getSuperclass()) {
      if (Arrays.stream(c.getDeclaredMethods()).anyMatch(m -> m.getName().equals(check))) {
        return true;
      }
    }
    return false;
  }

  private static String shortName(String check) {
    return check.replaceAll("(nested-class|method|test-template|test-template-invocation):", "").replace("()", "");
  }

  /** The check's path below its class, so that the same check of two kits compares equal. */
  private static String check(UniqueId id) {
    return id.getSegments().stream().skip(2).map(s -> s.getType() + ":" + s.getValue()).collect(Collectors.joining("/"));
  }
}
