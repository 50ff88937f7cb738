package org.sessionkit.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.CRC32;
import org.sessionkit.InvalidArgumentException;
import org.sessionkit.spi.ListPosition;
import org.sessionkit.SessionIds;

/**
 * Encodes listing positions as opaque cursor strings, the same for every store so that a
 * cursor is portable between instances: {@code "c1" + base64url(seconds, nanos, utf8(id),
 * crc32)}. The checksum makes garbage fail loudly instead of silently listing from a random
 * place.
 */
public final class Cursors {

  private static final String PREFIX = "c1";
  private static final int FIXED = 8 + 4 + 4;

  private Cursors() {}

  /** Returns the cursor that continues after {@code position}. */
  public static String encode(ListPosition position) {
    byte[] id = position.id().getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(FIXED + id.length);
    buf.putLong(position.updatedAt().getEpochSecond());
    buf.putInt(position.updatedAt().getNano());
    buf.put(id);
    CRC32 crc = new CRC32();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
  }

  /**
   * Returns the position a cursor stands for.
   *
   * @throws InvalidArgumentException if the text is not a cursor a store produced
   */
  public static ListPosition decode(String cursor) {
    if (!cursor.startsWith(PREFIX)) {
      throw malformed("it does not start with \"" + PREFIX + "\"");
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(cursor.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw malformed("it is not base64url");
    }
    if (raw.length < FIXED + 1) {
      throw malformed("it is too short");
    }
    ByteBuffer buf = ByteBuffer.wrap(raw);
    CRC32 crc = new CRC32();
    crc.update(raw, 0, raw.length - 4);
    if ((int) crc.getValue() != buf.getInt(raw.length - 4)) {
      throw malformed("its checksum does not match");
    }
    long seconds = buf.getLong();
    int nanos = buf.getInt();
    if (nanos < 0 || nanos > 999_999_999) {
      throw malformed("its time is out of range");
    }
    String id;
    try {
      id =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw, 12, raw.length - FIXED))
              .toString();
    } catch (CharacterCodingException e) {
      throw malformed("its id is not UTF-8");
    }
    if (!SessionIds.isValid(id)) {
      throw malformed("its id is not a valid id");
    }
    try {
      return new ListPosition(Instant.ofEpochSecond(seconds, nanos), id);
    } catch (java.time.DateTimeException e) {
      throw malformed("its time is out of range");
    }
  }

  private static InvalidArgumentException malformed(String why) {
    return new InvalidArgumentException("malformed listing cursor: " + why);
  }
}
