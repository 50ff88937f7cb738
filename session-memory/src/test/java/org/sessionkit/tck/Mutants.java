package org.sessionkit.tck;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.InvalidSessionException;
import org.sessionkit.JsonValue;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.ListQuery;
import org.sessionkit.Message;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionPage;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorageException;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageUnavailableException;
import org.sessionkit.TokenUsage;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.memory.MemorySessionStorage;

/**
 * Deliberately broken stores, each with the kit run against it, for {@link BrokenStoresTest}.
 * Each class is one mistake a real backend could make; its {@link DisplayName} says which. They
 * run at {@link TckScale#SMOKE} so that all of them fit in the module's test budget. The class
 * names don't end in {@code Test}, so surefire runs them only through {@link BrokenStoresTest}.
 */
final class Mutants {

  private Mutants() {}

  /** The checks of the kit (method names) that exist to catch a mutant; all of them must fail. */
  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
  @interface CaughtBy {
    String[] value();
  }

  /** The kit at smoke scale over a store that a subclass breaks. */
  abstract static class Mutant extends SessionStorageCompatibilityKit {
    @Override
    protected TckScale scale() {
      return TckScale.SMOKE;
    }
  }

  /** A mutant over a shared location that declares every capability. */
  abstract static class LocationMutant extends Mutant {
    abstract SharedLocationStore open(SharedLocationStore.Location location);

    @Override
    protected SessionStorage newStorage() {
      return open(new SharedLocationStore.Location());
    }

    @Override
    protected SessionStorage reopen(SessionStorage previous) {
      return open(((SharedLocationStore) previous).location());
    }

    @Override
    protected Set<Capability> capabilities() {
      return EnumSet.allOf(Capability.class);
    }

    @Override
    protected void corrupt(SessionStorage store, String id) {
      ((SharedLocationStore) store).location().corrupt(id);
    }

    @Override
    protected boolean corruptBody(SessionStorage store, String id) {
      ((SharedLocationStore) store).location().corruptBody(id);
      return true;
    }

    @Override
    protected Optional<SessionStorage> newStorageWithRetention(java.time.Duration retention, java.time.Clock clock) {
      return Optional.of(open(new SharedLocationStore.Location(clock, Optional.of(retention))));
    }
  }

  // ------------------------------------------------------------------ values

  @DisplayName("drops Thinking blocks")
  @CaughtBy({"everyContentBlockVariantRoundTrips"})
  static final class DropsThinkingBlocks extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return transforming(s -> mapMessages(s, m -> new Message(m.role(),
          m.content().stream().filter(b -> !(b instanceof ContentBlock.Thinking)).toList())));
    }
  }

  @DisplayName("truncates timestamps to milliseconds")
  @CaughtBy({"timestampsKeepNanosecondsAndTheWholeRange"})
  static final class TruncatesTimestampsToMillis extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return transforming(s -> new Session(s.id(), s.messages(), s.state(),
          s.createdAt().truncatedTo(ChronoUnit.MILLIS), s.updatedAt().truncatedTo(ChronoUnit.MILLIS)));
    }
  }

  @DisplayName("turns 3.0 into 3")
  @CaughtBy({"customValuesOfEveryJsonTypeRoundTrip", "toolInputOfEveryJsonTypeRoundTrips"})
  static final class TurnsDecimalsIntoIntegers extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return transforming(s -> mapJson(s, v -> v instanceof JsonValue.JsonDecimal d && d.value().stripTrailingZeros().scale() <= 0
          ? JsonValue.of(d.value().toBigIntegerExact()) : v));
    }
  }

  @DisplayName("turns integers beyond 64 bits into doubles")
  @CaughtBy({"customValuesOfEveryJsonTypeRoundTrip"})
  static final class LosesBigIntegerPrecision extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return transforming(s -> mapJson(s, v -> v instanceof JsonValue.JsonInteger i && i.value().bitLength() > 63
          ? new JsonValue.JsonDecimal(new BigDecimal(i.value().doubleValue())) : v));
    }
  }

  @DisplayName("stores iterations: [] as absent")
  @CaughtBy({"absentAndEmptyIterationsStayDistinct"})
  static final class DropsEmptyIterations extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return transforming(s -> s.withState(st -> st.withTokenUsage(dropEmptyIterations(st.tokenUsage()))));
    }
  }

  @DisplayName("drops JSON nulls from custom")
  @CaughtBy({"customValuesOfEveryJsonTypeRoundTrip"})
  static final class DropsJsonNullsFromCustom extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return transforming(s -> s.withState(st -> {
        Map<String, JsonValue> kept = new LinkedHashMap<>(st.custom());
        kept.values().removeIf(v -> v.equals(JsonValue.NULL));
        return st.withCustom(kept);
      }));
    }
  }

  @DisplayName("sets updatedAt itself on every save")
  @CaughtBy({"theStoreNeverChangesUpdatedAt"})
  static final class StampsUpdatedAtItself extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return transforming(s -> s.withUpdatedAt(Instant.now()));
    }
  }

  @DisplayName("counts content blocks instead of messages in summaries")
  @CaughtBy({"messageCountsCountMessages"})
  static final class CountsBlocksNotMessages extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          return super.doList(request).thenApply(r -> PageResult.of(r.summaries().stream().map(s -> {
            Session full = Futures.await(backing.load(s.id()));
            long blocks = full.messages().stream().mapToLong(m -> m.content().size()).sum();
            return new SessionSummary(s.id(), s.createdAt(), s.updatedAt(), blocks, s.revision());
          }).toList()));
        }
      };
    }
  }

  // ------------------------------------------------------------------ revisions

  @DisplayName("ignores expected revisions (saveIf, deleteIf, conditional append)")
  @CaughtBy({"saveIfWithAStaleRevisionFailsAndChangesNothing", "deleteIfWithAStaleRevisionFails", "conditionalAppendWithAStaleRevisionFails", "concurrentConditionalSavesExactlyOneWins"})
  static final class IgnoresRevisions extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
          return condition instanceof WriteCondition.IfRevision ? backing.save(session) : super.doSave(session, condition);
        }

        @Override
        protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
          return backing.delete(id);
        }

        @Override
        protected CompletableFuture<Revision> doAppend(String id, Append append) {
          return backing.append(id, Append.of(append.messages(), append.state(), append.updatedAt()));
        }
      };
    }
  }

  @DisplayName("append returns the revision the session had before")
  @CaughtBy({"eachAppendReturnsANewRevision"})
  static final class AppendReturnsTheOldRevision extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doAppend(String id, Append append) {
          return backing.loadVersioned(id).thenCompose(v -> backing.append(id, append).thenApply(r -> v.revision()));
        }
      };
    }
  }

  @CaughtBy({"everyWriteProducesANewRevision"})
  @DisplayName("a save of identical content keeps the revision (skips the write)")
  static final class IdenticalSaveKeepsTheRevision extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
          if (condition instanceof WriteCondition.Always) {
            return backing.loadVersioned(session.id())
                .thenCompose(v -> v.session().equals(session) ? CompletableFuture.completedFuture(v.revision())
                    : backing.save(session))
                .exceptionallyCompose(e -> backing.save(session));
          }
          return super.doSave(session, condition);
        }
      };
    }
  }

  @DisplayName("summaries carry a stale revision")
  @CaughtBy({"saveReturnsTheRevisionThatReadsReport"})
  static final class SummariesCarryAStaleRevision extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          return super.doList(request).thenApply(r -> PageResult.of(r.summaries().stream()
              .map(s -> new SessionSummary(s.id(), s.createdAt(), s.updatedAt(), s.messageCount(), Revision.of("stale")))
              .toList()));
        }
      };
    }
  }

  // ------------------------------------------------------------------ delete and listing

  @DisplayName("succeeds deleting an unknown id")
  @CaughtBy({"deleteOfUnknownIdFailsWithNotFound", "secondDeleteFailsWithNotFound"})
  static final class DeletingAnUnknownIdSucceeds extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
          return super.doDelete(id, expected).exceptionallyCompose(e -> Futures.unwrap(e) instanceof SessionNotFoundException
              ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(e));
        }
      };
    }
  }

  @DisplayName("lists oldest first")
  @CaughtBy({"listOrderIsUpdatedAtDescendingThenCodePoints", "walkingAllPagesReturnsEverySessionOnceInOrder"})
  static final class ListsOldestFirst extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return naivelyListing(Comparator.comparing(SessionSummary::updatedAt).thenComparing(SessionSummary::id, SessionIds.CODE_POINT_ORDER),
          null, PageRequest::matchesFilters, false);
    }
  }

  @DisplayName("orders ties by String.compareTo (UTF-16 units), not code points")
  @CaughtBy({"listOrderIsUpdatedAtDescendingThenCodePoints", "tiesAreOrderedByCodePoint"})
  static final class OrdersTiesByStringCompareTo extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return naivelyListing(Comparator.comparing(SessionSummary::updatedAt, Comparator.reverseOrder()).thenComparing(SessionSummary::id),
          null, PageRequest::matchesFilters, false);
    }
  }

  @DisplayName("a cursor ignores ties: continues strictly before the last updatedAt")
  @CaughtBy({"walkingAllPagesReturnsEverySessionOnceInOrder", "tiesAreOrderedByCodePoint"})
  static final class CursorIgnoresTies extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return naivelyListing(ListPosition.SUMMARY_ORDER, (pos, s) -> s.updatedAt().isBefore(pos.updatedAt()),
          PageRequest::matchesFilters, false);
    }
  }

  @DisplayName("a page boundary drops the first session after the cursor")
  @CaughtBy({"walkingAllPagesReturnsEverySessionOnceInOrder"})
  static final class PageBoundaryDropsASession extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return naivelyListing(ListPosition.SUMMARY_ORDER, null, PageRequest::matchesFilters, true);
    }
  }

  @DisplayName("time bounds are inclusive")
  @CaughtBy({"updatedBeforeIsStrict", "updatedAfterIsStrict"})
  static final class TimeBoundsAreInclusive extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return naivelyListing(ListPosition.SUMMARY_ORDER, null, (r, t, id) -> (r.idPrefix().isEmpty() || id.startsWith(r.idPrefix().get()))
          && (r.updatedBefore().isEmpty() || !t.isAfter(r.updatedBefore().get()))
          && (r.updatedAfter().isEmpty() || !t.isBefore(r.updatedAfter().get())), false);
    }
  }

  @DisplayName("cursors are offsets, not keys")
  @CaughtBy({"changesDuringAWalkDoNotDisturbTheOthers"})
  static final class OffsetCursors extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<SessionPage> list(ListQuery query) {
          int offset;
          try {
            offset = query.cursor().map(c -> Integer.parseInt(c.substring("off:".length()))).orElse(0);
          } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new InvalidArgumentException("bad cursor"));
          }
          if (query.limit() < 1 || query.limit() > ListQuery.MAX_LIMIT || offset < 0) {
            return CompletableFuture.failedFuture(new InvalidArgumentException("bad query"));
          }
          List<SessionSummary> all = new ArrayList<>();
          delegate.stream(query.fromStart().limit(ListQuery.MAX_LIMIT)).forEach(all::add);
          int end = Math.min(all.size(), offset + query.limit());
          List<SessionSummary> page = offset >= all.size() ? List.of() : all.subList(offset, end);
          return CompletableFuture.completedFuture(
              new SessionPage(page, end < all.size() ? Optional.of("off:" + end) : Optional.empty(), List.of()));
        }
      };
    }
  }

  @DisplayName("a garbage cursor lists from the start")
  @CaughtBy({"garbageCursorsFailWithInvalidArgument"})
  static final class AcceptsGarbageCursors extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<SessionPage> list(ListQuery query) {
          return delegate.list(query).exceptionallyCompose(e -> query.cursor().isPresent()
              && Futures.unwrap(e) instanceof InvalidArgumentException
              ? delegate.list(query.fromStart()) : CompletableFuture.failedFuture(e));
        }
      };
    }
  }

  @DisplayName("stream(query) reads every page up front")
  @CaughtBy({"streamIsLazy"})
  static final class EagerStream extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public Stream<SessionSummary> stream(ListQuery query) {
          return delegate.stream(query).toList().stream();
        }
      };
    }
  }

  // ------------------------------------------------------------------ concurrency

  @DisplayName("update loses a concurrent update (load, change, unconditional save)")
  @CaughtBy({"updateRetriesWhenAnotherWriterGetsThereFirst"})
  static final class LosesConcurrentUpdates extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
          return delegate.loadVersioned(id).thenCompose(v -> {
            Session changed = change.apply(v.session());
            if (!changed.id().equals(id)) {
              throw new InvalidSessionException("update must keep the id");
            }
            ioLatency();
            return delegate.save(changed).thenApply(r -> new VersionedSession(changed, r));
          });
        }
      };
    }
  }

  @DisplayName("append loses a concurrent append (load, add, unconditional save)")
  @CaughtBy({"concurrentAppendsAreAllKept"})
  static final class AppendLosesConcurrentAppends extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doAppend(String id, Append append) {
          return backing.loadVersioned(id).thenCompose(v -> {
            if (append.expectedRevision().isPresent() && !append.expectedRevision().get().equals(v.revision())) {
              throw new RevisionConflictException("stale");
            }
            ioLatency();
            return backing.save(append.applyTo(v.session()));
          });
        }
      };
    }
  }

  @DisplayName("replaces a session in two visible steps (messages first, then state)")
  @CaughtBy({"readersNeverSeeATornSession"})
  static final class SavesInTwoSteps extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
          if (condition instanceof WriteCondition.Always) {
            backing.loadVersioned(session.id()).thenAccept(old -> {
              Futures.await(backing.save(new Session(session.id(), session.messages(), old.session().state(),
                  old.session().createdAt(), old.session().updatedAt())));
              ioLatency();
            });
          }
          return super.doSave(session, condition);
        }
      };
    }
  }

  @DisplayName("replaces a session by a delete and a save")
  @CaughtBy({"readersNeverSeeATornSession"})
  static final class ReplacesByDeleteThenSave extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
          if (condition instanceof WriteCondition.Always) {
            backing.delete(session.id()).handle((v, e) -> null).join();
            ioLatency();
          }
          return super.doSave(session, condition);
        }
      };
    }
  }

  @DisplayName("wraps an exception thrown by the change of update")
  @CaughtBy({"anExceptionOfTheChangePassesThroughAsIs"})
  static final class WrapsExceptionsOfTheChange extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
          return delegate.update(id, change).exceptionallyCompose(e -> {
            Throwable cause = Futures.unwrap(e);
            return CompletableFuture.failedFuture(cause instanceof SessionStorageException
                ? cause : new StorageUnavailableException("update failed", cause));
          });
        }
      };
    }
  }

  // ------------------------------------------------------------------ isolation

  @DisplayName("lets a rejected write leak into later loads")
  @CaughtBy({"rejectedWritesLeaveNoTrace"})
  static final class LeaksRejectedWrites extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      Map<String, Session> offered = new ConcurrentHashMap<>();
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<Revision> save(Session session) {
          offered.put(session.id(), session);
          return delegate.save(session);
        }

        @Override
        public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
          offered.put(session.id(), session);
          return delegate.saveIf(session, expected);
        }

        @Override
        public CompletableFuture<Revision> create(Session session) {
          offered.put(session.id(), session);
          return delegate.create(session);
        }

        @Override
        public CompletableFuture<Session> load(String id) {
          return delegate.load(id).thenApply(s -> offered.getOrDefault(id, s));
        }

        @Override
        public CompletableFuture<VersionedSession> loadVersioned(String id) {
          return delegate.loadVersioned(id).thenApply(v -> new VersionedSession(offered.getOrDefault(id, v.session()), v.revision()));
        }

        @Override
        public CompletableFuture<Revision> append(String id, Append append) {
          offered.remove(id);
          return delegate.append(id, append);
        }

        @Override
        public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
          offered.remove(id);
          return delegate.update(id, change);
        }

        @Override
        public CompletableFuture<Void> delete(String id) {
          offered.remove(id);
          return delegate.delete(id);
        }
      };
    }
  }

  @DisplayName("two fresh stores share their sessions")
  @CaughtBy({"freshStoresAreIndependent"})
  static final class SharesDataBetweenStores extends Mutant {
    private static final MemorySessionStorage SHARED = new MemorySessionStorage();

    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(SHARED, false);
    }
  }

  // ------------------------------------------------------------------ ids

  @DisplayName("accepts invalid ids")
  @CaughtBy({"invalidIdsFailOnEveryOperation"})
  static final class AcceptsInvalidIds extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        private String key(String id) {
          if (SessionIds.isValid(id)) {
            return id;
          }
          StringBuilder b = new StringBuilder("invalid-");
          id.chars().forEach(c -> b.append(Integer.toHexString(c)).append('.'));
          return b.toString();
        }

        @Override
        public CompletableFuture<Revision> save(Session session) {
          return delegate.save(session.withId(key(session.id())));
        }

        @Override
        public CompletableFuture<Revision> create(Session session) {
          return delegate.create(session.withId(key(session.id())));
        }

        @Override
        public CompletableFuture<Session> load(String id) {
          return delegate.load(key(id)).thenApply(s -> s.withId(id));
        }

        @Override
        public CompletableFuture<Void> delete(String id) {
          return delegate.delete(key(id));
        }
      };
    }
  }

  @DisplayName("ids are case-insensitive (A and a are one session)")
  @CaughtBy({"encodingSensitiveIdsStayDistinct"})
  static final class CaseInsensitiveIds extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return keyedBy(id -> id.toLowerCase(Locale.ROOT));
    }
  }

  @DisplayName("ids are normalised to NFC (NFC and NFD forms are one session)")
  @CaughtBy({"encodingSensitiveIdsStayDistinct"})
  static final class NormalisesIdsToNfc extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return keyedBy(id -> Normalizer.normalize(id, Normalizer.Form.NFC));
    }
  }

  // ------------------------------------------------------------------ errors and lifecycle

  @DisplayName("close() doesn't close")
  @CaughtBy({"everyOperationFailsAfterClose"})
  static final class CloseDoesNotClose extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public void close() {
          // forgets to close
        }
      };
    }
  }

  @DisplayName("throws failures instead of failing the future")
  @CaughtBy({"eachFailureArrivesThroughTheFuture"})
  static final class ThrowsInsteadOfFailingTheFuture extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<Session> load(String id) {
          return thrown(delegate.load(id));
        }

        @Override
        public CompletableFuture<Void> delete(String id) {
          return thrown(delegate.delete(id));
        }
      };
    }
  }

  // ------------------------------------------------------------------ capabilities

  @DisplayName("PERSISTENT: a reopened store has lost everything")
  @CaughtBy({"everythingSurvivesReopening"})
  static final class ReopenLosesEverything extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location);
    }

    @Override
    protected SessionStorage reopen(SessionStorage previous) {
      return new SharedLocationStore(new SharedLocationStore.Location());
    }
  }

  @DisplayName("CROSS_PROCESS: each instance caches what it read and misses the other's writes")
  @CaughtBy({"eachInstanceSeesTheOthersWrites"})
  static final class InstancesCacheReads extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      Map<String, VersionedSession> cache = new ConcurrentHashMap<>();
      return new SharedLocationStore(location) {
        @Override
        protected CompletableFuture<VersionedSession> doLoad(String id) {
          VersionedSession cached = cache.get(id);
          return cached != null ? CompletableFuture.completedFuture(cached)
              : super.doLoad(id).thenApply(v -> {
                cache.put(id, v);
                return v;
              });
        }

        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
          return super.doSave(session, condition).thenApply(r -> {
            cache.put(session.id(), new VersionedSession(session, r));
            return r;
          });
        }

        @Override
        protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
          cache.remove(id);
          return super.doDelete(id, expected);
        }

        @Override
        protected CompletableFuture<Revision> doAppend(String id, Append append) {
          cache.remove(id);
          return super.doAppend(id, append);
        }
      };
    }
  }

  @DisplayName("CORRUPTIBLE: listings hide a corrupt entry")
  @CaughtBy({"listingsReportTheCorruptEntry"})
  static final class ListingHidesCorruptEntries extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          return super.doList(request).thenApply(r -> PageResult.of(r.summaries()));
        }
      };
    }
  }

  @DisplayName("CORRUPTIBLE: load of a corrupt entry fails with not-found")
  @CaughtBy({"readingTheCorruptEntryFails"})
  static final class CorruptEntryLoadsAsNotFound extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected CompletableFuture<VersionedSession> doLoad(String id) {
          return super.doLoad(id).exceptionallyCompose(e -> CompletableFuture.failedFuture(new SessionNotFoundException(id)));
        }
      };
    }
  }

  // ------------------------------------------------------------------ building blocks

  /** A store that stores {@code f(session)} instead of the session (also for appends). */
  static SessionStorage transforming(UnaryOperator<Session> f) {
    return new DelegatingStore(new MemorySessionStorage(), true) {
      @Override
      protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
        return super.doSave(f.apply(session), condition);
      }

      @Override
      protected CompletableFuture<Revision> doAppend(String id, Append append) {
        Session t = f.apply(new Session(id, append.messages(), append.state(), Instant.EPOCH, append.updatedAt()));
        return super.doAppend(id, new Append(t.messages(), t.state(), t.updatedAt(), append.expectedRevision()));
      }
    };
  }

  /** A store that keys sessions by {@code key(id)}, so ids with one key collide. */
  static SessionStorage keyedBy(Function<String, String> key) {
    return new DelegatingStore(new MemorySessionStorage(), true) {
      @Override
      protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
        return super.doSave(session.withId(key.apply(session.id())), condition);
      }

      @Override
      protected CompletableFuture<VersionedSession> doLoad(String id) {
        return super.doLoad(key.apply(id)).thenApply(v -> new VersionedSession(v.session().withId(id), v.revision()));
      }

      @Override
      protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
        return super.doDelete(key.apply(id), expected);
      }

      @Override
      protected CompletableFuture<Revision> doAppend(String id, Append append) {
        return super.doAppend(key.apply(id), append);
      }
    };
  }

  /** Which summaries a naive listing keeps. */
  @FunctionalInterface
  interface Filter {
    boolean test(PageRequest request, Instant updatedAt, String id);
  }

  /**
   * A store that lists by sorting everything on each call, with the given order, the given
   * "comes after the cursor" rule (default: consistent with the order) and filter, optionally
   * skipping the first entry after a cursor.
   */
  static SessionStorage naivelyListing(Comparator<SessionSummary> order, BiPredicate<ListPosition, SessionSummary> after,
      Filter filter, boolean dropFirstAfterCursor) {
    return new DelegatingStore(new MemorySessionStorage(), true) {
      @Override
      protected CompletableFuture<PageResult> doList(PageRequest request) {
        BiPredicate<ListPosition, SessionSummary> isAfter = after != null ? after
            : (pos, s) -> order.compare(new SessionSummary(pos.id(), Instant.EPOCH, pos.updatedAt(), 0, Revision.of("x")), s) < 0;
        List<SessionSummary> found = everything().stream()
            .filter(s -> filter.test(request, s.updatedAt(), s.id()))
            .filter(s -> request.after().isEmpty() || isAfter.test(request.after().get(), s))
            .sorted(order)
            .skip(dropFirstAfterCursor && request.after().isPresent() ? 1 : 0)
            .limit(request.fetchSize())
            .toList();
        return CompletableFuture.completedFuture(PageResult.of(found));
      }
    };
  }

  static Session mapMessages(Session s, UnaryOperator<Message> f) {
    return new Session(s.id(), s.messages().stream().map(f).toList(), s.state(), s.createdAt(), s.updatedAt());
  }

  /** Applies {@code f} to every JSON value (bottom-up) in custom and in tool inputs. */
  static Session mapJson(Session s, UnaryOperator<JsonValue> f) {
    Map<String, JsonValue> custom = new LinkedHashMap<>();
    s.state().custom().forEach((k, v) -> custom.put(k, deep(v, f)));
    Session withCustom = s.withState(st -> st.withCustom(custom));
    return mapMessages(withCustom, m -> new Message(m.role(), m.content().stream()
        .map(b -> b instanceof ContentBlock.ToolUse u ? new ContentBlock.ToolUse(u.id(), u.name(), deep(u.input(), f)) : b)
        .toList()));
  }

  private static JsonValue deep(JsonValue v, UnaryOperator<JsonValue> f) {
    if (v instanceof JsonValue.JsonArray a) {
      return f.apply(new JsonValue.JsonArray(a.elements().stream().map(e -> deep(e, f)).toList()));
    }
    if (v instanceof JsonValue.JsonObject o) {
      Map<String, JsonValue> m = new LinkedHashMap<>();
      o.members().forEach((k, x) -> m.put(k, deep(x, f)));
      return f.apply(new JsonValue.JsonObject(m));
    }
    return f.apply(v);
  }

  private static TokenUsage dropEmptyIterations(TokenUsage u) {
    return new TokenUsage(u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), u.cacheCreationTokens(),
        u.reasoningTokens(), u.iterations().filter(l -> !l.isEmpty()));
  }

  /** Stands for the time a real medium takes between a read and a write. */
  static void ioLatency() {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException("interrupted", e);
    }
  }

  private static <T> CompletableFuture<T> thrown(CompletableFuture<T> f) {
    if (f.isCompletedExceptionally()) {
      try {
        f.join();
      } catch (RuntimeException e) {
        Throwable cause = Futures.unwrap(e);
        throw cause instanceof RuntimeException r ? r : e;
      }
    }
    return f;
  }

  /** Every mutant class (of this file, {@link ContractMutants} and {@link ListingAndLimitMutants}), in name order. */
  static List<Class<? extends SessionStorageCompatibilityKit>> all() {
    List<Class<? extends SessionStorageCompatibilityKit>> all = new ArrayList<>(declaredIn(Mutants.class));
    all.addAll(ContractMutants.all());
    all.addAll(ListingAndLimitMutants.all());
    all.sort(Comparator.comparing(Class::getSimpleName));
    return all;
  }

  /** The concrete kits declared in {@code holder}, in name order. */
  static List<Class<? extends SessionStorageCompatibilityKit>> declaredIn(Class<?> holder) {
    List<Class<? extends SessionStorageCompatibilityKit>> all = new ArrayList<>();
    for (Class<?> c : holder.getDeclaredClasses()) {
      if (SessionStorageCompatibilityKit.class.isAssignableFrom(c) && !java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
        all.add(c.asSubclass(SessionStorageCompatibilityKit.class));
      }
    }
    all.sort(Comparator.comparing(Class::getSimpleName));
    return all;
  }

  /** The slice a correct store cuts: up to {@code count} messages ending at {@code end} (or the end). */
  static org.sessionkit.SessionSlice correctSlice(VersionedSession v, java.util.OptionalLong end, int count) {
    int total = v.session().messages().size();
    int to = (int) Math.min(total, end.orElse(total));
    return org.sessionkit.SessionSlice.of(v, Math.max(0, to - count), to);
  }

  static String describe(Class<?> mutant) {
    DisplayName name = mutant.getAnnotation(DisplayName.class);
    return mutant.getSimpleName() + (name != null ? " (" + name.value() + ")" : "");
  }
}
