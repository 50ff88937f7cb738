package org.sessionkit;

import org.sessionkit.spi.Timestamps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

  @ParameterizedTest
  @CsvSource({
    "0, 2026-02-24T15:04:05Z",
    "123000000, 2026-02-24T15:04:05.123Z",
    "100000000, 2026-02-24T15:04:05.100Z",
    "123456000, 2026-02-24T15:04:05.123456Z",
    "123456789, 2026-02-24T15:04:05.123456789Z",
    "100, 2026-02-24T15:04:05.000000100Z",
    "1000, 2026-02-24T15:04:05.000001Z",
    "1000000, 2026-02-24T15:04:05.001Z",
  })
  void formatUsesShortestOf0369FractionDigits(int nanos, String expected) {
    Instant t = Instant.parse("2026-02-24T15:04:05Z").plusNanos(nanos);
    assertThat(Timestamps.format(t)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999999999Z",
        "2000-02-29T12:00:00Z",
        "1900-03-01T00:00:00Z",
        "0004-02-29T00:00:00Z",
        "1600-02-29T00:00:00Z",
      })
  void formatAndParseRoundTripAcrossTheWholeRange(String text) {
    Instant t = Instant.parse(text);
    assertThat(Timestamps.format(t)).isEqualTo(text);
    assertThat(Timestamps.parse(text)).isEqualTo(t);
  }

  @Test
  void formatAgreesWithJavaTimeForManyInstants() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 20_000; i++) {
      long sec = -62_167_219_200L + (long) (random.nextDouble() * (253_402_300_799L + 62_167_219_200L));
      Instant t = Instant.ofEpochSecond(sec, random.nextInt(1_000_000_000));
      String s = Timestamps.format(t);
      assertThat(Instant.parse(s)).isEqualTo(t);
      assertThat(Timestamps.parse(s)).isEqualTo(t);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00Z"})
  void formatRejectsYearsOutside0000To9999(String text) {
    Instant t = Instant.parse(text);
    assertThatThrownBy(() -> Timestamps.format(t))
        .isInstanceOf(InvalidSessionException.class)
        .hasMessageContaining("0000-9999");
  }

  @Test
  void formatRejectsInstantMinAndMax() {
    assertThatThrownBy(() -> Timestamps.format(Instant.MIN)).isInstanceOf(InvalidSessionException.class);
    assertThatThrownBy(() -> Timestamps.format(Instant.MAX)).isInstanceOf(InvalidSessionException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "2026-02-24T10:04:05.5-05:00, 2026-02-24T15:04:05.500Z",
    "2026-02-24T15:04:05Z, 2026-02-24T15:04:05Z",
    "2026-02-24t15:04:05z, 2026-02-24T15:04:05Z",
    "2026-02-24T15:04:05+00:00, 2026-02-24T15:04:05Z",
    "2026-02-24T15:04:05-00:00, 2026-02-24T15:04:05Z",
    "2026-02-25T00:34:05.123456789+09:30, 2026-02-24T15:04:05.123456789Z",
    "2026-01-01T00:30:00+01:00, 2025-12-31T23:30:00Z",
    "9999-12-31T23:59:59-00:00, 9999-12-31T23:59:59Z",
    "0000-01-01T01:00:00+01:00, 0000-01-01T00:00:00Z",
  })
  void parseConvertsOffsetsToUtc(String text, String utc) {
    assertThat(Timestamps.format(Timestamps.parse(text))).isEqualTo(utc);
  }

  @Test
  void parseKeepsNanoseconds() {
    assertThat(Timestamps.parse("2026-02-24T10:04:05.5-05:00").getNano()).isEqualTo(500_000_000);
    assertThat(Timestamps.parse("2026-02-24T15:04:05.000000001Z").getNano()).isEqualTo(1);
    assertThat(Timestamps.parse("2026-02-24T15:04:05.123456789Z").getNano()).isEqualTo(123_456_789);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "2026-02-24T15:04:05|no UTC offset",
        "2026-02-24T15:04:05.123|no UTC offset",
        "2026-02-24T15:04:60Z|leap second",
        "2016-12-31T23:59:60Z|leap second",
        "12026-02-24T15:04:05Z|4 digits",
        "+2026-02-24T15:04:05Z|4 digits",
        "2026-02-30T15:04:05Z|day out of range",
        "2025-02-29T15:04:05Z|day out of range",
        "1900-02-29T15:04:05Z|day out of range",
        "2026-04-31T15:04:05Z|day out of range",
        "2026-00-10T15:04:05Z|month out of range",
        "2026-13-10T15:04:05Z|month out of range",
        "2026-02-00T15:04:05Z|day out of range",
        "2026-02-24T24:00:00Z|hour out of range",
        "2026-02-24T15:60:05Z|minute out of range",
        "2026-02-24T15:04:05.1234567891Z|more than 9 fraction digits",
        "2026-02-24T15:04:05.Z|fraction digits",
        "2026-02-24 15:04:05Z|'T'",
        "2026-02-24T15:04:05+0500|offset",
        "2026-02-24T15:04:05+05|offset",
        "2026-02-24T15:04:05+24:00|offset out of range",
        "2026-02-24T15:04:05+05:60|offset out of range",
        "2026-02-24T15:04:05ZZ|after the offset",
        "2026-2-24T15:04:05Z|YYYY-MM-DD",
        "2026-02-24T5:04:05Z|",
        "0000-01-01T00:30:00+01:00|0000-9999",
        "9999-12-31T23:30:00-01:00|0000-9999",
        "２０２６-02-24T15:04:05Z|4 digits",
        "|too short",
      })
  void parseRejectsNonRfc3339Text(String text, String reason) {
    String t = text == null ? "" : text;
    assertThatThrownBy(() -> Timestamps.parse(t))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid RFC 3339 timestamp")
        .hasMessageContaining(reason == null ? "" : reason);
  }

  @Test
  void parseRefusesWhatInstantParseSilentlyAccepts() {
    // Instant.parse maps the leap second to :59; we refuse it.
    assertThat(Instant.parse("2016-12-31T23:59:60Z")).isEqualTo(Instant.parse("2016-12-31T23:59:59Z"));
    assertThatThrownBy(() -> Timestamps.parse("2016-12-31T23:59:60Z"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
