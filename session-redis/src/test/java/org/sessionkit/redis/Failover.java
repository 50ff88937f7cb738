package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.sessionkit.AmbiguousOutcomeException;
import org.sessionkit.Append;
import org.sessionkit.ContentBlock;
import org.sessionkit.Futures;
import org.sessionkit.IdempotencyKey;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionState;
import org.sessionkit.StorageUnavailableException;

/**
 * A stream of keyed appends from several clients (one thread each, one call at a time) while a
 * fault happens, and the account afterwards: what each call answered, when the stream recovered,
 * and what the store holds — every session readable (nothing half-applied), no turn twice, and
 * which acknowledged turns a failover lost.
 */
final class Failover {

  /** How a call ended. */
  enum Kind { ACKNOWLEDGED, AMBIGUOUS, NOT_APPLIED, OTHER }

  /** One append and how it ended. */
  record Outcome(String id, String text, Kind kind, long atMillis, String error) {}

  /**
   * What a run found.
   *
   * @param acknowledged appends that completed
   * @param ambiguous appends that failed with {@link AmbiguousOutcomeException}
   * @param notApplied appends that failed with a plain {@link StorageUnavailableException}
   * @param other appends that failed otherwise (must be none)
   * @param acknowledgedLost acknowledged appends the store no longer holds
   * @param ambiguousApplied ambiguous appends the store holds
   * @param notAppliedButThere "not applied" appends the store holds (must be none)
   * @param duplicates turns stored twice (must be none)
   * @param recoveryMillis from the fault to the first success after the last failure
   * @param otherErrors the first few unexpected errors
   */
  record Report(
      int acknowledged, int ambiguous, int notApplied, int other, int acknowledgedLost, int ambiguousApplied,
      int notAppliedButThere, int duplicates, long recoveryMillis, List<String> otherErrors) {

    String line(String what) {
      return String.format(
          "%s: %d appends acknowledged, %d ambiguous (%d of them applied), %d refused as not applied,"
              + " %d other errors; acknowledged and lost: %d; recovered %,d ms after the fault",
          what, acknowledged, ambiguous, ambiguousApplied, notApplied, other, acknowledgedLost, recoveryMillis);
    }
  }

  private Failover() {}

  /** Loads {@code id}, retrying while the store reconnects after the fault (at most 15 s). */
  static Session loadEventually(RedisSessionStorage store, String id) {
    long deadline = System.nanoTime() + SECONDS.toNanos(15);
    while (true) {
      try {
        return Futures.await(store.load(id), 30, SECONDS);
      } catch (StorageUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        PrivateRedis.sleep(100);
      }
    }
  }

  /**
   * Runs the stream: each client appends to sessions of its own, round robin; {@code fault}
   * runs after {@code before}; the stream stops once every client has succeeded for {@code
   * calm} after its last failure, or {@code limit} after the fault.
   */
  static Report run(List<RedisSessionStorage> clients, RedisSessionStorage verifier, int sessionsPerClient,
      Duration before, Runnable fault, Duration calm, Duration limit) throws InterruptedException {
    List<List<String>> ids = new ArrayList<>();
    for (int c = 0; c < clients.size(); c++) {
      List<String> mine = new ArrayList<>();
      for (int i = 0; i < sessionsPerClient; i++) {
        String id = "client" + c + "/s" + i;
        mine.add(id);
        Futures.await(clients.get(c).save(Sessions.plain(id, 0, Sessions.T0)), 30, SECONDS);
      }
      ids.add(mine);
    }
    ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    long[] lastFailure = new long[clients.size()];
    for (int c = 0; c < clients.size(); c++) {
      int client = c;
      Thread t = new Thread(() -> {
        RedisSessionStorage store = clients.get(client);
        List<String> mine = ids.get(client);
        for (int n = 0; !stop.get(); n++) {
          String id = mine.get(n % mine.size());
          String text = "c" + client + "-" + n;
          Append a = Append.of(List.of(Message.user(text)), SessionState.initial("/"), Sessions.T0)
              .withIdempotencyKey(IdempotencyKey.of(text));
          Kind kind;
          String error = "";
          try {
            Futures.await(store.append(id, a), 30, SECONDS);
            kind = Kind.ACKNOWLEDGED;
          } catch (AmbiguousOutcomeException e) {
            kind = Kind.AMBIGUOUS;
          } catch (StorageUnavailableException e) {
            kind = Kind.NOT_APPLIED;
          } catch (RuntimeException e) {
            kind = Kind.OTHER;
            error = e.toString();
          }
          long at = (System.nanoTime() - start) / 1_000_000;
          outcomes.add(new Outcome(id, text, kind, at, error));
          if (kind != Kind.ACKNOWLEDGED) {
            synchronized (lastFailure) {
              lastFailure[client] = at;
            }
            PrivateRedis.sleep(20); // don't spin while the cluster is down
          }
        }
      }, "failover-client-" + c);
      t.start();
      threads.add(t);
    }
    Thread.sleep(before.toMillis());
    long faultAt = (System.nanoTime() - start) / 1_000_000;
    fault.run();
    long deadline = faultAt + limit.toMillis();
    while (true) {
      Thread.sleep(100);
      long now = (System.nanoTime() - start) / 1_000_000;
      boolean calmEverywhere;
      synchronized (lastFailure) {
        calmEverywhere = true;
        for (long f : lastFailure) {
          calmEverywhere &= f > 0 ? now - f >= calm.toMillis() : now - faultAt >= calm.toMillis();
        }
      }
      if (calmEverywhere || now > deadline) {
        break;
      }
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join(60_000);
    }

    List<Outcome> all = new ArrayList<>(outcomes);
    long last = all.stream().filter(o -> o.kind() != Kind.ACKNOWLEDGED).mapToLong(Outcome::atMillis).max().orElse(faultAt);
    long recovered = all.stream().filter(o -> o.kind() == Kind.ACKNOWLEDGED && o.atMillis() > last)
        .mapToLong(Outcome::atMillis).min().orElse(Long.MAX_VALUE);
    Set<String> stored = new HashSet<>();
    int duplicates = 0;
    for (List<String> mine : ids) {
      for (String id : mine) {
        Session s = loadEventually(verifier, id);
        for (Message m : s.messages()) {
          if (!stored.add(((ContentBlock.Text) m.content().get(0)).text())) {
            duplicates++;
          }
        }
      }
    }
    int acknowledged = 0;
    int ambiguous = 0;
    int notApplied = 0;
    int other = 0;
    int lost = 0;
    int ambiguousApplied = 0;
    int notAppliedButThere = 0;
    List<String> otherErrors = new ArrayList<>();
    for (Outcome o : all) {
      boolean there = stored.contains(o.text());
      switch (o.kind()) {
        case ACKNOWLEDGED -> {
          acknowledged++;
          lost += there ? 0 : 1;
        }
        case AMBIGUOUS -> {
          ambiguous++;
          ambiguousApplied += there ? 1 : 0;
        }
        case NOT_APPLIED -> {
          notApplied++;
          notAppliedButThere += there ? 1 : 0;
        }
        case OTHER -> {
          other++;
          if (otherErrors.size() < 5) {
            otherErrors.add(o.error());
          }
        }
      }
    }
    return new Report(acknowledged, ambiguous, notApplied, other, lost, ambiguousApplied, notAppliedButThere, duplicates,
        recovered == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, recovered - faultAt), otherErrors);
  }
}
