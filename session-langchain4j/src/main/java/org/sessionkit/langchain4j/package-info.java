/**
 * sessionkit for LangChain4j: {@link org.sessionkit.langchain4j.SessionChatMemoryStore}, a
 * LangChain4j {@code ChatMemoryStore} over any {@link org.sessionkit.SessionStorage}, and the
 * message mapping it uses ({@link org.sessionkit.langchain4j.LangChain4jMessages}). For
 * applications built on LangChain4j.
 */
@NullMarked
package org.sessionkit.langchain4j;

import org.jspecify.annotations.NullMarked;
