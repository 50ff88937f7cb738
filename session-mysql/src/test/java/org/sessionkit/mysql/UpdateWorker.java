package org.sessionkit.mysql;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.util.List;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.Message;
import org.sessionkit.RevisionConflictException;
import org.sessionkit.SessionState;
import org.sessionkit.VersionedSession;

/**
 * The other process of {@link MultiProcessTest}: opens its own store on the same tables and
 * changes one session {@code count} times, alternating {@code update} and a conditional {@code
 * append} that also increments the event count, each adding one message labelled with its name.
 *
 * <p>Arguments: store URI, session id, count, label. Exit code 0 when every change succeeded.
 */
public final class UpdateWorker {

  private UpdateWorker() {}

  /** Runs the worker. */
  public static void main(String[] args) {
    String uri = args[0];
    String id = args[1];
    int count = Integer.parseInt(args[2]);
    String label = args[3];
    try (MySqlSessionStorage store = MySqlSessionStorage.open(uri)) {
      System.out.println("ready");
      run(store, id, count, label);
    }
    System.out.println("done");
  }

  /** Changes the session {@code count} times. */
  static void run(MySqlSessionStorage store, String id, int count, String label) {
    for (int i = 0; i < count; i++) {
      Message m = Message.user(label + "-" + i);
      if (i % 2 == 0) {
        Futures.await(store.update(id, s -> s.withMessage(m)), 60, SECONDS);
      } else {
        // A conditional append that bumps the event count of the state it read: retried until
        // no other writer came in between, so that no increment is lost either.
        while (true) {
          VersionedSession v = Futures.await(store.loadVersioned(id), 60, SECONDS);
          SessionState next = v.session().state().withEventCount(v.session().state().eventCount() + 1);
          try {
            Futures.await(store.append(id,
                Append.of(List.of(m), next, v.session().updatedAt()).ifRevision(v.revision())), 60, SECONDS);
            break;
          } catch (RevisionConflictException retry) {
            Thread.onSpinWait();
          }
        }
      }
    }
  }
}
