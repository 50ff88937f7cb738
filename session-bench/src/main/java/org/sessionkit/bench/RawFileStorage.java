package org.sessionkit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.sessionkit.Append;
import org.sessionkit.spi.DocumentHead;
import org.sessionkit.spi.DocumentMetadata;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;

/**
 * The file baseline ({@code raw-file}, {@code raw-file-nofsync}): the same bytes a file store
 * writes, written with the least code that is still crash safe, and none of sessionkit's store
 * code.
 *
 * <p>{@code save}: {@link SessionCodec#encode(Session, DocumentMetadata)} (the document the file
 * store writes, its head first: a constant revision and the message count), write a temporary
 * file, force it, rename it atomically over {@code <id>.json}, force the directory; without
 * fsync the two forces are skipped. {@code load}: read the whole file and {@link
 * SessionCodec#decode}. {@code update} and {@code append}: under one of 64 striped locks, load,
 * change and save. Listings read the head of every document with {@link
 * SessionCodec#readHead(InputStream, String)} on each call (no cache; reading stops after the
 * head, as in the file store) and sort. Everything runs on
 * the caller's thread and returns an already completed future; revisions are a constant.
 * Conditional writes, cursors and {@link #problems()} fail with {@link
 * UnsupportedOperationException}. Thread safe.
 */
final class RawFileStorage extends RawBaseline {

  private static final Revision REVISION = Revision.of(1);
  private static final String SUFFIX = ".json";

  private final Path directory;
  private final boolean fsync;
  private final SessionCodec codec = SessionCodec.defaults();
  private final Object[] locks = new Object[64];

  RawFileStorage(Path directory, boolean fsync) {
    this.directory = directory;
    this.fsync = fsync;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public CompletableFuture<Revision> save(Session session) {
    try {
      write(session);
      return CompletableFuture.completedFuture(REVISION);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Session> load(String id) {
    try {
      return CompletableFuture.completedFuture(read(id));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<VersionedSession> loadVersioned(String id) {
    return load(id).thenApply(s -> new VersionedSession(s, REVISION));
  }

  @Override
  public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
    try {
      synchronized (lock(id)) {
        Session s = change.apply(read(id));
        write(s);
        return CompletableFuture.completedFuture(new VersionedSession(s, REVISION));
      }
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Revision> append(String id, Append append) {
    try {
      synchronized (lock(id)) {
        write(append.applyTo(read(id)));
        return CompletableFuture.completedFuture(REVISION);
      }
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<SessionSummary>> list() {
    try {
      List<SessionSummary> all = heads();
      all.sort(ListPosition.SUMMARY_ORDER);
      return CompletableFuture.completedFuture(all);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<SessionPage> list(ListQuery query) {
    if (query.cursor().isPresent()) {
      return RawMemoryStorage.unsupported("cursors");
    }
    try {
      Iterator<SessionSummary> all = heads().iterator();
      return CompletableFuture.completedFuture(RawMemoryStorage.firstPage(query, all));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> delete(String id) {
    try {
      if (!Files.deleteIfExists(file(id))) {
        throw notFound(id);
      }
      return CompletableFuture.completedFuture(null);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    return RawMemoryStorage.unsupported("saveIf");
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    return RawMemoryStorage.unsupported("create");
  }

  @Override
  public CompletableFuture<Void> deleteIf(String id, Revision expected) {
    return RawMemoryStorage.unsupported("deleteIf");
  }

  @Override
  public CompletableFuture<List<ListingProblem>> problems() {
    return RawMemoryStorage.unsupported("problems");
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return (fsync ? "raw-file:" : "raw-file-nofsync:") + directory;
  }

  private void write(Session session) throws IOException {
    // The document the file store writes: its "sessionkit" head (revision and message count)
    // first, so that a listing reads only the head, as the store's does.
    byte[] bytes = codec.encode(session, DocumentMetadata.of(REVISION, session.messages().size()));
    Path target = file(session.id());
    // One temporary name per thread: concurrent saves of one id never share a temporary file.
    Path temp = directory.resolve(target.getFileName() + "." + Thread.currentThread().getId() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      if (fsync) {
        ch.force(true);
      }
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    if (fsync) {
      try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
        dir.force(true);
      }
    }
  }

  private Session read(String id) throws IOException {
    Path f = file(id);
    try {
      return codec.decode(Files.readAllBytes(f), f.getFileName().toString());
    } catch (NoSuchFileException e) {
      throw notFound(id);
    }
  }

  private List<SessionSummary> heads() throws IOException {
    List<SessionSummary> all = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path f : files) {
        try (InputStream in = Files.newInputStream(f)) {
          DocumentHead h = codec.readHead(in, f.getFileName().toString());
          all.add(new SessionSummary(h.id(), h.createdAt(), h.updatedAt(), h.messageCount(), REVISION));
        } catch (NoSuchFileException e) {
          // deleted since the directory was read: not part of the listing
        }
      }
    }
    return all;
  }

  private Object lock(String id) {
    return locks[(id.hashCode() & 0x7FFF_FFFF) % locks.length];
  }

  /**
   * {@code <id>.json} for ids of {@code [A-Za-z0-9._-]} not starting with a dot; other
   * characters are escaped as {@code ~} and four hex digits (their UTF-16 unit in hex), which is reversible and
   * never produces a name outside the directory.
   */
  Path file(String id) {
    StringBuilder b = null;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || (c == '.' && i > 0);
      if (!plain && b == null) {
        b = new StringBuilder(id.length() + 16).append(id, 0, i);
      }
      if (b != null) {
        if (plain) {
          b.append(c);
        } else {
          b.append('~').append(String.format("%04x", (int) c));
        }
      }
    }
    return directory.resolve((b == null ? id : b.toString()) + SUFFIX);
  }

  private static SessionNotFoundException notFound(String id) {
    return new SessionNotFoundException("no session " + id + " in raw-file");
  }
}
