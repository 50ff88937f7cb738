package org.sessionkit.spi;

import org.sessionkit.StorageConfigurationException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A store URI split into its scheme, the part after it and its options, parsed as a plain
 * string: {@code java.net.URI} rejects {@code memory:} and treats {@code file:./x?y} as opaque.
 *
 * <p>{@code file:./sessions?fsync=false} has scheme {@code file}, body {@code ./sessions} and
 * options {@code {fsync=false}}. Option names and values are percent-decoded; a repeated option
 * is a configuration error. {@link #toString()} and {@link #redacted()} hide the password of a
 * {@code user:password@} part and the values of options whose name suggests a secret; use them
 * in every message.
 */
public final class StorageUri {

  private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/@:?#]*):[^/@?#]*@");
  private static final Set<String> SECRET_OPTIONS =
      Set.of("password", "pass", "pwd", "secret", "token", "apikey", "api_key", "sslpassword");

  private final String text;
  private final String scheme;
  private final String body;
  private final Map<String, String> options;

  private StorageUri(String text, String scheme, String body, Map<String, String> options) {
    this.text = text;
    this.scheme = scheme;
    this.body = body;
    this.options = options;
  }

  /**
   * Parses {@code text} as a URI of {@code scheme}.
   *
   * @param text the whole URI, e.g. {@code postgresql://u:pw@host/db?poolSize=4}
   * @param scheme the scheme it starts with (without the colon, matched case-insensitively)
   * @throws StorageConfigurationException if it does not start with {@code scheme:} or its query
   *     is malformed
   */
  public static StorageUri parse(String text, String scheme) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(scheme, "scheme");
    if (!startsWithScheme(text, scheme)) {
      throw new StorageConfigurationException(
          "store URI " + redact(text) + " does not start with " + scheme + ":");
    }
    String rest = text.substring(scheme.length() + 1);
    int q = rest.indexOf('?');
    String body = q < 0 ? rest : rest.substring(0, q);
    Map<String, String> options = new LinkedHashMap<>();
    if (q >= 0 && q + 1 < rest.length()) {
      for (String pair : rest.substring(q + 1).split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq), text);
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1), text);
        if (options.put(name, value) != null) {
          throw new StorageConfigurationException(
              "store URI " + redact(text) + " gives the option '" + name + "' twice");
        }
      }
    }
    return new StorageUri(
        text, scheme.toLowerCase(Locale.ROOT), body, Collections.unmodifiableMap(options));
  }

  /** Returns whether {@code text} starts with {@code scheme + ":"}, ignoring case. */
  public static boolean startsWithScheme(String text, String scheme) {
    return text.length() > scheme.length()
        && text.charAt(scheme.length()) == ':'
        && text.regionMatches(true, 0, scheme, 0, scheme.length());
  }

  /** Returns {@code text} with passwords and secret option values replaced by {@code ***}. */
  public static String redact(String text) {
    String out = USER_INFO_PASSWORD.matcher(text).replaceAll("$1:***@");
    int q = out.indexOf('?');
    if (q < 0) {
      return out;
    }
    StringBuilder b = new StringBuilder(out.substring(0, q + 1));
    String[] pairs = out.substring(q + 1).split("&", -1);
    for (int i = 0; i < pairs.length; i++) {
      if (i > 0) {
        b.append('&');
      }
      int eq = pairs[i].indexOf('=');
      String name = eq < 0 ? pairs[i] : pairs[i].substring(0, eq);
      if (eq >= 0 && SECRET_OPTIONS.contains(name.toLowerCase(Locale.ROOT))) {
        b.append(name).append("=***");
      } else {
        b.append(pairs[i]);
      }
    }
    return b.toString();
  }

  /** Returns the scheme this URI was parsed for, in lower case. */
  public String scheme() {
    return scheme;
  }

  /** Returns what follows {@code scheme:} up to the query, undecoded (e.g. {@code //host/db}). */
  public String body() {
    return body;
  }

  /** Returns the decoded options of the query string, in order; unmodifiable. */
  public Map<String, String> options() {
    return options;
  }

  /**
   * Splits a hierarchical body, {@code //[user[:password]@]hosts[/path]}, as server stores'
   * URIs have it. User and password are percent-decoded; {@code hosts} (one or more {@code
   * host[:port]}, as the URI gives them) and {@code path} are not.
   *
   * @param form the shape this store expects, for the error message, e.g. {@code
   *     postgresql://[user[:password]@]host[:port]/database}
   * @throws StorageConfigurationException if the body does not start with {@code //}, or the user
   *     part has a malformed percent-escape
   */
  public Server server(String form) {
    if (!body.startsWith("//")) {
      throw new StorageConfigurationException("store URI " + redacted() + " must name a server: " + form);
    }
    String rest = body.substring(2);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String info = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = info.indexOf(':');
      String u = userPart(colon < 0 ? info : info.substring(0, colon));
      user = u.isEmpty() ? Optional.empty() : Optional.of(u);
      password = colon < 0 ? Optional.empty() : Optional.of(userPart(info.substring(colon + 1)));
    }
    return new Server(user, password, authority, path);
  }

  /**
   * The server part of a store URI: see {@link StorageUri#server(String)}. Its {@link
   * #toString()} hides the password.
   *
   * @param user the decoded user name, if the URI names one
   * @param password the decoded password, if the URI gives one; never log it
   * @param hosts {@code host[:port]}, or several separated by commas, as written; may be empty
   * @param path what follows the first {@code /} after the hosts (a database name or number)
   */
  public record Server(Optional<String> user, Optional<String> password, String hosts, String path) {

    /** Checks that no component is {@code null}. */
    public Server {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(hosts, "hosts");
      Objects.requireNonNull(path, "path");
    }

    /** Describes the server without its password. */
    @Override
    public String toString() {
      return "Server[user=" + user.orElse("") + ", password=" + (password.isPresent() ? "***" : "")
          + ", hosts=" + hosts + ", path=" + path + "]";
    }
  }

  /**
   * Returns the local path a file-based store's URI names, for stores opened by a path: {@code
   * file:./sessions} and {@code file:sessions} (relative to the working directory), {@code
   * file:/var/lib/s}, {@code file:///var/lib/s} and {@code file://localhost/var/lib/s}; on
   * Windows also {@code file:///C:/s}. The path is percent-decoded as UTF-8 ({@code %20} is a
   * space, {@code %25} a percent sign) and made absolute; nothing on disk is touched.
   *
   * @throws StorageConfigurationException if the URI names no path, a remote host, or a path
   *     with a malformed percent-escape or that the file system can't represent
   */
  public java.nio.file.Path localPath() {
    String path = body;
    if (path.startsWith("//")) {
      int slash = path.indexOf('/', 2);
      String host = slash < 0 ? path.substring(2) : path.substring(2, slash);
      if (!host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
        throw new StorageConfigurationException("the store URI " + redacted() + " names the remote host '" + host
            + "'; use " + scheme + ":/path or " + scheme + ":///path for a local path");
      }
      path = slash < 0 ? "" : path.substring(slash);
    }
    path = decodePath(path);
    if (path.isEmpty()) {
      throw new StorageConfigurationException("the store URI " + redacted() + " names no path; use e.g. "
          + scheme + ":./sessions or " + scheme + ":/var/lib/sessions");
    }
    if (path.length() >= 3 && path.charAt(0) == '/' && path.charAt(2) == ':'
        && java.io.File.separatorChar == '\\') {
      path = path.substring(1); // file:///C:/x on Windows
    }
    try {
      return java.nio.file.Path.of(path).toAbsolutePath();
    } catch (java.nio.file.InvalidPathException e) {
      throw new StorageConfigurationException(
          "the store URI " + redacted() + " names a path the file system can't represent: " + e.getReason(), e);
    }
  }

  /**
   * Returns {@link #localPath()} as a directory: if it does not exist, creates it (with its
   * parents, default permissions) when {@code create} is true. A store that needs particular
   * permissions creates the directory itself from {@link #localPath()}.
   *
   * @param create whether to create a missing directory
   * @throws StorageConfigurationException as {@link #localPath()}, or if the path exists and is
   *     not a directory, or is missing and {@code create} is false, or can't be created
   */
  public java.nio.file.Path localDirectory(boolean create) {
    java.nio.file.Path dir = localPath();
    if (java.nio.file.Files.isDirectory(dir)) {
      return dir;
    }
    if (java.nio.file.Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new StorageConfigurationException("the store URI " + redacted() + " names " + dir + ", which is not a directory");
    }
    if (!create) {
      throw new StorageConfigurationException("the store URI " + redacted() + " names the directory " + dir
          + ", which does not exist");
    }
    try {
      return java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new StorageConfigurationException("the directory " + dir + " of the store URI " + redacted()
          + " can't be created: " + e, e);
    }
  }

  /** Percent-decodes a path as UTF-8; a {@code +} stays a plus (it is not a query). */
  private String decodePath(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new StorageConfigurationException(
              "the store URI " + redacted() + " has a malformed percent-escape in its path (write %25 for %)");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
        bytes.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
    java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    try {
      return utf8.decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new StorageConfigurationException(
          "the store URI " + redacted() + " has percent-escapes in its path that are not UTF-8", e);
    }
  }

  /** Returns a reader of the options that checks names and values. */
  public StorageOptions optionReader() {
    return new StorageOptions(this);
  }

  /** Returns the URI exactly as given. It may hold a password: never log or show it. */
  public String unredacted() {
    return text;
  }

  /** Returns the URI with passwords and secret option values replaced by {@code ***}. */
  public String redacted() {
    return redact(text);
  }

  /** Returns {@link #redacted()}. */
  @Override
  public String toString() {
    return redacted();
  }

  private String userPart(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new StorageConfigurationException(
          "store URI " + redacted() + " has a malformed percent-escape in its user or password");
    }
  }

  private static String decode(String s, String text) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new StorageConfigurationException(
          "store URI " + redact(text) + " has a malformed percent-escape in its options");
    }
  }
}
