package org.sessionkit.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.sessionkit.Revision;
import org.sessionkit.Session;

/**
 * Store metadata that sessionkit writes first in its documents, where neuron ignores it:
 * {@code {"sessionkit":{"format":1,"revision":"…","message_count":42,"written_at":"…",
 * "write_log":[…]}, …}}. It lets a listing read a document's head without parsing its messages,
 * a conditional write know the stored revision, a keyed write find the keys of earlier writes,
 * and a retention know when the document was last written. It is not part of the {@link
 * Session}.
 *
 * <p>{@code written_at} and {@code write_log} are optional in the document: absent, they mean
 * "unknown" and "no keyed writes". They are written only when present and non-empty, so a
 * document of a store that uses neither is as it was.
 *
 * @param format the layout version of the document; {@link #CURRENT_FORMAT} for documents this
 *     version writes; a codec refuses to read a document with a newer format
 * @param revision the revision of the stored session
 * @param messageCount the number of messages in the document (never negative)
 * @param writeLog the keys of the session's last keyed writes ({@link WriteLog}); empty when
 *     there were none
 * @param writtenAt when the store last wrote the document, by the store's clock (for a
 *     retention); empty if the store did not say
 */
public record DocumentMetadata(
    int format, Revision revision, long messageCount, WriteLog writeLog, Optional<Instant> writtenAt) {

  /** The document format this version of sessionkit writes and the newest it reads. */
  public static final int CURRENT_FORMAT = 1;

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException if {@code format} is less than 1 or {@code messageCount}
   *     is negative
   * @throws NullPointerException if a field is null
   */
  public DocumentMetadata {
    if (format < 1) {
      throw new IllegalArgumentException("format < 1: " + format);
    }
    Objects.requireNonNull(revision, "revision");
    if (messageCount < 0) {
      throw new IllegalArgumentException("messageCount < 0: " + messageCount);
    }
    Objects.requireNonNull(writeLog, "writeLog");
    Objects.requireNonNull(writtenAt, "writtenAt");
  }

  /** Metadata without a write log or a write time. */
  public DocumentMetadata(int format, Revision revision, long messageCount) {
    this(format, revision, messageCount, WriteLog.empty(), Optional.empty());
  }

  /** Returns metadata in the {@link #CURRENT_FORMAT} for {@code revision} and {@code messageCount}. */
  public static DocumentMetadata of(Revision revision, long messageCount) {
    return new DocumentMetadata(CURRENT_FORMAT, revision, messageCount);
  }

  /** Returns a copy with {@code writeLog}. */
  public DocumentMetadata withWriteLog(WriteLog writeLog) {
    return new DocumentMetadata(format, revision, messageCount, writeLog, writtenAt);
  }

  /** Returns a copy saying that the store wrote the document at {@code writtenAt}. */
  public DocumentMetadata withWrittenAt(Instant writtenAt) {
    return new DocumentMetadata(format, revision, messageCount, writeLog, Optional.of(writtenAt));
  }
}
