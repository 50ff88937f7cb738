package org.sessionkit.cli;

import org.sessionkit.SessionStorage;
import org.sessionkit.tck.ForwardingSessionStorage;

/**
 * A store that hands every call to another; tests override what they change. {@link #close()}
 * does not close the delegate, so a test can look at a store after a command closed its view.
 */
class ForwardingStorage extends ForwardingSessionStorage {

  ForwardingStorage(SessionStorage delegate) {
    super(delegate);
  }

  @Override
  public void close() {
    // The delegate stays open: the test owns it.
  }
}
