package org.sessionkit.cli.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.cli.ExitCode;
import java.util.Optional;
import org.sessionkit.SessionStorage;
import org.sessionkit.SessionStorages;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.spi.LocalLocation;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.cli.StoreOpener;

/**
 * What one run of the command works with: how it opens stores, its standard streams, and
 * whether its error stream is a terminal (then long runs draw a progress bar, else they print a
 * plain line now and then). The text writers are UTF-8; the raw output stream carries exported
 * documents byte for byte. Not thread safe except {@link #secrets()} and the writers' own
 * locking.
 *
 * @param opener opens stores by URI
 * @param in the standard input ({@code import} reads it when no file is given)
 * @param rawOut the standard output as bytes ({@code export} writes documents to it)
 * @param out the standard output as text
 * @param err the standard error as text
 * @param terminal whether {@code err} is an interactive terminal
 * @param secrets the secrets of the URIs of this run, scrubbed from everything printed
 */
public record Io(
    StoreOpener opener,
    InputStream in,
    OutputStream rawOut,
    PrintWriter out,
    PrintWriter err,
    boolean terminal,
    Secrets secrets) {

  /** Validates the fields. */
  public Io {
    Objects.requireNonNull(opener, "opener");
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(rawOut, "rawOut");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(secrets, "secrets");
  }

  /**
   * Opens the store of {@code uri}, remembering its secrets first.
   *
   * @param role what the store is for in messages ("source", "target"), or empty for the only
   *     store of a command
   * @throws CliException naming the role and the redacted URI when it can't be opened
   */
  public SessionStorage open(String role, String uri) {
    secrets.register(uri);
    try {
      return opener.open(uri);
    } catch (RuntimeException e) {
      throw CliException.opening(role, uri, e);
    }
  }

  /**
   * Opens the store of {@code uri} to read what it holds: as {@link #open}, but a store kept in a
   * local directory (its provider names it, {@link
   * org.sessionkit.spi.SessionStorageProvider#localLocation}: the file store, or any other) whose
   * directory does not exist is an error instead of being created empty (a typo in a path must
   * not look like an empty store).
   *
   * @throws CliException when it can't be opened or its directory is missing
   */
  public SessionStorage openExisting(String role, String uri) {
    Optional<LocalLocation> location;
    try {
      location = localLocation(uri);
    } catch (RuntimeException e) {
      return open(role, uri); // malformed: opening says what is wrong
    }
    if (location.isPresent()) {
      Path dir = location.get().directory();
      if (!Files.exists(dir)) {
        secrets.register(uri);
        throw new CliException(ExitCode.STORE,
            "there is no directory " + dir.normalize() + " (" + StorageUri.redact(uri) + "), so no sessions to read", null);
      }
    }
    return open(role, uri);
  }

  /**
   * Returns where the store of {@code uri} keeps its files on this machine, as the provider that
   * serves the URI on the class path says without opening it; empty for stores that keep none
   * and for URIs no provider serves (opening reports those).
   *
   * @throws RuntimeException if the provider finds the URI malformed
   */
  public static Optional<LocalLocation> localLocation(String uri) {
    SessionStorageProvider provider;
    try {
      provider = SessionStorages.provider(uri);
    } catch (StorageConfigurationException e) {
      return Optional.empty();
    }
    return provider.localLocation(uri);
  }

  /** Prints {@code text} (scrubbed of secrets) and a line break to the standard output. */
  public void println(String text) {
    out.println(secrets.scrub(text));
  }

  /** Prints {@code text} (scrubbed of secrets) and a line break to the standard error. */
  public void eprintln(String text) {
    err.println(secrets.scrub(text));
    err.flush();
  }
}
