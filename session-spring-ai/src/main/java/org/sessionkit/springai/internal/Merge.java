package org.sessionkit.springai.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.sessionkit.Message;

/**
 * The three-way merge the repository uses when a conversation changed between a caller's read
 * and its write. Both the caller's list and the stored one are seen as edits of the base (what
 * the caller read): some base messages kept, in order, then new messages at the end. That is the
 * only kind of edit Spring AI's {@code MessageWindowChatMemory} makes (it drops the oldest
 * messages and a replaced system message, and appends the turn). The result keeps the base
 * messages both kept, then the messages the other writer added, then the caller's.
 *
 * <p>Messages are compared by content (the whole {@link Message}, metadata included): two equal messages are the
 * same message for the merge. Stateless.
 */
public final class Merge {

  private Merge() {}

  /** The result of {@link #split}: which base positions a list kept, and what it added after. */
  record Split(boolean[] kept, List<Message> tail) {}

  /**
   * Returns {@code base[kept by both] + stored's additions + wanted's additions}, in that order.
   */
  public static List<Message> merge(List<Message> base, List<Message> stored, List<Message> wanted) {
    Split mine = split(base, wanted);
    Split theirs = split(base, stored);
    List<Message> result = new ArrayList<>(stored.size() + mine.tail().size());
    for (int i = 0; i < base.size(); i++) {
      if (mine.kept()[i] && theirs.kept()[i]) {
        result.add(base.get(i));
      }
    }
    result.addAll(theirs.tail());
    result.addAll(mine.tail());
    return Collections.unmodifiableList(result);
  }

  /** Returns whether {@code list} starts with all of {@code prefix}. */
  public static boolean extendsList(List<Message> list, List<Message> prefix) {
    return list.size() >= prefix.size() && list.subList(0, prefix.size()).equals(prefix);
  }

  /**
   * Splits {@code list} into base messages it kept and messages it added: the longest prefix of
   * {@code list} that is a subsequence of {@code base} is "kept", the rest "added". Among the
   * ways the kept prefix can sit in {@code base} (when base holds equal messages), the latest
   * positions are chosen, since a window drops the oldest.
   */
  static Split split(List<Message> base, List<Message> list) {
    // Greedy matching from the left finds the longest prefix that is a subsequence.
    int matched = 0;
    for (int p = 0; p < base.size() && matched < list.size(); p++) {
      if (base.get(p).equals(list.get(matched))) {
        matched++;
      }
    }
    // Place that prefix as far right as it goes; feasible because the greedy placement exists.
    boolean[] kept = new boolean[base.size()];
    int q = base.size() - 1;
    for (int i = matched - 1; i >= 0; i--) {
      while (!base.get(q).equals(list.get(i))) {
        q--;
      }
      kept[q--] = true;
    }
    return new Split(kept, list.subList(matched, list.size()));
  }
}
