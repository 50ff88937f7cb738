/** Internals of the LangChain4j adapter (merging concurrent turns). Not API. */
@NullMarked
package org.sessionkit.langchain4j.internal;

import org.jspecify.annotations.NullMarked;
