package org.sessionkit.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on a loopback port in front of a server, which can lose one reply the way a
 * network does: armed with a marker, it finds the next client request that contains the marker,
 * lets it and a given number of following requests through with their answers, forwards the
 * request after those to the server — which executes it — and then, instead of forwarding the
 * server's answer, closes the client's and the server's sockets. (A request is what the client
 * sends between two answers: pgjdbc sends a statement, or a commit, in one go and waits.) It can
 * also refuse every new connection.
 */
final class DroppingProxy implements AutoCloseable {

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket listener;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicReference<byte[]> armed = new AtomicReference<>();
  private volatile int armedAfter;
  private final AtomicInteger dropped = new AtomicInteger();
  private volatile boolean refusing;
  private volatile boolean closed;

  DroppingProxy(String upstreamHost, int upstreamPort) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "dropping-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The proxy's port on 127.0.0.1. */
  int port() {
    return listener.getLocalPort();
  }

  /** Loses the answer to the next request that contains {@code marker} (UTF-8). */
  void dropReplyTo(String marker) {
    dropReplyTo(marker, 0);
  }

  /**
   * Loses the answer to the request that comes {@code after} requests after the next one that
   * contains {@code marker} (0: that one itself). pgjdbc names its COMMIT after the first use on
   * a connection, so a commit is found by its place after a statement that carries a marker.
   */
  void dropReplyTo(String marker, int after) {
    armedAfter = after;
    armed.set(marker.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether an armed drop has not happened yet. */
  boolean stillArmed() {
    return armed.get() != null;
  }

  /** How many replies were lost. */
  int dropped() {
    return dropped.get();
  }

  /** Closes every new connection at once while {@code refusing}, and every open one now. */
  void refuse(boolean refusing) {
    this.refusing = refusing;
    if (refusing) {
      sockets.forEach(DroppingProxy::closeQuietly);
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    sockets.forEach(DroppingProxy::closeQuietly);
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      if (refusing) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket server = new Socket(upstreamHost, upstreamPort);
        sockets.add(client);
        sockets.add(server);
        Connection conn = new Connection(client, server);
        start(() -> conn.pumpRequests(), "dropping-proxy-requests");
        start(() -> conn.pumpReplies(), "dropping-proxy-replies");
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private static void start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  /** One proxied connection. */
  private final class Connection {
    private final Socket client;
    private final Socket server;
    /** Set once the request whose answer is to be lost went to the server. */
    private volatile boolean loseReply;
    /** Whether an answer went to the client since the last request. */
    private volatile boolean answered = true;
    /** Requests still to let through after a marked one; -1 when not counting. */
    private int countdown = -1;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void pumpRequests() {
      byte[] buffer = new byte[64 * 1024];
      // The tail of the previous read, so that a marker split between two reads is found.
      byte[] carry = new byte[0];
      try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          boolean newRequest = answered;
          answered = false;
          if (countdown > 0 && newRequest && --countdown == 0) {
            countdown = -1;
            loseReply = true;
          }
          byte[] marker = armed.get();
          if (marker != null) {
            byte[] window = new byte[carry.length + n];
            System.arraycopy(carry, 0, window, 0, carry.length);
            System.arraycopy(buffer, 0, window, carry.length, n);
            if (indexOf(window, marker) >= 0 && armed.compareAndSet(marker, null)) {
              if (armedAfter == 0) {
                loseReply = true;
              } else {
                countdown = armedAfter;
              }
            }
            carry = Arrays.copyOfRange(window, Math.max(0, window.length - marker.length + 1), window.length);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // Closed by the other side or by us.
      } finally {
        closeBoth();
      }
    }

    void pumpReplies() {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          if (loseReply) {
            dropped.incrementAndGet();
            return;
          }
          // Before forwarding: the client may send its next request as soon as it has this.
          answered = true;
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // Closed by the other side or by us.
      } finally {
        closeBoth();
      }
    }

    private void closeBoth() {
      closeQuietly(client);
      closeQuietly(server);
      sockets.remove(client);
      sockets.remove(server);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // Nothing to do.
    }
  }
}
