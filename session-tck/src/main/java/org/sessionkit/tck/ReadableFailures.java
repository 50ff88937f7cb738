package org.sessionkit.tck;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Makes every failure of a check readable and safe for test reports: messages (of the failure
 * and of each cause) are cut to {@value #MAX_MESSAGE} characters, and control characters,
 * U+FFFE, U+FFFF and lone surrogates are shown as {@code \\uXXXX} escapes. Raw, they made
 * surefire's XML reports invalid; long, they buried the one line that mattered. The stack
 * traces, the exception types and the chain of causes are kept.
 */
final class ReadableFailures implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

  /** The longest message a failure keeps, in characters. */
  static final int MAX_MESSAGE = 2_000;

  /** Created by JUnit. */
  ReadableFailures() {}

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    throw readable(throwable);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    throw readable(throwable);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    throw readable(throwable);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    throw readable(throwable);
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    throw readable(throwable);
  }

  /** Returns {@code t} itself when its whole chain is readable, else a readable copy of it. */
  static Throwable readable(Throwable t) {
    if (t instanceof TestAbortedException || isReadable(t)) {
      return t; // skips keep their own type; readable failures stay as they are
    }
    return copy(t, 0);
  }

  private static boolean isReadable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && !clean(m).equals(m)) {
        return false;
      }
    }
    return true;
  }

  private static Throwable copy(Throwable t, int depth) {
    String message = t.getMessage() == null ? null : clean(t.getMessage());
    Throwable copy;
    if (t instanceof AssertionError) {
      copy = new AssertionError(message);
    } else {
      copy = new Readable(t.getClass().getName(), message);
    }
    copy.setStackTrace(t.getStackTrace());
    if (t.getCause() != null && t.getCause() != t && depth < 20) {
      copy.initCause(copy(t.getCause(), depth + 1));
    }
    return copy;
  }

  /** Escapes what can't stand in a report and cuts the message to its first characters. */
  static String clean(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_MESSAGE + 40));
    for (int i = 0; i < s.length(); i++) {
      if (b.length() >= MAX_MESSAGE) {
        b.append("…(message cut: ").append(s.length()).append(" chars)");
        break;
      }
      char c = s.charAt(i);
      boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1)));
      if (Character.isHighSurrogate(c) && !lone) {
        b.append(c).append(s.charAt(++i));
      } else if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\uFFFE' || c == '\uFFFF' || lone) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** A readable stand-in for an exception whose message was not: says the original type. */
  static final class Readable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String type;

    Readable(String type, String message) {
      super(message);
      this.type = type;
    }

    @Override
    public String toString() {
      String m = getMessage();
      return m == null ? type : type + ": " + m;
    }
  }
}
