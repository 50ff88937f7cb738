package org.sessionkit.spi;

import org.sessionkit.Revision;
import org.sessionkit.Session;
import java.util.Objects;

/**
 * Store metadata that sessionkit writes first in its documents, where neuron ignores it:
 * {@code {"sessionkit":{"format":1,"revision":"…","message_count":42}, …}}. It lets a listing
 * read a document's head without parsing its messages and a conditional write know the stored
 * revision. It is not part of the {@link Session}.
 *
 * @param format the layout version of the document; {@link #CURRENT_FORMAT} for documents this
 *     version writes; a codec refuses to read a document with a newer format
 * @param revision the revision of the stored session
 * @param messageCount the number of messages in the document (never negative)
 */
public record DocumentMetadata(int format, Revision revision, long messageCount) {

  /** The document format this version of sessionkit writes and the newest it reads. */
  public static final int CURRENT_FORMAT = 1;

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException if {@code format} is less than 1 or {@code messageCount}
   *     is negative
   * @throws NullPointerException if {@code revision} is null
   */
  public DocumentMetadata {
    if (format < 1) {
      throw new IllegalArgumentException("format < 1: " + format);
    }
    Objects.requireNonNull(revision, "revision");
    if (messageCount < 0) {
      throw new IllegalArgumentException("messageCount < 0: " + messageCount);
    }
  }

  /** Returns metadata in the {@link #CURRENT_FORMAT} for {@code revision} and {@code messageCount}. */
  public static DocumentMetadata of(Revision revision, long messageCount) {
    return new DocumentMetadata(CURRENT_FORMAT, revision, messageCount);
  }
}
