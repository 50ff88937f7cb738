package org.sessionkit.mysql.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Message;
import org.sessionkit.Revision;
import org.sessionkit.Session;
import org.sessionkit.SessionSlice;
import org.sessionkit.SessionState;
import org.sessionkit.VersionedSession;
import org.sessionkit.spi.SessionCodec;

/** A session as rows: encoded for writing, and read back before decoding. */
public final class SessionRows {

  private SessionRows() {}

  /** A session encoded for its rows: the row's values and one JSON body per message. */
  public static final class Encoded {
    private final byte[] id;
    private final long createdSeconds;
    private final int createdNanos;
    private final long updatedSeconds;
    private final int updatedNanos;
    private final byte[] state;
    private final byte[][] messages;

    private Encoded(Session s, byte[] state, byte[][] messages) {
      this.id = Ids.bytes(s.id());
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

    /** The id's UTF-8 bytes (shared, not copied: don't change them). */
    public byte[] id() {
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

    /**
     * Binds the columns of {@link Sql#insertSession} from {@code i}: id, revision, created,
     * updated, message count, state, write log, written at; returns the next index.
     */
    public int bindRow(PreparedStatement ps, int i, Revision revision, String log, long writtenAt)
        throws SQLException {
      ps.setBytes(i++, id);
      ps.setBytes(i++, Revisions.bytes(revision));
      i = bindInstantsCountState(ps, i);
      ps.setBytes(i++, ascii(log));
      ps.setLong(i++, writtenAt);
      return i;
    }

    /**
     * Binds the values of {@link Sql#updateSession} (all but the id, which comes last); returns
     * the next index.
     */
    public int bindUpdate(PreparedStatement ps, int i, Revision revision, String log, long writtenAt)
        throws SQLException {
      ps.setBytes(i++, Revisions.bytes(revision));
      i = bindInstantsCountState(ps, i);
      ps.setBytes(i++, ascii(log));
      ps.setLong(i++, writtenAt);
      ps.setBytes(i++, id);
      return i;
    }

    private int bindInstantsCountState(PreparedStatement ps, int i) throws SQLException {
      ps.setLong(i++, createdSeconds);
      ps.setInt(i++, createdNanos);
      ps.setLong(i++, updatedSeconds);
      ps.setInt(i++, updatedNanos);
      ps.setInt(i++, messages.length);
      ps.setBytes(i++, state);
      return i;
    }
  }

  /** The ASCII bytes of a write log. */
  public static byte[] ascii(String log) {
    return log.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Encodes each message with {@code codec}. */
  public static byte[][] encodeMessages(List<Message> messages, SessionCodec codec) {
    byte[][] out = new byte[messages.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = codec.encodeMessage(messages.get(i));
    }
    return out;
  }

  /** The rows of one session (or of a slice of its messages) as read, not yet decoded. */
  public static final class Stored {
    private final byte[] revision;
    private final long createdSeconds;
    private final int createdNanos;
    private final long updatedSeconds;
    private final int updatedNanos;
    private final int messageCount;
    private byte[] state;
    private byte[] writeLog;
    private int[] positions = new int[16];
    private byte[][] bodies = new byte[16][];
    private int rows;

    private Stored(ResultSet rs) throws SQLException {
      revision = rs.getBytes(1);
      createdSeconds = rs.getLong(2);
      createdNanos = rs.getInt(3);
      updatedSeconds = rs.getLong(4);
      updatedNanos = rs.getInt(5);
      messageCount = rs.getInt(6);
    }

    /**
     * Reads the result of {@link Sql#load} or {@link Sql#slice}.
     *
     * @return null if there is no (live) session row
     */
    public static Stored read(ResultSet rs) throws SQLException {
      if (!rs.next()) {
        return null;
      }
      Stored s = new Stored(rs);
      do {
        byte[] state = rs.getBytes(7);
        if (state != null) {
          s.state = state;
        }
        byte[] log = rs.getBytes(10);
        if (log != null) {
          s.writeLog = log;
        }
        int position = rs.getInt(8);
        if (!rs.wasNull()) {
          s.add(position, rs.getBytes(9));
        }
      } while (rs.next());
      s.sortIfNeeded();
      return s;
    }

    /**
     * The stored write log (read by {@link Sql#load} only).
     *
     * @throws CorruptDocumentException if it can't be read
     */
    public org.sessionkit.spi.WriteLog log(String where) {
      return org.sessionkit.spi.WriteLog.decode(
          writeLog == null ? "" : new String(writeLog, java.nio.charset.StandardCharsets.US_ASCII), where);
    }

    /** The message bodies as stored, in position order. */
    public List<byte[]> bodies() {
      return Arrays.asList(Arrays.copyOf(bodies, rows));
    }

    /** The stored message count. */
    public int messageCount() {
      return messageCount;
    }

    private void add(int position, byte[] body) {
      if (rows == positions.length) {
        positions = Arrays.copyOf(positions, rows * 2);
        bodies = Arrays.copyOf(bodies, rows * 2);
      }
      positions[rows] = position;
      bodies[rows] = body;
      rows++;
    }

    private void sortIfNeeded() {
      for (int i = 1; i < rows; i++) {
        if (positions[i - 1] > positions[i]) {
          // The join reads the primary key in order; sort only if a plan ever does otherwise.
          Integer[] order = new Integer[rows];
          for (int k = 0; k < rows; k++) {
            order[k] = k;
          }
          Arrays.sort(order, (a, b) -> Integer.compare(positions[a], positions[b]));
          int[] p = new int[rows];
          byte[][] b = new byte[rows][];
          for (int k = 0; k < rows; k++) {
            p[k] = positions[order[k]];
            b[k] = bodies[order[k]];
          }
          positions = p;
          bodies = b;
          return;
        }
      }
    }

    /**
     * Decodes the whole session.
     *
     * @throws CorruptDocumentException naming the session if a value or a message can't be
     *     read, or the message rows don't match the count
     */
    public VersionedSession decode(String id, TableNames names, SessionCodec codec) {
      String source = Problems.source(names, id);
      if (rows != messageCount) {
        throw new CorruptDocumentException(source + " can't be read: it records " + messageCount
            + " messages but " + rows + " message rows exist");
      }
      List<Message> messages = messages(source, codec, 0);
      Parts p = parts(source, codec);
      return new VersionedSession(new Session(id, messages, p.state, p.created, p.updated), p.revision);
    }

    /**
     * Decodes a slice: the messages before {@code end} (exclusive; the session's end if larger),
     * at most {@code count}, as {@link Sql#slice} selected them.
     *
     * @throws CorruptDocumentException as {@link #decode} does
     */
    public SessionSlice decodeSlice(String id, TableNames names, SessionCodec codec, long end, int count) {
      String source = Problems.source(names, id);
      if (messageCount < 0) {
        throw new CorruptDocumentException(source + " can't be read: message_count is negative");
      }
      int to = (int) Math.min(end, messageCount);
      int from = Math.max(0, to - count);
      if (rows != to - from) {
        throw new CorruptDocumentException(source + " can't be read: it records " + messageCount
            + " messages but only " + rows + " of the rows " + from + ".." + (to - 1) + " exist");
      }
      List<Message> messages = messages(source, codec, from);
      Parts p = parts(source, codec);
      return new SessionSlice(id, messages, from, messageCount, p.state, p.created, p.updated, p.revision);
    }

    private List<Message> messages(String source, SessionCodec codec, int first) {
      List<Message> out = new ArrayList<>(rows);
      for (int i = 0; i < rows; i++) {
        if (positions[i] != first + i) {
          throw new CorruptDocumentException(source + " can't be read: message row " + (first + i) + " is missing");
        }
        out.add(codec.decodeMessage(bodies[i], source + " message " + positions[i]));
      }
      return out;
    }

    private record Parts(SessionState state, Instant created, Instant updated, Revision revision) {}

    private Parts parts(String source, SessionCodec codec) {
      Instant created;
      Instant updated;
      Revision rev;
      try {
        created = Rows.instant(createdSeconds, createdNanos, "created_at");
        updated = Rows.instant(updatedSeconds, updatedNanos, "updated_at");
        rev = Rows.revision(revision);
      } catch (Rows.BadRow e) {
        throw new CorruptDocumentException(source + " can't be read: " + e.getMessage());
      }
      if (state == null) {
        throw new CorruptDocumentException(source + " can't be read: its state was not found");
      }
      return new Parts(codec.decodeState(state, source), created, updated, rev);
    }
  }
}
