package org.sessionkit.tck;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sessionkit.SessionStorage;

/**
 * The conformance kit of sessionkit: every clause of the {@link SessionStorage} contract as
 * executable checks. A store proves itself by extending this class in a test:
 *
 * <pre>{@code
 * class MyStoreTckTest extends SessionStorageCompatibilityKit {
 *   @Override
 *   protected SessionStorage newStorage() {
 *     return new MySessionStorage(...);            // a fresh, empty store
 *   }
 * }
 * }</pre>
 *
 * <p>Optional features are declared, not guessed: override {@link #capabilities()} (and the
 * hooks a capability needs: {@link #reopen} for {@link Capability#PERSISTENT} and {@link
 * Capability#CROSS_PROCESS}, {@link #corrupt} and optionally {@link #corruptBody} for {@link
 * Capability#CORRUPTIBLE}), and {@link #newStorageWithRetention} for the retention checks. The
 * checks of an undeclared capability or a hook left at its default are reported as skipped,
 * with the reason, never as passed.
 *
 * <p>The checks are grouped by clause in {@link Nested} classes, one file per group (the groups'
 * names are the {@code …Checks} classes of this package). Heavy checks take their size from
 * {@link #scale()}. Every future the kit waits for has a timeout ({@link
 * TckScale#operationTimeout()}), every check is bounded by a ten-minute {@link Timeout}, walks
 * and streams are bounded by the number of sessions they should return, and the kit closes every
 * store and stops every thread it started, also when a check fails. Failure messages are
 * bounded and hold no control characters, so they read well and keep test reports valid XML.
 *
 * <p>To run one group or one check from a store's build, name it in the system property
 * {@value CheckSelection#PROPERTY} (see {@link CheckSelection}); each group also carries the
 * JUnit tag {@code tck.<Group>} and the whole kit the tag {@code tck}.
 *
 * <p>Two requirements are easy to miss. A listing may miss or repeat a session that is modified
 * while it runs (keyset semantics), so the kit requires only the unmodified ones. And {@code
 * update}'s change may run on a store's own thread: the kit makes one change wait until another
 * write of the same id has completed, so a store must be able to run a second operation while a
 * change is running (e.g. more than one I/O thread).
 *
 * <p>Not thread safe: JUnit creates one instance per check (per group for the paging checks).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@Tag("tck")
@ExtendWith({CheckSelection.class, ReadableFailures.class})
public abstract class SessionStorageCompatibilityKit {

  private final List<SessionStorage> opened = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();
  private TckScale cachedScale;

  /** Creates the kit; JUnit calls it through the subclass. */
  protected SessionStorageCompatibilityKit() {}

  // ================================================================== hooks

  /**
   * Returns a new, empty, open store. Called once or more per check; the kit closes every store
   * it gets. Stores returned by two calls must be independent (different locations).
   *
   * @return the store; never {@code null}
   * @throws Exception if it can't be created (the check then fails)
   */
  protected abstract SessionStorage newStorage() throws Exception;

  /**
   * Returns a new instance on the same location as {@code previous} (a store returned by {@link
   * #newStorage()} or by this method). The kit calls it after closing {@code previous} (for
   * {@link Capability#PERSISTENT}) or while {@code previous} is still open (for {@link
   * Capability#CROSS_PROCESS}). Needed only by stores that declare one of those capabilities;
   * the default throws.
   *
   * @return the store; never {@code null}
   * @throws Exception if it can't be opened (the check then fails)
   */
  protected SessionStorage reopen(SessionStorage previous) throws Exception {
    throw new UnsupportedOperationException(
        getClass().getName() + " declares a capability that needs reopen(), but does not override it");
  }

  /**
   * Returns the optional features this store has; the checks of the others are skipped. The
   * default is none (a store like {@code memory:}).
   *
   * @return the capabilities; never {@code null}
   */
  protected Set<Capability> capabilities() {
    return Set.of();
  }

  /**
   * Returns the size of the heavy checks. The default reads the system property {@value
   * TckScale#PROPERTY} ({@code ci} when unset); a slow medium may return a smaller scale.
   *
   * @return the scale; never {@code null}
   */
  protected TckScale scale() {
    return TckScale.fromSystemProperty();
  }

  /**
   * Damages what {@code store} keeps for {@code id}, which the kit has just saved there as a
   * valid session, so that it can no longer be read as a session — as a disk error or an
   * operator editing a file would: e.g. overwrite the document with bytes that are not JSON.
   * Needed only by stores that declare {@link Capability#CORRUPTIBLE}; the default throws. The
   * kit passes only ids made of ASCII letters, digits and {@code -}.
   *
   * @throws Exception if it can't (the check then fails)
   */
  protected void corrupt(SessionStorage store, String id) throws Exception {
    throw new UnsupportedOperationException(
        getClass().getName() + " declares CORRUPTIBLE but does not override corrupt()");
  }

  /**
   * Damages the <em>body</em> of what {@code store} keeps for {@code id} (just saved there as a
   * valid session) while leaving intact what a listing reads to summarise it: the head of a
   * document, or every column or field of a row but the messages. Afterwards {@code load} must
   * fail with {@code CorruptDocumentException}, listings must still list the session from its
   * head (they don't read messages), and {@link SessionStorage#problems()} — the full check —
   * must report it. For example: flip a byte inside the last message of a file, or write
   * invalid JSON into a row's messages column.
   *
   * <p>Used only by stores that declare {@link Capability#CORRUPTIBLE}. The default returns
   * {@code false}: the store's test can't do it, and the checks that need it are skipped with
   * that reason. The kit passes only ids made of ASCII letters, digits and {@code -}.
   *
   * @return {@code true} once the body is damaged; {@code false} if this store's test can't
   * @throws Exception if it tried and failed (the check then fails)
   */
  protected boolean corruptBody(SessionStorage store, String id) throws Exception {
    return false;
  }

  /**
   * Returns a new, empty, open store that keeps each session for {@code retention} after its
   * last write, measured by {@code clock} (the store's builder option for its clock): the store
   * must read the time of a write from {@code clock} and treat a session whose last write is
   * older than {@code retention} by that clock as absent. The kit moves the clock by hand.
   *
   * <p>The default returns empty: the retention checks are then skipped with that reason.
   *
   * @param retention how long sessions are kept after their last write (the kit uses an hour)
   * @param clock the clock the store must use for write times and expiry
   * @return the store, or empty if this store has no retention
   * @throws Exception if it can't be created (the check then fails)
   */
  protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) throws Exception {
    return Optional.empty();
  }

  // ================================================================== lifecycle of a check

  /** Closes every store this check opened and stops every thread it started. */
  @AfterEach
  final void tckCloseEverythingTheCheckOpened() throws InterruptedException {
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
    }
    for (ExecutorService pool : pools) {
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    pools.clear();
    List<Throwable> failures = new ArrayList<>();
    for (SessionStorage s : opened) {
      try {
        s.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    opened.clear();
    if (!failures.isEmpty()) {
      throw new AssertionError("close() must never throw, but threw " + failures.get(0), failures.get(0));
    }
  }

  /** Remembers a store to close after the check. */
  final void track(SessionStorage store) {
    opened.add(store);
  }

  /** Remembers a pool to stop after the check. */
  final void track(ExecutorService pool) {
    pools.add(pool);
  }

  /** Returns {@link #scale()}, asked once per kit instance. */
  final TckScale scaleOnce() {
    if (cachedScale == null) {
      cachedScale = Objects.requireNonNull(scale(), "scale() returned null");
    }
    return cachedScale;
  }

  // ================================================================== the groups, one file each

  @Nested
  @Tag("tck.RoundTrips")
  @DisplayName("Round trips: load returns what was saved, equal in every field")
  class RoundTrips extends RoundTripChecks {
    RoundTrips() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.MessageMetadata")
  @DisplayName("Per-message metadata: kept exactly, like custom state")
  class MessageMetadata extends MessageMetadataChecks {
    MessageMetadata() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.OverwriteAndDelete")
  @DisplayName("Overwrite and delete")
  class OverwriteAndDelete extends OverwriteAndDeleteChecks {
    OverwriteAndDelete() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Listing")
  @DisplayName("Listing: one summary per session, most recently updated first, then ids in code-point order")
  class Listing extends ListingChecks {
    Listing() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Paging")
  @DisplayName("Paged listing: keyset pages, prefix and time filters, cursors")
  class Paging extends PagingChecks {
    Paging() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.SummaryCustomKeys")
  @DisplayName("Summaries with chosen custom keys, read without messages")
  class SummaryCustomKeys extends SummaryCustomKeyChecks {
    SummaryCustomKeys() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Indexes")
  @DisplayName("Every listing agrees with every write: filtered and time-bounded listings follow save, append, update, delete and reopening")
  class Indexes extends IndexChecks {
    Indexes() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Ids")
  @DisplayName("Session ids: one rule, exact round trips, no collisions")
  class Ids extends IdChecks {
    Ids() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Revisions")
  @DisplayName("Revisions and conditional writes")
  class Revisions extends RevisionChecks {
    Revisions() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Update")
  @DisplayName("update: a pure change, retried on conflict, losing nothing")
  class Update extends UpdateChecks {
    Update() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Appending")
  @DisplayName("append: a turn added atomically at the end")
  class Appending extends AppendChecks {
    Appending() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Slices")
  @DisplayName("loadTail and loadBefore: the recent end of a session, and older pages")
  class Slices extends SliceChecks {
    Slices() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.IdempotencyKeys")
  @DisplayName("Idempotency keys: a retried write applies once")
  class IdempotencyKeys extends IdempotencyKeyChecks {
    IdempotencyKeys() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.BulkDelete")
  @DisplayName("deleteMatching: bulk delete by id prefix and time, exactly the matching sessions")
  class BulkDelete extends BulkDeleteChecks {
    BulkDelete() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Limits")
  @DisplayName("Limits of common media inside the contract at every scale: over 1,000 sessions, 65,535 characters, 65,535 messages")
  class Limits extends LimitChecks {
    Limits() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Concurrency")
  @DisplayName("Concurrency: many threads, one store")
  class Concurrency extends ConcurrencyChecks {
    Concurrency() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Isolation")
  @DisplayName("Isolation: nothing a caller holds changes what the store returns")
  class Isolation extends IsolationChecks {
    Isolation() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.UnstorableSessions")
  @DisplayName("Sessions that can't be stored faithfully fail with InvalidSessionException before anything is written")
  class UnstorableSessions extends UnstorableSessionChecks {
    UnstorableSessions() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.HealthAndIdentity")
  @DisplayName("ping() and kind(): cheap health and a short name")
  class HealthAndIdentity extends HealthChecks {
    HealthAndIdentity() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.ErrorsAndLifecycle")
  @DisplayName("Errors and lifecycle: typed failures through the future, close")
  class ErrorsAndLifecycle extends LifecycleChecks {
    ErrorsAndLifecycle() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Retention")
  @DisplayName("Retention: a session is absent everywhere once its last write is older than the retention")
  class Retention extends RetentionChecks {
    Retention() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.Persistence")
  @DisplayName("Persistence (PERSISTENT): everything survives closing and reopening")
  class Persistence extends PersistenceChecks {
    Persistence() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.SeveralInstances")
  @DisplayName("Several instances on one location (CROSS_PROCESS): they behave as one store")
  class SeveralInstances extends SeveralInstancesChecks {
    SeveralInstances() {
      super(SessionStorageCompatibilityKit.this);
    }
  }

  @Nested
  @Tag("tck.ProblemEntries")
  @DisplayName("Problem entries (CORRUPTIBLE): an unreadable entry never breaks a listing and is never hidden")
  class ProblemEntries extends ProblemEntryChecks {
    ProblemEntries() {
      super(SessionStorageCompatibilityKit.this);
    }
  }
}
