package org.sessionkit.langchain4j;

import org.sessionkit.SessionStorage;
import org.sessionkit.memory.MemorySessionStorage;

/** The LangChain4j conversations over the in-memory store. */
class MemoryStoreConversationTest extends ChatMemoryConversationTests {
  @Override
  protected SessionStorage openStorage() {
    return new MemorySessionStorage();
  }

  @Override
  protected boolean persistent() {
    return false;
  }
}
