package org.sessionkit.cli.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sessionkit.spi.StorageUri;

/**
 * The secrets of the store URIs given on one command line, so that no text the command prints
 * can carry them: messages of stores and drivers are checked by their authors, but a driver's
 * cause message is not, and a password may appear percent-decoded. Every text printed passes
 * {@link #scrub}. Thread safe.
 */
public final class Secrets {

  private static final Pattern USER_INFO = Pattern.compile("//[^/@?#]*?:([^/@?#]*)@");
  private static final Pattern SECRET_OPTION =
      Pattern.compile("(?i)[?&](?:password|pass|pwd|secret|token|apikey|api_key|sslpassword)=([^&#]*)");

  private final Set<String> secrets = new LinkedHashSet<>();

  /** Remembers the password and secret option values of {@code uri}. */
  public synchronized void register(String uri) {
    add(USER_INFO.matcher(uri));
    add(SECRET_OPTION.matcher(uri));
  }

  private void add(Matcher m) {
    while (m.find()) {
      String raw = m.group(1);
      if (raw.isEmpty()) {
        continue;
      }
      secrets.add(raw);
      try {
        secrets.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // A malformed escape: the raw form is all that can appear.
      }
    }
  }

  /**
   * Returns {@code text} with every URI's password redacted ({@link StorageUri#redact}) and every
   * remembered secret replaced by {@code ***}.
   */
  public synchronized String scrub(String text) {
    String out = StorageUri.redact(text);
    for (String s : secrets) {
      if (s.length() >= 4) {
        out = out.replace(s, "***");
      } else {
        // A very short secret is replaced only where it stands alone, so that ordinary words
        // survive; inside a URI it is redacted above anyway.
        out = out.replaceAll("(?<![\\p{L}\\p{N}])" + Pattern.quote(s) + "(?![\\p{L}\\p{N}])", "***");
      }
    }
    return out;
  }
}
