package org.sessionkit;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The token usage of one model call within a turn (an element of {@link
 * TokenUsage#iterations()}).
 *
 * <p>Counts are <b>unsigned</b> 64-bit integers held in a {@code long}: values above {@link
 * Long#MAX_VALUE} appear negative in Java; use {@link Long#toUnsignedString(long)} or {@link
 * Long#compareUnsigned(long, long)} to read them.
 *
 * @param inputTokens input tokens (unsigned)
 * @param outputTokens output tokens (unsigned)
 * @param cacheReadTokens tokens read from the prompt cache, if reported (unsigned)
 * @param cacheCreationTokens tokens written to the prompt cache, if reported (unsigned)
 */
public record IterationUsage(
    long inputTokens,
    long outputTokens,
    OptionalLong cacheReadTokens,
    OptionalLong cacheCreationTokens) {

  /** Validates the fields. */
  public IterationUsage {
    Objects.requireNonNull(cacheReadTokens, "cacheReadTokens");
    Objects.requireNonNull(cacheCreationTokens, "cacheCreationTokens");
  }

  /** Returns the usage of a call that reported only input and output tokens. */
  public static IterationUsage of(long inputTokens, long outputTokens) {
    return new IterationUsage(inputTokens, outputTokens, OptionalLong.empty(), OptionalLong.empty());
  }
}
