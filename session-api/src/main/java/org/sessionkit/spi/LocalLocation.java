package org.sessionkit.spi;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a store keeps its sessions on this machine's file system, as its provider reads it from a
 * URI without opening the store ({@link SessionStorageProvider#localLocation(String)}). Tools use
 * it before they open a store: the {@code sessionkit} command refuses to read a directory that
 * does not exist (opening would create it empty), and its {@code check} reports the temporary
 * files of interrupted writes that opening the store would clean up.
 *
 * @param directory the absolute directory holding the store's files
 * @param leftoverGlob a glob in {@link java.nio.file.FileSystem#getPathMatcher(String) glob
 *     syntax}, matched against file names in {@code directory}, of the temporary files an
 *     interrupted write can leave behind; empty if the store leaves none
 */
public record LocalLocation(Path directory, Optional<String> leftoverGlob) {

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if {@code directory} is not absolute
   */
  public LocalLocation {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(leftoverGlob, "leftoverGlob");
    if (!directory.isAbsolute()) {
      throw new IllegalArgumentException("the directory of a local location must be absolute: " + directory);
    }
  }
}
