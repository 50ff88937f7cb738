package org.sessionkit.springai;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.sessionkit.SessionStorage;

/** Wraps a storage and counts the calls of each of its methods, to see what a turn costs. */
final class CountingStorage {

  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final SessionStorage proxy;

  CountingStorage(SessionStorage delegate) {
    InvocationHandler handler =
        (p, method, args) -> {
          calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
          try {
            return method.invoke(delegate, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    proxy =
        (SessionStorage)
            Proxy.newProxyInstance(
                SessionStorage.class.getClassLoader(), new Class<?>[] {SessionStorage.class}, handler);
  }

  SessionStorage storage() {
    return proxy;
  }

  int count(String method) {
    AtomicInteger n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  /** Returns the calls so far as "method=count" pairs and starts counting afresh. */
  Map<String, Integer> takeCounts() {
    Map<String, Integer> result = new java.util.TreeMap<>();
    calls.forEach((k, v) -> result.put(k, v.getAndSet(0)));
    result.values().removeIf(v -> v == 0);
    return result;
  }
}
