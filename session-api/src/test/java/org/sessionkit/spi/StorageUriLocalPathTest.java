package org.sessionkit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sessionkit.StorageConfigurationException;

/** The path helpers of {@link StorageUri} for stores opened by a path. */
class StorageUriLocalPathTest {

  @TempDir Path tmp;

  private static Path path(String uri) {
    return StorageUri.parse(uri, "file").localPath();
  }

  @Test
  void everyFormOfALocalPathNamesTheSameAbsolutePath() {
    Path expected = Path.of("/var/lib/sessions");
    assertThat(path("file:/var/lib/sessions")).isEqualTo(expected);
    assertThat(path("file:///var/lib/sessions")).isEqualTo(expected);
    assertThat(path("file://localhost/var/lib/sessions")).isEqualTo(expected);
    assertThat(path("file://LOCALHOST/var/lib/sessions?fsync=false")).isEqualTo(expected);
  }

  @Test
  void relativePathsAreResolvedAgainstTheWorkingDirectory() {
    Path cwd = Path.of("").toAbsolutePath();
    assertThat(path("file:./sessions")).isEqualTo(cwd.resolve("./sessions"));
    assertThat(path("file:sessions")).isEqualTo(cwd.resolve("sessions"));
  }

  @Test
  void pathsArePercentDecodedAsUtf8AndPlusStaysAPlus() {
    assertThat(path("file:/tmp/a%20b%25c+d%C3%A9")).isEqualTo(Path.of("/tmp/a b%c+d\u00e9"));
    assertThat(path("file:/tmp/\u00e9t\u00e9/\uD83D\uDE00")).isEqualTo(Path.of("/tmp/\u00e9t\u00e9/\uD83D\uDE00"));
  }

  @Test
  void malformedOrMissingPathsAndRemoteHostsAreConfigurationErrors() {
    assertThatThrownBy(() -> path("file:")).isInstanceOf(StorageConfigurationException.class).hasMessageContaining("names no path");
    assertThatThrownBy(() -> path("file://localhost")).isInstanceOf(StorageConfigurationException.class);
    assertThatThrownBy(() -> path("file://server/share")).isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("remote host 'server'");
    assertThatThrownBy(() -> path("file:/tmp/%zz")).isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("percent-escape");
    assertThatThrownBy(() -> path("file:/tmp/%ff%fe")).isInstanceOf(StorageConfigurationException.class)
        .hasMessageContaining("not UTF-8");
    assertThatThrownBy(() -> path("file:/tmp/a%00b")).isInstanceOf(StorageConfigurationException.class);
  }

  @Test
  void localDirectoryCreatesOnlyWhenAskedAndRefusesFiles() throws IOException {
    Path missing = tmp.resolve("a/b c");
    String uri = "file:" + missing.toString().replace(" ", "%20");
    assertThatThrownBy(() -> StorageUri.parse(uri, "file").localDirectory(false))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("does not exist");
    assertThat(Files.exists(missing)).isFalse();
    assertThat(StorageUri.parse(uri, "file").localDirectory(true)).isEqualTo(missing);
    assertThat(Files.isDirectory(missing)).isTrue();
    assertThat(StorageUri.parse(uri, "file").localDirectory(false)).isEqualTo(missing);
    Path file = Files.writeString(tmp.resolve("plain"), "x");
    assertThatThrownBy(() -> StorageUri.parse("file:" + file, "file").localDirectory(true))
        .isInstanceOf(StorageConfigurationException.class).hasMessageContaining("not a directory");
  }
}
