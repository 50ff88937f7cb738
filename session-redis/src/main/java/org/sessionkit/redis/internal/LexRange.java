package org.sessionkit.redis.internal;

import java.time.Instant;
import java.util.Optional;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.spi.PageRequest;

/**
 * The {@code ZRANGEBYLEX} bounds of the index members a {@link PageRequest} selects: the time
 * bounds and the keyset position become plain byte-string bounds, so the server does all the
 * comparing (exactly, with memcmp) and a page costs O(log N + page) whatever the store holds.
 *
 * @param start the lower bound, {@code -} or {@code (member}
 * @param stop the upper bound, {@code +} or {@code (member}
 * @param empty true if no entry can match (e.g. {@code updatedBefore} 0000-01-01)
 */
public record LexRange(String start, String stop, boolean empty) {

  /** Returns the bounds of {@code request} (its id prefix is applied separately). */
  public static LexRange of(PageRequest request) {
    Optional<String> from = Optional.empty();
    boolean empty = false;
    if (request.after().isPresent()) {
      ListPosition p = request.after().get();
      if (KeyLayout.beforeRange(p.updatedAt())) {
        empty = true; // positioned after every instant a session can have
      } else if (!KeyLayout.afterRange(p.updatedAt())) {
        from = max(from, KeyLayout.member(p.updatedAt(), KeyLayout.hex(p.id())));
      }
    }
    if (request.updatedBefore().isPresent()) {
      Instant b = request.updatedBefore().get();
      if (KeyLayout.beforeRange(b)) {
        empty = true;
      } else if (!KeyLayout.afterRange(b)) {
        // '~' sorts after every hex digit: this skips every member at exactly b.
        from = max(from, KeyLayout.time(b) + "~");
      }
    }
    String stop = "+";
    if (request.updatedAfter().isPresent()) {
      Instant a = request.updatedAfter().get();
      if (KeyLayout.afterRange(a)) {
        empty = true;
      } else if (!KeyLayout.beforeRange(a)) {
        // Every member at exactly a is longer than, so after, its bare time part.
        stop = "(" + KeyLayout.time(a);
      }
    }
    return new LexRange(from.map(f -> "(" + f).orElse("-"), stop, empty);
  }

  private static Optional<String> max(Optional<String> a, String b) {
    // Members and bounds are ASCII, so String order is byte order here.
    return Optional.of(a.isEmpty() || a.get().compareTo(b) < 0 ? b : a.get());
  }
}
