package org.sessionkit.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.sessionkit.Append;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.BenchmarkBaseline;

/**
 * A store's raw baseline ({@link BenchmarkBaseline}, offered by its provider) seen as a store, so
 * that the benchmarks run the same code on both: {@code save}, {@code load}, {@code
 * loadVersioned}, {@code update} and {@code append} call the baseline on the caller's thread and
 * return a completed future (failed with whatever the baseline threw); listings, deletes,
 * conditional writes and {@link #problems()} are not part of a baseline and fail with {@link
 * UnsupportedOperationException}. Revisions are a constant. Thread safe as the baseline is;
 * {@link #close()} closes it.
 */
final class ProvidedBaseline extends RawBaseline {

  private static final Revision REVISION = Revision.of(1);

  private final BenchmarkBaseline baseline;

  ProvidedBaseline(BenchmarkBaseline baseline) {
    this.baseline = baseline;
  }

  /** A medium call that may throw anything. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> CompletableFuture<T> call(Call<T> call) {
    try {
      return CompletableFuture.completedFuture(call.run());
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Revision> save(Session session) {
    return call(() -> {
      baseline.save(session);
      return REVISION;
    });
  }

  @Override
  public CompletableFuture<Session> load(String id) {
    return call(() -> baseline.load(id));
  }

  @Override
  public CompletableFuture<VersionedSession> loadVersioned(String id) {
    return call(() -> new VersionedSession(baseline.load(id), REVISION));
  }

  @Override
  public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
    return call(() -> new VersionedSession(baseline.update(id, change), REVISION));
  }

  @Override
  public CompletableFuture<Revision> append(String id, Append append) {
    return call(() -> {
      baseline.append(id, append.messages());
      return REVISION;
    });
  }

  @Override
  public CompletableFuture<List<SessionSummary>> list() {
    return notInBaseline("listing");
  }

  @Override
  public CompletableFuture<SessionPage> list(ListQuery query) {
    return notInBaseline("listing");
  }

  @Override
  public CompletableFuture<Void> delete(String id) {
    return notInBaseline("delete");
  }

  @Override
  public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
    return notInBaseline("saveIf");
  }

  @Override
  public CompletableFuture<Revision> create(Session session) {
    return notInBaseline("create");
  }

  @Override
  public CompletableFuture<Void> deleteIf(String id, Revision expected) {
    return notInBaseline("deleteIf");
  }

  @Override
  public CompletableFuture<List<ListingProblem>> problems() {
    return notInBaseline("problems");
  }

  @Override
  public void close() {
    baseline.close();
  }

  @Override
  public String toString() {
    return baseline.toString();
  }
}
