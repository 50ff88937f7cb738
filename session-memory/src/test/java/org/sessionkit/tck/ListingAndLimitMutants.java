package org.sessionkit.tck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.JsonValue;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionSummary;
import org.sessionkit.VersionedSession;
import org.sessionkit.memory.MemorySessionStorage;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.spi.PageRequest;
import org.sessionkit.spi.PageResult;
import org.sessionkit.spi.WriteCondition;
import org.sessionkit.spi.WriteLog;
import org.sessionkit.tck.Mutants.CaughtBy;
import org.sessionkit.tck.Mutants.LocationMutant;
import org.sessionkit.tck.Mutants.Mutant;

/**
 * Broken stores of the kinds a third-party SQLite store and a hundred deliberately broken stores
 * showed passing the kit before (issue 18): filters built with a query language's wildcards,
 * secondary indexes that miss a write, an append that merges state, a session paired with
 * another version's revision, limits of common media (a page cap of 1,000, strings cut at
 * 65,535 characters, a 16-bit message count), an instance that answers from its own memory what
 * its medium lost, and a cursor that repeats the entry it points at. Run by {@link
 * BrokenStoresTest} with the others.
 */
final class ListingAndLimitMutants {

  private ListingAndLimitMutants() {}

  // ------------------------------------------------------------------ filters

  @DisplayName("prefix listing by SQL LIKE prefix || '%' escaping % and \\ but not _")
  @CaughtBy({"prefixListingsTakePrefixesLiterally"})
  static final class LikePrefixListing extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return listingByPattern(prefix -> {
        StringBuilder b = new StringBuilder();
        for (char c : prefix.toCharArray()) {
          b.append(c == '_' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(b + ".*", Pattern.DOTALL);
      });
    }
  }

  @DisplayName("prefix listing by SQL GLOB prefix || '*': * ? [ ] are wildcards")
  @CaughtBy({"prefixListingsTakePrefixesLiterally"})
  static final class GlobPrefixListing extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return listingByPattern(prefix -> {
        StringBuilder b = new StringBuilder();
        for (char c : prefix.toCharArray()) {
          b.append(c == '*' ? ".*" : c == '?' ? "." : c == '[' ? "[" : c == ']' ? "]" : Pattern.quote(String.valueOf(c)));
        }
        try {
          return Pattern.compile(b + ".*", Pattern.DOTALL);
        } catch (RuntimeException unbalanced) {
          return Pattern.compile(Pattern.quote(prefix) + ".*", Pattern.DOTALL); // GLOB treats a lone [ literally
        }
      });
    }
  }

  // ------------------------------------------------------------------ indexes

  @DisplayName("filtered listings come from a secondary index that delete does not clean")
  @CaughtBy({"deletesLeaveEveryListing"})
  static final class IndexMissesDeletes extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return indexed(true, false);
    }
  }

  @DisplayName("filtered listings come from a secondary index that append does not update")
  @CaughtBy({"appendsMoveSessions"})
  static final class IndexMissesAppends extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return indexed(false, true);
    }
  }

  @DisplayName("PERSISTENT: filtered listings come from an index each instance builds from its own writes")
  @CaughtBy({"listingsAgreeAfterReopening"})
  static final class IndexLostOnReopen extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      Map<String, SessionSummary> index = new ConcurrentHashMap<>();
      return new SharedLocationStore(location) {
        @Override
        protected Entry written(Session session, Revision revision, WriteLog log, Entry previous, boolean append) {
          index.put(session.id(), session.summary(revision));
          return super.written(session, revision, log, previous, append);
        }

        @Override
        protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
          return super.doDelete(id, expected).thenRun(() -> index.remove(id));
        }

        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          if (request.idPrefix().isEmpty() && request.updatedBefore().isEmpty() && request.updatedAfter().isEmpty()) {
            return super.doList(request);
          }
          return CompletableFuture.completedFuture(fromIndex(index, request));
        }
      };
    }
  }

  // ------------------------------------------------------------------ pairs that belong together

  @DisplayName("append merges the given custom state into the stored one instead of replacing it")
  @CaughtBy({"appendReplacesTheCustomState"})
  static final class AppendMergesCustomState extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<Revision> doAppend(String id, Append append) {
          Map<String, JsonValue> merged = new LinkedHashMap<>(Futures.await(backing.load(id)).state().custom());
          merged.putAll(append.state().custom());
          return backing.append(id, new Append(append.messages(), append.state().withCustom(merged), append.updatedAt(),
              append.expectedRevision(), append.idempotencyKey()));
        }
      };
    }
  }

  @DisplayName("loadVersioned reads the session and its revision in two reads")
  @CaughtBy({"sessionsAndRevisionsBelongTogether"})
  static final class LoadVersionedInTwoReads extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<VersionedSession> doLoad(String id) {
          Session s = Futures.await(backing.load(id));
          Mutants.ioLatency();
          return backing.loadVersioned(id).thenApply(v -> new VersionedSession(s, v.revision()));
        }
      };
    }
  }

  @DisplayName("a listing reads the summaries, then their revisions in a second query")
  @CaughtBy({"sessionsAndRevisionsBelongTogether"})
  static final class SummaryRevisionFromAnotherRead extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          return super.doList(request).thenApply(r -> {
            Mutants.ioLatency();
            List<SessionSummary> out = new ArrayList<>();
            for (SessionSummary s : r.summaries()) {
              Revision now = backing.loadVersioned(s.id()).handle((v, e) -> v == null ? s.revision() : v.revision()).join();
              out.add(new SessionSummary(s.id(), s.createdAt(), s.updatedAt(), s.messageCount(), now, s.custom()));
            }
            return new PageResult(out, r.problems());
          });
        }
      };
    }
  }

  // ------------------------------------------------------------------ limits

  @DisplayName("a listing query capped at 1,000 rows: list() and walks stop at the 1,000th session")
  @CaughtBy({"listingsOfMoreThanAThousandSessions"})
  static final class ListingCappedAtAThousand extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return new DelegatingStore(new MemorySessionStorage(), true) {
        @Override
        protected CompletableFuture<PageResult> doList(PageRequest request) {
          return super.doList(request).thenApply(r -> new PageResult(
              r.summaries().subList(0, Math.min(1_000, r.summaries().size())), r.problems()));
        }
      };
    }
  }

  @DisplayName("strings cut at 65,535 characters (a TEXT column)")
  @CaughtBy({"stringsLongerThanSixteenBitsRoundTrip"})
  static final class TruncatesLongStrings extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      UnaryOperator<String> cut = t -> t.length() > 65_535 ? t.substring(0, 65_535) : t;
      return Mutants.transforming(s -> {
        Session m = Mutants.mapJson(s, v -> v instanceof JsonValue.JsonString str ? new JsonValue.JsonString(cut.apply(str.value())) : v);
        return Mutants.mapMessages(m, msg -> new Message(msg.role(), msg.content().stream()
            .map(b -> b instanceof ContentBlock.Text t ? ContentBlock.text(cut.apply(t.text())) : b).toList(), msg.metadata()));
      });
    }
  }

  @DisplayName("keeps at most 65,535 messages (a 16-bit count)")
  @CaughtBy({"manyMessagesAndKeys"})
  static final class CapsMessagesAtSixteenBits extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return Mutants.transforming(s -> s.messages().size() <= 65_535 ? s
          : new Session(s.id(), s.messages().subList(0, 65_535), s.state(), s.createdAt(), s.updatedAt()));
    }
  }

  @DisplayName("CROSS_PROCESS: the medium loses 3.0 vs 3, hidden by the instance that wrote it answering from memory")
  @CaughtBy({"customValuesOfEveryJsonTypeRoundTrip"})
  static final class InstanceCacheHidesALossyMedium extends LocationMutant {
    @Override
    SharedLocationStore open(SharedLocationStore.Location location) {
      Map<String, VersionedSession> mine = new ConcurrentHashMap<>();
      return new SharedLocationStore(location) {
        @Override
        protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
          Session lossy = Mutants.mapJson(session, v -> v instanceof JsonValue.JsonDecimal d && d.value().stripTrailingZeros().scale() <= 0
              ? JsonValue.of(d.value().toBigIntegerExact()) : v);
          return super.doSave(lossy, condition).thenApply(r -> {
            mine.put(session.id(), new VersionedSession(session, r));
            return r;
          });
        }

        @Override
        protected CompletableFuture<VersionedSession> doLoad(String id) {
          return super.doLoad(id).thenApply(v -> {
            VersionedSession cached = mine.get(id);
            return cached != null && cached.revision().equals(v.revision()) ? cached : v;
          });
        }
      };
    }
  }

  // ------------------------------------------------------------------ cursors

  @DisplayName("a cursor that repeats the entry it points at (an inclusive keyset condition)")
  @CaughtBy({"walkingAllPagesReturnsEverySessionOnceInOrder", "streamWalksEveryPage"})
  static final class CursorRepeatsItsEntry extends Mutant {
    @Override
    protected SessionStorage newStorage() {
      return Mutants.naivelyListing(ListPosition.SUMMARY_ORDER,
          (pos, s) -> ListPosition.SUMMARY_ORDER.compare(new SessionSummary(pos.id(), s.createdAt(), pos.updatedAt(), 0, s.revision()), s) <= 0,
          PageRequest::matchesFilters, false);
    }
  }

  // ------------------------------------------------------------------ building blocks

  /** A store whose prefix filter is {@code pattern(prefix)} matched against whole ids. */
  static SessionStorage listingByPattern(java.util.function.Function<String, Pattern> pattern) {
    return Mutants.naivelyListing(ListPosition.SUMMARY_ORDER, null, (r, t, id) ->
        (r.idPrefix().isEmpty() || pattern.apply(r.idPrefix().get()).matcher(id).matches())
            && (r.updatedBefore().isEmpty() || t.isBefore(r.updatedBefore().get()))
            && (r.updatedAfter().isEmpty() || t.isAfter(r.updatedAfter().get())), false);
  }

  /**
   * A store that answers filtered listings from a secondary index of summaries, kept beside the
   * sessions; {@code appendMaintains} and {@code deleteMaintains} say whether append and delete
   * keep it up to date.
   */
  static SessionStorage indexed(boolean appendMaintains, boolean deleteMaintains) {
    Map<String, SessionSummary> index = new ConcurrentHashMap<>();
    return new DelegatingStore(new MemorySessionStorage(), true) {
      @Override
      protected CompletableFuture<Revision> doSave(Session session, WriteCondition condition) {
        return super.doSave(session, condition).thenApply(r -> {
          index.put(session.id(), session.summary(r));
          return r;
        });
      }

      @Override
      protected CompletableFuture<Revision> doAppend(String id, Append append) {
        return super.doAppend(id, append).thenApply(r -> {
          if (appendMaintains) {
            VersionedSession v = Futures.await(backing.loadVersioned(id));
            index.put(id, v.session().summary(v.revision()));
          }
          return r;
        });
      }

      @Override
      protected CompletableFuture<Void> doDelete(String id, Optional<Revision> expected) {
        return super.doDelete(id, expected).thenRun(() -> {
          if (deleteMaintains) {
            index.remove(id);
          }
        });
      }

      @Override
      protected CompletableFuture<PageResult> doList(PageRequest request) {
        if (request.idPrefix().isEmpty() && request.updatedBefore().isEmpty() && request.updatedAfter().isEmpty()) {
          return super.doList(request);
        }
        return CompletableFuture.completedFuture(fromIndex(index, request));
      }
    };
  }

  static PageResult fromIndex(Map<String, SessionSummary> index, PageRequest request) {
    List<SessionSummary> found = index.values().stream().filter(request::matches).sorted(ListPosition.SUMMARY_ORDER)
        .limit(request.fetchSize()).toList();
    return PageResult.of(found);
  }

  /** Every mutant class of this file, in name order. */
  static List<Class<? extends SessionStorageCompatibilityKit>> all() {
    return Mutants.declaredIn(ListingAndLimitMutants.class);
  }
}
