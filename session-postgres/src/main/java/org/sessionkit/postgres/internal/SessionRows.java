package org.sessionkit.postgres.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.sessionkit.CorruptDocumentException;
import org.sessionkit.Message;
import org.sessionkit.Revision;
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

  /** The rows of one session as read by {@link Sql#load}, not yet decoded. */
  public static final class Stored {
    private final long revision;
    private final long createdSeconds;
    private final int createdNanos;
    private final long updatedSeconds;
    private final int updatedNanos;
    private final int messageCount;
    private final byte[] state;
    private final List<Integer> positions = new ArrayList<>();
    private final List<byte[]> bodies = new ArrayList<>();

    private Stored(ResultSet rs) throws SQLException {
      revision = rs.getLong(2);
      createdSeconds = rs.getLong(3);
      createdNanos = rs.getInt(4);
      updatedSeconds = rs.getLong(5);
      updatedNanos = rs.getInt(6);
      messageCount = rs.getInt(7);
      state = rs.getBytes(8);
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
      Stored s = new Stored(rs);
      while (rs.next()) {
        s.positions.add(rs.getInt(1));
        s.bodies.add(rs.getBytes(8));
      }
      return s;
    }

    /**
     * Decodes the session.
     *
     * @throws CorruptDocumentException naming the session if a value or a message can't be
     *     read, or the message rows don't match the count
     */
    public VersionedSession decode(String id, TableNames names, SessionCodec codec) {
      String source = Problems.source(names, id);
      Instant created;
      Instant updated;
      try {
        created = PostgresRows.instant(createdSeconds, createdNanos, "created_at");
        updated = PostgresRows.instant(updatedSeconds, updatedNanos, "updated_at");
      } catch (PostgresRows.BadRow e) {
        throw new CorruptDocumentException(source + " can't be read: " + e.getMessage());
      }
      if (positions.size() != messageCount) {
        throw new CorruptDocumentException(source + " can't be read: it records " + messageCount
            + " messages but " + positions.size() + " message rows exist");
      }
      SessionState decodedState = codec.decodeState(state, source);
      List<Message> messages = new ArrayList<>(positions.size());
      for (int i = 0; i < positions.size(); i++) {
        if (positions.get(i) != i) {
          throw new CorruptDocumentException(source + " can't be read: message row " + i + " is missing");
        }
        messages.add(codec.decodeMessage(bodies.get(i), source + " message " + i));
      }
      return new VersionedSession(
          new Session(id, messages, decodedState, created, updated), Revision.of(revision));
    }
  }
}
