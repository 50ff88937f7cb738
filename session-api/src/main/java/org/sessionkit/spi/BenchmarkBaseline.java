package org.sessionkit.spi;

import java.util.List;
import java.util.function.UnaryOperator;
import org.sessionkit.Message;
import org.sessionkit.Session;
import org.sessionkit.SessionNotFoundException;

/**
 * The raw cost of a store's medium, for the benchmark: the same sessions written and read with the
 * plainest calls of the medium's own client, without sessionkit's store (no revisions, checks,
 * indexes or executors). The benchmark runs the same operations on a store and on its baseline and
 * reports the ratio, so a baseline does what a careful application would do by hand, no more and
 * no less: encode with {@link SessionCodec#encode(Session)} and write the bytes in one call;
 * read them in one call and {@link SessionCodec#decode(byte[], String)}. Offered through {@link
 * BenchmarkSupport#openBaseline(String, String)}.
 *
 * <p>Every method runs on the calling thread and returns when the medium has answered. Called by
 * several threads at once: implementations are thread safe (e.g. a connection per thread).
 */
public interface BenchmarkBaseline extends AutoCloseable {

  /**
   * Writes {@code session}, replacing any stored under its id.
   *
   * @throws Exception whatever the medium's client throws
   */
  void save(Session session) throws Exception;

  /**
   * Reads the session stored under {@code id}.
   *
   * @throws SessionNotFoundException if there is none
   * @throws Exception whatever the medium's client throws
   */
  Session load(String id) throws Exception;

  /**
   * Adds {@code messages} at the end of the session {@code id} the cheapest way the medium allows
   * (e.g. one insert or push of the encoded messages, {@link SessionCodec#encodeMessage}), without
   * checking that the session exists.
   *
   * @throws Exception whatever the medium's client throws
   */
  void append(String id, List<Message> messages) throws Exception;

  /**
   * Reads the session {@code id}, applies {@code change} and writes the result, so that two
   * callers in this JVM never interleave on one id (a lock of the baseline's own is enough: the
   * baseline measures the medium, not cross-process safety).
   *
   * @return the session written
   * @throws SessionNotFoundException if there is none
   * @throws Exception whatever the medium's client or {@code change} throws
   */
  Session update(String id, UnaryOperator<Session> change) throws Exception;

  /** Releases every connection and thread the baseline opened; idempotent. */
  @Override
  void close();
}
