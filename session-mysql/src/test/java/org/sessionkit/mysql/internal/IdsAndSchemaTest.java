package org.sessionkit.mysql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionIds;

class IdsAndSchemaTest {

  @Test
  void everyIdWithThePrefixLiesInItsByteRangeAndNoOtherId() {
    List<String> ids = List.of("user-1", "user-1/", "user-1/a", "user-10", "user-2", "user-\u007e", "user-\u00ff",
        "user-\uFFFF", "user-😀", "user-\uDBFF\uDFFF", "user", "usea", "user-\uD7FF", "user-\uE000");
    for (String prefix : List.of("user-1", "user-", "user-\uFFFF", "user-😀", "user-\uD7FF", "u")) {
      byte[] low = Ids.bytes(prefix);
      byte[] high = Ids.successor(low);
      for (String id : ids) {
        byte[] b = Ids.bytes(id);
        boolean inRange = Arrays.compareUnsigned(b, low) >= 0 && Arrays.compareUnsigned(b, high) < 0;
        assertThat(inRange).as("%s in the range of %s", id, prefix).isEqualTo(id.startsWith(prefix));
      }
    }
  }

  @Test
  void byteOrderOfUtf8IsCodePointOrder() {
    List<String> ids = List.of("a", "B", "\uFFFD", "😀", "\uE000", "\u00e9", "e\u0301", "x ", "x");
    for (String a : ids) {
      for (String b : ids) {
        assertThat(Integer.signum(Arrays.compareUnsigned(Ids.bytes(a), Ids.bytes(b))))
            .isEqualTo(Integer.signum(SessionIds.CODE_POINT_ORDER.compare(a, b)));
      }
    }
  }

  @Test
  void storedIdsThatAreNotUtf8AreRecognised() {
    assertThat(Ids.decode(new byte[] {(byte) 0xff, 'a'})).isEmpty();
    assertThat(Ids.decode(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})).isEmpty();
    assertThat(Ids.decode(Ids.bytes("😀"))).contains("😀");
  }

  @Test
  void theScriptSplitsIntoItsStatementsWithoutComments() {
    List<String> statements = SchemaManager.statements(new SchemaManager(new TableNames("p_")).ddl());
    assertThat(statements).hasSize(4);
    assertThat(statements.get(0)).startsWith("CREATE TABLE IF NOT EXISTS `p_sessions`").doesNotContain("--");
    assertThat(statements.get(3)).startsWith("INSERT IGNORE INTO `p_schema_version`");
    assertThat(statements).noneMatch(s -> s.endsWith(";") || s.contains("${"));
  }

  @Test
  void prefixesAreCheckedAndQuoted() {
    assertThat(new TableNames("a_").sessions()).isEqualTo("`a_sessions`");
    assertThat(new TableNames("").messages()).isEqualTo("`messages`");
    for (String bad : List.of("a`", "1a", "a b", "a-b", "é", "x".repeat(43))) {
      assertThatThrownBy(() -> new TableNames(bad)).as(bad).isInstanceOf(org.sessionkit.StorageConfigurationException.class);
    }
  }
}
