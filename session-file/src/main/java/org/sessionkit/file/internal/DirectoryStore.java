package org.sessionkit.file.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.sessionkit.Append;
import org.sessionkit.BulkDeleteException;
import org.sessionkit.DeleteFilter;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.ListQuery;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionSummary;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.spi.PreparedDocument;
import org.sessionkit.spi.StoredSlice;
import org.sessionkit.spi.WriteLog;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.ListingProblem;
import org.sessionkit.spi.DocumentHead;
import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionStorageException;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.spi.StoredDocument;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;

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
 * wrote with a streaming parser, and remember what they read ({@link DirectoryListing}). Thread
 * safe.
 */
public final class DirectoryStore {

  private static final System.Logger LOG = System.getLogger("org.sessionkit.file");

  /** Temporary and probe files start with this and end with {@link #TEMP_SUFFIX}. */
  static final String TEMP_PREFIX = ".sk-";

  /** The suffix of temporary files: never {@code .json}, so neuron and listings skip them. */
  static final String TEMP_SUFFIX = ".tmp";

  private static final String PROBE = TEMP_PREFIX + "probe-";

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
   * @param retention how long sessions are kept after their last write, and the store's clock
   * @param beforeSweepLock called with each file name a sweep found expired, before it takes the
   *     file's lock (tests write the session there, as another process could)
   */
  public record Options(
      Path directory,
      boolean fsync,
      SessionCodec codec,
      FileSystemOps ops,
      Duration tempGracePeriod,
      Optional<Boolean> caseInsensitive,
      boolean createDirectory,
      Retention retention,
      java.util.function.Consumer<String> beforeSweepLock) {

    /** Validates the fields. */
    public Options {
      Objects.requireNonNull(directory, "directory");
      Objects.requireNonNull(codec, "codec");
      Objects.requireNonNull(ops, "ops");
      Objects.requireNonNull(tempGracePeriod, "tempGracePeriod");
      Objects.requireNonNull(caseInsensitive, "caseInsensitive");
      Objects.requireNonNull(retention, "retention");
      Objects.requireNonNull(beforeSweepLock, "beforeSweepLock");
    }
  }

  private final Path directory;
  private final boolean fsync;
  private final SessionCodec codec;
  private final FileSystemOps ops;
  private final FileNames names;
  private final DirectoryLocks locks;
  private final DirectoryListing listing;
  private final Retention retention;
  private final java.util.function.Consumer<String> beforeSweepLock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DirectoryStore(Options options, Path directory, FileNames names, DirectoryLocks locks) {
    this.directory = directory;
    this.fsync = options.fsync();
    this.codec = options.codec();
    this.ops = options.ops();
    this.names = names;
    this.locks = locks;
    this.retention = options.retention();
    this.beforeSweepLock = options.beforeSweepLock();
    this.listing = new DirectoryListing(directory, codec, ops, names, retention);
  }

  /**
   * Returns {@code path} made absolute, without its {@code .} segments, so that messages name
   * files as {@code /srv/sessions/x.json} rather than {@code /srv/./sessions/x.json}. {@code ..}
   * segments are kept: behind a symbolic link, removing one would name another directory.
   */
  public static Path absolute(Path path) {
    Path abs = path.toAbsolutePath();
    Path out = abs.getRoot();
    for (Path name : abs) {
      if (!name.toString().equals(".")) {
        out = out == null ? name : out.resolve(name);
      }
    }
    return out == null ? abs : out;
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
    Path dir = absolute(options.directory());
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

  /**
   * Checks cheaply that the store can work: its directory exists, is a directory (following a
   * link to it) and may be written, without listing it.
   *
   * @throws StorageUnavailableException if not
   * @throws IOException if its attributes can't be read (e.g. it was removed)
   */
  public void ping() throws IOException {
    if (!ops.attributes(directory).isDirectory()) {
      throw new StorageUnavailableException("the file store location " + directory + " is no longer a directory");
    }
    if (!Files.isWritable(directory)) {
      throw new StorageUnavailableException("the file store directory " + directory + " is not writable");
    }
  }

  /** Releases the directory's locks. Idempotent. */
  public void close() {
    if (closed.compareAndSet(false, true)) {
      locks.release();
    }
  }

  // ------------------------------------------------------------------------------ writes

  /**
   * Writes {@code session} if {@code condition} holds for the stored revision; with a {@code
   * key}, first looks the key up in the stored {@link WriteLog} and, if found, writes nothing
   * and returns the revision recorded there. The session is encoded before the lock is taken;
   * under the lock the stored head is read (revision, write log, write time), the head of the
   * new document is chosen (a plain save keeps the stored log; a keyed one records its key) and
   * the document is written atomically.
   *
   * @throws RevisionConflictException if the condition does not hold (nothing changed)
   * @throws CorruptDocumentException if a conditional or keyed write meets an entry that is not
   *     a regular file, or any write meets a directory under the session's name
   * @throws StorageUnavailableException if the write fails (the previous document is intact
   *     unless the failure came after the rename, when forcing the directory)
   */
  public Revision save(Session session, WriteCondition condition, Optional<IdempotencyKey> key) throws IOException {
    String id = session.id();
    String name = names.nameFor(id);
    Path path = directory.resolve(name);
    Revision revision = Revisions.random();
    // Encoding is pure CPU work: done before taking the lock, so that it does not hold up
    // other writers of the stripe; only the small head is encoded under the lock.
    PreparedDocument prepared = codec.prepare(session);
    return underLock(name, () -> {
      Stored current;
      try {
        current = stored(path);
      } catch (NotRegularFileException e) {
        if (!(condition instanceof WriteCondition.Always) || key.isPresent()) {
          throw notRegular(path, e);
        }
        current = Stored.ABSENT; // a plain save replaces the link, FIFO or device itself
      }
      if (key.isPresent()) {
        Optional<Revision> done = current.log().find(key.get());
        if (done.isPresent()) {
          return done.get(); // this write was applied before: apply nothing
        }
      }
      if (!condition.test(current.revision())) {
        throw conflict(id, condition, current.revision());
      }
      DocumentMetadata metadata = DocumentMetadata.of(revision, prepared.messageCount())
          .withWriteLog(current.log().after(key, revision))
          .withWrittenAt(retention.now());
      writeAtomically(id, name, path, prepared.head(metadata), prepared.body());
      return revision;
    });
  }

  /**
   * Appends a turn under the file's lock: reads the document, checks the key (if any) and then
   * the expected revision (if any), adds the messages, writes the whole document back atomically
   * with a new revision (neuron's format is one document, so the earlier messages are
   * rewritten; the lock makes it one atomic step for every process).
   *
   * @throws org.sessionkit.InvalidSessionException if the appended session can't be stored
   *     (nothing written)
   */
  public Revision append(String id, Append append) throws IOException {
    String name = names.nameFor(id);
    Path path = directory.resolve(name);
    return underLock(name, () -> {
      Loaded current = read(id, path);
      Optional<IdempotencyKey> key = append.idempotencyKey();
      if (key.isPresent()) {
        Optional<Revision> done = current.log().find(key.get());
        if (done.isPresent()) {
          return done.get(); // this append was applied before: apply nothing
        }
      }
      if (append.expectedRevision().isPresent()
          && !append.expectedRevision().get().equals(current.revision())) {
        throw new RevisionConflictException(
            "append to " + SessionIds.quote(id) + ": the stored revision is " + current.revision()
                + ", not " + append.expectedRevision().get());
      }
      Session appended = append.applyTo(current.session());
      Revision revision = Revisions.random();
      PreparedDocument prepared = codec.prepare(appended);
      DocumentMetadata metadata = DocumentMetadata.of(revision, prepared.messageCount())
          .withWriteLog(current.log().after(key, revision))
          .withWrittenAt(retention.now());
      writeAtomically(id, name, path, prepared.head(metadata), prepared.body());
      return revision;
    });
  }

  /**
   * Deletes the document of {@code id}, if {@code expected} is present only while it has that
   * revision. An expired document counts as absent (and its file is removed, as a sweep would).
   *
   * @throws SessionNotFoundException if there is none
   * @throws RevisionConflictException if the revision differs
   */
  public void delete(String id, Optional<Revision> expected) throws IOException {
    String name = names.nameFor(id);
    Path path = directory.resolve(name);
    underLock(name, () -> {
      boolean expired = false;
      if (expected.isPresent()) {
        Stored current;
        try {
          current = stored(path, true);
        } catch (NotRegularFileException e) {
          throw notRegular(path, e);
        }
        if (current.revision().isEmpty()) {
          if (!current.expired()) {
            throw notFound(id);
          }
          expired = true;
        } else if (!current.revision().get().equals(expected.get())) {
          throw new RevisionConflictException(
              "delete of " + SessionIds.quote(id) + ": the stored revision is " + current.revision().get()
                  + ", not " + expected.get());
        }
      } else {
        BasicFileAttributes a;
        try {
          a = ops.entryAttributes(path);
        } catch (NoSuchFileException e) {
          throw notFound(id);
        }
        if (a.isDirectory()) {
          throw new CorruptDocumentException(path + " is a directory, not a session document");
        }
        // A link, a FIFO or a device under the name of a session is removed like a document:
        // unlinking never follows, opens or reads it.
        if (a.isRegularFile() && retention.expires()) {
          try {
            expired = stored(path, true).expired();
          } catch (NotRegularFileException e) {
            expired = false; // replaced by something else meanwhile: remove that
          }
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
      if (expired) {
        throw notFound(id); // it was absent all along; removing its file was a sweep's work
      }
      return null;
    });
  }

  /**
   * Deletes every live session {@code filter} selects, page by page under each file's lock:
   * each candidate found by a listing is deleted only if its stored revision is still the one
   * listed, so a session written during the sweep stays as its writer left it.
   *
   * @return how many sessions were deleted
   * @throws BulkDeleteException if a deletion failed, with the count so far
   */
  public long deleteMatching(DeleteFilter filter) throws IOException {
    long deleted = 0;
    Optional<ListPosition> after = Optional.empty();
    while (true) {
      PageRequest request = new PageRequest(ListQuery.MAX_LIMIT, filter.idPrefix(), filter.updatedBefore(),
          filter.updatedAfter(), after);
      PageResult page;
      try {
        page = listing.list(request);
      } catch (IOException | RuntimeException e) {
        throw new BulkDeleteException(deleted, e);
      }
      List<SessionSummary> found = page.summaries();
      boolean more = found.size() > request.limit();
      List<SessionSummary> batch = more ? found.subList(0, request.limit()) : found;
      for (SessionSummary s : batch) {
        try {
          delete(s.id(), Optional.of(s.revision()));
          deleted++;
        } catch (RevisionConflictException | SessionNotFoundException e) {
          // Written or deleted by someone else during the sweep: it stays as they left it.
        } catch (IOException | RuntimeException e) {
          throw new BulkDeleteException(deleted, e);
        }
      }
      if (!more) {
        return deleted;
      }
      after = Optional.of(ListPosition.of(batch.get(batch.size() - 1)));
    }
  }

  /**
   * Removes up to {@code max} expired documents, each under its lock after reading its head
   * again: a document written since the listing that found it expired is kept.
   *
   * @return how many were removed
   */
  public int sweep(int max) throws IOException {
    if (!retention.expires()) {
      return 0;
    }
    int removed = 0;
    for (String name : listing.expired(max)) {
      Path path = directory.resolve(name);
      beforeSweepLock.accept(name);
      boolean gone = underLock(name, () -> {
        try {
          if (!stored(path, true).expired()) {
            return false;
          }
        } catch (NotRegularFileException e) {
          return false;
        }
        try {
          ops.delete(path);
        } catch (NoSuchFileException e) {
          return false;
        }
        return true;
      });
      if (gone) {
        removed++;
      }
    }
    if (removed > 0 && fsync) {
      ops.forceDirectory(directory);
    }
    return removed;
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
      listing.invalidate(name);
    }
  }

  private void writeAtomically(String id, String name, Path path, byte[] head, byte[] body) {
    Path temp = directory.resolve(
        TEMP_PREFIX + DirectoryLocks.stripeOf(name) + "-" + Revisions.random().value() + TEMP_SUFFIX);
    String step = "create a temporary file";
    boolean renamed = false;
    try {
      try (FileChannel channel = ops.createNew(temp)) {
        step = "write";
        ops.write(channel, ByteBuffer.wrap(head), ByteBuffer.wrap(body));
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
      if (!renamed && step.equals("rename into place") && isDirectory(path)) {
        throw new CorruptDocumentException(
            path + " is a directory, not a session document: the session can't be written there", e);
      }
      throw new StorageUnavailableException(
          "could not write session " + SessionIds.quote(id) + " to " + path + " (" + step + " failed: "
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
   * What a write learns of the stored document under its lock.
   *
   * @param revision its revision; empty if there is no document (or it expired)
   * @param log its write log (empty for a document without one)
   * @param expired whether there is a document that expired
   */
  private record Stored(Optional<Revision> revision, WriteLog log, boolean expired) {
    static final Stored ABSENT = new Stored(Optional.empty(), WriteLog.empty(), false);
    static final Stored EXPIRED = new Stored(Optional.empty(), WriteLog.empty(), true);
  }

  private Stored stored(Path path) throws IOException {
    return stored(path, false);
  }

  /**
   * Reads, under its lock, the revision and write log of a document: from the head for documents
   * this store wrote, from all the bytes otherwise, exactly as {@link #load} computes the
   * revision. A document that can't be parsed still exists: its revision is the digest of its
   * bytes (so that {@code create} conflicts and only a matching conditional write replaces it)
   * and it has no log.
   *
   * @throws NotRegularFileException if the entry is not a regular file
   */
  private Stored stored(Path path, boolean forDelete) throws IOException {
    try (FileSystemOps.ReadHandle h = ops.openRead(path)) {
      DocumentFiles.Start start = DocumentFiles.Start.read(h);
      Optional<DocumentMetadata> metadata = Optional.empty();
      Revision revision = null;
      if (start.ours()) {
        try {
          metadata = codec.readHead(start.stream(h, DocumentFiles.Start.CHUNK), path.toString()).metadata();
        } catch (SessionStorageException | IllegalArgumentException e) {
          // Damaged: the digest below.
        }
      }
      if (metadata.isPresent()) {
        revision = metadata.get().revision();
      } else {
        byte[] bytes = DocumentFiles.readAll(h, path, codec.maxDocumentBytes());
        try {
          metadata = codec.readHead(bytes, path.toString()).metadata();
        } catch (SessionStorageException | IllegalArgumentException e) {
          // As above.
        }
        revision = metadata.isPresent() ? metadata.get().revision() : Revisions.ofBytes(bytes, bytes.length);
      }
      if (retention.expired(Retention.lastWrite(metadata, h.attributes()))) {
        return Stored.EXPIRED;
      }
      return new Stored(Optional.of(revision), metadata.map(DocumentMetadata::writeLog).orElse(WriteLog.empty()), false);
    } catch (NoSuchFileException e) {
      return Stored.ABSENT;
    } catch (AccessDeniedException e) {
      throw new CorruptDocumentException(path + " can't be read: permission denied", e);
    }
  }

  /**
   * The error for an entry that is not a regular file: it names the entry and what it is, and
   * nothing it points to or holds (the store never opens it).
   */
  static CorruptDocumentException notRegular(Path path, NotRegularFileException e) {
    return new CorruptDocumentException(
        path + " is " + e.what() + ", not a regular file: the store reads only regular files", e);
  }

  private boolean isDirectory(Path path) {
    try {
      return ops.entryAttributes(path).isDirectory();
    } catch (IOException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------------------ reads

  /**
   * Loads the session {@code id} and its revision.
   *
   * @throws SessionNotFoundException if there is no document, or it expired
   * @throws CorruptDocumentException if the file can't be read as that session (the message
   *     names the file)
   */
  public VersionedSession load(String id) throws IOException {
    Loaded loaded = read(id, directory.resolve(names.nameFor(id)));
    return new VersionedSession(loaded.session(), loaded.revision());
  }

  /**
   * A whole document as read.
   *
   * @param session the session
   * @param revision its revision
   * @param log its write log
   * @param lastWrite when it was last written (see {@link Retention#lastWrite})
   */
  private record Loaded(Session session, Revision revision, WriteLog log, Instant lastWrite) {}

  private Loaded read(String id, Path path) throws IOException {
    Loaded read;
    try {
      read = readDocument(path);
    } catch (NoSuchFileException e) {
      throw notFound(id);
    }
    if (retention.expired(read.lastWrite())) {
      throw notFound(id);
    }
    if (!read.session().id().equals(id)) {
      throw new CorruptDocumentException(
          path + " holds the session " + SessionIds.quote(read.session().id()) + ", not "
              + SessionIds.quote(id));
    }
    return read;
  }

  /**
   * Reads and decodes a whole document, as {@link #load} does, without checking its id against
   * its name or its write time against the retention. The file is read whole into one array of
   * its size and decoded from there: the codec decodes long strings from a document in memory at
   * the cost of one copy, where streaming them through Jackson costs several (a document
   * dominated by a 100 MB string loaded with -Xmx440m streamed, and with about half that read
   * whole; see BENCHMARKS.md). A document without a head has the digest of these bytes as its
   * revision.
   *
   * @throws NoSuchFileException if there is no such entry
   * @throws CorruptDocumentException if it is not a regular file, can't be read for lack of
   *     permission, or is not a valid document (the message names the file)
   * @throws IOException if reading fails otherwise
   */
  private Loaded readDocument(Path path) throws IOException {
    try (FileSystemOps.ReadHandle h = ops.openRead(path)) {
      long size = h.size();
      if (size > codec.maxDocumentBytes()) {
        throw DocumentFiles.tooLarge(path, size, codec.maxDocumentBytes());
      }
      byte[] bytes = DocumentFiles.readAll(h, path, codec.maxDocumentBytes());
      StoredDocument document = codec.decodeDocument(bytes, path.toString());
      Revision revision = document.metadata().isPresent()
          ? document.metadata().get().revision()
          : Revisions.ofBytes(bytes, bytes.length);
      return new Loaded(document.session(), revision,
          document.metadata().map(DocumentMetadata::writeLog).orElse(WriteLog.empty()),
          Retention.lastWrite(document.metadata(), h.attributes()));
    } catch (NotRegularFileException e) {
      throw notRegular(path, e);
    } catch (AccessDeniedException e) {
      throw new CorruptDocumentException(path + " can't be read: permission denied", e);
    }
  }

  /**
   * Reads up to {@code count} messages of {@code id} ending at {@code end} (the end of the
   * session when empty), with the state and revision of the same stored version, without
   * building the other messages: a document this store wrote is streamed once (its head says
   * how many messages it holds); one without a head is read whole and scanned twice in memory
   * (once to count, once to build the slice).
   *
   * @throws SessionNotFoundException if there is no document, or it expired
   * @throws CorruptDocumentException as {@link #load}
   */
  public SessionSlice loadSlice(String id, OptionalLong end, int count) throws IOException {
    Path path = directory.resolve(names.nameFor(id));
    String source = path.toString();
    StoredSlice slice;
    Revision revision;
    Instant lastWrite;
    try (FileSystemOps.ReadHandle h = ops.openRead(path)) {
      long size = h.size();
      if (size > codec.maxDocumentBytes()) {
        throw DocumentFiles.tooLarge(path, size, codec.maxDocumentBytes());
      }
      DocumentFiles.Start start = DocumentFiles.Start.read(h);
      slice = null;
      revision = null;
      if (start.ours()) {
        slice = codec.decodeSlice(start.stream(h, DocumentFiles.WHOLE_CHUNK), source, end, count, OptionalLong.empty());
        revision = slice.metadata().map(DocumentMetadata::revision).orElse(null);
      }
      if (revision == null) {
        byte[] bytes = DocumentFiles.readAll(h, path, codec.maxDocumentBytes());
        DocumentHead head = codec.readHead(bytes, source);
        slice = codec.decodeSlice(bytes, source, end, count,
            head.metadata().isPresent() ? OptionalLong.empty() : OptionalLong.of(head.messageCount()));
        revision = slice.metadata().isPresent() ? slice.metadata().get().revision() : Revisions.ofBytes(bytes, bytes.length);
      }
      lastWrite = Retention.lastWrite(slice.metadata(), h.attributes());
    } catch (NoSuchFileException e) {
      throw notFound(id);
    } catch (NotRegularFileException e) {
      throw notRegular(path, e);
    } catch (AccessDeniedException e) {
      throw new CorruptDocumentException(path + " can't be read: permission denied", e);
    }
    if (retention.expired(lastWrite)) {
      throw notFound(id);
    }
    if (!slice.id().equals(id)) {
      throw new CorruptDocumentException(
          path + " holds the session " + SessionIds.quote(slice.id()) + ", not " + SessionIds.quote(id));
    }
    return slice.toSlice(revision);
  }

  /**
   * The full check: reads every {@code .json} entry of the directory completely, as {@link
   * #load} would, and returns each that {@code load} would reject (not a regular file,
   * unreadable, not a valid document, a body that contradicts its head, an id that does not
   * belong under its name, a name that is not the canonical name of its id). Expired documents
   * are absent, not problems. Costs a full read of every document, one at a time; listings stay
   * cheap and report only what they see.
   *
   * @throws IOException if the directory itself can't be read
   */
  public List<ListingProblem> problems() throws IOException {
    List<ListingProblem> problems = new ArrayList<>();
    for (String name : ops.list(directory)) {
      if (!name.endsWith(FileNames.SUFFIX)) {
        continue;
      }
      Path path = directory.resolve(name);
      FileNames.Parsed parsed = names.parse(name);
      if (parsed instanceof FileNames.Foreign foreign) {
        problems.add(new ListingProblem(path.toString(), foreign.id(), foreign.reason()));
        continue;
      }
      Optional<String> nameId =
          parsed instanceof FileNames.Named named ? Optional.of(named.id()) : Optional.empty();
      try {
        Loaded read = readDocument(path);
        if (retention.expired(read.lastWrite())) {
          continue;
        }
        String id = read.session().id();
        boolean belongs = nameId.isPresent() ? nameId.get().equals(id) : names.isNameOf(name, id);
        if (!belongs) {
          problems.add(new ListingProblem(path.toString(), nameId,
              "holds the session " + SessionIds.quote(id) + ", which does not belong under this name"));
        }
      } catch (NoSuchFileException e) {
        // Deleted while we looked: not a problem.
      } catch (SessionStorageException e) {
        problems.add(new ListingProblem(path.toString(), nameId, e.getMessage()));
      } catch (IOException e) {
        problems.add(new ListingProblem(path.toString(), nameId, "can't be read: " + describe(e)));
      }
    }
    problems.sort(Comparator.comparing(ListingProblem::location));
    return problems;
  }

  // ------------------------------------------------------------------------------ listing

  /**
   * Returns up to {@link PageRequest#fetchSize()} matching summaries in listing order, and the
   * problem entries (with the first page of a walk only, so that a walk reports each once); see
   * {@link DirectoryListing}.
   */
  public PageResult list(PageRequest request) throws IOException {
    return listing.list(request);
  }

  /** Returns how many files the listing cache vouches for (for tests and diagnostics). */
  public int cachedHeads() {
    return listing.cachedHeads();
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
    return new SessionNotFoundException("no session " + SessionIds.quote(id) + " in " + directory);
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
    return new RevisionConflictException("conditional save of " + SessionIds.quote(id) + " refused: " + what);
  }

  private static String describe(IOException e) {
    return DocumentFiles.describe(e);
  }
}
