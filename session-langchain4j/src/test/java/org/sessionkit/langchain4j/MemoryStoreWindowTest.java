package org.sessionkit.langchain4j;

import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/** {@link SessionWindowChatMemory} over the in-memory store. */
class MemoryStoreWindowTest extends WindowChatMemoryTests {
  @Override
  protected SessionStorage openStorage() {
    return new MemorySessionStorage();
  }

  @Override
  protected boolean persistent() {
    return false;
  }
}
