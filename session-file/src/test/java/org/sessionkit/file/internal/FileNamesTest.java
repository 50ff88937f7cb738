package org.sessionkit.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sessionkit.SessionIds;

class FileNamesTest {

  private final FileNames sensitive = new FileNames(false);
  private final FileNames insensitive = new FileNames(true);

  @Test
  void simpleIdsMapToTheirNameAsNeuronWritesIt() {
    for (String id : List.of("sess-7f3a9c", "A", "a", "x.y_z-1", "550e8400-e29b-41d4-a716-446655440000", "a..b")) {
      assertThat(sensitive.nameFor(id)).isEqualTo(id + ".json");
      assertThat(sensitive.parse(id + ".json")).isEqualTo(new FileNames.Named(id));
    }
  }

  @Test
  void otherIdsAreEncodedBehindATilde() {
    assertThat(sensitive.nameFor("user/42")).isEqualTo("~user%2F42.json");
    assertThat(sensitive.nameFor("a b")).isEqualTo("~a%20b.json");
    assertThat(sensitive.nameFor(".hidden")).isEqualTo("~.hidden.json");
    assertThat(sensitive.nameFor("..")).isEqualTo("~...json"); // not a valid id, but still harmless
    assertThat(sensitive.nameFor("~x")).isEqualTo("~%7Ex.json");
    assertThat(sensitive.nameFor("é")).isEqualTo("~%C3%A9.json");
    assertThat(sensitive.nameFor("100%")).isEqualTo("~100%25.json");
    assertThat(sensitive.parse("~user%2F42.json")).isEqualTo(new FileNames.Named("user/42"));
  }

  @Test
  void encodedNamesNeverHoldAPathSeparatorOrLeaveTheDirectory() {
    for (String id : List.of("../x", "..\\x", "/etc/passwd", "a/../../b", "C:\\x", "\u0000x".substring(1), "x\u2028y")) {
      String name = sensitive.nameFor(id);
      assertThat(name).doesNotContain("/").doesNotContain("\\").isNotIn(".", "..");
      assertThat(name).matches("[A-Za-z0-9._%~-]+");
    }
  }

  @Test
  void aCaseInsensitiveDirectoryEncodesUpperCaseSoThatCaseStaysDistinct() {
    assertThat(insensitive.nameFor("abc")).isEqualTo("abc.json");
    assertThat(insensitive.nameFor("Abc")).isEqualTo("~%41bc.json");
    assertThat(insensitive.parse("~%41bc.json")).isEqualTo(new FileNames.Named("Abc"));
    // A neuron file with an upper-case name can't be told apart from the lower-case id there.
    assertThat(insensitive.parse("Abc.json")).isInstanceOf(FileNames.Foreign.class);
  }

  @Test
  void nonCanonicalNamesAreForeignWithTheReason() {
    FileNames.Parsed p = sensitive.parse("a b.json");
    assertThat(p).isInstanceOf(FileNames.Foreign.class);
    assertThat(((FileNames.Foreign) p).id()).contains("a b");
    assertThat(((FileNames.Foreign) p).reason()).contains("~a%20b.json");
    assertThat(sensitive.parse("~abc.json")).isInstanceOf(FileNames.Foreign.class); // abc is raw
    assertThat(sensitive.parse("~%61.json")).isInstanceOf(FileNames.Foreign.class); // a is raw
    assertThat(sensitive.parse("~%zz.json")).isInstanceOf(FileNames.Foreign.class);
    assertThat(sensitive.parse("~%C3.json")).isInstanceOf(FileNames.Foreign.class); // not UTF-8
    assertThat(sensitive.parse("..json")).isInstanceOf(FileNames.Foreign.class); // id "."
    assertThat(sensitive.parse(".json")).isInstanceOf(FileNames.Foreign.class); // empty id
    assertThat(sensitive.parse("~~short~abc.json")).isInstanceOf(FileNames.Foreign.class);
  }

  @Test
  void longIdsGetAHashedNameWithinTheFileSystemLimit() {
    String longSimple = "a".repeat(256);
    String longCjk = "漢".repeat(256);
    String emoji = "😀".repeat(256);
    for (String id : List.of(longSimple, longCjk, emoji, "a".repeat(250) + "é")) {
      assertThat(SessionIds.isValid(id)).isTrue();
      String name = sensitive.nameFor(id);
      assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
      assertThat(name).startsWith("~~").endsWith(".json");
      assertThat(sensitive.parse(name)).isEqualTo(new FileNames.Hashed());
      assertThat(sensitive.isNameOf(name, id)).isTrue();
    }
    assertThat(sensitive.nameFor("a".repeat(250))).isEqualTo("a".repeat(250) + ".json");
    assertThat(sensitive.nameFor("a".repeat(251))).startsWith("~");
    // Two long ids that share the readable prefix still differ by their hash.
    assertThat(sensitive.nameFor("a".repeat(255) + "b")).isNotEqualTo(sensitive.nameFor("a".repeat(255) + "c"));
  }

  @Test
  void distinctIdsGetDistinctNamesAlsoWhenCaseIsIgnored() {
    Random random = new Random(42);
    String alphabet = "aAbB.-_/ %~éÉ漢😀\\:";
    Map<String, String> byName = new HashMap<>();
    Map<String, String> byFoldedName = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = 1 + random.nextInt(i % 100 == 0 ? 300 : 6);
      while (b.codePointCount(0, b.length()) < length) {
        int at = random.nextInt(alphabet.length());
        if (Character.isHighSurrogate(alphabet.charAt(at))) {
          b.append(alphabet, at, at + 2);
        } else if (!Character.isLowSurrogate(alphabet.charAt(at))) {
          b.append(alphabet.charAt(at));
        }
      }
      String id = b.toString();
      if (!SessionIds.isValid(id)) {
        continue;
      }
      String name = sensitive.nameFor(id);
      String previous = byName.put(name, id);
      assertThat(previous == null || previous.equals(id)).as("%s and %s share %s", previous, id, name).isTrue();
      assertThat(sensitive.parse(name)).isIn(new FileNames.Named(id), new FileNames.Hashed());
      assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);

      String folded = insensitive.nameFor(id).toLowerCase(Locale.ROOT);
      String previousFolded = byFoldedName.put(folded, id);
      assertThat(previousFolded == null || previousFolded.equals(id))
          .as("%s and %s share %s when case is ignored", previousFolded, id, folded).isTrue();
      assertThat(insensitive.parse(insensitive.nameFor(id))).isIn(new FileNames.Named(id), new FileNames.Hashed());
    }
    assertThat(byName).hasSizeGreaterThan(1000);
  }

  @Test
  void decodedIdsSurviveExactlyIncludingNormalisationForms() {
    String nfc = "\u00e9";
    String nfd = "e\u0301";
    assertThat(sensitive.nameFor(nfc)).isNotEqualTo(sensitive.nameFor(nfd));
    assertThat(sensitive.parse(sensitive.nameFor(nfd))).isEqualTo(new FileNames.Named(nfd));
    assertThat(sensitive.parse(sensitive.nameFor("😀"))).isEqualTo(new FileNames.Named("😀"));
    assertThat(Optional.of(sensitive.parse("~%F0%9F%98%80.json"))).contains(new FileNames.Named("😀"));
  }
}
