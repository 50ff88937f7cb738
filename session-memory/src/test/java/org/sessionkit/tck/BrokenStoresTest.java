package org.sessionkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * Proof that the kit catches broken stores: runs the whole kit (at smoke scale) against every
 * mutant of {@link Mutants} and requires each to fail at least one check that the correct
 * stores pass; and runs it against the correct stores, which must fail none and skip only the
 * checks of capabilities they don't declare.
 */
class BrokenStoresTest {

  private static final System.Logger LOG = System.getLogger(BrokenStoresTest.class.getName());

  /** The memory store at smoke scale: what the mutants are measured against. */
  static final class MemoryReference extends SessionStorageCompatibilityKit {
    @Override
    protected SessionStorage newStorage() {
      return new MemorySessionStorage();
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

  @BeforeAll
  static void runEveryKitInTheBackground() {
    // Two at a time: the mutants are independent, and the checks are mostly single-threaded
    // waits on completed futures; this halves the wall time on a two-core machine.
    pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "tck-mutant-run");
      t.setDaemon(true);
      return t;
    });
    List<Class<?>> kits = new ArrayList<>(List.of(MemoryReference.class, SharedLocationKit.class));
    kits.addAll(Mutants.all());
    for (Class<?> kit : kits) {
      RUNS.put(kit, pool.submit(() -> run(kit)));
    }
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
  }

  @Test
  void theMemoryStorePassesEveryCheckAndSkipsOnlyUndeclaredCapabilities() throws Exception {
    Verdict v = verdict(MemoryReference.class);
    assertThat(v.failed()).as("checks the memory store fails: %s", v.failures()).isEmpty();
    assertThat(v.skipped()).as("checks skipped for the memory store").isNotEmpty()
        .allSatisfy(id -> assertThat(id).containsAnyOf("Persistence", "SeveralInstances", "ProblemEntries"));
    for (String id : v.skipped()) {
      assertThat(v.reasons().get(id)).as("why %s was skipped", id).startsWith("Assumption failed: needs Capability.");
    }
    LOG.log(Level.INFO, () -> "memory: " + v.checks() + " checks, " + v.skipped().size() + " skipped (capabilities)");
  }

  @Test
  void theFullCapabilityStorePassesEveryCheckWithoutSkips() throws Exception {
    Verdict v = verdict(SharedLocationKit.class);
    assertThat(v.failed()).as("checks the shared-location store fails: %s", v.failures()).isEmpty();
    assertThat(v.skipped()).as("checks skipped with every capability declared").isEmpty();
    assertThat(v.checks()).isEqualTo(verdict(MemoryReference.class).checks());
  }

  @TestFactory
  Stream<DynamicTest> everyBrokenStoreFailsTheKit() {
    List<Class<? extends SessionStorageCompatibilityKit>> mutants = Mutants.all();
    assertThat(mutants).as("mutants").hasSizeGreaterThanOrEqualTo(18);
    return mutants.stream().map(m -> DynamicTest.dynamicTest(Mutants.describe(m), () -> {
      Set<String> baseline = new LinkedHashSet<>(verdict(MemoryReference.class).failed());
      baseline.addAll(verdict(SharedLocationKit.class).failed());
      Verdict v = verdict(m);
      Set<String> caughtBy = new LinkedHashSet<>(v.failed());
      // Until every correct store passes everything, count only checks that they pass.
      caughtBy.removeAll(baseline);
      LOG.log(Level.INFO, () -> Mutants.describe(m) + ": caught by " + caughtBy.size() + " of " + v.checks()
          + " checks in " + v.millis() + " ms: " + caughtBy.stream().map(BrokenStoresTest::shortName).collect(Collectors.joining(", ")));
      assertThat(caughtBy).as("checks that fail for the broken store %s", Mutants.describe(m)).isNotEmpty();
      Mutants.CaughtBy meant = m.getAnnotation(Mutants.CaughtBy.class);
      assertThat(meant).as("the checks meant to catch %s", m.getSimpleName()).isNotNull();
      for (String id : caughtBy) {
        if (java.util.Arrays.stream(meant.value()).noneMatch(check -> id.contains(":" + check + "("))) {
          // Not wrong (a mistake often breaks several clauses), but worth reading when it is new.
          LOG.log(Level.DEBUG, () -> m.getSimpleName() + " also fails " + shortName(id) + ": " + v.reasons().get(id));
        }
      }
      for (String check : meant.value()) {
        assertThat(caughtBy).as("%s must be caught by the check %s; failed: %s", m.getSimpleName(), check, v.failures())
            .anySatisfy(id -> assertThat(id).contains(":" + check + "("));
      }
    }));
  }

  private static Verdict verdict(Class<?> kit) throws Exception {
    return RUNS.get(kit).get(15, TimeUnit.MINUTES);
  }

  private static Verdict run(Class<?> kit) {
    long start = System.nanoTime();
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(kit))
        .execute();
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

  private static String shortName(String check) {
    return check.replaceAll("(nested-class|method|test-template|test-template-invocation):", "").replace("()", "");
  }

  /** The check's path below its class, so that the same check of two kits compares equal. */
  private static String check(UniqueId id) {
    return id.getSegments().stream().skip(2).map(s -> s.getType() + ":" + s.getValue()).collect(Collectors.joining("/"));
  }
}
