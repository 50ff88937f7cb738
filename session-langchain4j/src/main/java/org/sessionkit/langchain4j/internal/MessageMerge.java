package org.sessionkit.langchain4j.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A three-way merge of message lists, for a caller that changed {@code base} into {@code ours}
 * while someone else changed it into {@code current}.
 *
 * <p>Chat memories change a list in two ways only: they remove messages (a window evicts the
 * oldest, a new system message replaces the old one) and they insert messages (at the end, or a
 * system message at the front). So {@code ours} is described as: which messages of {@code base}
 * it keeps, and which messages it adds: those after the last kept base message are appends (they
 * go at the very end), the others go after the kept base message that precedes them (or in
 * front).
 * That change is then applied to {@code current}: the base messages {@code ours} dropped are
 * dropped from {@code current} too (if still there), everything else in {@code current} stays —
 * in particular every message another writer added — and our additions go where they were
 * relative to the kept base messages, after another writer's additions at the same place.
 *
 * <p>Messages are matched by {@code equals}, greedily in order: equal messages are
 * interchangeable, so when one of several equal messages was removed the result holds the same
 * messages, though the copy removed may be another one. When {@code current} equals {@code base}
 * the result is exactly {@code ours}. The merge never loses a message of {@code current} that
 * {@code base} did not have, and never loses one of {@code ours} that {@code base} did not have.
 *
 * <p>Stateless and thread safe. Cost: linear in the list sizes for the usual shapes (appends,
 * removals at the front), at most the product of two sizes.
 */
public final class MessageMerge {

  private MessageMerge() {}

  /**
   * Returns {@code current} with the change from {@code base} to {@code ours} applied.
   *
   * @param <T> the message type, compared with {@code equals}
   * @return a new list
   */
  public static <T> List<T> merge(List<T> base, List<T> ours, List<T> current) {
    int[] oursToBase = align(base, ours);
    int[] currentToBase = align(base, current);

    boolean[] keptByOurs = new boolean[base.size()];
    for (int k : oursToBase) {
      if (k >= 0) {
        keptByOurs[k] = true;
      }
    }

    // insertionPoint[a + 1]: the index in `current` before which additions that follow base
    // message `a` (a = -1: additions before any kept base message) go, that is the first
    // element of `current` matched to a base message after `a`; `current.size()` if none.
    int[] insertionPoint = new int[base.size() + 1];
    int a = -1;
    for (int q = 0; q < current.size(); q++) {
      int k = currentToBase[q];
      while (k >= 0 && a < k) {
        insertionPoint[a + 1] = q;
        a++;
      }
    }
    while (a < base.size()) {
      insertionPoint[a + 1] = current.size();
      a++;
    }

    List<List<T>> additions = new ArrayList<>(current.size() + 1);
    for (int q = 0; q <= current.size(); q++) {
      additions.add(null);
    }
    // Additions after the last base message ours kept are appends: they go after everything,
    // as if anchored to the end of base, whatever ours removed before them.
    int lastKept = -1;
    for (int i = 0; i < ours.size(); i++) {
      if (oursToBase[i] >= 0) {
        lastKept = i;
      }
    }
    int anchor = -1;
    for (int i = 0; i < ours.size(); i++) {
      if (oursToBase[i] >= 0) {
        anchor = oursToBase[i];
      } else {
        if (i > lastKept) {
          anchor = base.size() - 1;
        }
        int q = insertionPoint[anchor + 1];
        if (additions.get(q) == null) {
          additions.set(q, new ArrayList<>());
        }
        additions.get(q).add(ours.get(i));
      }
    }

    List<T> result = new ArrayList<>(current.size() + ours.size());
    for (int q = 0; q <= current.size(); q++) {
      if (additions.get(q) != null) {
        result.addAll(additions.get(q));
      }
      if (q < current.size()) {
        int k = currentToBase[q];
        if (k < 0 || keptByOurs[k]) {
          result.add(current.get(q));
        }
      }
    }
    return result;
  }

  /**
   * Matches each element of {@code other} to an equal element of {@code base}, in order
   * (greedily, each search starting after the previous match); -1 for an element with no match.
   */
  static <T> int[] align(List<T> base, List<T> other) {
    int[] out = new int[other.size()];
    int next = 0;
    for (int i = 0; i < other.size(); i++) {
      T element = other.get(i);
      out[i] = -1;
      for (int k = next; k < base.size(); k++) {
        if (base.get(k).equals(element)) {
          out[i] = k;
          next = k + 1;
          break;
        }
      }
    }
    return out;
  }
}
