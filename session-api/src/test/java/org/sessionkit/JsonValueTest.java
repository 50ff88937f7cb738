package org.sessionkit;

import org.sessionkit.spi.SessionCodec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonValueTest {

  @Test
  void integersAndDecimalsAreDifferentValues() {
    assertThat(JsonValue.of(3)).isNotEqualTo(JsonValue.of(3.0));
    assertThat(JsonValue.of(3.0).toString()).isEqualTo("3.0");
    assertThat(JsonValue.of(0.7).toString()).isEqualTo("0.7");
    assertThat(JsonValue.of(3).toString()).isEqualTo("3");
  }

  @Test
  void decimalsWithoutFractionDigitsAreNormalisedToOne() {
    assertThat(new JsonValue.JsonDecimal(new BigDecimal("100")).value().toPlainString()).isEqualTo("100.0");
    assertThat(new JsonValue.JsonDecimal(BigDecimal.ZERO).toString()).isEqualTo("0.0");
  }

  @Test
  void decimalsCompareByTheirExactText() {
    assertThat(new JsonValue.JsonDecimal(new BigDecimal("3.0"))).isNotEqualTo(new JsonValue.JsonDecimal(new BigDecimal("3.00")));
    assertThat(new JsonValue.JsonDecimal(new BigDecimal("0.1"))).isEqualTo(JsonValue.of(0.1));
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void nanAndInfinityAreRefused(double d) {
    assertThatThrownBy(() -> JsonValue.of(d)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bigIntegersAreKeptExactly() {
    BigInteger big = new BigInteger("123456789012345678901234567890");
    assertThat(JsonValue.of(big).value()).isEqualTo(big);
    assertThatThrownBy(() -> JsonValue.of(big).longValueExact()).isInstanceOf(ArithmeticException.class);
    assertThat(JsonValue.of(-5).longValueExact()).isEqualTo(-5);
  }

  @Test
  void nullIsAValueNotAJavaNull() {
    assertThat(JsonValue.NULL).isEqualTo(new JsonValue.JsonNull());
    assertThat(JsonValue.NULL.toString()).isEqualTo("null");
    assertThatThrownBy(() -> JsonValue.of((String) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> JsonValue.array((JsonValue) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void objectsEqualRegardlessOfMemberOrderButKeepTheirOrder() {
    Map<String, JsonValue> ab = new LinkedHashMap<>();
    ab.put("a", JsonValue.of(1));
    ab.put("b", JsonValue.of(2));
    Map<String, JsonValue> ba = new LinkedHashMap<>();
    ba.put("b", JsonValue.of(2));
    ba.put("a", JsonValue.of(1));
    JsonValue.JsonObject x = JsonValue.object(ab);
    JsonValue.JsonObject y = JsonValue.object(ba);
    assertThat(x).isEqualTo(y).hasSameHashCodeAs(y);
    assertThat(x.members().keySet()).containsExactly("a", "b");
    assertThat(y.members().keySet()).containsExactly("b", "a");
    assertThat(x.get("a")).contains(JsonValue.of(1));
    assertThat(x.get("z")).isEmpty();
  }

  @Test
  void objectsAndArraysAreCopiedAndUnmodifiable() {
    Map<String, JsonValue> members = new HashMap<>();
    members.put("k", JsonValue.TRUE);
    JsonValue.JsonObject o = new JsonValue.JsonObject(members);
    members.put("later", JsonValue.FALSE);
    assertThat(o.members()).containsOnlyKeys("k");
    assertThatThrownBy(() -> o.members().put("x", JsonValue.NULL)).isInstanceOf(UnsupportedOperationException.class);

    List<JsonValue> elements = new ArrayList<>(List.of(JsonValue.of(1)));
    JsonValue.JsonArray a = new JsonValue.JsonArray(elements);
    elements.add(JsonValue.of(2));
    assertThat(a.elements()).containsExactly(JsonValue.of(1));
    assertThatThrownBy(() -> a.elements().add(JsonValue.NULL)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void objectsRefuseJavaNullKeysAndValues() {
    Map<String, JsonValue> nullValue = new HashMap<>();
    nullValue.put("k", null);
    assertThatThrownBy(() -> new JsonValue.JsonObject(nullValue)).isInstanceOf(NullPointerException.class);
    Map<String, JsonValue> nullKey = new HashMap<>();
    nullKey.put(null, JsonValue.NULL);
    assertThatThrownBy(() -> new JsonValue.JsonObject(nullKey)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void jsonValuesRoundTripThroughTheCodecKeepingTheirKinds() {
    SessionCodec codec = SessionCodec.defaults();
    JsonValue v =
        JsonValue.array(
            JsonValue.of(3),
            JsonValue.of(3.0),
            new JsonValue.JsonDecimal(new BigDecimal("1E+3")),
            JsonValue.of(new BigInteger("-" + "9".repeat(40))),
            JsonValue.of(""),
            JsonValue.NULL,
            JsonValue.emptyObject());
    byte[] json = codec.encodeValue(v);
    assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("[3,3.0,1E+3,-" + "9".repeat(40) + ",\"\",null,{}]");
    assertThat(codec.decodeValue(json, "v")).isEqualTo(v);
  }
}
