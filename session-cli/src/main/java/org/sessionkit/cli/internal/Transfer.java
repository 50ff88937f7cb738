package org.sessionkit.cli.internal;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Futures;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageClosedException;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.spi.Timestamps;
import org.sessionkit.VersionedSession;

/**
 * Writes sessions into a target store for {@code import} and {@code migrate}, with a bounded
 * number of writes in flight, deciding for each session what a person would:
 *
 * <ul>
 *   <li>absent in the target: it is created ({@link SessionStorage#create}, so a session
 *       written meanwhile by someone else is never replaced blindly);
 *   <li>present and equal in every field: skipped, so running a copy again writes nothing;
 *   <li>present and newer in the target ({@code updated_at} later, or equal with other
 *       content): kept, unless {@code --overwrite};
 *   <li>present and older: replaced with a conditional save on the revision just read, so a
 *       concurrent writer is never overwritten unseen (the decision is retried if one was).
 * </ul>
 *
 * A dry run reads the target and decides the same way, writing nothing. The first failure of a
 * store itself (unreachable, closed, misconfigured) stops the run: {@link #submit} then refuses
 * more work, and everything in flight completes. Every session has a definite state in the
 * target after each write, so a stopped or interrupted run can be started again and only does
 * what is left. Thread safe: {@link #submit} and {@link #failed} may be called from one
 * producer thread while completions arrive on store threads.
 */
final class Transfer {

  /** How many times a session is re-decided when concurrent writers keep changing it. */
  private static final int MAX_ATTEMPTS = 5;

  /**
   * How a transfer writes.
   *
   * @param overwrite replace newer sessions in the target too
   * @param dryRun decide, but write nothing
   * @param concurrency how many sessions are in flight at most
   */
  record Options(boolean overwrite, boolean dryRun, int concurrency) {}

  private enum Kind {
    COPIED,
    IDENTICAL,
    NEWER,
  }

  private final SessionStorage target;
  private final Options options;
  private final Tally tally = new Tally();
  private final Bounded bounded;
  private final Report report;
  private final AtomicReference<Throwable> stop = new AtomicReference<>();

  Transfer(SessionStorage target, Options options, Report report) {
    this.target = target;
    this.options = options;
    this.bounded = new Bounded(options.concurrency());
    this.report = report;
  }

  /** Returns the counts so far. */
  Tally.Counts counts() {
    return tally.snapshot();
  }

  /** Returns the failure of a store that stopped the run, if one did. */
  Optional<Throwable> stopped() {
    return Optional.ofNullable(stop.get());
  }

  /**
   * Starts copying the session that {@code read} produces (reading it counts as part of the
   * work in flight). Blocks while the limit of sessions in flight is reached.
   *
   * @param label names the session in reports (its id, or a line number)
   * @return {@code false} if the run was stopped and nothing was started
   * @throws InterruptedException if interrupted while waiting for a free slot
   */
  boolean submit(String label, Supplier<CompletableFuture<Session>> read) throws InterruptedException {
    if (stop.get() != null) {
      return false;
    }
    bounded.submit(
        () -> {
          CompletableFuture<Session> source;
          try {
            source = read.get();
          } catch (RuntimeException e) {
            source = CompletableFuture.failedFuture(e);
          }
          return source.thenCompose(s -> place(s, 1));
        },
        (kind, failure) -> record(label, kind, failure));
    return true;
  }

  /** Counts an entry that failed before it could be submitted (unreadable, malformed). */
  void failed(String label, String reason) {
    tally.failed();
    report.failed(label, reason);
  }

  /**
   * Waits for everything in flight.
   *
   * @return the final counts
   * @throws InterruptedException if interrupted while waiting
   */
  Tally.Counts finish() throws InterruptedException {
    bounded.awaitAll();
    return tally.snapshot();
  }

  private void record(String label, Kind kind, Throwable failure) {
    if (failure == null) {
      switch (kind) {
        case COPIED -> tally.copied();
        case IDENTICAL -> tally.identical();
        case NEWER -> tally.newer();
      }
      return;
    }
    Throwable c = Futures.unwrap(failure);
    if (isStoreFailure(c)) {
      stop.compareAndSet(null, c);
    }
    failed(label, CliException.describe(c));
  }

  /** Whether {@code t} is a failure of a store as a whole rather than of one session. */
  static boolean isStoreFailure(Throwable t) {
    return t instanceof StorageUnavailableException
        || t instanceof StorageClosedException
        || t instanceof StorageConfigurationException
        || t instanceof InterruptedException;
  }

  private CompletableFuture<Kind> place(Session s, int attempt) {
    if (options.dryRun()) {
      return target
          .loadVersioned(s.id())
          .handle((existing, e) -> e == null ? decide(s, existing) : dryRunAbsent(e));
    }
    return target
        .create(s)
        .handle(
            (revision, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(Kind.COPIED);
              }
              if (Futures.unwrap(e) instanceof RevisionConflictException) {
                return replace(s, attempt); // it exists: compare
              }
              return CompletableFuture.<Kind>failedFuture(Futures.unwrap(e));
            })
        .thenCompose(f -> f);
  }

  private Kind dryRunAbsent(Throwable e) {
    Throwable c = Futures.unwrap(e);
    if (c instanceof SessionNotFoundException) {
      return Kind.COPIED;
    }
    if (c instanceof CorruptDocumentException && options.overwrite()) {
      return Kind.COPIED;
    }
    throw targetFailure(c);
  }

  private CompletableFuture<Kind> replace(Session s, int attempt) {
    return target
        .loadVersioned(s.id())
        .handle(
            (existing, e) -> {
              if (e != null) {
                Throwable c = Futures.unwrap(e);
                if (c instanceof SessionNotFoundException && attempt < MAX_ATTEMPTS) {
                  return place(s, attempt + 1); // deleted since the create failed: try again
                }
                if (c instanceof CorruptDocumentException && options.overwrite()) {
                  return target.save(s).thenApply(r -> Kind.COPIED);
                }
                return CompletableFuture.<Kind>failedFuture(targetFailure(c));
              }
              Kind decided = decide(s, existing);
              if (decided != Kind.COPIED) {
                return CompletableFuture.completedFuture(decided);
              }
              return target
                  .saveIf(s, existing.revision())
                  .handle(
                      (revision, e2) -> {
                        if (e2 == null) {
                          return CompletableFuture.completedFuture(Kind.COPIED);
                        }
                        Throwable c = Futures.unwrap(e2);
                        if (c instanceof RevisionConflictException && attempt < MAX_ATTEMPTS) {
                          return replace(s, attempt + 1); // changed meanwhile: decide again
                        }
                        return CompletableFuture.<Kind>failedFuture(c);
                      })
                  .thenCompose(f -> f);
            })
        .thenCompose(f -> f);
  }

  private RuntimeException targetFailure(Throwable c) {
    if (c instanceof CorruptDocumentException) {
      return new CorruptDocumentException(
          "the target's copy can't be read (" + CliException.describe(c)
              + "); --overwrite replaces it", c);
    }
    return c instanceof RuntimeException r ? r : new IllegalStateException(c);
  }

  private Kind decide(Session s, VersionedSession existing) {
    Session t = existing.session();
    if (t.equals(s)) {
      return Kind.IDENTICAL;
    }
    if (!options.overwrite() && !s.updatedAt().isAfter(t.updatedAt())) {
      report.kept(s.id(), Timestamps.format(t.updatedAt()), Timestamps.format(s.updatedAt()));
      return Kind.NEWER;
    }
    return Kind.COPIED;
  }

  /** Where a transfer tells about single sessions. Implementations must be thread safe. */
  interface Report {
    /** A session or entry that failed. */
    void failed(String label, String reason);

    /** A session kept in the target because its copy there is newer (or differs at the same time). */
    void kept(String id, String targetUpdatedAt, String sourceUpdatedAt);
  }

  /** A {@link Report} that prints to the standard error: every failure, and kept sessions when verbose. */
  static final class PrintingReport implements Report {
    private static final int MAX_FAILURES_SHOWN = 1000;
    private final Io io;
    private final boolean verbose;
    private final AtomicInteger shown = new AtomicInteger();

    PrintingReport(Io io, boolean verbose) {
      this.io = io;
      this.verbose = verbose;
    }

    @Override
    public void failed(String label, String reason) {
      int n = shown.incrementAndGet();
      if (n <= MAX_FAILURES_SHOWN || verbose) {
        io.eprintln("failed: " + label + ": " + reason);
      } else if (n == MAX_FAILURES_SHOWN + 1) {
        io.eprintln("(more failures are not shown; --verbose shows all)");
      }
    }

    @Override
    public void kept(String id, String targetUpdatedAt, String sourceUpdatedAt) {
      if (verbose) {
        io.eprintln("kept: " + Text.id(id) + ": the target's copy (updated " + targetUpdatedAt
            + ") is not older than this one (updated " + sourceUpdatedAt + ")");
      }
    }
  }
}
