/**
 * sessionkit for Spring AI: {@link org.sessionkit.springai.SessionChatMemoryRepository}, Spring
 * AI's {@code ChatMemoryRepository} over any {@link org.sessionkit.SessionStorage}, and {@link
 * org.sessionkit.springai.SessionkitChatMemoryAutoConfiguration}, which configures it from the
 * {@code sessionkit.store} property in a Spring Boot application.
 */
@NullMarked
package org.sessionkit.springai;

import org.jspecify.annotations.NullMarked;
