package org.sessionkit.file;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.sessionkit.spi.AbstractBlockingSessionStorage;
import org.sessionkit.Append;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.ListQuery;
import org.sessionkit.SessionSlice;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.ListingProblem;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.file.internal.DirectoryStore;
import org.sessionkit.file.internal.FileSystemOps;
import org.sessionkit.file.internal.Retention;

/**
 * A {@link SessionStorage} that keeps each session as one JSON document in a directory, in the
 * format of the Rust agent framework neuron 0.3, so that neuron agents and sessionkit can share
 * a directory. Opened as {@code file:/path/to/dir} (see below) or built with {@link
 * #builder(Path)}.
 *
 * <h2>Files</h2>
 *
 * <ul>
 *   <li>A <em>simple</em> id — only {@code [A-Za-z0-9._-]}, not starting with a dot — is stored
 *       in {@code {id}.json}, exactly where neuron stores it. Any other id is stored in {@code
 *       ~{encoded}.json}: its UTF-8 bytes, each of {@code [a-z0-9._-]} kept and any other byte
 *       written {@code %XX} (e.g. {@code user/42} in {@code ~user%2F42.json}); the {@code ~}
 *       makes sure an encoded name never equals a simple one. A name that would exceed 255
 *       bytes becomes {@code ~~{encoded prefix}~{sha-256}.json}, and the document's own {@code
 *       id} tells which session it holds. Every valid id stays inside the directory, and two
 *       distinct ids always use two distinct files.
 *   <li>When the directory is opened the store checks, with a probe file, whether its file
 *       system ignores case (macOS, Windows). If it does, simple ids with an upper-case letter
 *       are stored encoded too (so {@code A} and {@code a} stay two sessions).
 *   <li>A {@code .json} file that is not the file of the id it names (for example a file neuron
 *       wrote for the id {@code "a b"}, which this store keeps in {@code ~a%20b.json}), a file
 *       that is not a valid session document, or one whose {@code id} differs from the id its
 *       name stands for, is not a session: listings leave it out, log it and report it in
 *       {@link SessionPage#problems()} (first page) and {@link #problems()}; {@link #load}
 *       of its id fails with {@link CorruptDocumentException} naming the file.
 *   <li>Besides documents, the directory holds {@code .sessionkit.lock} (for locking) and,
 *       while a write is under way, {@code .sk-*.tmp} files. None ends with {@code .json}, so
 *       neither neuron nor a listing sees them; temporary files left by a crash are removed
 *       the next time a store opens the directory.
 * </ul>
 *
 * <h2>Writes</h2>
 *
 * Every write (save, conditional save, append, delete) is atomic and, by default, durable: the
 * document is written to a new temporary file in the same directory (created readable by its
 * owner only), forced to disk, renamed over the old document atomically, and the directory is
 * forced. A crash leaves the old or the new version, never a mix. With {@code fsync} off the
 * two forces are skipped: still atomic, but the last writes may be lost if the machine (not
 * only the process) stops. A failing write (full disk, read-only directory) fails with {@link
 * StorageUnavailableException} and leaves the previous version in place, except when only the
 * final directory force fails: then the new version is in place but may not be durable.
 *
 * <p>Writes of one id are serialised among the threads of this JVM and, through an OS file
 * lock on {@code .sessionkit.lock}, among processes sharing the directory, so conditional
 * writes, {@link #update} and {@link #append} stay correct when several processes use one
 * directory. Reads take no lock.
 *
 * <p>{@link #append} reads the document, adds the turn and rewrites the whole document under
 * the lock, with a new revision: neuron's format is one document per session, so an append
 * costs a full write (unlike the memory or database stores).
 *
 * <h2>Revisions</h2>
 *
 * Documents this store writes start with a {@code "sessionkit"} object (ignored by neuron)
 * holding a random revision drawn anew on every write, and the message count. A document
 * without it (written by neuron) has as revision a digest of its bytes, so any change by
 * anyone changes it.
 *
 * <h2>Listing</h2>
 *
 * Listings read only the head of documents this store wrote (never their messages), and scan
 * documents neuron wrote with a streaming parser. What they read is cached per file and
 * trusted while the file's size, modification time and file key are unchanged (and the file
 * was modified at least a few seconds earlier), so a repeated listing costs one directory read
 * and one {@code stat} per file. An id prefix is applied to file names before any file is read.
 * The later pages of a walk are served from the sorted result of the last unfiltered scan for
 * one {@code stat} of the directory, while that result is a few seconds old at most and the
 * directory is unchanged. Problem entries come with the first page of a walk only.
 *
 * <h2>Threads</h2>
 *
 * File I/O runs on the executor given to the builder (never shut down by the store), or on a
 * pool of {@code threads} daemon threads that the store creates and {@link #close()} shuts
 * down. Thread safe. {@link #close()} also releases the lock file.
 */
public final class FileSessionStorage extends AbstractBlockingSessionStorage {

  /** The default number of threads of the executor the store creates. */
  public static final int DEFAULT_THREADS = 4;

  /** How old a leftover temporary file must be before a store opening the directory removes it. */
  static final Duration DEFAULT_TEMP_GRACE_PERIOD = Duration.ofSeconds(10);

  /** How many expired sessions one background sweep removes at most. */
  static final int SWEEP_BATCH = 256;

  private static final System.Logger LOG = System.getLogger("org.sessionkit.file");

  private final DirectoryStore store;
  private final boolean fsync;
  private final Retention retention;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final AtomicReference<Instant> nextSweep = new AtomicReference<>(Instant.MIN);

  private FileSessionStorage(DirectoryStore store, Builder b, Retention retention) {
    super("file:" + store.directory(), b.executor, b.threads);
    this.store = store;
    this.fsync = b.fsync;
    this.retention = retention;
  }

  /**
   * Opens the store on {@code directory} with the default options (durable writes, the
   * directory created if missing).
   *
   * @throws StorageConfigurationException if {@code directory} is a file
   * @throws StorageUnavailableException if it can't be created or read
   */
  public static FileSessionStorage open(Path directory) {
    return builder(directory).build();
  }

  /** Returns a builder for a store on {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Returns the store's directory, as an absolute path. */
  public Path directory() {
    return store.directory();
  }

  /** Returns how long sessions are kept after their last write; empty if forever. */
  public Optional<Duration> retention() {
    return retention.period();
  }

  /** Returns whether writes are forced to disk. */
  public boolean fsync() {
    return fsync;
  }

  /**
   * Returns the file that holds, or would hold, the session {@code id} (for tools and people;
   * the store does the file handling).
   *
   * @throws org.sessionkit.InvalidIdException if {@code id} is not a valid id
   */
  public Path fileOf(String id) {
    return store.fileOf(org.sessionkit.SessionIds.requireValid(id));
  }

  /** Returns whether the directory was found to ignore case, so that names encode case. */
  public boolean caseInsensitive() {
    return store.caseInsensitive();
  }

  /** Returns how many files the listing cache vouches for (a diagnostic). */
  int cachedHeads() {
    return store.cachedHeads();
  }

  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
    return maybeSweep(blockingWrite(() -> store.save(session, condition, Optional.empty())));
  }

  /**
   * Writes under the file's lock as one step: the stored head's write log is read, a key found
   * there completes with its recorded revision and writes nothing, else the condition is
   * checked and the document written with the key recorded (the last {@value
   * IdempotencyKey#REMEMBERED} keys are kept in the document's {@code sessionkit} head). The
   * OS lock makes the step atomic for every process sharing the directory.
   */
  @Override
  protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition, IdempotencyKey key) {
    return maybeSweep(blockingWrite(() -> store.save(session, condition, Optional.of(key))));
  }

  @Override
  protected CompletableFuture<VersionedSession> doLoad(String id) {
    return blocking(() -> store.load(id));
  }

  /**
   * Reads the slice without building the session's other messages: a document this store wrote
   * is streamed once (its head says how many messages it holds); one neuron wrote is read whole
   * and scanned twice in memory.
   */
  @Override
  protected CompletableFuture<SessionSlice> doLoadSlice(String id, OptionalLong end, int count) {
    return blocking(() -> store.loadSlice(id, end, count));
  }

  @Override
  protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
    return maybeSweep(blockingWrite(
        () -> {
          store.delete(id, expected);
          return null;
        }));
  }

  /**
   * Deletes page by page (pages of {@link ListQuery#MAX_LIMIT}), each session under its file's
   * lock and only if its revision is still the one listed: a session written during the
   * deletion stays as its writer left it. Fails with {@link BulkDeleteException} carrying the
   * count so far.
   */
  @Override
  protected CompletableFuture<Long> doDeleteMatching(DeleteFilter filter) {
    return maybeSweep(blockingWrite(() -> store.deleteMatching(filter)));
  }

  @Override
  protected CompletableFuture<PageResult> doList(PageRequest request) {
    return maybeSweep(blocking(() -> store.list(request)));
  }

  /**
   * Appends under the file's lock with one read and one atomic rewrite; see the class comment.
   * Fails with {@link SessionNotFoundException}, {@link RevisionConflictException} if a revision
   * was expected and differs, {@link CorruptDocumentException} if the stored document can't be
   * read, or {@link StorageUnavailableException}.
   */
  @Override
  protected CompletableFuture<Revision> doAppend(String id, Append append) {
    return maybeSweep(blockingWrite(() -> store.append(id, append)));
  }

  /**
   * The full check: reads every document of the directory completely, as {@link #load} would,
   * and reports every entry {@code load} would reject (see {@link SessionStorage#problems()}).
   * Expensive by design — a read of every byte in the directory, one document at a time —
   * while listing pages keep reporting only what they see cheaply from the heads.
   */
  @Override
  protected CompletableFuture<List<ListingProblem>> doProblems() {
    return blocking(store::problems);
  }

  /**
   * Checks that the directory exists, is a directory and is writable, without listing it (a
   * listing reads every entry of the directory, which is no health check).
   */
  @Override
  protected CompletableFuture<Void> doPing() {
    return blocking(() -> {
      store.ping();
      return null;
    });
  }

  /** Returns {@code "file"}. */
  @Override
  public String kind() {
    return "file";
  }

  /**
   * Checks nothing up front: every write encodes the session before any I/O, and encoding makes
   * the same checks as {@link SessionCodec#validate} (with this store's {@code maxDocumentBytes},
   * on the document as written), failing with {@link org.sessionkit.InvalidSessionException}.
   * Checking here as well would walk every session twice.
   */
  @Override
  protected void validate(Session session) {
    // Deliberately empty; see above.
  }

  /**
   * Starts a sweep of expired sessions in the background when one is due: at most one runs at a
   * time, each removes at most {@link #SWEEP_BATCH} documents, and one is due every {@link
   * #sweepInterval()} of the store's clock (at once again after a sweep that found a full
   * batch). Called after every operation that may have met expired documents.
   */
  private <T> CompletableFuture<T> maybeSweep(CompletableFuture<T> operation) {
    if (retention.expires() && !isClosed()) {
      Instant now = retention.now();
      Instant due = nextSweep.get();
      if (!now.isBefore(due) && sweeping.compareAndSet(false, true)) {
        nextSweep.set(now.plus(sweepInterval()));
        CompletableFuture<Integer> sweep;
        try {
          sweep = blockingWrite(() -> store.sweep(SWEEP_BATCH));
        } catch (RuntimeException e) {
          sweeping.set(false);
          return operation;
        }
        sweep.whenComplete((removed, failure) -> {
          if (failure == null && removed >= SWEEP_BATCH) {
            nextSweep.set(Instant.MIN); // more to do: the next operation sweeps again
          }
          if (failure != null && !isClosed()) {
            LOG.log(System.Logger.Level.WARNING, () -> "sweeping expired sessions of " + directory() + " failed", failure);
          }
          sweeping.set(false);
        });
      }
    }
    return operation;
  }

  /** How often sweeps run: a tenth of the retention, at most a minute. */
  private Duration sweepInterval() {
    Duration tenth = retention.period().orElseThrow().dividedBy(10);
    return tenth.compareTo(Duration.ofMinutes(1)) < 0 ? tenth : Duration.ofMinutes(1);
  }

  /**
   * Removes up to {@code max} expired sessions now, each re-checked under its lock (for tests;
   * sweeps also run by themselves).
   */
  CompletableFuture<Integer> sweepNow(int max) {
    return blockingWrite(() -> store.sweep(max));
  }

  @Override
  protected void doClose() {
    super.doClose();
    store.close();
  }

  /**
   * Builds a {@link FileSessionStorage}. Not thread safe; each {@link #build()} opens a new
   * store.
   */
  public static final class Builder {
    private final Path directory;
    private boolean fsync = true;
    private Optional<Executor> executor = Optional.empty();
    private int threads = DEFAULT_THREADS;
    private long maxDocumentBytes = SessionCodec.DEFAULT_MAX_DOCUMENT_BYTES;
    private boolean createDirectory = true;
    private FileSystemOps ops = FileSystemOps.DEFAULT;
    private Duration tempGracePeriod = DEFAULT_TEMP_GRACE_PERIOD;
    private Optional<Boolean> caseInsensitive = Optional.empty();
    private Optional<Duration> retention = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private java.util.function.Consumer<String> beforeSweepLock = name -> { };

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * Whether writes are forced to disk (file and directory) before they complete; {@code
     * true} by default. Off, writes stay atomic but the latest ones may be lost if the machine
     * stops.
     */
    public Builder fsync(boolean fsync) {
      this.fsync = fsync;
      return this;
    }

    /**
     * Runs file I/O on {@code executor}, which the store never shuts down, instead of a pool it
     * creates.
     */
    public Builder executor(Executor executor) {
      this.executor = Optional.of(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /**
     * The number of threads of the pool the store creates when no executor is given; {@value
     * FileSessionStorage#DEFAULT_THREADS} by default.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads < 1: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * The largest document, in bytes, the store writes or reads; larger sessions fail with
     * {@link org.sessionkit.InvalidSessionException}, larger files are reported as corrupt.
     * {@link SessionCodec#DEFAULT_MAX_DOCUMENT_BYTES} by default.
     *
     * @throws IllegalArgumentException if not positive or beyond what a Java array holds
     */
    public Builder maxDocumentBytes(long maxDocumentBytes) {
      if (maxDocumentBytes < 1 || maxDocumentBytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("maxDocumentBytes out of range: " + maxDocumentBytes);
      }
      this.maxDocumentBytes = maxDocumentBytes;
      return this;
    }

    /** Whether a missing directory (and its parents) is created, owner-only; {@code true} by default. */
    public Builder createDirectory(boolean createDirectory) {
      this.createDirectory = createDirectory;
      return this;
    }

    /**
     * Keeps each session for {@code retention} after its last write, measured by the store's
     * {@linkplain #clock clock} (not by the session's {@code updatedAt}): once that has passed,
     * the session is absent for every operation, and built-in sweeps remove its file. {@link
     * Duration#ZERO} (the default) keeps sessions forever.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder retention(Duration retention) {
      if (retention.isNegative()) {
        throw new IllegalArgumentException("retention must not be negative: " + retention);
      }
      this.retention = retention.isZero() ? Optional.empty() : Optional.of(retention);
      return this;
    }

    /**
     * The clock that times writes, for the retention ({@link Clock#systemUTC()} by default).
     * Every process sharing a directory should use the same time: a write time is stored in the
     * document's head.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Replaces the file system calls (tests inject failures and count reads). */
    Builder fileSystemOps(FileSystemOps ops) {
      this.ops = Objects.requireNonNull(ops, "ops");
      return this;
    }

    /** How old a leftover temporary file must be to be removed at open (tests use zero). */
    Builder tempGracePeriod(Duration grace) {
      this.tempGracePeriod = Objects.requireNonNull(grace, "grace");
      return this;
    }

    /** Runs {@code hook} with each name a sweep found expired, before it locks the file (tests). */
    Builder beforeSweepLock(java.util.function.Consumer<String> hook) {
      this.beforeSweepLock = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /** Skips the case probe (tests simulate a case-insensitive file system). */
    Builder caseInsensitive(boolean caseInsensitive) {
      this.caseInsensitive = Optional.of(caseInsensitive);
      return this;
    }

    /**
     * Opens the store: creates the directory if allowed, probes whether it ignores case,
     * removes leftover temporary files.
     *
     * @return the open store, which the caller closes
     * @throws StorageConfigurationException if the location is a file, or a missing directory
     *     that may not be created
     * @throws StorageUnavailableException if the directory can't be created or read
     */
    public FileSessionStorage build() {
      SessionCodec codec = SessionCodec.builder().maxDocumentBytes(maxDocumentBytes).build();
      Retention kept = new Retention(retention, clock);
      DirectoryStore store;
      try {
        store = DirectoryStore.open(new DirectoryStore.Options(
            directory, fsync, codec, ops, tempGracePeriod, caseInsensitive, createDirectory, kept,
            beforeSweepLock));
      } catch (IOException e) {
        throw new StorageUnavailableException(
            "can't open the file store in " + directory.toAbsolutePath() + ": "
                + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
      }
      try {
        return new FileSessionStorage(store, this, kept);
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
  }
}
