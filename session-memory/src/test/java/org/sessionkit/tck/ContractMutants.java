package org.sessionkit.tck;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.sessionkit.Append;
import org.sessionkit.DeleteFilter;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.JsonValue;
import org.sessionkit.ListQuery;
import org.sessionkit.ListingProblem;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.StorageClosedException;
import org.sessionkit.VersionedSession;
import org.sessionkit.memory.MemorySessionStorage;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.spi.UpdateResult;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.spi.WriteLog;
import org.sessionkit.tck.Mutants.CaughtBy;
import org.sessionkit.tck.Mutants.LocationMutant;
import org.sessionkit.tck.Mutants.Mutant;

/**
 * Broken stores for the clauses added on 2026-12-06 (per-message metadata, slices, idempotency
 * keys, {@code update} always writing, bulk delete, health and identity, custom keys in
 * summaries, the full {@code problems()} check, close semantics, retention), each failing one
 * clause the way a real backend plausibly would. Run by {@link BrokenStoresTest} with the ones
 * of {@link Mutants}.
 */
final class ContractMutants {

  private ContractMutants() {}

  // ------------------------------------------------------------------ per-message metadata

  @DisplayName("drops per-message metadata (an old codec)")
  @CaughtBy({"metadataOfEveryJsonTypeRoundTrips", "messagesThatDifferOnlyInMetadataStayDistinct"})
  static final class DropsMessageMetadata extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return Mutants.transforming(s -> Mutants.mapMessages(s, m -> m.withMetadata(Map.of())));
    }
  }

  @DisplayName("turns 3.0 into 3 in message metadata (custom state is right)")
  @CaughtBy({"metadataOfEveryJsonTypeRoundTrips", "messagesThatDifferOnlyInMetadataStayDistinct"})
  static final class MetadataDecimalsBecomeIntegers extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return Mutants.transforming(s -> Mutants.mapMessages(s, m -> {
        Map<String, JsonValue> meta = new HashMap<>();
        m.metadata().forEach((k, v) -> meta.put(k, v instanceof JsonValue.JsonDecimal d && d.value().stripTrailingZeros().scale() <= 0
            ? JsonValue.of(d.value().toBigIntegerExact()) : v));
        return m.withMetadata(meta);
      }));
    }
  }

  @DisplayName("a native append drops the metadata of the appended messages")
  @CaughtBy({"appendKeepsMetadata"})
  static final class AppendDropsMetadata extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doAppend(String id, Append append) {
          List<Message> plain = append.messages().stream().map(m -> m.withMetadata(Map.of())).toList();
          return backing.append(id, new Append(plain, append.state(), append.updatedAt(), append.expectedRevision(),
              append.idempotencyKey()));
        }
      };
    }
  }

  @DisplayName("PERSISTENT: message metadata lives in the instance, not in the stored document")
  @CaughtBy({"metadataSurvivesReopening"})
  static final class MetadataNotPersisted extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      Map<String, Session> withMetadata = new ConcurrentHashMap<>();
      return new SharedLocationStore(location) {
        @Override
        protected Entry written(Session session, Revision revision, WriteLog log, Entry previous, boolean append) {
          withMetadata.put(revision.value(), session);
          return super.written(Mutants.mapMessages(session, m -> m.withMetadata(Map.of())), revision, log, previous, append);
        }

        @Override
        protected CompletableFuture<VersionedSession> doLoad(String id) {
          return super.doLoad(id).thenApply(v -> new VersionedSession(
              withMetadata.getOrDefault(v.revision().value(), v.session()), v.revision()));
        }
      };
    }
  }

  // ------------------------------------------------------------------ slices

  @DisplayName("loadTail returns the first n messages, not the last")
  @CaughtBy({"loadTailReturnsTheLastMessages", "walkingBackReadsTheWholeHistoryOnce"})
  static final class TailFromTheStart extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return slicing((v, end, count) -> {
        int total = v.session().messages().size();
        if (end.isPresent()) {
          int to = (int) Math.min(total, end.getAsLong());
          return SessionSlice.of(v, Math.max(0, to - count), to);
        }
        return SessionSlice.of(v, 0, Math.min(total, count));
      });
    }
  }

  @DisplayName("loadBefore includes the message at the index (an inclusive end)")
  @CaughtBy({"loadBeforeReturnsTheMessagesBeforeAnIndex"})
  static final class LoadBeforeIncludesTheIndex extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return slicing((v, end, count) -> {
        int total = v.session().messages().size();
        int to = (int) Math.min(total, end.isPresent() ? end.getAsLong() + 1 : total);
        return SessionSlice.of(v, Math.max(0, to - count), to);
      });
    }
  }

  @DisplayName("loadBefore with an index beyond the count fails instead of reading from the end")
  @CaughtBy({"loadBeforeReturnsTheMessagesBeforeAnIndex"})
  static final class LoadBeforeBeyondTheCountFails extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return slicing((v, end, count) -> {
        int total = v.session().messages().size();
        if (end.isPresent() && end.getAsLong() > total) {
          throw new InvalidArgumentException("index " + end.getAsLong() + " beyond " + total);
        }
        int to = (int) end.orElse(total);
        return SessionSlice.of(v, Math.max(0, to - count), to);
      });
    }
  }

  @DisplayName("a slice reports its own size as the session's total")
  @CaughtBy({"loadTailReturnsTheLastMessages"})
  static final class SliceTotalIsItsSize extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return slicing((v, end, count) -> {
        SessionSlice s = Mutants.correctSlice(v, end, count);
        return new SessionSlice(s.id(), s.messages(), 0, s.messages().size(), s.state(), s.createdAt(), s.updatedAt(), s.revision());
      });
    }
  }

  @DisplayName("a slice reads the messages and then, separately, the revision and state")
  @CaughtBy({"aSliceBelongsToOneVersionUnderConcurrentAppends"})
  static final class SliceReadInTwoSteps extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<SessionSlice> doLoadSlice(String id, OptionalLong end, int count) {
          SessionSlice messages = Futures.await(backing.loadTail(id, SessionStorage.MAX_SLICE));
          Mutants.ioLatency();
          VersionedSession head = Futures.await(backing.loadVersioned(id));
          SessionSlice cut = Mutants.correctSlice(new VersionedSession(head.session().withMessages(List.of()), head.revision()),
              OptionalLong.of(0), 0);
          int total = messages.messages().size();
          int to = (int) Math.min(total, end.orElse(total));
          int from = Math.max(0, to - count);
          return CompletableFuture.completedFuture(new SessionSlice(id, messages.messages().subList(from, to), from, total,
              cut.state(), cut.createdAt(), cut.updatedAt(), cut.revision()));
        }
      };
    }
  }

  @DisplayName("a negative count reads nothing instead of failing")
  @CaughtBy({"badArgumentsFail"})
  static final class NegativeSliceCountAccepted extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<SessionSlice> loadTail(String id, int count) {
          return delegate.loadTail(id, Math.max(0, count));
        }
      };
    }
  }

  // ------------------------------------------------------------------ idempotency keys

  @DisplayName("ignores idempotency keys: a retry applies again")
  @CaughtBy({"retriedAppendAppliesOnce", "retriedCreateAppliesOnce", "retriedUpdateAppliesOnce"})
  static final class IgnoresIdempotencyKeys extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected Optional<Revision> applied(String id, Entry current, IdempotencyKey key) {
          return Optional.empty();
        }
      };
    }
  }

  @DisplayName("checks the revision condition before the key: a retry of an applied write conflicts")
  @CaughtBy({"retriedSaveIfAppliesOnce", "retriedAppendAppliesOnce", "retriedCreateAppliesOnce"})
  static final class ChecksTheConditionBeforeTheKey extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition, IdempotencyKey key) {
          Optional<Revision> stored = backing.loadVersioned(session.id()).handle((v, e) -> Optional.ofNullable(v))
              .join().map(VersionedSession::revision);
          if (!condition.test(stored)) {
            return CompletableFuture.failedFuture(new RevisionConflictException("condition checked first"));
          }
          return super.doSave(session, condition, key);
        }

        @Override
        protected CompletableFuture<Revision> doAppend(String id, Append append) {
          if (append.expectedRevision().isPresent()) {
            Revision stored = Futures.await(backing.loadVersioned(id)).revision();
            if (!stored.equals(append.expectedRevision().get())) {
              return CompletableFuture.failedFuture(new RevisionConflictException("condition checked first"));
            }
          }
          return super.doAppend(id, append);
        }
      };
    }
  }

  @DisplayName("remembers only the last 4 keys of a session")
  @CaughtBy({"theLastSixteenKeysAreRemembered"})
  static final class RemembersFourKeys extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected WriteLog logAfter(String id, Entry current, Optional<IdempotencyKey> key, Revision revision) {
          WriteLog full = super.logAfter(id, current, key, revision);
          WriteLog kept = WriteLog.empty();
          List<WriteLog.Entry> entries = full.entries();
          for (WriteLog.Entry e : entries.subList(Math.max(0, entries.size() - 4), entries.size())) {
            kept = kept.record(e.key(), e.revision());
          }
          return kept;
        }
      };
    }
  }

  @DisplayName("keeps the keys of a deleted session (a key table not cleaned by delete)")
  @CaughtBy({"deleteForgetsKeys"})
  static final class DeleteKeepsKeys extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      Map<String, WriteLog> logs = new ConcurrentHashMap<>();
      return new SharedLocationStore(location) {
        @Override
        protected Optional<Revision> applied(String id, Entry current, IdempotencyKey key) {
          return logs.getOrDefault(id, WriteLog.empty()).find(key);
        }

        @Override
        protected WriteLog logAfter(String id, Entry current, Optional<IdempotencyKey> key, Revision revision) {
          WriteLog log = logs.getOrDefault(id, WriteLog.empty()).after(key, revision);
          logs.put(id, log);
          return log;
        }
      };
    }
  }

  @DisplayName("keeps keys in the instance, not with the session: lost on reopen, unseen by other instances")
  @CaughtBy({"retryAfterReopeningAppliesNothing", "retryThroughAnotherInstanceAppliesNothing"})
  static final class KeysNotStoredWithTheSession extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      Map<String, WriteLog> logs = new ConcurrentHashMap<>();
      return new SharedLocationStore(location) {
        @Override
        protected Optional<Revision> applied(String id, Entry current, IdempotencyKey key) {
          return current == null ? Optional.empty() : logs.getOrDefault(id, WriteLog.empty()).find(key);
        }

        @Override
        protected WriteLog logAfter(String id, Entry current, Optional<IdempotencyKey> key, Revision revision) {
          WriteLog log = (current == null ? WriteLog.empty() : logs.getOrDefault(id, WriteLog.empty())).after(key, revision);
          logs.put(id, log);
          return WriteLog.empty();
        }
      };
    }
  }

  @DisplayName("checks a key, then writes, in two steps: two concurrent calls with one key both apply")
  @CaughtBy({"concurrentCallsWithOneKeyApplyOnce"})
  static final class KeyCheckedOutsideTheWrite extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      Map<String, Revision> keys = new ConcurrentHashMap<>();
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doAppend(String id, Append append) {
          if (append.idempotencyKey().isEmpty()) {
            return super.doAppend(id, append);
          }
          String k = id + "\n" + append.idempotencyKey().get();
          Revision known = keys.get(k);
          if (known != null) {
            return CompletableFuture.completedFuture(known);
          }
          Mutants.ioLatency();
          return backing.append(id, new Append(append.messages(), append.state(), append.updatedAt(), append.expectedRevision()))
              .thenApply(r -> {
                keys.put(k, r);
                return r;
              });
        }

        @Override
        protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
          keys.keySet().removeIf(k -> k.startsWith(id + "\n"));
          return super.doDelete(id, expected);
        }
      };
    }
  }

  @DisplayName("a write that fails its condition still records its key")
  @CaughtBy({"failedWritesRecordNoKey"})
  static final class ConflictRecordsTheKey extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected void onConflict(String id, Entry current, Optional<IdempotencyKey> key) {
          if (current != null && key.isPresent()) {
            location.entries.put(id, new Entry(current.session(), current.revision(),
                current.log().record(key.get(), current.revision()), current.writtenAt()));
          }
        }
      };
    }
  }

  @DisplayName("keys are global, not per session: a key used on one session blocks it on another")
  @CaughtBy({"keysBelongToOneSession"})
  static final class KeysAreGlobal extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected Optional<Revision> applied(String id, Entry current, IdempotencyKey key) {
          for (Entry e : location.entries.values()) {
            Optional<Revision> r = e.log().find(key);
            if (r.isPresent()) {
              return r;
            }
          }
          return Optional.empty();
        }
      };
    }
  }

  // ------------------------------------------------------------------ update

  @DisplayName("update writes nothing when the change returns an equal session (keeps the old revision)")
  @CaughtBy({"updateThatChangesNothingStillWrites"})
  static final class UpdateSkipsUnchangedWrites extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<UpdateResult> doUpdate(String id, UnaryOperator<Session> change, Optional<IdempotencyKey> key) {
          VersionedSession v = Futures.await(backing.loadVersioned(id));
          Session changed = change.apply(v.session());
          if (changed.equals(v.session())) {
            return CompletableFuture.completedFuture(UpdateResult.of(changed, v.revision(), key));
          }
          return super.doUpdate(id, change, key);
        }
      };
    }
  }

  // ------------------------------------------------------------------ bulk delete

  @DisplayName("bulk delete by a LIKE prefix that escapes % and \\ but forgets _")
  @CaughtBy({"prefixDeletesExactlyTheMatchingIds"})
  static final class LikePrefixForgetsUnderscore extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return patternDeleting(prefix -> {
        StringBuilder b = new StringBuilder();
        for (char c : prefix.toCharArray()) {
          b.append(c == '_' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(b + ".*", Pattern.DOTALL);
      });
    }
  }

  @DisplayName("bulk delete by a GLOB prefix (prefix + '*'): * ? [ ] are wildcards")
  @CaughtBy({"prefixDeletesExactlyTheMatchingIds"})
  static final class GlobPrefix extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return patternDeleting(prefix -> {
        StringBuilder b = new StringBuilder();
        boolean inClass = false;
        for (char c : prefix.toCharArray()) {
          if (c == '*' && !inClass) {
            b.append(".*");
          } else if (c == '?' && !inClass) {
            b.append('.');
          } else if (c == '[') {
            inClass = true;
            b.append('[');
          } else if (c == ']' && inClass) {
            inClass = false;
            b.append(']');
          } else {
            b.append(inClass ? (Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c) : Pattern.quote(String.valueOf(c)));
          }
        }
        try {
          return Pattern.compile(b + (inClass ? "]" : "") + ".*", Pattern.DOTALL);
        } catch (RuntimeException e) {
          return Pattern.compile(Pattern.quote(prefix) + ".*", Pattern.DOTALL);
        }
      });
    }
  }

  @DisplayName("bulk delete treats the time bounds as inclusive")
  @CaughtBy({"boundsDeleteExactlyTheMatchingSessions"})
  static final class BulkDeleteBoundsInclusive extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return bulkDeleting((f, s) -> f.idPrefix().map(s.id()::startsWith).orElse(true)
          && f.updatedBefore().map(t -> !s.updatedAt().isAfter(t)).orElse(true)
          && f.updatedAfter().map(t -> !s.updatedAt().isBefore(t)).orElse(true), true);
    }
  }

  @DisplayName("bulk delete completes with 0 (the medium's count is never read)")
  @CaughtBy({"prefixDeletesExactlyTheMatchingIds", "allDeletesEverythingAndAnEmptyFilterIsRefused"})
  static final class BulkDeleteCountsZero extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<Long> deleteMatching(DeleteFilter filter) {
          return delegate.deleteMatching(filter).thenApply(n -> 0L);
        }
      };
    }
  }

  @DisplayName("bulk delete deletes what it listed without checking it is unchanged")
  @CaughtBy({"aSessionWrittenDuringTheSweepSurvives"})
  static final class BulkDeleteUnconditional extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return bulkDeleting((f, s) -> f.matches(s.id(), s.updatedAt()), false);
    }
  }

  // ------------------------------------------------------------------ health and identity

  @DisplayName("ping() fails on an empty store (it loads the first listed session)")
  @CaughtBy({"pingCompletes"})
  static final class PingFailsOnAnEmptyStore extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Void> doPing() {
          List<SessionSummary> first = Futures.await(backing.list(ListQuery.firstPage().limit(1))).summaries();
          if (first.isEmpty()) {
            return CompletableFuture.failedFuture(new SessionNotFoundException("nothing to ping with"));
          }
          return backing.load(first.get(0).id()).thenApply(s -> null);
        }
      };
    }
  }

  @DisplayName("ping() answers after close()")
  @CaughtBy({"pingAfterCloseFails"})
  static final class PingIgnoresClose extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public CompletableFuture<Void> ping() {
          return CompletableFuture.completedFuture(null);
        }
      };
    }
  }

  @DisplayName("kind() is the store's URI, password included")
  @CaughtBy({"kindIsAShortName"})
  static final class KindIsTheUri extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        @Override
        public String kind() {
          return "postgresql://app:secret@db:5432/agents";
        }
      };
    }
  }

  // ------------------------------------------------------------------ custom keys in summaries

  @DisplayName("summaries ignore the asked custom keys")
  @CaughtBy({"summariesCarryTheAskedKeys", "customKeysFollowWrites"})
  static final class CustomKeysIgnored extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          return super.doList(request).thenApply(r -> new PageResult(r.summaries().stream()
              .map(s -> new SessionSummary(s.id(), s.createdAt(), s.updatedAt(), s.messageCount(), s.revision())).toList(),
              r.problems()));
        }
      };
    }
  }

  @DisplayName("summaries give an absent custom key as JSON null")
  @CaughtBy({"summariesCarryTheAskedKeys"})
  static final class AbsentCustomKeysAsNull extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          return super.doList(request).thenApply(r -> new PageResult(r.summaries().stream().map(s -> {
            Map<String, JsonValue> c = new HashMap<>(s.custom());
            request.customKeys().forEach(k -> c.putIfAbsent(k, JsonValue.NULL));
            return new SessionSummary(s.id(), s.createdAt(), s.updatedAt(), s.messageCount(), s.revision(), c);
          }).toList(), r.problems()));
        }
      };
    }
  }

  @DisplayName("custom keys come from a side index that save updates but append doesn't")
  @CaughtBy({"customKeysFollowWrites"})
  static final class CustomIndexMissesAppends extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      Map<String, Map<String, JsonValue>> index = new ConcurrentHashMap<>();
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
          return super.doSave(session, condition).thenApply(r -> {
            index.put(session.id(), session.state().custom());
            return r;
          });
        }

        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          return super.doList(request).thenApply(r -> new PageResult(r.summaries().stream()
              .map(s -> new SessionSummary(s.id(), s.createdAt(), s.updatedAt(), s.messageCount(), s.revision())
                  .withCustom(index.getOrDefault(s.id(), Map.of()), request.customKeys()))
              .toList(), r.problems()));
        }
      };
    }
  }

  // ------------------------------------------------------------------ problems() and corrupt bodies

  @DisplayName("problems() looks only at what listings read (heads), not at bodies")
  @CaughtBy({"problemsFindsACorruptBodyUnderAnIntactHead"})
  static final class ProblemsReadsOnlyHeads extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected boolean fullProblemCheck() {
          return false;
        }
      };
    }
  }

  @DisplayName("listings read whole documents: a corrupt body drops the entry from listings")
  @CaughtBy({"problemsFindsACorruptBodyUnderAnIntactHead"})
  static final class ListingReadsBodies extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          Set<String> broken;
          synchronized (location.lock) {
            broken = Set.copyOf(location.bodyCorrupt);
          }
          return super.doList(request).thenApply(r -> {
            List<ListingProblem> problems = new ArrayList<>(r.problems());
            broken.forEach(id -> problems.add(new ListingProblem(location.name + "/" + id, Optional.of(id), "bad body")));
            return new PageResult(r.summaries().stream().filter(s -> !broken.contains(s.id())).toList(), problems);
          });
        }
      };
    }
  }

  // ------------------------------------------------------------------ close

  @DisplayName("a decorator written before the contract grew: the new operations still work after close()")
  @CaughtBy({"everyOperationFailsAfterClose"})
  static final class NewOperationsIgnoreClose extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      AtomicBoolean closed = new AtomicBoolean();
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        private <T> CompletableFuture<T> unlessClosed(Supplier<CompletableFuture<T>> op) {
          return closed.get() ? CompletableFuture.failedFuture(new StorageClosedException("closed")) : op.get();
        }

        @Override
        public CompletableFuture<Revision> save(Session session) {
          return unlessClosed(() -> delegate.save(session));
        }

        @Override
        public CompletableFuture<Revision> saveIf(Session session, Revision expected) {
          return unlessClosed(() -> delegate.saveIf(session, expected));
        }

        @Override
        public CompletableFuture<Revision> create(Session session) {
          return unlessClosed(() -> delegate.create(session));
        }

        @Override
        public CompletableFuture<Session> load(String id) {
          return unlessClosed(() -> delegate.load(id));
        }

        @Override
        public CompletableFuture<VersionedSession> loadVersioned(String id) {
          return unlessClosed(() -> delegate.loadVersioned(id));
        }

        @Override
        public CompletableFuture<List<SessionSummary>> list() {
          return unlessClosed(delegate::list);
        }

        @Override
        public CompletableFuture<org.sessionkit.SessionPage> list(ListQuery query) {
          return unlessClosed(() -> delegate.list(query));
        }

        @Override
        public CompletableFuture<Void> delete(String id) {
          return unlessClosed(() -> delegate.delete(id));
        }

        @Override
        public CompletableFuture<Void> deleteIf(String id, Revision expected) {
          return unlessClosed(() -> delegate.deleteIf(id, expected));
        }

        @Override
        public CompletableFuture<VersionedSession> update(String id, UnaryOperator<Session> change) {
          return unlessClosed(() -> delegate.update(id, change));
        }

        @Override
        public CompletableFuture<Revision> append(String id, Append append) {
          return unlessClosed(() -> delegate.append(id, append));
        }

        @Override
        public CompletableFuture<List<ListingProblem>> problems() {
          return unlessClosed(delegate::problems);
        }

        @Override
        public void close() {
          closed.set(true); // the delegate is left open: the operations this class doesn't know go on working
        }
      };
    }
  }

  @DisplayName("close() waits for the store's own threads, also when called from one of them")
  @CaughtBy({"closeFromACallbackDoesNotWaitForItself"})
  static final class CloseWaitsForItself extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      ExecutorService io = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "mutant-io");
        t.setDaemon(true);
        return t;
      });
      return new ForwardingSessionStorage(new MemorySessionStorage()) {
        private <T> CompletableFuture<T> async(Supplier<CompletableFuture<T>> op) {
          try {
            return CompletableFuture.supplyAsync(() -> op.get().join(), io);
          } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StorageClosedException("closed"));
          }
        }

        @Override
        public CompletableFuture<Revision> save(Session session) {
          return async(() -> delegate.save(session));
        }

        @Override
        public CompletableFuture<Session> load(String id) {
          return async(() -> delegate.load(id));
        }

        @Override
        public void close() {
          io.shutdown();
          try {
            io.awaitTermination(10, TimeUnit.SECONDS); // waits for the thread that calls it, too
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          delegate.close();
        }
      };
    }
  }

  // ------------------------------------------------------------------ retention

  /** A mutant with retention over a location, on the kit's clock. */
  abstract static class RetentionMutant extends LocationMutant {
    @Override
    protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
      return Optional.of(open(new SharedLocationStore.Location(clock, Optional.of(retention))));
    }
  }

  @DisplayName("retention counted from updatedAt instead of the last write")
  @CaughtBy({"updatedAtPlaysNoPart"})
  static final class RetentionFromUpdatedAt extends RetentionMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected boolean expired(Entry e) {
          return location.retention.isPresent()
              && location.clock.instant().isAfter(e.session().updatedAt().plus(location.retention.get()));
        }
      };
    }
  }

  @DisplayName("reads refresh the retention (touch on load)")
  @CaughtBy({"readsDoNotRefresh"})
  static final class ReadsRefreshRetention extends RetentionMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected CompletableFuture<VersionedSession> doLoad(String id) {
          synchronized (location.lock) {
            Entry e = live(id);
            if (e != null) {
              location.entries.put(id, new Entry(e.session(), e.revision(), e.log(), location.clock.instant()));
            }
          }
          return super.doLoad(id);
        }
      };
    }
  }

  @DisplayName("expired sessions stay in listings until a sweep removes them")
  @CaughtBy({"listingsLeaveOutExpiredSessions"})
  static final class ExpiredSessionsStillListed extends RetentionMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          synchronized (location.lock) {
            List<SessionSummary> found = new ArrayList<>();
            location.entries.forEach((id, e) -> {
              if (request.matches(e.session().updatedAt(), id)) {
                found.add(summarise(e, request));
              }
            });
            found.sort(org.sessionkit.spi.ListPosition.SUMMARY_ORDER);
            return CompletableFuture.completedFuture(PageResult.of(found.subList(0, Math.min(found.size(), request.fetchSize()))));
          }
        }
      };
    }
  }

  @DisplayName("an expired session still satisfies a conditional write with its last revision")
  @CaughtBy({"anExpiredSessionIsAbsentForEveryOperation"})
  static final class ExpiredSessionsStillMatchRevisions extends RetentionMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
          if (condition instanceof WriteCondition.IfRevision ifRevision) {
            synchronized (location.lock) {
              Entry e = location.entries.get(session.id());
              if (e != null && expired(e) && e.revision().equals(ifRevision.expected())) {
                location.entries.put(session.id(), new Entry(e.session(), e.revision(), e.log(), location.clock.instant()));
              }
            }
          }
          return super.doSave(session, condition);
        }
      };
    }
  }

  @DisplayName("an append does not refresh the retention (only saves stamp the write time)")
  @CaughtBy({"everyWriteRefreshesTheRetention"})
  static final class AppendDoesNotRefresh extends RetentionMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected Entry written(Session session, Revision revision, WriteLog log, Entry previous, boolean append) {
          Entry e = super.written(session, revision, log, previous, append);
          return append && previous != null ? new Entry(e.session(), e.revision(), e.log(), previous.writtenAt()) : e;
        }
      };
    }
  }

  @DisplayName("a sweep deletes what it found expired without checking again (a write in between is lost)")
  @CaughtBy({"sessionsWrittenDuringSweepsSurvive"})
  static final class SweepWithoutRecheck extends RetentionMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location) {
        @Override
        protected void sweep() {
          // no sweep inside writes: this store sweeps from listings, in two steps
        }

        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          List<String> expired = new ArrayList<>();
          synchronized (location.lock) {
            location.entries.forEach((id, e) -> {
              if (expired(e) && expired.size() < 16) {
                expired.add(id);
              }
            });
          }
          Mutants.ioLatency();
          synchronized (location.lock) {
            expired.forEach(location.entries::remove);
          }
          return super.doList(request);
        }
      };
    }
  }

  @DisplayName("retention on the system clock, not the one it was given")
  @CaughtBy({"anExpiredSessionIsAbsentForEveryOperation", "everyWriteRefreshesTheRetention"})
  static final class RetentionIgnoresTheGivenClock extends RetentionMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      return new SharedLocationStore(location);
    }

    @Override
    protected Optional<SessionStorage> newStorageWithRetention(Duration retention, Clock clock) {
      return Optional.of(open(new SharedLocationStore.Location(Clock.systemUTC(), Optional.of(retention))));
    }
  }

  // ------------------------------------------------------------------ building blocks

  /** How a broken store cuts a slice out of a stored session. */
  @FunctionalInterface
  interface Slicer {
    SessionSlice slice(VersionedSession stored, OptionalLong end, int count);
  }

  static SessionStorage slicing(Slicer slicer) {
    return new DelegatingStore(new MemorySessionStorage(), true) {
      @Override
      protected CompletableFuture<SessionSlice> doLoadSlice(String id, OptionalLong end, int count) {
        return doLoad(id).thenApply(v -> slicer.slice(v, end, count));
      }
    };
  }

  /** A store whose bulk delete selects ids by {@code pattern(prefix)} (a query language's idea of a prefix). */
  static SessionStorage patternDeleting(java.util.function.Function<String, Pattern> pattern) {
    return bulkDeleting((f, s) -> f.idPrefix().map(p -> pattern.apply(p).matcher(s.id()).matches()).orElse(true)
        && f.updatedBefore().map(s.updatedAt()::isBefore).orElse(true)
        && f.updatedAfter().map(s.updatedAt()::isAfter).orElse(true), true);
  }

  /** Which sessions a broken bulk delete selects. */
  @FunctionalInterface
  interface Selector {
    boolean selects(DeleteFilter filter, SessionSummary s);
  }

  /**
   * A store whose bulk delete lists everything, selects with {@code selector}, and deletes each
   * selected session — only while unchanged if {@code conditional}, else whatever it is by then.
   */
  static SessionStorage bulkDeleting(Selector selector, boolean conditional) {
    return new DelegatingStore(new MemorySessionStorage(), true) {
      @Override
      protected CompletableFuture<Long> doDeleteMatching(DeleteFilter filter) {
        long n = 0;
        for (SessionSummary s : everything()) {
          if (!selector.selects(filter, s)) {
            continue;
          }
          if (!conditional) {
            Mutants.ioLatency();
          }
          try {
            Futures.await(conditional ? backing.deleteIf(s.id(), s.revision()) : backing.delete(s.id()));
            n++;
          } catch (RevisionConflictException | SessionNotFoundException changed) {
            // written or deleted meanwhile
          }
        }
        return CompletableFuture.completedFuture(n);
      }
    };
  }

  /** Every mutant class of this file, in name order. */
  static List<Class<? extends SessionStorageCompatibilityKit>> all() {
    return Mutants.declaredIn(ContractMutants.class);
  }
}
