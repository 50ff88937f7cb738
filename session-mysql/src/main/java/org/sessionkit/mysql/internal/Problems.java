package org.sessionkit.mysql.internal;

import java.util.Optional;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionIds;

/** Names rows in messages and problem entries. */
public final class Problems {

  private Problems() {}

  /** Where a session row is, e.g. {@code `sessionkit_sessions` id "a"}. */
  public static String location(TableNames names, String id) {
    return names.sessions() + " id " + SessionIds.quote(id);
  }

  /**
   * What is being read, for decoding errors, e.g. {@code sessionkit_sessions id a}. Without
   * quotes, because the codec quotes it again in its messages.
   */
  public static String source(TableNames names, String id) {
    String quoted = SessionIds.quote(id);
    return names.prefix() + "sessions id " + quoted.substring(1, quoted.length() - 1);
  }

  /**
   * A problem entry for the session row with the stored id {@code raw}; its id only when it is
   * well-formed UTF-8 and a valid id.
   */
  public static ListingProblem of(TableNames names, byte[] raw, String reason) {
    Optional<String> id = Ids.decode(raw);
    return new ListingProblem(location(names, id.orElse(Ids.show(raw))),
        id.filter(SessionIds::isValid), reason);
  }

  /** A problem entry for the session row {@code id}; its id only when it is a valid one. */
  public static ListingProblem of(TableNames names, String id, String reason) {
    return new ListingProblem(
        location(names, id), SessionIds.isValid(id) ? Optional.of(id) : Optional.empty(), reason);
  }
}
