package org.sessionkit.redis;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.time.Instant;
import java.util.List;
import org.sessionkit.Append;
import org.sessionkit.Futures;
import org.sessionkit.Message;
import org.sessionkit.SessionState;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;

/**
 * The other process of the two-process test: adds {@code count} messages labelled {@code
 * label:i} to one session, alternating atomic appends and {@code update}s, one after another.
 *
 * <p>Arguments: store URI, session id, count, label. Prints {@code done} and exits 0.
 */
public final class Hammer {

  private Hammer() {}

  /** Runs the hammer; see the class documentation. */
  public static void main(String[] args) {
    String uri = args[0];
    String id = args[1];
    int count = Integer.parseInt(args[2]);
    String label = args[3];
    try (SessionStorage store = SessionStorages.open(uri)) {
      hammer(store, id, count, label);
    }
    System.out.println("done");
  }

  /** Adds {@code count} messages to {@code id}, labelled {@code label:i}, in order. */
  static void hammer(SessionStorage store, String id, int count, String label) {
    for (int i = 0; i < count; i++) {
      Message m = Message.user(label + ":" + i);
      if (i % 2 == 0) {
        Futures.await(store.append(id, Append.of(List.of(m), SessionState.initial("/"), Instant.now())), 30, SECONDS);
      } else {
        Futures.await(store.update(id, s -> s.withMessage(m)), 30, SECONDS);
      }
    }
  }
}
