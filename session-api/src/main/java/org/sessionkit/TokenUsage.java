package org.sessionkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Cumulative token usage of a session.
 *
 * <p>All counts are <b>unsigned</b> 64-bit integers (the format allows up to {@code
 * 18446744073709551615}) held in a {@code long}: values above {@link Long#MAX_VALUE} appear
 * negative in Java; read them with {@link Long#toUnsignedString(long)}. The optional counters
 * are {@link OptionalLong#empty()} when the provider did not report them (written as JSON
 * {@code null}); {@link #iterations()} is empty when absent, which the format keeps apart from
 * a present but empty list.
 *
 * @param inputTokens input tokens (unsigned)
 * @param outputTokens output tokens (unsigned)
 * @param cacheReadTokens tokens read from the prompt cache, if reported
 * @param cacheCreationTokens tokens written to the prompt cache, if reported
 * @param reasoningTokens reasoning tokens, if reported
 * @param iterations per-call usage, if reported; the list is unmodifiable
 */
public record TokenUsage(
    long inputTokens,
    long outputTokens,
    OptionalLong cacheReadTokens,
    OptionalLong cacheCreationTokens,
    OptionalLong reasoningTokens,
    Optional<List<IterationUsage>> iterations) {

  /** No tokens used, no optional counters, no iterations. */
  public static final TokenUsage ZERO = of(0, 0);

  /** Validates the fields and copies the iterations. */
  public TokenUsage {
    Objects.requireNonNull(cacheReadTokens, "cacheReadTokens");
    Objects.requireNonNull(cacheCreationTokens, "cacheCreationTokens");
    Objects.requireNonNull(reasoningTokens, "reasoningTokens");
    iterations = Objects.requireNonNull(iterations, "iterations").map(List::copyOf);
  }

  /** Returns a usage with only input and output tokens. */
  public static TokenUsage of(long inputTokens, long outputTokens) {
    return new TokenUsage(
        inputTokens,
        outputTokens,
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        Optional.empty());
  }

  /**
   * Returns the sum of this usage and {@code other}: counts are added (unsigned); an optional
   * counter is present when it is present in either; iterations are concatenated when present in
   * either.
   *
   * @throws ArithmeticException if a sum exceeds the unsigned 64-bit range
   */
  public TokenUsage plus(TokenUsage other) {
    Objects.requireNonNull(other, "other");
    Optional<List<IterationUsage>> its;
    if (iterations.isEmpty() && other.iterations.isEmpty()) {
      its = Optional.empty();
    } else {
      List<IterationUsage> all = new ArrayList<>(iterations.orElse(List.of()));
      all.addAll(other.iterations.orElse(List.of()));
      its = Optional.of(all);
    }
    return new TokenUsage(
        addUnsigned(inputTokens, other.inputTokens),
        addUnsigned(outputTokens, other.outputTokens),
        addOptional(cacheReadTokens, other.cacheReadTokens),
        addOptional(cacheCreationTokens, other.cacheCreationTokens),
        addOptional(reasoningTokens, other.reasoningTokens),
        its);
  }

  private static OptionalLong addOptional(OptionalLong a, OptionalLong b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return OptionalLong.of(addUnsigned(a.getAsLong(), b.getAsLong()));
  }

  private static long addUnsigned(long a, long b) {
    long sum = a + b;
    if (Long.compareUnsigned(sum, a) < 0) {
      throw new ArithmeticException(
          "unsigned 64-bit overflow: "
              + Long.toUnsignedString(a)
              + " + "
              + Long.toUnsignedString(b));
    }
    return sum;
  }
}
