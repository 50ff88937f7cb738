package org.sessionkit.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.StorageConfigurationException;

class FileSessionStorageProviderTest {

  @TempDir Path dir;

  private Path openAndGetDirectory(String uri) {
    try (SessionStorage s = SessionStorages.open(uri)) {
      assertThat(s).isInstanceOf(FileSessionStorage.class);
      return ((FileSessionStorage) s).directory();
    }
  }

  @Test
  void theProviderNamesTheDirectoryAndItsTemporaryFilesWithoutOpeningOrCreatingIt() {
    Path missing = dir.toAbsolutePath().resolve("not yet");
    String uri = "file:" + dir.toAbsolutePath() + "/not%20yet?fsync=false";
    org.sessionkit.spi.LocalLocation location =
        SessionStorages.provider(uri).localLocation(uri).orElseThrow();
    assertThat(location.directory()).isEqualTo(missing);
    assertThat(Files.exists(missing)).isFalse();
    java.nio.file.PathMatcher temp =
        missing.getFileSystem().getPathMatcher("glob:" + location.leftoverGlob().orElseThrow());
    assertThat(temp.matches(Path.of(".sk-0123abcd.tmp"))).isTrue();
    assertThat(temp.matches(Path.of("user-42.json"))).isFalse();
    assertThatThrownBy(() -> SessionStorages.provider("file://server/x").localLocation("file://server/x"))
        .isInstanceOf(StorageConfigurationException.class);
  }

  @Test
  void absoluteLocationsInEveryForm() {
    Path abs = dir.toAbsolutePath();
    assertThat(openAndGetDirectory("file:" + abs)).isEqualTo(abs);
    assertThat(openAndGetDirectory("file://" + abs)).isEqualTo(abs);
    assertThat(openAndGetDirectory("file://localhost" + abs)).isEqualTo(abs);
    assertThat(openAndGetDirectory("FILE:" + abs + "?fsync=false")).isEqualTo(abs);
  }

  @Test
  void relativeLocationsAreRelativeToTheWorkingDirectory() throws Exception {
    Path cwd = Path.of("").toAbsolutePath();
    String rel = "target/provider-test-" + System.nanoTime();
    assertThat(openAndGetDirectory("file:" + rel)).isEqualTo(cwd.resolve(rel));
    // "." segments are dropped, so that messages name files plainly; ".." is kept (symlinks)
    assertThat(openAndGetDirectory("file:./" + rel)).isEqualTo(cwd.resolve(rel));
    assertThat(openAndGetDirectory("file:./target/./" + rel.substring("target/".length())).toString())
        .isEqualTo(cwd.resolve(rel).toString());
    assertThat(openAndGetDirectory("file:target/../" + rel)).isEqualTo(cwd.resolve("target/../" + rel));
    assertThat(Files.isDirectory(cwd.resolve(rel))).isTrue();
  }

  @Test
  void thePathIsPercentDecoded() {
    Path expected = dir.toAbsolutePath().resolve("with space?and%");
    assertThat(openAndGetDirectory("file:" + dir.toAbsolutePath() + "/with%20space%3Fand%25")).isEqualTo(expected);
    assertThat(Files.isDirectory(expected)).isTrue();
  }

  @Test
  void optionsAreReadAndUnknownOnesRefused() {
    try (SessionStorage s = SessionStorages.open(
        "file:" + dir + "?fsync=false&threads=2&maxDocumentBytes=1000000&create=true")) {
      assertThat(((FileSessionStorage) s).fsync()).isFalse();
    }
    assertThatThrownBy(() -> SessionStorages.open("file:" + dir + "?sync=false"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("unknown option [sync]")
        .hasMessageContaining("fsync");
    assertThatThrownBy(() -> SessionStorages.open("file:" + dir + "?threads=0"))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("threads");
    assertThatThrownBy(() -> SessionStorages.open("file:" + dir + "?fsync=maybe"))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("fsync");
  }

  @Test
  void aMissingDirectoryIsCreatedUnlessCreateIsFalse() {
    Path missing = dir.resolve("a/b");
    assertThatThrownBy(() -> SessionStorages.open("file:" + missing + "?create=false"))
        .isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    assertThat(Files.exists(missing)).isFalse();
    assertThat(openAndGetDirectory("file:" + missing)).isEqualTo(missing);
    assertThat(Files.isDirectory(missing)).isTrue();
  }

  @Test
  void badLocationsAreConfigurationErrors() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    assertThatThrownBy(() -> SessionStorages.open("file:" + file))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("not a directory");
    assertThatThrownBy(() -> SessionStorages.open("file:"))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("names no directory");
    assertThatThrownBy(() -> SessionStorages.open("file://server/share"))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("remote host");
    assertThatThrownBy(() -> SessionStorages.open("file:/tmp/%zz"))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("percent-escape");
  }
}
