package org.sessionkit.mysql;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of a server that cuts a connection when the client sends a chosen
 * statement: either before forwarding it (the server never sees it) or right after (the server
 * runs it, the client never hears back). That makes "the connection broke before / during the
 * commit" deterministic.
 */
final class CuttingProxy implements AutoCloseable {

  /** When to cut, relative to the matched statement. */
  enum When {
    /** The statement is dropped; the server never receives it. */
    BEFORE,
    /** The statement is forwarded; its reply is never relayed. */
    AFTER
  }

  private record Rule(byte[] text, When when) {}

  private final ServerSocket listener;
  private final String host;
  private final int port;
  private final AtomicReference<Rule> armed = new AtomicReference<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile int cuts;

  CuttingProxy(String host, int port) throws IOException {
    this.host = host;
    this.port = port;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "cutting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  /** The port clients connect to. */
  int port() {
    return listener.getLocalPort();
  }

  /** Cuts the next connection that sends a statement starting with {@code statement}. */
  void cutOnNext(String statement, When when) {
    armed.set(new Rule(statement.getBytes(StandardCharsets.US_ASCII), when));
  }

  /** How many connections were cut. */
  int cuts() {
    return cuts;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(host, port);
        sockets.add(client);
        sockets.add(server);
        pump(client, server, true);
        pump(server, client, false);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          Rule rule = fromClient ? armed.get() : null;
          if (rule != null && isQuery(buf, n, rule.text()) && armed.compareAndSet(rule, null)) {
            if (rule.when() == When.AFTER) {
              out.write(buf, 0, n);
              out.flush();
            }
            cuts++;
            closeQuietly(to);
            closeQuietly(from);
            return;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // One side went away.
      } finally {
        closeQuietly(to);
        closeQuietly(from);
      }
    }, "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Whether the chunk is a COM_QUERY packet (length, sequence, 0x03) whose text starts with {@code text}. */
  private static boolean isQuery(byte[] buf, int n, byte[] text) {
    if (n < 5 + text.length || buf[4] != 0x03) {
      return false;
    }
    for (int i = 0; i < text.length; i++) {
      if (Character.toUpperCase(buf[5 + i]) != text[i]) {
        return false;
      }
    }
    return true;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
