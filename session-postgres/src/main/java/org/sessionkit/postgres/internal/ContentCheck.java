package org.sessionkit.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sessionkit.ListingProblem;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionIds;
import org.sessionkit.SessionStorageException;

/**
 * The part of {@code problems()} that only a full read finds: states and messages that don't
 * decode, message rows missing or beyond the count, and message rows of no session. Reads the
 * sessions in batches by id, so memory stays bounded by one batch.
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
   * Adds to {@code out} a problem for every session whose contents can't be read, except the
   * rows whose location is already in {@code reported} (found by the listing pass).
   */
  public void run(Connection c, Instant cutoff, List<ListingProblem> out, Set<String> reported)
      throws SQLException {
    String afterId = "";
    // Expired sessions are absent: not checked.
    String batch = "SELECT id, message_count, state FROM " + names.sessions()
        + " WHERE id > ? AND written_at >= ? ORDER BY id LIMIT " + BATCH;
    String messages = "SELECT session_id, position, body FROM " + names.messages()
        + " WHERE session_id = ANY(?) ORDER BY session_id, position";
    while (true) {
      List<String> ids = new ArrayList<>();
      Map<String, Integer> counts = new HashMap<>();
      try (PreparedStatement ps = jdbc.prepare(c, batch)) {
        ps.setString(1, afterId);
        Jdbc.setInstant(ps, 2, cutoff);
        try (ResultSet rs = jdbc.query(ps)) {
          while (rs.next()) {
            String id = rs.getString(1);
            ids.add(id);
            counts.put(id, rs.getInt(2));
            if (!reported.contains(Problems.location(names, id))) {
              try {
                codec.decodeState(rs.getBytes(3), Problems.source(names, id));
              } catch (SessionStorageException | IllegalArgumentException e) {
                report(out, reported, id, "state can't be read: " + e.getMessage());
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
      try (PreparedStatement ps = jdbc.prepare(c, messages)) {
        ps.setArray(1, c.createArrayOf("text", ids.toArray()));
        try (ResultSet rs = jdbc.query(ps)) {
          while (rs.next()) {
            String id = rs.getString(1);
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
      for (String id : ids) {
        int present = seen.getOrDefault(id, 0);
        if (!reported.contains(Problems.location(names, id)) && present < counts.get(id)) {
          report(out, reported, id, "only " + present + " of " + counts.get(id) + " message rows are present");
        }
      }
    }
    try (PreparedStatement ps = jdbc.prepare(c,
            "SELECT DISTINCT m.session_id FROM " + names.messages() + " m WHERE NOT EXISTS"
                + " (SELECT 1 FROM " + names.sessions() + " s WHERE s.id = m.session_id) LIMIT 1000");
        ResultSet rs = jdbc.query(ps)) {
      while (rs.next()) {
        String id = rs.getString(1);
        out.add(new ListingProblem(names.messages() + " session_id " + SessionIds.quote(id),
            SessionIds.isValid(id) ? Optional.of(id) : Optional.empty(),
            "message rows of a session that does not exist"));
      }
    }
  }

  private void report(List<ListingProblem> out, Set<String> reported, String id, String reason) {
    out.add(Problems.of(names, id, reason));
    reported.add(Problems.location(names, id));
  }
}
