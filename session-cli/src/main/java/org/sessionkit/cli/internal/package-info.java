/** Internals of the command line: the commands, their options, output and progress. Not API. */
@NullMarked
package org.sessionkit.cli.internal;

import org.jspecify.annotations.NullMarked;
