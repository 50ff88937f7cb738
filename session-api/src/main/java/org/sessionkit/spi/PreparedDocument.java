package org.sessionkit.spi;

import java.util.Objects;
import org.sessionkit.InvalidSessionException;

/**
 * A session encoded once by {@link SessionCodec#prepare}, waiting for its metadata: a store
 * encodes the session (pure CPU work) before it takes a lock, then chooses the metadata under
 * the lock (the revision, the {@link WriteLog} with the stored keys, the write time) and writes
 * {@link #head} followed by {@link #body()}. The two together are byte for byte what {@link
 * SessionCodec#encode(org.sessionkit.Session, DocumentMetadata)} writes. Immutable and thread
 * safe; the arrays it returns must not be modified.
 */
public final class PreparedDocument {

  private final SessionCodec codec;
  private final String id;
  private final long messageCount;
  private final byte[] body;

  PreparedDocument(SessionCodec codec, String id, long messageCount, byte[] body) {
    this.codec = codec;
    this.id = id;
    this.messageCount = messageCount;
    this.body = body;
  }

  /** Returns the session's number of messages, for its metadata. */
  public long messageCount() {
    return messageCount;
  }

  /**
   * Returns the start of the document: {@code {"sessionkit":{…},}} with {@code metadata}.
   *
   * @throws IllegalArgumentException if {@code metadata} is not in the current format or its
   *     message count is not the session's
   * @throws InvalidSessionException if the metadata can't be written (a lone surrogate in a
   *     revision) or the whole document would exceed the codec's size limit
   */
  public byte[] head(DocumentMetadata metadata) {
    Objects.requireNonNull(metadata, "metadata");
    if (metadata.format() != DocumentMetadata.CURRENT_FORMAT) {
      throw new IllegalArgumentException(
          "this version writes format " + DocumentMetadata.CURRENT_FORMAT + ", not " + metadata.format());
    }
    if (metadata.messageCount() != messageCount) {
      throw new IllegalArgumentException(
          "metadata says " + metadata.messageCount() + " messages but the session has " + messageCount);
    }
    return codec.documentHead(id, metadata, body.length);
  }

  /** Returns the rest of the document, from the session's {@code "id"} to the closing brace. */
  public byte[] body() {
    return body;
  }

  /** Returns the whole document with {@code metadata}: {@link #head} followed by {@link #body()}. */
  public byte[] document(DocumentMetadata metadata) {
    byte[] head = head(metadata);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }
}
