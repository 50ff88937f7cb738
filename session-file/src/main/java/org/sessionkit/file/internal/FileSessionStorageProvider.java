package org.sessionkit.file.internal;

import com.google.auto.service.AutoService;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;
import org.sessionkit.spi.SessionCodec;
import org.sessionkit.SessionStorage;
import org.sessionkit.spi.SessionStorageProvider;
import org.sessionkit.StorageConfigurationException;
import org.sessionkit.spi.StorageOptions;
import org.sessionkit.spi.StorageUri;
import org.sessionkit.file.FileSessionStorage;

/**
 * Serves {@code file:}: opens a {@link FileSessionStorage} on the directory the URI names.
 *
 * <p>Locations: {@code file:/abs/dir} and {@code file:///abs/dir} (or {@code
 * file://localhost/abs/dir}) are absolute; {@code file:./rel}, {@code file:rel} and {@code
 * file:../rel} are relative to the working directory of the JVM. The path is percent-decoded
 * as UTF-8 ({@code %20} for a space, {@code %3F} for {@code ?}, {@code %25} for {@code %}); no
 * {@code ~} expansion. Another host ({@code file://server/x}) is a configuration error.
 *
 * <p>Options: {@code fsync} ({@code true}), {@code threads} ({@value
 * FileSessionStorage#DEFAULT_THREADS}, 1..256), {@code maxDocumentBytes} (the codec's default),
 * {@code create} ({@code true}: create a missing directory), {@code retention} (none: an ISO-8601
 * duration such as {@code P30D}, or {@code 500ms}, {@code 5s}, {@code 2m}; sessions not written for
 * that long are absent and swept). Any other option is a configuration error. Stateless and thread
 * safe.
 */
@AutoService(SessionStorageProvider.class)
public final class FileSessionStorageProvider implements SessionStorageProvider {

  /** Creates the provider (for {@link java.util.ServiceLoader}). */
  public FileSessionStorageProvider() {}

  @Override
  public String name() {
    return "file";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public SessionStorage create(StorageUri uri) {
    Path directory = directoryOf(uri);
    StorageOptions o = uri.optionReader();
    boolean fsync = o.bool("fsync", true);
    int threads = o.integer("threads", FileSessionStorage.DEFAULT_THREADS, 1, 256);
    long maxDocumentBytes =
        o.longInteger("maxDocumentBytes", SessionCodec.DEFAULT_MAX_DOCUMENT_BYTES, 1, Integer.MAX_VALUE - 8);
    boolean create = o.bool("create", true);
    java.time.Duration retention = o.duration("retention", java.time.Duration.ZERO);
    o.finish();
    return FileSessionStorage.builder(directory)
        .fsync(fsync)
        .threads(threads)
        .maxDocumentBytes(maxDocumentBytes)
        .createDirectory(create)
        .retention(retention)
        .build();
  }

  /**
   * The directory a {@code file:} URI names, and the temporary files ({@code .sk-*.tmp}) that an
   * interrupted write leaves there and opening the store removes.
   */
  @Override
  public java.util.Optional<org.sessionkit.spi.LocalLocation> localLocation(String uri) {
    return java.util.Optional.of(new org.sessionkit.spi.LocalLocation(
        directoryOf(StorageUri.parse(uri, "file")),
        java.util.Optional.of(DirectoryStore.TEMP_PREFIX + "*" + DirectoryStore.TEMP_SUFFIX)));
  }

  /**
   * Returns the directory a {@code file:} URI names.
   *
   * @throws StorageConfigurationException if it names none, another host, or a malformed path
   */
  public static Path directoryOf(StorageUri uri) {
    String body = uri.body();
    String path;
    if (body.startsWith("//")) {
      int slash = body.indexOf('/', 2);
      String host = slash < 0 ? body.substring(2) : body.substring(2, slash);
      if (!host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
        throw new StorageConfigurationException(
            "the file store can't use the remote host '" + host + "' of " + uri.redacted()
                + "; use file:/path or file:///path for a local directory");
      }
      path = slash < 0 ? "" : body.substring(slash);
    } else {
      path = body;
    }
    path = percentDecode(path, uri);
    if (path.isEmpty()) {
      throw new StorageConfigurationException(
          "the store URI " + uri.redacted() + " names no directory; use e.g. file:./sessions or file:/var/lib/sessions");
    }
    if (isWindows() && path.length() >= 3 && path.charAt(0) == '/' && path.charAt(2) == ':') {
      path = path.substring(1); // file:///C:/x
    }
    try {
      return DirectoryStore.absolute(Path.of(path));
    } catch (InvalidPathException e) {
      throw new StorageConfigurationException(
          "the store URI " + uri.redacted() + " names an invalid path: " + e.getMessage(), e);
    }
  }

  private static String percentDecode(String s, StorageUri uri) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new StorageConfigurationException(
              "the store URI " + uri.redacted() + " has a malformed percent-escape in its path (write %25 for %)");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          utf8 = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(utf8);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new StorageConfigurationException(
          "the store URI " + uri.redacted() + " has percent-escapes in its path that are not UTF-8", e);
    }
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  }
}
