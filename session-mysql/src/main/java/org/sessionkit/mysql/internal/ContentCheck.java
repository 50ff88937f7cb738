package org.sessionkit.mysql.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sessionkit.ListingProblem;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionStorageException;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.spi.WriteLog;

/**
 * The part of {@code problems()} that only a full read finds: states, write logs and messages
 * that don't decode, message rows missing or beyond the count, and message rows of no session.
 * Reads the sessions in batches by id, so memory stays bounded by one batch. Expired sessions
 * (retention) are absent and not checked.
 */
public final class ContentCheck {

  /** How many sessions are read per batch. */
  static final int BATCH = 100;

  private final Jdbc jdbc;
  private final TableNames names;
  private final SessionCodec codec;

  /** Creates the check. */
  public ContentCheck(Jdbc jdbc, TableNames names, SessionCodec codec) {
    this.jdbc = jdbc;
    this.names = names;
    this.codec = codec;
  }

  /**
   * Adds to {@code out} a problem for every live session whose contents can't be read, except
   * the rows whose location is already in {@code reported} (found by the listing pass).
   *
   * @param writtenSince the oldest write time of a live session (Long.MIN_VALUE without retention)
   */
  public void run(Connection c, List<ListingProblem> out, Set<String> reported, long writtenSince)
      throws SQLException {
    byte[] afterId = new byte[0];
    String batch = "SELECT id, message_count, state, write_log FROM " + names.sessions()
        + " WHERE id > ? AND written_at >= ? ORDER BY id LIMIT " + BATCH;
    while (true) {
      List<byte[]> ids = new ArrayList<>();
      Map<String, Integer> counts = new HashMap<>();
      try (PreparedStatement ps = jdbc.prepare(c, batch)) {
        ps.setBytes(1, afterId);
        ps.setLong(2, writtenSince);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            byte[] raw = rs.getBytes(1);
            String id = Ids.show(raw);
            ids.add(raw);
            counts.put(id, rs.getInt(2));
            if (!reported.contains(Problems.location(names, id))) {
              try {
                codec.decodeState(rs.getBytes(3), Problems.source(names, id));
                byte[] log = rs.getBytes(4);
                WriteLog.decode(log == null ? "" : new String(log, java.nio.charset.StandardCharsets.US_ASCII),
                    Problems.source(names, id));
              } catch (SessionStorageException | IllegalArgumentException e) {
                report(out, reported, id, "state or write log can't be read: " + e.getMessage());
              }
            }
          }
        }
      }
      if (ids.isEmpty()) {
        break;
      }
      afterId = ids.get(ids.size() - 1);
      Map<String, Integer> seen = new HashMap<>();
      try (PreparedStatement ps = jdbc.prepare(c, "SELECT session_id, position, body FROM " + names.messages()
          + " WHERE session_id IN (" + String.join(", ", Collections.nCopies(ids.size(), "?"))
          + ") ORDER BY session_id, position")) {
        for (int i = 0; i < ids.size(); i++) {
          ps.setBytes(i + 1, ids.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String id = Ids.show(rs.getBytes(1));
            int position = rs.getInt(2);
            int expected = seen.merge(id, 1, Integer::sum) - 1;
            if (reported.contains(Problems.location(names, id))) {
              continue;
            }
            if (position != expected || position >= counts.get(id)) {
              report(out, reported, id, "message rows don't match message_count " + counts.get(id)
                  + " (unexpected position " + position + ")");
              continue;
            }
            try {
              codec.decodeMessage(rs.getBytes(3), Problems.source(names, id) + " message " + position);
            } catch (SessionStorageException | IllegalArgumentException e) {
              report(out, reported, id, "message " + position + " can't be read: " + e.getMessage());
            }
          }
        }
      }
      for (byte[] raw : ids) {
        String id = Ids.show(raw);
        int present = seen.getOrDefault(id, 0);
        if (!reported.contains(Problems.location(names, id)) && present < counts.get(id)) {
          report(out, reported, id, "only " + present + " of " + counts.get(id) + " message rows are present");
        }
      }
    }
    try (PreparedStatement ps = jdbc.prepare(c,
            "SELECT DISTINCT m.session_id FROM " + names.messages() + " m LEFT JOIN " + names.sessions()
                + " s ON s.id = m.session_id WHERE s.id IS NULL LIMIT 1000");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Optional<String> id = Ids.decode(rs.getBytes(1));
        String shown = id.orElse(Ids.show(rs.getBytes(1)));
        out.add(new ListingProblem(names.messages() + " session_id " + SessionIds.quote(shown),
            id.filter(SessionIds::isValid), "message rows of a session that does not exist"));
      }
    }
  }

  private void report(List<ListingProblem> out, Set<String> reported, String id, String reason) {
    out.add(Problems.of(names, id, reason));
    reported.add(Problems.location(names, id));
  }
}
