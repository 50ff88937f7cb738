package org.sessionkit.bench;

/** Placeholder. */
public final class Main {
  private Main() {}

  /** Entry. @param args ignored */
  public static void main(String[] args) {}
}
