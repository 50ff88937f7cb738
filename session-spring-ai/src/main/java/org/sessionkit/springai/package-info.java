/**
 * sessionkit for Spring AI: {@link org.sessionkit.springai.SessionWindowChatMemory}, a {@code
 * ChatMemory} that keeps the whole history and serves its tail; {@link
 * org.sessionkit.springai.SessionChatMemoryRepository}, Spring AI's {@code ChatMemoryRepository}
 * over any {@link org.sessionkit.SessionStorage}; {@link org.sessionkit.springai.MetadataCodec}s
 * for message metadata; and {@link org.sessionkit.springai.SessionkitChatMemoryAutoConfiguration},
 * which configures them from the {@code sessionkit.*} properties in a Spring Boot application.
 */
@NullMarked
package org.sessionkit.springai;

import org.jspecify.annotations.NullMarked;
