package org.sessionkit.redis;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One store on the shared test server under a fresh key prefix, for the tests of one class
 * ({@code @RegisterExtension static final SharedStore SHARED = new SharedStore();}): opened
 * before them (skipped without a server, failed with {@code CI} set), then closed and every key
 * under the prefix removed.
 */
final class SharedStore implements BeforeAllCallback, AfterAllCallback {

  private final String prefix = TestRedis.newPrefix();
  private RedisSessionStorage store;

  /** Returns the key prefix of the store. */
  String prefix() {
    return prefix;
  }

  /** Returns the store; only from the class's tests and its {@code @BeforeAll} methods. */
  RedisSessionStorage store() {
    return store;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    TestRedis.assumeServer();
    store = TestRedis.open(prefix);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (store != null) {
      store.close();
    }
    TestRedis.removeKeys(prefix);
  }
}
