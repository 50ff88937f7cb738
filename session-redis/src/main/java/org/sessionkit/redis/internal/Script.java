package org.sessionkit.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.sessionkit.Futures;

/**
 * A Lua script run with {@code EVALSHA}, falling back to {@code EVAL} (which also caches it on
 * the server) when the server answers {@code NOSCRIPT}: after a restart, a failover or {@code
 * SCRIPT FLUSH}. Immutable and thread safe.
 */
public final class Script {

  private final String name;
  private final boolean readOnly;
  private final byte[] source;
  private final String sha1;

  /**
   * Creates a script; {@code name} is for messages. A read-only script (it must declare {@code
   * flags=no-writes}) runs with {@code EVALSHA_RO}/{@code EVAL_RO}: servers run those while writes
   * are paused (failover) even when the script is not cached yet, and replicas accept them.
   */
  public Script(String name, boolean readOnly, String source) {
    this.name = name;
    this.readOnly = readOnly;
    this.source = source.getBytes(StandardCharsets.UTF_8);
    try {
      this.sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(this.source));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }

  @Override
  public String toString() {
    return "Script[" + name + " " + sha1 + "]";
  }

  /** Returns the name of the script, for messages. */
  public String name() {
    return name;
  }

  /** Returns the script's source, UTF-8 encoded (a copy). */
  public byte[] source() {
    return source.clone();
  }

  /** Returns the SHA-1 digest by which the server caches the script. */
  public String sha1() {
    return sha1;
  }

  /**
   * Runs the script; completes with its reply, a list whose elements are {@code byte[]}, {@code
   * Long}, {@code null} or nested lists.
   */
  public CompletableFuture<List<Object>> run(
      RedisClusterAsyncCommands<byte[], byte[]> redis, byte[][] keys, byte[][] args) {
    CompletableFuture<List<Object>> first =
        (readOnly
                ? redis.<List<Object>>evalshaReadOnly(sha1, ScriptOutputType.MULTI, keys, args)
                : redis.<List<Object>>evalsha(sha1, ScriptOutputType.MULTI, keys, args))
            .toCompletableFuture();
    return first
        .handle(
            (reply, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(reply);
              }
              Throwable cause = Futures.unwrap(failure);
              if (isNoScript(cause)) {
                return (readOnly
                        ? redis.<List<Object>>evalReadOnly(source, ScriptOutputType.MULTI, keys, args)
                        : redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args))
                    .toCompletableFuture();
              }
              return CompletableFuture.<List<Object>>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  /**
   * Runs the script only if the server has it cached: on {@code NOSCRIPT}, it asks the server to
   * cache it ({@code SCRIPT LOAD}, for the next run) and fails, instead of sending it again
   * behind the commands sent since — for a script whose late run would do harm.
   */
  public CompletableFuture<List<Object>> runIfCached(
      RedisClusterAsyncCommands<byte[], byte[]> redis, byte[][] keys, byte[][] args) {
    CompletableFuture<List<Object>> run =
        redis.<List<Object>>evalsha(sha1, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
    run.whenComplete((reply, failure) -> {
      if (failure != null && isNoScript(Futures.unwrap(failure))) {
        redis.scriptLoad(source);
      }
    });
    return run;
  }

  /** Whether {@code failure} is the server's {@code NOSCRIPT}: it does not have the script cached. */
  private static boolean isNoScript(Throwable failure) {
    return failure instanceof RedisNoScriptException || String.valueOf(failure.getMessage()).startsWith("NOSCRIPT");
  }
}
