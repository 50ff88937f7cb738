package org.sessionkit.postgres.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Message;
import org.sessionkit.SessionSlice;
import org.sessionkit.Session;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionState;
import org.sessionkit.VersionedSession;

/** A session as rows: encoded for writing, and read back before decoding. */
public final class SessionRows {

  private SessionRows() {}

  /** A session encoded for its rows: the row's values and one JSON body per message. */
  public static final class Encoded {
    private final String id;
    private final long createdSeconds;
    private final int createdNanos;
    private final long updatedSeconds;
    private final int updatedNanos;
    private final byte[] state;
    private final byte[][] messages;

    private Encoded(Session s, byte[] state, byte[][] messages) {
      this.id = s.id();
      this.createdSeconds = s.createdAt().getEpochSecond();
      this.createdNanos = s.createdAt().getNano();
      this.updatedSeconds = s.updatedAt().getEpochSecond();
      this.updatedNanos = s.updatedAt().getNano();
      this.state = state;
      this.messages = messages;
    }

    /** Encodes {@code s} with {@code codec}. */
    public static Encoded of(Session s, SessionCodec codec) {
      return new Encoded(s, codec.encodeState(s.state()), encodeMessages(s.messages(), codec));
    }

    /** The session id. */
    public String id() {
      return id;
    }

    /** The total size of the encoded state and messages. */
    public long bytes() {
      long n = state.length;
      for (byte[] m : messages) {
        n += m.length;
      }
      return n;
    }

    /** The encoded messages, in order (shared, not copied: don't change them). */
    public byte[][] messages() {
      return messages;
    }

    /** Binds id, then {@link #bindValues}; returns the next index. */
    public int bindRow(PreparedStatement ps, int i) throws SQLException {
      ps.setString(i, id);
      return bindValues(ps, i + 1);
    }

    /** Binds created, updated (seconds, nanos), message count and state; returns the next index. */
    public int bindValues(PreparedStatement ps, int i) throws SQLException {
      ps.setLong(i++, createdSeconds);
      ps.setInt(i++, createdNanos);
      ps.setLong(i++, updatedSeconds);
      ps.setInt(i++, updatedNanos);
      ps.setInt(i++, messages.length);
      ps.setBytes(i++, state);
      return i;
    }
  }

  /** Encodes each message with {@code codec}. */
  public static byte[][] encodeMessages(List<Message> messages, SessionCodec codec) {
    byte[][] out = new byte[messages.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = codec.encodeMessage(messages.get(i));
    }
    return out;
  }

  /** The rows of one session as read by {@link Sql#load} or {@link Sql#slice}, not yet decoded. */
  public static final class Stored {
    private final Revisions revision;
    private final long createdSeconds;
    private final int createdNanos;
    private final long updatedSeconds;
    private final int updatedNanos;
    private final int messageCount;
    private final byte[] state;
    /** The position of the first message read; 0 unless this is a slice. */
    private int from;
    /** The position after the last message a slice reads. */
    private int stop;
    /** The write log and the next revision, when the read returned them. */
    private String writeLog = "";
    private long next;
    private final List<Integer> positions = new ArrayList<>();
    private final List<byte[]> bodies = new ArrayList<>();

    private Stored(Revisions revision, long createdSeconds, int createdNanos, long updatedSeconds,
        int updatedNanos, int messageCount, byte[] state) {
      this.revision = revision;
      this.createdSeconds = createdSeconds;
      this.createdNanos = createdNanos;
      this.updatedSeconds = updatedSeconds;
      this.updatedNanos = updatedNanos;
      this.messageCount = messageCount;
      this.state = state;
    }

    private static Stored head(ResultSet rs) throws SQLException {
      return new Stored(new Revisions(rs.getLong(2), rs.getLong(3)), rs.getLong(4), rs.getInt(5),
          rs.getLong(6), rs.getInt(7), rs.getInt(8), rs.getBytes(9));
    }

    /**
     * Reads the result of {@link Sql#load}: the session row (position -1), then its messages.
     *
     * @return null if there is no session row
     */
    public static Stored read(ResultSet rs) throws SQLException {
      if (!rs.next() || rs.getInt(1) != -1) {
        return null;
      }
      Stored s = head(rs);
      if (rs.getMetaData().getColumnCount() >= 11) {
        // Sql#loadForUpdate
        s.writeLog = rs.getString(10);
        s.next = rs.getLong(11);
      }
      while (rs.next()) {
        s.positions.add(rs.getInt(1));
        s.bodies.add(rs.getBytes(9));
      }
      return s;
    }

    /**
     * Reads the result of {@link Sql#slice} for {@code count} messages.
     *
     * @return null if there is no session row
     */
    public static Stored readSlice(ResultSet rs, int count) throws SQLException {
      if (!rs.next() || rs.getInt(1) != -1) {
        return null;
      }
      Stored s = head(rs);
      s.stop = rs.getInt(10);
      s.from = Math.max(0, s.stop - count);
      while (rs.next()) {
        s.positions.add(rs.getInt(1));
        s.bodies.add(rs.getBytes(9));
      }
      return s;
    }

    /**
     * Reads the row of {@link Sql#lockForUpdate} and then the rows of {@link Sql#messagesOf}.
     */
    public static Stored readLocked(ResultSet row, ResultSet messages) throws SQLException {
      Stored s = new Stored(new Revisions(row.getLong(2), row.getLong(3)), row.getLong(6),
          row.getInt(7), row.getLong(8), row.getInt(9), row.getInt(10), row.getBytes(11));
      s.next = row.getLong(1);
      s.writeLog = row.getString(4);
      while (messages.next()) {
        s.positions.add(messages.getInt(1));
        s.bodies.add(messages.getBytes(2));
      }
      return s;
    }

    /** The write log, as stored ({@link Sql#loadForUpdate} and {@link Sql#lockForUpdate}). */
    public String writeLog() {
      return writeLog;
    }

    /** The next revision drawn by the read ({@link Sql#loadForUpdate}, {@link Sql#lockForUpdate}). */
    public long next() {
      return next;
    }

    /** The stored revision. */
    public Revisions revision() {
      return revision;
    }

    /**
     * Decodes the session.
     *
     * @throws CorruptDocumentException naming the session if a value or a message can't be
     *     read, or the message rows don't match the count
     */
    public VersionedSession decode(String id, TableNames names, SessionCodec codec) {
      String source = Problems.source(names, id);
      Instant[] times = instants(source);
      if (positions.size() != messageCount) {
        throw new CorruptDocumentException(source + " can't be read: it records " + messageCount
            + " messages but " + positions.size() + " message rows exist");
      }
      SessionState decodedState = codec.decodeState(state, source);
      List<Message> messages = messages(source, codec);
      return new VersionedSession(
          new Session(id, messages, decodedState, times[0], times[1]), revision.toRevision());
    }

    /**
     * Decodes the slice read by {@link #readSlice}.
     *
     * @throws CorruptDocumentException naming the session if a value or a message can't be
     *     read, or message rows of the range are missing
     */
    public SessionSlice decodeSlice(String id, TableNames names, SessionCodec codec) {
      String source = Problems.source(names, id);
      Instant[] times = instants(source);
      SessionState decodedState = codec.decodeState(state, source);
      List<Message> messages = messages(source, codec);
      if (messages.size() != stop - from) {
        throw new CorruptDocumentException(source + " can't be read: message rows " + from + " to "
            + (stop - 1) + " of its " + messageCount + " are not all present");
      }
      return new SessionSlice(id, messages, from, messageCount, decodedState, times[0], times[1],
          revision.toRevision());
    }

    private Instant[] instants(String source) {
      try {
        return new Instant[] {
          PostgresRows.instant(createdSeconds, createdNanos, "created_at"),
          PostgresRows.instant(updatedSeconds, updatedNanos, "updated_at")
        };
      } catch (PostgresRows.BadRow e) {
        throw new CorruptDocumentException(source + " can't be read: " + e.getMessage());
      }
    }

    private List<Message> messages(String source, SessionCodec codec) {
      List<Message> messages = new ArrayList<>(positions.size());
      for (int i = 0; i < positions.size(); i++) {
        int expected = from + i;
        if (positions.get(i) != expected) {
          throw new CorruptDocumentException(source + " can't be read: message row " + expected + " is missing");
        }
        messages.add(codec.decodeMessage(bodies.get(i), source + " message " + expected));
      }
      return messages;
    }
  }
}
