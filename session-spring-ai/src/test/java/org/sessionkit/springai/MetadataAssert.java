package org.sessionkit.springai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.ai.chat.messages.Message;

/**
 * Compares message metadata deeply and by type: Spring AI's own {@code equals} compares metadata
 * maps with {@code HashMap.equals}, which compares {@code byte[]} values by identity. This
 * compares arrays by content, checks that every value (also inside lists, sets and maps) has the
 * same class, and names the path of the first difference.
 */
final class MetadataAssert {

  private MetadataAssert() {}

  /** Asserts that {@code actual} holds the same keys, with values of the same classes and contents. */
  static void assertSameMetadata(Message expected, Message actual) {
    assertThat(actual.getClass()).isEqualTo(expected.getClass());
    assertSame("metadata", expected.getMetadata(), actual.getMetadata());
  }

  static void assertSame(String path, Object expected, Object actual) {
    if (expected == null) {
      assertThat(actual).as(path).isNull();
      return;
    }
    assertThat(actual).as(path).isNotNull();
    if (expected instanceof Map<?, ?> e) {
      assertThat(actual).as(path).isInstanceOf(Map.class);
      Map<?, ?> a = (Map<?, ?>) actual;
      assertThat(a.keySet()).as(path + " keys").isEqualTo(e.keySet());
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        assertSame(path + "." + entry.getKey(), entry.getValue(), a.get(entry.getKey()));
      }
    } else if (expected instanceof List<?> e) {
      assertThat(actual).as(path).isInstanceOf(List.class);
      List<?> a = (List<?>) actual;
      assertThat(a).as(path + " size").hasSameSizeAs(e);
      for (int i = 0; i < e.size(); i++) {
        assertSame(path + "[" + i + "]", e.get(i), a.get(i));
      }
    } else if (expected instanceof Set<?> e) {
      assertThat(actual).as(path).isInstanceOf(Set.class);
      Set<?> a = (Set<?>) actual;
      assertThat(a).as(path + " size").hasSameSizeAs(e);
      Iterator<?> ai = a.iterator();
      int i = 0;
      for (Object element : e) {
        assertSame(path + "{" + i++ + "}", element, ai.next());
      }
    } else if (expected instanceof byte[] e) {
      assertThat(actual).as(path).isInstanceOf(byte[].class);
      assertThat((byte[]) actual).as(path).containsExactly(e);
    } else {
      assertThat(actual.getClass()).as(path + " type").isEqualTo(expected.getClass());
      assertThat(actual).as(path).isEqualTo(expected);
    }
  }
}
