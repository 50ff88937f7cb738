package org.sessionkit.springai;

import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/** {@link ConversationContract} over the in-memory store. */
class MemoryConversationTest extends ConversationContract {

  @Override
  SessionStorage open() {
    return new MemorySessionStorage();
  }
}
