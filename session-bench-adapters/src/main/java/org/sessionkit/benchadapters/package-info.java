/**
 * JMH benchmark of a chat turn through the Spring AI adapter on the PostgreSQL store against
 * Spring AI's own JDBC chat memory repository on the same server.
 */
@NullMarked
package org.sessionkit.benchadapters;

import org.jspecify.annotations.NullMarked;
