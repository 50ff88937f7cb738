package org.sessionkit.file.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.sessionkit.Append;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.DocumentHead;
import org.sessionkit.DocumentMetadata;
import org.sessionkit.ListPosition;
import org.sessionkit.ListingProblem;
import org.sessionkit.PageRequest;
import org.sessionkit.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionCodec;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorageException;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.StoredDocument;
import org.sessionkit.VersionedSession;
import org.sessionkit.WriteCondition;
import org.sessionkit.file.internal.FileNames.Foreign;
import org.sessionkit.file.internal.FileNames.Named;
import org.sessionkit.file.internal.HeadCache.Found;
import org.sessionkit.file.internal.HeadCache.Scan;
import org.sessionkit.file.internal.HeadCache.Unreadable;

/**
 * The blocking core of the file store: one JSON document per session in one directory. {@code
 * FileSessionStorage} runs each of these methods on its executor.
 *
 * <p><b>Writes</b> (save, append, delete) hold the stripe of the file ({@link DirectoryLocks}),
 * so writes of one id are serialised across threads and processes, and conditional writes read
 * the current revision and write under the same lock. A document is written to a new temporary
 * file in the same directory ({@code .sk-<stripe>-<random>.tmp}, owner-only), forced to disk,
 * renamed over the document atomically, and the directory is forced; with {@code fsync} off the
 * two forces are skipped. A crash at any moment leaves the old or the new document.
 *
 * <p><b>Reads</b> take no lock: a rename replaces a document atomically, so a reader sees the
 * old or the new file.
 *
 * <p><b>Listings</b> read only the head of documents this store wrote (the {@code sessionkit}
 * object, {@code id}, timestamps and state come before the messages), scan documents neuron
 * wrote with a streaming parser, and remember what they read in a {@link HeadCache}. Thread
 * safe.
 */
public final class DirectoryStore {

  private static final System.Logger LOG = System.getLogger("org.sessionkit.file");

  /** Temporary and probe files start with this and end with {@link #TEMP_SUFFIX}. */
  static final String TEMP_PREFIX = ".sk-";

  /** The suffix of temporary files: never {@code .json}, so neuron and listings skip them. */
  static final String TEMP_SUFFIX = ".tmp";

  private static final String PROBE = TEMP_PREFIX + "probe-";

  // Documents this store writes start exactly so; reading it tells a listing that it will find
  // the head first and need not digest the bytes.
  private static final byte[] OUR_START = "{\"sessionkit\":".getBytes(StandardCharsets.US_ASCII);

  private static final Comparator<SessionSummary> ORDER = ListPosition.SUMMARY_ORDER;

  /**
   * How to open a store directory.
   *
   * @param directory the directory
   * @param fsync whether writes are forced to disk
   * @param codec the document codec (and its size limit)
   * @param ops the file system
   * @param tempGracePeriod how old an unlocked temporary file must be to be removed at open
   * @param caseInsensitive whether the directory ignores case; empty to find out by probing
   * @param createDirectory whether a missing directory is created
   */
  public record Options(
      Path directory,
      boolean fsync,
      SessionCodec codec,
      FileSystemOps ops,
      Duration tempGracePeriod,
      Optional<Boolean> caseInsensitive,
      boolean createDirectory) {

    /** Validates the fields. */
    public Options {
      Objects.requireNonNull(directory, "directory");
      Objects.requireNonNull(codec, "codec");
      Objects.requireNonNull(ops, "ops");
      Objects.requireNonNull(tempGracePeriod, "tempGracePeriod");
      Objects.requireNonNull(caseInsensitive, "caseInsensitive");
    }
  }

  private final Path directory;
  private final boolean fsync;
  private final SessionCodec codec;
  private final FileSystemOps ops;
  private final FileNames names;
  private final DirectoryLocks locks;
  private final HeadCache cache = new HeadCache();
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private DirectoryStore(Options options, Path directory, FileNames names, DirectoryLocks locks) {
    this.directory = directory;
    this.fsync = options.fsync();
    this.codec = options.codec();
    this.ops = options.ops();
    this.names = names;
    this.locks = locks;
  }

  /**
   * Opens a store directory: creates it if asked, finds out whether it ignores case, and
   * removes temporary files that crashed writers left behind.
   *
   * @throws StorageConfigurationException if the path is not a directory, or is missing and
   *     may not be created
   * @throws IOException if the directory can't be created or read
   */
  public static DirectoryStore open(Options options) throws IOException {
    Path dir = options.directory().toAbsolutePath();
    prepare(dir, options.createDirectory());
    boolean caseInsensitive =
        options.caseInsensitive().isPresent()
            ? options.caseInsensitive().get()
            : probeCaseInsensitive(dir, options.ops());
    DirectoryLocks locks = DirectoryLocks.acquire(dir.toRealPath(), options.ops());
    DirectoryStore store = new DirectoryStore(options, dir, new FileNames(caseInsensitive), locks);
    store.removeTemporaryFiles(options.tempGracePeriod());
    return store;
  }

  /** Returns the directory (absolute). */
  public Path directory() {
    return directory;
  }

  /** Returns whether names are chosen for a case-insensitive file system. */
  public boolean caseInsensitive() {
    return names.caseInsensitive();
  }

  /** Returns the file that holds (or would hold) the session {@code id}. */
  public Path fileOf(String id) {
    return directory.resolve(names.nameFor(id));
  }

  /** Checks that a session can be stored, with this store's limits. */
  public void validate(Session session) {
    codec.validate(session);
  }

  /** Releases the directory's locks. Idempotent. */
  public void close() {
    if (closed.compareAndSet(false, true)) {
      locks.release();
    }
  }

  // ------------------------------------------------------------------------------ writes

  /**
   * Writes {@code session} if {@code condition} holds for the stored revision.
   *
   * @throws RevisionConflictException if it does not (nothing changed)
   * @throws StorageUnavailableException if the write fails (the previous document is intact
   *     unless the failure came after the rename, when forcing the directory)
   */
  public Revision save(Session session, WriteCondition condition) throws IOException {
    String id = session.id();
    String name = names.nameFor(id);
    Path path = directory.resolve(name);
    Revision revision = Revisions.random();
    // Encoding is pure CPU work: done before taking the lock, so that it does not hold up
    // other writers of the stripe.
    byte[] document = codec.encode(session, DocumentMetadata.of(revision, session.messages().size()));
    return underLock(name, () -> {
      if (!(condition instanceof WriteCondition.Always)) {
        Optional<Revision> current = currentRevision(path);
        if (!condition.test(current)) {
          throw conflict(id, condition, current);
        }
      }
      writeAtomically(id, name, path, document);
      return revision;
    });
  }

  /**
   * Appends a turn under the file's lock: reads the document, adds the messages, writes the
   * whole document back atomically with a new revision (neuron's format is one document, so
   * the earlier messages are rewritten; the lock makes it one atomic step for every process).
   *
   * @throws org.sessionkit.InvalidSessionException if the appended session can't be stored
   *     (nothing written)
   */
  public Revision append(String id, Append append) throws IOException {
    String name = names.nameFor(id);
    Path path = directory.resolve(name);
    return underLock(name, () -> {
      VersionedSession current = read(id, path);
      if (append.expectedRevision().isPresent()
          && !append.expectedRevision().get().equals(current.revision())) {
        throw new RevisionConflictException(
            "append to " + Ids.describe(id) + ": the stored revision is " + current.revision()
                + ", not " + append.expectedRevision().get());
      }
      Session appended = append.applyTo(current.session());
      Revision revision = Revisions.random();
      byte[] document = codec.encode(appended, DocumentMetadata.of(revision, appended.messages().size()));
      writeAtomically(id, name, path, document);
      return revision;
    });
  }

  /**
   * Deletes the document of {@code id}, if {@code expected} is present only while it has that
   * revision.
   *
   * @throws SessionNotFoundException if there is none
   * @throws RevisionConflictException if the revision differs
   */
  public void delete(String id, Optional<Revision> expected) throws IOException {
    String name = names.nameFor(id);
    Path path = directory.resolve(name);
    underLock(name, () -> {
      if (expected.isPresent()) {
        Optional<Revision> current = currentRevision(path);
        if (current.isEmpty()) {
          throw notFound(id);
        }
        if (!current.get().equals(expected.get())) {
          throw new RevisionConflictException(
              "delete of " + Ids.describe(id) + ": the stored revision is " + current.get()
                  + ", not " + expected.get());
        }
      } else {
        BasicFileAttributes a;
        try {
          a = ops.attributes(path);
        } catch (NoSuchFileException e) {
          if (!Files.isSymbolicLink(path)) {
            throw notFound(id);
          }
          a = Files.readAttributes(path, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        if (a.isDirectory()) {
          throw new CorruptDocumentException(path + " is a directory, not a session document");
        }
      }
      try {
        ops.delete(path);
      } catch (NoSuchFileException e) {
        // Only neuron or a person can remove it under our lock; to the caller it was absent.
        throw notFound(id);
      }
      if (fsync) {
        ops.forceDirectory(directory);
      }
      return null;
    });
  }

  /** A write done while holding its file's stripe. */
  @FunctionalInterface
  private interface Locked<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code write} holding the stripe of file {@code name} in this JVM and in the OS, then
   * forgets what the listing cache knew about the file.
   */
  private <T> T underLock(String name, Locked<T> write) throws IOException {
    DirectoryLocks.Held held = locks.lock(DirectoryLocks.stripeOf(name));
    try {
      return write.run();
    } finally {
      held.close();
      cache.invalidate(name);
      snapshot.set(null);
    }
  }

  private void writeAtomically(String id, String name, Path path, byte[] document) {
    Path temp = directory.resolve(
        TEMP_PREFIX + DirectoryLocks.stripeOf(name) + "-" + Revisions.random().value() + TEMP_SUFFIX);
    String step = "create a temporary file";
    boolean renamed = false;
    try {
      try (FileChannel channel = ops.createNew(temp)) {
        step = "write";
        ops.write(channel, ByteBuffer.wrap(document));
        if (fsync) {
          step = "force to disk";
          ops.force(channel);
        }
      }
      step = "rename into place";
      ops.moveAtomically(temp, path);
      renamed = true;
      if (fsync) {
        step = "force the directory";
        ops.forceDirectory(directory);
      }
    } catch (IOException e) {
      throw new StorageUnavailableException(
          "could not write session " + Ids.describe(id) + " to " + path + " (" + step + " failed: "
              + describe(e) + "); "
              + (renamed ? "the new version is in place but may not be durable"
                  : "the previous version is unchanged"),
          e);
    } finally {
      if (!renamed) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          LOG.log(Level.WARNING, () -> "could not remove the temporary file " + temp
              + "; it will be removed when a store next opens the directory", e);
        }
      }
    }
  }

  /**
   * Reads the stored revision of a document under its lock: from the head for documents this
   * store wrote, from all the bytes otherwise, exactly as {@link #load} computes it.
   *
   * @return empty if there is no file
   */
  private Optional<Revision> currentRevision(Path path) throws IOException {
    try (FileSystemOps.ReadHandle h = ops.openRead(path)) {
      Start start = Start.read(h);
      if (start.ours()) {
        try {
          DocumentHead head = codec.readHead(start.stream(h), path.toString());
          if (head.metadata().isPresent()) {
            return Optional.of(head.metadata().get().revision());
          }
        } catch (SessionStorageException | IllegalArgumentException e) {
          // A damaged document still exists: its revision is its digest (below), so that
          // create() conflicts and only a matching saveIf/deleteIf replaces it.
        }
      }
      byte[] bytes = readAll(h, path);
      try {
        DocumentHead head = codec.readHead(bytes, path.toString());
        if (head.metadata().isPresent()) {
          return Optional.of(head.metadata().get().revision());
        }
      } catch (SessionStorageException | IllegalArgumentException e) {
        // As above.
      }
      return Optional.of(Revisions.ofBytes(bytes, bytes.length));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      if (Files.isDirectory(path)) {
        throw new CorruptDocumentException(path + " is a directory, not a session document", e);
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------------------ reads

  /**
   * Loads the session {@code id} and its revision.
   *
   * @throws SessionNotFoundException if there is no document
   * @throws CorruptDocumentException if the file can't be read as that session (the message
   *     names the file)
   */
  public VersionedSession load(String id) throws IOException {
    return read(id, directory.resolve(names.nameFor(id)));
  }

  private VersionedSession read(String id, Path path) throws IOException {
    byte[] bytes;
    try (FileSystemOps.ReadHandle h = ops.openRead(path)) {
      bytes = readAll(h, path);
    } catch (NoSuchFileException e) {
      if (Files.isSymbolicLink(path)) {
        throw new CorruptDocumentException(path + " is a symbolic link to a file that does not exist", e);
      }
      throw notFound(id);
    } catch (AccessDeniedException e) {
      throw new CorruptDocumentException(path + " can't be read: permission denied", e);
    } catch (IOException e) {
      if (Files.isDirectory(path)) {
        throw new CorruptDocumentException(path + " is a directory, not a session document", e);
      }
      throw e;
    }
    StoredDocument document = codec.decodeDocument(bytes, path.toString());
    if (!document.session().id().equals(id)) {
      throw new CorruptDocumentException(
          path + " holds the session " + Ids.describe(document.session().id()) + ", not "
              + Ids.describe(id));
    }
    Revision revision =
        document.metadata().isPresent()
            ? document.metadata().get().revision()
            : Revisions.ofBytes(bytes, bytes.length);
    return new VersionedSession(document.session(), revision);
  }

  private byte[] readAll(FileSystemOps.ReadHandle h, Path path) throws IOException {
    long max = codec.maxDocumentBytes();
    long size = h.size();
    if (size > max) {
      throw tooLarge(path, size);
    }
    byte[] buffer = new byte[(int) size];
    int n = 0;
    while (true) {
      if (n == buffer.length) {
        // The file grew since size() (neuron rewrites in place): keep reading, within the limit.
        if (h.read(ByteBuffer.allocate(1), n) < 0) {
          return buffer;
        }
        if (n >= max) {
          throw tooLarge(path, n + 1L);
        }
        buffer = Arrays.copyOf(buffer, (int) Math.min(max, Math.max(16, 2L * n)));
      }
      int r = h.read(ByteBuffer.wrap(buffer, n, buffer.length - n), n);
      if (r < 0) {
        return Arrays.copyOf(buffer, n);
      }
      n += r;
    }
  }

  private CorruptDocumentException tooLarge(Path path, long size) {
    return new CorruptDocumentException(
        path + " is " + size + " bytes, over this store's limit of " + codec.maxDocumentBytes()
            + " (maxDocumentBytes)");
  }

  // ------------------------------------------------------------------------------ listing

  /**
   * Returns up to {@link PageRequest#fetchSize()} matching summaries in listing order. Problem
   * entries are reported with the first page of a walk (a request without a position) only, so
   * that a walk reports each once; with an id prefix, only those whose id matches or is
   * unknown.
   *
   * <p>Cost: one directory read, then per {@code .json} file whose name passes the prefix, one
   * {@code stat}; a file is opened only when the cache can't vouch for it (new, changed, or
   * modified in the last few seconds), and then only its head is read, or all of it for a
   * document neuron wrote. Choosing the page keeps only the best {@code fetchSize} summaries.
   *
   * <p>A later page of a walk (a request with a position) is served from the {@link Snapshot}
   * of the last unfiltered scan when that is still valid, for one {@code stat} of the
   * directory: so walking n sessions costs about n {@code stat}s, not n per page.
   */
  public PageResult list(PageRequest request) throws IOException {
    if (request.after().isPresent()) {
      Optional<PageResult> page = fromSnapshot(request);
      if (page.isPresent()) {
        return page.get();
      }
    }
    Instant readStart = Instant.now();
    BasicFileAttributes directoryBefore = ops.attributes(directory);
    List<SessionSummary> everything = new ArrayList<>();
    boolean firstPage = request.after().isEmpty();
    boolean wholeDirectory = request.idPrefix().isEmpty();
    PriorityQueue<SessionSummary> best = new PriorityQueue<>(request.fetchSize() + 1, ORDER.reversed());
    List<ListingProblem> problems = new ArrayList<>();
    List<String> entries = ops.list(directory);
    int cachedNamesSeen = 0;
    for (String name : entries) {
      if (!name.endsWith(FileNames.SUFFIX)) {
        continue;
      }
      // A name's meaning never changes: take it from the cache when the file was seen before
      // (decoding and re-encoding a name costs more than the stat), else parse it.
      Optional<HeadCache.Entry> cached = cache.entry(name);
      Optional<String> nameId;
      if (cached.isPresent()) {
        cachedNamesSeen++;
        nameId = cached.get().nameId();
      } else {
        FileNames.Parsed parsed = names.parse(name);
        if (parsed instanceof Foreign foreign) {
          if (firstPage && prefixAdmits(request, foreign.id())) {
            problems.add(new ListingProblem(directory.resolve(name).toString(), foreign.id(), foreign.reason()));
          }
          continue;
        }
        nameId = parsed instanceof Named named ? Optional.of(named.id()) : Optional.empty();
      }
      if (nameId.isPresent() && !prefixAdmits(request, nameId)) {
        continue; // decided by the name alone: no stat, no read
      }
      Optional<Scan> scan = scan(name, directory.resolve(name), nameId, cached, readStart);
      if (scan.isEmpty()) {
        continue; // removed while we listed
      }
      if (scan.get() instanceof Found found) {
        everything.add(found.summary());
        if (request.matches(found.summary())) {
          best.add(found.summary());
          if (best.size() > request.fetchSize()) {
            best.poll();
          }
        }
      } else if (firstPage) {
        ListingProblem problem = ((Unreadable) scan.get()).problem();
        if (prefixAdmits(request, problem.id())) {
          problems.add(problem);
        }
      }
    }
    if (wholeDirectory && cachedNamesSeen < cache.size()) {
      cache.retainOnly(new HashSet<>(entries)); // some cached files are gone
    }
    if (wholeDirectory) {
      snapshot.set(Snapshot.of(everything, directoryBefore, readStart).orElse(null));
    } else if (firstPage) {
      // A filtered walk starts here: a snapshot older than it must not serve its later pages.
      snapshot.set(null);
    }
    List<SessionSummary> page = new ArrayList<>(best);
    page.sort(ORDER);
    problems.sort(Comparator.comparing(ListingProblem::location));
    return new PageResult(page, problems);
  }

  /**
   * The summaries of every readable document found by an unfiltered scan, in listing order,
   * kept to serve the later pages of a walk without a scan per page.
   *
   * <p>A later page may use it while (a) it is at most {@link #TTL} old, (b) no write went
   * through this instance since, and (c) the directory's modification time is unchanged: every
   * write of any sessionkit process renames a file into the directory, and every create and
   * delete changes it too. It is kept only if the directory had not been modified for {@link
   * HeadCache#RACY_WINDOW} before the scan began, so that a change within one tick of the
   * file system's clock can't hide behind an unchanged time. What (c) can't see is a document
   * rewritten in place (neuron does that): such a session counts as modified during the walk,
   * which keyset paging allows to appear twice or not at all. The first page of every walk on
   * this instance scans afresh, so a walk started here never sees a snapshot older than itself;
   * only a walk continued from another instance can, by at most {@link #TTL}.
   *
   * @param sorted the summaries in listing order
   * @param directoryModified the directory's modification time before the scan
   * @param takenAt when the scan began
   */
  private record Snapshot(List<SessionSummary> sorted, Instant directoryModified, Instant takenAt) {

    /** How long a snapshot may serve later pages. */
    static final Duration TTL = Duration.ofSeconds(5);

    /** Returns the snapshot of a scan, or empty if the directory changed too recently to trust one. */
    static Optional<Snapshot> of(List<SessionSummary> found, BasicFileAttributes directory, Instant takenAt) {
      Instant modified = directory.lastModifiedTime().toInstant();
      if (!modified.isBefore(takenAt.minus(HeadCache.RACY_WINDOW))) {
        return Optional.empty();
      }
      List<SessionSummary> sorted = new ArrayList<>(found);
      sorted.sort(ORDER);
      return Optional.of(new Snapshot(List.copyOf(sorted), modified, takenAt));
    }
  }

  private Optional<PageResult> fromSnapshot(PageRequest request) throws IOException {
    Snapshot s = snapshot.get();
    if (s == null || Instant.now().isAfter(s.takenAt().plus(Snapshot.TTL))) {
      return Optional.empty();
    }
    if (!ops.attributes(directory).lastModifiedTime().toInstant().equals(s.directoryModified())) {
      return Optional.empty();
    }
    ListPosition after = request.after().get();
    List<SessionSummary> sorted = s.sorted();
    int low = 0;
    int high = sorted.size();
    while (low < high) { // the first entry strictly after the position
      int mid = (low + high) >>> 1;
      if (after.isBefore(sorted.get(mid).updatedAt(), sorted.get(mid).id())) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    List<SessionSummary> page = new ArrayList<>();
    for (int i = low; i < sorted.size() && page.size() < request.fetchSize(); i++) {
      if (request.matches(sorted.get(i))) {
        page.add(sorted.get(i));
      }
    }
    return Optional.of(new PageResult(page, List.of()));
  }

  /** Returns how many files the head cache vouches for (for tests and diagnostics). */
  public int cachedHeads() {
    return cache.size();
  }

  private static boolean prefixAdmits(PageRequest request, Optional<String> id) {
    return request.idPrefix().isEmpty() || id.isEmpty() || id.get().startsWith(request.idPrefix().get());
  }

  private Optional<Scan> scan(
      String name, Path path, Optional<String> nameId, Optional<HeadCache.Entry> cached, Instant readStart) {
    BasicFileAttributes attributes;
    try {
      attributes = ops.attributes(path);
    } catch (NoSuchFileException e) {
      if (Files.isSymbolicLink(path)) {
        return Optional.of(unreadable(path, nameId, "a symbolic link to a file that does not exist"));
      }
      return Optional.empty(); // removed since the directory was read
    } catch (IOException e) {
      return Optional.of(unreadable(path, nameId, "its attributes can't be read: " + describe(e)));
    }
    if (attributes.isDirectory()) {
      return Optional.of(unreadable(path, nameId, "a directory, not a session document"));
    }
    if (!attributes.isRegularFile()) {
      return Optional.of(unreadable(path, nameId, "not a regular file"));
    }
    if (cached.isPresent() && cached.get().matches(attributes)) {
      return Optional.of(cached.get().scan());
    }
    Optional<Scan> scan = readHead(name, path, nameId, attributes.size());
    scan.ifPresent(s -> cache.put(name, nameId, attributes, readStart, s));
    return scan;
  }

  private Optional<Scan> readHead(String name, Path path, Optional<String> nameId, long size) {
    if (size > codec.maxDocumentBytes()) {
      return Optional.of(unreadable(path, nameId, tooLarge(path, size).getMessage()));
    }
    String source = path.toString();
    try (FileSystemOps.ReadHandle h = ops.openRead(path)) {
      Start start = Start.read(h);
      boolean ours = start.ours();
      if (ours && !start.endsWithBrace(h)) {
        // Our documents are written whole and renamed into place, so a document of ours that
        // does not end where JSON ends was cut by something else (a full disk in a copy, a
        // broken backup). Checking the last bytes is cheap; load() checks everything.
        return Optional.of(unreadable(path, nameId, "truncated: the document does not end with '}'"));
      }
      MessageDigest digest = ours ? null : Revisions.sha256(); // our heads need no digest
      InputStream in = ours ? start.stream(h) : new DigestInputStream(start.stream(h), digest);
      DocumentHead head = codec.readHead(in, source);
      Revision revision;
      if (head.metadata().isPresent()) {
        revision = head.metadata().get().revision();
      } else if (!ours) {
        in.transferTo(java.io.OutputStream.nullOutputStream()); // the digest needs every byte
        revision = Revisions.ofDigest(digest);
      } else {
        byte[] all = readAll(h, path);
        revision = Revisions.ofBytes(all, all.length);
      }
      boolean idMatches =
          nameId.isPresent() ? head.id().equals(nameId.get()) : names.isNameOf(name, head.id());
      if (!idMatches) {
        return Optional.of(unreadable(path, nameId,
            "holds the session " + Ids.describe(head.id()) + ", which does not belong under this name"));
      }
      return Optional.of(new Found(new SessionSummary(
          head.id(), head.createdAt(), head.updatedAt(), head.messageCount(), revision)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (AccessDeniedException e) {
      return Optional.of(unreadable(path, nameId, "can't be read: permission denied"));
    } catch (IOException e) {
      return Optional.of(unreadable(path, nameId, "can't be read: " + describe(e)));
    } catch (SessionStorageException | IllegalArgumentException e) {
      return Optional.of(unreadable(path, nameId, e.getMessage()));
    }
  }

  /**
   * The first bytes of a file, read with one positional read: enough to tell a document this
   * store wrote, and usually its whole head, so that a listing reads each file with one or two
   * reads (plus one for the last bytes).
   */
  private record Start(byte[] bytes, int length, long size) {

    /** How much of a file a listing reads at a time while looking for the head. */
    static final int CHUNK = 4096;

    static Start read(FileSystemOps.ReadHandle h) throws IOException {
      long size = h.size();
      byte[] bytes = new byte[(int) Math.min(Math.max(size, OUR_START.length), CHUNK)];
      int n = readAt(h, bytes, 0);
      return new Start(bytes, n, size);
    }

    /** Whether the file starts as documents of this store do. */
    boolean ours() {
      return length >= OUR_START.length
          && Arrays.equals(bytes, 0, OUR_START.length, OUR_START, 0, OUR_START.length);
    }

    /**
     * Returns the whole file as a stream: these bytes, then the rest read {@link #CHUNK} bytes at
     * a time for our documents (whose reading stops at the head) and in larger reads for
     * neuron's (which are read to their end).
     */
    InputStream stream(FileSystemOps.ReadHandle h) {
      return new java.io.SequenceInputStream(
          new java.io.ByteArrayInputStream(bytes, 0, length),
          new HandleInputStream(h, length, ours() ? CHUNK : 64 * 1024));
    }

    /** Whether the last non-blank byte is a closing brace. */
    boolean endsWithBrace(FileSystemOps.ReadHandle h) throws IOException {
      byte[] tail;
      int n;
      if (length >= size) {
        tail = bytes;
        n = length;
      } else {
        tail = new byte[(int) Math.min(size, 64)];
        n = readAt(h, tail, size - tail.length);
      }
      for (int i = n - 1; i >= 0; i--) {
        byte b = tail[i];
        if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
          return b == '}';
        }
      }
      return false;
    }
  }

  /** Reads into all of {@code into} from {@code position}, or up to the end; returns the count. */
  private static int readAt(FileSystemOps.ReadHandle h, byte[] into, long position) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(into);
    while (buffer.hasRemaining()) {
      if (h.read(buffer, position + buffer.position()) < 0) {
        break;
      }
    }
    return buffer.position();
  }

  /** Reads a file from a position through positional reads of at most {@code chunk} bytes. */
  private static final class HandleInputStream extends InputStream {
    private final FileSystemOps.ReadHandle h;
    private final int chunk;
    private long position;

    HandleInputStream(FileSystemOps.ReadHandle h, long position, int chunk) {
      this.h = h;
      this.position = position;
      this.chunk = chunk;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = h.read(ByteBuffer.wrap(b, off, Math.min(len, chunk)), position);
      if (n > 0) {
        position += n;
      }
      return n;
    }
  }

  private static Unreadable unreadable(Path path, Optional<String> id, String reason) {
    return new Unreadable(new ListingProblem(path.toString(), id, reason));
  }

  // ------------------------------------------------------------------------------ opening

  private static void prepare(Path dir, boolean create) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (Files.exists(dir)) {
      throw new StorageConfigurationException("the file store location " + dir + " is not a directory");
    }
    if (!create) {
      throw new StorageConfigurationException(
          "the file store directory " + dir + " does not exist (and create=false)");
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  /**
   * Finds out whether a directory ignores case: creates a lower-case probe file and looks for
   * its upper-case name. A directory that can't be written (read-only) is assumed to ignore
   * case on Windows and macOS, whose default file systems do, and to respect it elsewhere.
   */
  private static boolean probeCaseInsensitive(Path dir, FileSystemOps ops) {
    String probe = PROBE + Revisions.random().value() + TEMP_SUFFIX;
    Path lower = dir.resolve(probe);
    try {
      ops.createNew(lower).close();
    } catch (IOException e) {
      String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
      boolean guess = os.startsWith("windows") || os.startsWith("mac");
      LOG.log(Level.WARNING, () -> "can't write in " + dir + " to find out whether it ignores case ("
          + describe(e) + "); assuming it " + (guess ? "does" : "does not"));
      return guess;
    }
    try {
      ops.attributes(dir.resolve(probe.toUpperCase(Locale.ROOT)));
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      try {
        ops.delete(lower);
      } catch (IOException e) {
        LOG.log(Level.WARNING, () -> "could not remove the probe file " + lower, e);
      }
    }
  }

  /**
   * Removes temporary files that crashed writers left: those older than {@code grace} whose
   * stripe no thread or process holds (a writer holds its stripe from before it creates its
   * temporary file until after the rename). Failures are logged, never fatal: a read-only
   * directory can still be read.
   */
  private void removeTemporaryFiles(Duration grace) {
    Instant cutoff = Instant.now().minus(grace);
    int removed = 0;
    try {
      for (String name : ops.list(directory)) {
        if (!name.startsWith(TEMP_PREFIX) || !name.endsWith(TEMP_SUFFIX)) {
          continue;
        }
        Path path = directory.resolve(name);
        try {
          if (!ops.attributes(path).lastModifiedTime().toInstant().isBefore(cutoff)) {
            continue;
          }
          if (name.startsWith(PROBE)) {
            ops.delete(path);
            removed++;
            continue;
          }
          int stripe = stripeOfTemporary(name);
          if (stripe < 0) {
            continue; // not one of ours after all
          }
          Optional<DirectoryLocks.Held> held = locks.tryLock(stripe);
          if (held.isEmpty()) {
            continue; // a writer may be using it
          }
          try {
            ops.delete(path);
            removed++;
          } finally {
            held.get().close();
          }
        } catch (NoSuchFileException e) {
          // Renamed or removed meanwhile: nothing to clean.
        }
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, () -> "could not remove leftover temporary files in " + directory + ": "
          + describe(e));
    }
    if (removed > 0) {
      int count = removed;
      LOG.log(Level.INFO, () -> "removed " + count + " temporary file(s) left by interrupted writes in "
          + directory);
    }
  }

  private static int stripeOfTemporary(String name) {
    int dash = name.indexOf('-', TEMP_PREFIX.length());
    if (dash < 0) {
      return -1;
    }
    try {
      int stripe = Integer.parseInt(name.substring(TEMP_PREFIX.length(), dash));
      return stripe >= 0 && stripe < DirectoryLocks.STRIPES ? stripe : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------------------ errors

  private SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + Ids.describe(id) + " in " + directory);
  }

  private static RevisionConflictException conflict(
      String id, WriteCondition condition, Optional<Revision> current) {
    String what =
        condition instanceof WriteCondition.IfAbsent
            ? "it already exists"
            : current.isEmpty()
                ? "it does not exist"
                : "the stored revision is " + current.get() + ", not "
                    + ((WriteCondition.IfRevision) condition).expected();
    return new RevisionConflictException("conditional save of " + Ids.describe(id) + " refused: " + what);
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
