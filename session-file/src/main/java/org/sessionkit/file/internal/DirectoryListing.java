package org.sessionkit.file.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.sessionkit.spi.DocumentHead;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.ListingProblem;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionStorageException;
import org.sessionkit.SessionState;
import org.sessionkit.SessionSummary;
import org.sessionkit.file.internal.FileNames.Foreign;
import org.sessionkit.file.internal.FileNames.Named;
import org.sessionkit.file.internal.HeadCache.Found;
import org.sessionkit.file.internal.HeadCache.Scan;
import org.sessionkit.file.internal.HeadCache.Unreadable;

/**
 * Lists a store directory: reads only the heads of documents this store wrote, streams through
 * documents neuron wrote, remembers what it read in a {@link HeadCache}, and serves the later
 * pages of a walk from a {@link Snapshot}. Reports every {@code .json} file that is not a
 * readable session of its name as a problem. Thread safe.
 */
final class DirectoryListing {

  private static final Comparator<SessionSummary> ORDER = ListPosition.SUMMARY_ORDER;

  private final Path directory;
  private final SessionCodec codec;
  private final FileSystemOps ops;
  private final FileNames names;
  private final Retention retention;
  private final HeadCache cache = new HeadCache();
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();

  DirectoryListing(Path directory, SessionCodec codec, FileSystemOps ops, FileNames names, Retention retention) {
    this.directory = directory;
    this.codec = codec;
    this.ops = ops;
    this.names = names;
    this.retention = retention;
  }

  /** Forgets what was read from {@code name} and the snapshot: this process just wrote it. */
  void invalidate(String name) {
    cache.invalidate(name);
    snapshot.set(null);
  }

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
  PageResult list(PageRequest request) throws IOException {
    if (request.after().isPresent()) {
      Optional<PageResult> page = fromSnapshot(request);
      if (page.isPresent()) {
        return page.get();
      }
    }
    Instant readStart = Instant.now();
    BasicFileAttributes directoryBefore = ops.attributes(directory);
    List<Found> everything = new ArrayList<>();
    boolean firstPage = request.after().isEmpty();
    boolean wholeDirectory = request.idPrefix().isEmpty();
    boolean withCustom = !request.customKeys().isEmpty();
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
      Optional<Scan> scan = scan(name, directory.resolve(name), nameId, cached, readStart, withCustom);
      if (scan.isEmpty()) {
        continue; // removed while we listed
      }
      if (scan.get() instanceof Found found) {
        if (wholeDirectory) {
          everything.add(found);
        }
        if (retention.expired(found.lastWrite())) {
          continue; // absent, whether or not a sweep removed its file yet
        }
        if (request.matches(found.summary())) {
          best.add(withCustom(found, request));
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

  /** Returns the summary of {@code found} with the custom entries {@code request} asks for. */
  private static SessionSummary withCustom(Found found, PageRequest request) {
    if (request.customKeys().isEmpty()) {
      return found.summary();
    }
    return found.summary().withCustom(found.custom().orElse(Map.of()), request.customKeys());
  }

  /**
   * Returns the names of up to {@code max} documents whose last write is beyond the retention,
   * found as a listing finds documents (from the cache where it can vouch for a file). The
   * caller removes them under their locks after reading them again.
   */
  List<String> expired(int max) throws IOException {
    List<String> expired = new ArrayList<>();
    if (!retention.expires()) {
      return expired;
    }
    Instant readStart = Instant.now();
    for (String name : ops.list(directory)) {
      if (expired.size() >= max) {
        break;
      }
      if (!name.endsWith(FileNames.SUFFIX)) {
        continue;
      }
      Optional<HeadCache.Entry> cached = cache.entry(name);
      Optional<String> nameId;
      if (cached.isPresent()) {
        nameId = cached.get().nameId();
      } else {
        FileNames.Parsed parsed = names.parse(name);
        if (parsed instanceof Foreign) {
          continue;
        }
        nameId = parsed instanceof Named named ? Optional.of(named.id()) : Optional.empty();
      }
      Optional<Scan> scan = scan(name, directory.resolve(name), nameId, cached, readStart, false);
      if (scan.isPresent() && scan.get() instanceof Found found && retention.expired(found.lastWrite())) {
        expired.add(name);
      }
    }
    return expired;
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
  private record Snapshot(List<Found> sorted, Instant directoryModified, Instant takenAt) {

    /** How long a snapshot may serve later pages. */
    static final Duration TTL = Duration.ofSeconds(5);

    /** Returns the snapshot of a scan, or empty if the directory changed too recently to trust one. */
    static Optional<Snapshot> of(List<Found> found, BasicFileAttributes directory, Instant takenAt) {
      Instant modified = directory.lastModifiedTime().toInstant();
      if (!modified.isBefore(takenAt.minus(HeadCache.RACY_WINDOW))) {
        return Optional.empty();
      }
      List<Found> sorted = new ArrayList<>(found);
      sorted.sort(Comparator.comparing(Found::summary, ORDER));
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
    List<Found> sorted = s.sorted();
    int low = 0;
    int high = sorted.size();
    while (low < high) { // the first entry strictly after the position
      int mid = (low + high) >>> 1;
      SessionSummary m = sorted.get(mid).summary();
      if (after.isBefore(m.updatedAt(), m.id())) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    boolean withCustom = !request.customKeys().isEmpty();
    List<SessionSummary> page = new ArrayList<>();
    for (int i = low; i < sorted.size() && page.size() < request.fetchSize(); i++) {
      Found f = sorted.get(i);
      if (retention.expired(f.lastWrite()) || !request.matches(f.summary())) {
        continue;
      }
      if (withCustom && f.custom().isEmpty()) {
        return Optional.empty(); // the scan did not read states: scan again, with them
      }
      page.add(withCustom(f, request));
    }
    return Optional.of(new PageResult(page, List.of()));
  }

  /** Returns how many files the head cache vouches for (for tests and diagnostics). */
  int cachedHeads() {
    return cache.size();
  }

  private static boolean prefixAdmits(PageRequest request, Optional<String> id) {
    return request.idPrefix().isEmpty() || id.isEmpty() || id.get().startsWith(request.idPrefix().get());
  }

  private Optional<Scan> scan(
      String name, Path path, Optional<String> nameId, Optional<HeadCache.Entry> cached, Instant readStart,
      boolean withCustom) {
    BasicFileAttributes attributes;
    try {
      attributes = ops.entryAttributes(path); // never follows a link
    } catch (NoSuchFileException e) {
      return Optional.empty(); // removed since the directory was read
    } catch (IOException e) {
      return Optional.of(unreadable(path, nameId, "its attributes can't be read: " + DocumentFiles.describe(e)));
    }
    if (!attributes.isRegularFile()) {
      return Optional.of(unreadable(path, nameId,
          DefaultFileSystemOps.describe(path, attributes) + ", not a regular file: the store reads only regular files"));
    }
    if (cached.isPresent() && cached.get().matches(attributes)) {
      Scan known = cached.get().scan();
      if (!withCustom || !(known instanceof Found f) || f.custom().isPresent()) {
        return Optional.of(known);
      }
      // Known, but read without its state, and custom keys are asked for: read it again.
    }
    Optional<Scan> scan = readHead(name, path, nameId, attributes.size(), withCustom);
    scan.ifPresent(s -> cache.put(name, nameId, attributes, readStart, s));
    return scan;
  }

  private Optional<Scan> readHead(String name, Path path, Optional<String> nameId, long size, boolean withState) {
    if (size > codec.maxDocumentBytes()) {
      return Optional.of(unreadable(path, nameId, DocumentFiles.tooLarge(path, size, codec.maxDocumentBytes()).getMessage()));
    }
    String source = path.toString();
    try (FileSystemOps.ReadHandle h = ops.openRead(path)) {
      DocumentFiles.Start start = DocumentFiles.Start.read(h);
      boolean ours = start.ours();
      if (ours && !start.endsWithBrace(h)) {
        // Our documents are written whole and renamed into place, so a document of ours that
        // does not end where JSON ends was cut by something else (a full disk in a copy, a
        // broken backup). Checking the last bytes is cheap; load() checks everything.
        return Optional.of(unreadable(path, nameId, "truncated: the document does not end with '}'"));
      }
      MessageDigest digest = ours ? null : Revisions.sha256(); // our heads need no digest
      InputStream in = ours ? start.stream(h) : new DigestInputStream(start.stream(h), digest);
      DocumentHead head = codec.readHead(in, source, withState);
      Revision revision;
      if (head.metadata().isPresent()) {
        revision = head.metadata().get().revision();
      } else if (!ours) {
        in.transferTo(java.io.OutputStream.nullOutputStream()); // the digest needs every byte
        revision = Revisions.ofDigest(digest);
      } else {
        byte[] all = DocumentFiles.readAll(h, path, codec.maxDocumentBytes());
        revision = Revisions.ofBytes(all, all.length);
      }
      boolean idMatches =
          nameId.isPresent() ? head.id().equals(nameId.get()) : names.isNameOf(name, head.id());
      if (!idMatches) {
        return Optional.of(unreadable(path, nameId,
            "holds the session " + SessionIds.quote(head.id()) + ", which does not belong under this name"));
      }
      return Optional.of(new Found(
          new SessionSummary(head.id(), head.createdAt(), head.updatedAt(), head.messageCount(), revision),
          Retention.lastWrite(head.metadata(), h.attributes()),
          head.state().map(SessionState::custom)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (NotRegularFileException e) {
      return Optional.of(unreadable(path, nameId, e.what() + ", not a regular file: the store reads only regular files"));
    } catch (AccessDeniedException e) {
      return Optional.of(unreadable(path, nameId, "can't be read: permission denied"));
    } catch (IOException e) {
      return Optional.of(unreadable(path, nameId, "can't be read: " + DocumentFiles.describe(e)));
    } catch (SessionStorageException | IllegalArgumentException e) {
      return Optional.of(unreadable(path, nameId, e.getMessage()));
    }
  }

  private static Unreadable unreadable(Path path, Optional<String> id, String reason) {
    return new Unreadable(new ListingProblem(path.toString(), id, reason));
  }
}
