package org.sessionkit;

/** Who wrote a {@link Message}. Stored as {@code "User"}, {@code "Assistant"} or {@code "System"}. */
public enum Role {
  /** The person (or program) talking to the agent; also carries tool results. */
  USER("User"),
  /** The model. */
  ASSISTANT("Assistant"),
  /** System instructions. */
  SYSTEM("System");

  private final String wireName;

  Role(String wireName) {
    this.wireName = wireName;
  }

  /** Returns the exact, case-sensitive name the session format uses for this role. */
  public String wireName() {
    return wireName;
  }
}
